package records

import (
	"context"
	"fmt"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
)

// uniqueIndexName is short and stable: PostgreSQL cuts names at 63 bytes.
func uniqueIndexName(p *meta.Property) string {
	return fmt.Sprintf("records_unique_%d_%d", p.ObjectTypeID, p.ID)
}

// uniqueIndexDDL makes the database, not a check before the insert,
// guarantee a unique property: a partial expression index over the live
// records of one object type.
func uniqueIndexDDL(d db.Dialect, p *meta.Property) *db.SQL {
	return db.Build(d, "CREATE UNIQUE INDEX IF NOT EXISTS ").Ident(uniqueIndexName(p)).T(" ON records (workspace_id, ").
		Property("", "properties", p.Name).T(") WHERE object_type_id = ").Int(p.ObjectTypeID).T(" AND archived_at IS NULL")
}

// CreateUniqueIndex builds the unique index of p, in q's transaction when
// q is one. Duplicate values make it fail with a unique violation.
func CreateUniqueIndex(ctx context.Context, q ExecQuerier, d db.Dialect, p *meta.Property) error {
	_, err := uniqueIndexDDL(d, p).Exec(ctx, q)
	return err
}

// DropUniqueIndex drops the unique index of p, if it has one.
func DropUniqueIndex(ctx context.Context, q ExecQuerier, d db.Dialect, p *meta.Property) error {
	_, err := db.Build(d, "DROP INDEX IF EXISTS ").Ident(uniqueIndexName(p)).Exec(ctx, q)
	return err
}

// EnsureIndexes creates the unique index of every unique property in m.
func EnsureIndexes(ctx context.Context, d *db.DB, m *meta.Model) error {
	for _, ot := range m.ObjectTypes {
		for _, p := range ot.UniqueProperties() {
			if err := CreateUniqueIndex(ctx, d.SQL, d.Dialect, p); err != nil {
				return fmt.Errorf("create unique index of %s.%s: %w", ot.Name, p.Name, err)
			}
		}
	}
	return nil
}
