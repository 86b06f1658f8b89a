package demo_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/demo"
	"github.com/acme/crm/internal/domain"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
)

// TestDemoLoadsOnceIntoAnEmptyWorkspace: the demo set lands whole, with
// its associations and activities, and never again, nor into a workspace
// that holds records.
func TestDemoLoadsOnceIntoAnEmptyWorkspace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ws, err := install.Default(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		e := domain.New(d, t.TempDir(), slog.Default()).Imports
		loaded, err := demo.Load(ctx, d, e, ws)
		if err != nil || !loaded {
			t.Fatalf("loaded %v: %v", loaded, err)
		}
		counts := map[string]int{}
		rows, err := d.SQL.QueryContext(ctx, d.Dialect.Rebind(`SELECT o.name, COUNT(*) FROM records r JOIN object_types o ON o.id = r.object_type_id WHERE r.workspace_id = ? GROUP BY o.name`), ws)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			var n int
			if err := rows.Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			counts[name] = n
		}
		rows.Close()
		want := map[string]int{"companies": 50, "contacts": 200, "deals": 80, "tickets": 20, "notes": 150, "calls": 60, "meetings": 30}
		for name, n := range want {
			if counts[name] != n {
				t.Fatalf("%s: %d, want %d (all: %v)", name, counts[name], n, counts)
			}
		}
		var links int
		if err := d.SQL.QueryRowContext(ctx, d.Dialect.Rebind("SELECT COUNT(*) FROM associations WHERE workspace_id = ?"), ws).Scan(&links); err != nil {
			t.Fatal(err)
		}
		// Both directions: a contact's company, a deal's company and
		// contact, a ticket's company, an activity's contact.
		if wantLinks := 2 * (200 + 2*80 + 20 + 150 + 60 + 30); links < wantLinks {
			t.Fatalf("%d association rows, want at least %d", links, wantLinks)
		}
		if again, err := demo.Load(ctx, d, e, ws); err != nil || again {
			t.Fatalf("a second load: %v %v", again, err)
		}
	})
}

// TestDemoLeavesAWorkspaceWithRecords: one record of its own, and the
// workspace gets no demo set.
func TestDemoLeavesAWorkspaceWithRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ws, err := install.Default(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		st := domain.New(d, t.TempDir(), slog.Default())
		m, err := meta.NewCache(d).Get(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Records.Create(ctx, m, "companies", records.NewRecord{Properties: map[string]any{"name": "Mine"}}, records.Options{}); err != nil {
			t.Fatal(err)
		}
		if loaded, err := demo.Load(ctx, d, st.Imports, ws); err != nil || loaded {
			t.Fatalf("loaded %v: %v", loaded, err)
		}
	})
}
