package definition_test

import (
	"context"
	"testing"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/write"
)

// Two changes checked against the same definitions: the second would write
// its stale view over the first, so it is refused and the first stands.
func TestChangesFromStaleDefinitionsAreRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := audit.WithActor(context.Background(), audit.CLI)
		ws, err := install.Default(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		m, err := meta.NewCache(d).Get(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		s := definition.New(d, write.New(d))
		tier := definition.PropertyInput{Name: "tier", Label: "Tier", Type: propdef.Enumeration, FieldType: propdef.Select,
			Options: []propdef.Option{{Label: "Gold", Value: "gold"}}}
		if _, err := s.CreateProperty(ctx, m, "contacts", tier); err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateGroup(ctx, m, "contacts", "extra", "Extra", 1)
		if apierr.CodeOf(err) != apierr.Conflict {
			t.Fatalf("a change from stale definitions: %v", err)
		}
		fresh, err := meta.NewCache(d).Get(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		ot, _ := fresh.ObjectType("contacts")
		if _, ok := ot.Property("tier"); !ok {
			t.Fatal("the first change was lost")
		}
	})
}
