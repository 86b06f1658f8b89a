package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

// An aggregate of a time column scans as the time stored, on both
// databases (SQLite answers it as text), and NULL as no time.
func TestNullTimeScansAggregates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)
		ws, err := d.Client.Workspace.Create().SetName("w").SetCreatedAt(at).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got, none db.NullTime
		if err := db.Build(d.Dialect, "SELECT MAX(created_at) FROM workspaces WHERE id = ").Arg(ws.ID).Row(ctx, d.Client, &got); err != nil {
			t.Fatal(err)
		}
		if !got.Valid || !got.Time.Equal(at) {
			t.Fatalf("MAX(created_at) = %+v, want %v", got, at)
		}
		if err := db.Build(d.Dialect, "SELECT MAX(created_at) FROM workspaces WHERE id = ").Arg(ws.ID+1).Row(ctx, d.Client, &none); err != nil {
			t.Fatal(err)
		}
		if none.Valid {
			t.Fatalf("MAX over no rows = %+v, want NULL", none)
		}
	})
}
