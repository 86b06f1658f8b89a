package db

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql/schema"
)

// Migrate brings the schema up to date. Indexes the server makes itself
// (expression indexes of properties) are out of ent's reach: it never drops
// an index it does not know.
func (db *DB) Migrate(ctx context.Context) error {
	if err := db.Client.Schema.Create(ctx, schema.WithDropIndex(false), schema.WithDropColumn(false)); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	for _, stmt := range db.Dialect.ExtraMigrations() {
		if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrate schema: %s: %w", stmt, err)
		}
	}
	return nil
}
