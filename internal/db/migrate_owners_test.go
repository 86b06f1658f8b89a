package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/acme/crm/internal/db"
)

// TestMigrationGivesExistingObjectTypesAnOwner: a database made before
// owners holds a custom object type; migrating gives it hubspot_owner_id
// (type owner) in its first group, and moves its workspace's schema
// version on so that servers reload their definitions.
func TestMigrationGivesExistingObjectTypesAnOwner(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		d, _ := open(t, dialectName)
		legacySchema(t, d)
		now := time.Now().UTC().Truncate(time.Microsecond)
		ws, err := d.Client.Workspace.Create().SetName("old").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []*db.SQL{
			db.Build(d.Dialect, "INSERT INTO object_types (created_at, updated_at, name, singular_label, plural_label, kind, secondary_display_properties, display_name_properties, required_properties, searchable_properties, workspace_id) VALUES (").
				Arg(now).T(", ").Arg(now).T(", 'pets', 'Pet', 'Pets', 'custom', '[]', '[]', '[]', '[]', ").Arg(ws.ID).T(")"),
			db.Build(d.Dialect, "INSERT INTO property_groups (created_at, updated_at, name, label, display_order, workspace_id, object_type_id) VALUES (").
				Arg(now).T(", ").Arg(now).T(", 'petinformation', 'Pet information', 0, ").Arg(ws.ID).T(", (SELECT id FROM object_types WHERE name = 'pets'))"),
		} {
			if _, err := q.Exec(ctx, d.SQL); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		var typ, group string
		var sortable bool
		err = d.ReadRow(ctx, db.Build(d.Dialect, "SELECT p.type, g.name, p.sortable FROM properties p JOIN property_groups g ON g.id = p.group_id "+
			"JOIN object_types o ON o.id = p.object_type_id WHERE o.name = 'pets' AND p.name = 'hubspot_owner_id'"), &typ, &group, &sortable)
		if err != nil || typ != "owner" || group != "petinformation" || !sortable {
			t.Fatalf("pets' hubspot_owner_id: %q in %q, sortable %v: %v", typ, group, sortable, err)
		}
		got, err := d.Client.Workspace.Get(ctx, ws.ID)
		if err != nil || got.SchemaVersion != ws.SchemaVersion+1 {
			t.Fatalf("schema version %v after the migration, was %d: %v", got, ws.SchemaVersion, err)
		}
		// Definitions read back: the migrated times parse.
		if _, err := d.Client.Property.Query().All(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
