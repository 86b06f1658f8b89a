// Package install brings a database to a usable state: the schema, the
// default workspace, its standard catalog, and the indexes definitions need.
// It is idempotent: the server runs it at every start.
package install

import (
	"context"
	"fmt"

	"github.com/acme/crm/internal/catalog"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/tenant"
)

// Default migrates d and prepares the default workspace, returning its id.
func Default(ctx context.Context, d *db.DB) (int, error) {
	if err := d.Migrate(ctx); err != nil {
		return 0, err
	}
	ws, err := tenant.EnsureWorkspace(ctx, d.Client, tenant.DefaultName)
	if err != nil {
		return 0, err
	}
	if err := Workspace(ctx, d, ws.ID); err != nil {
		return 0, err
	}
	return ws.ID, nil
}

// Workspace seeds the standard catalog into a workspace and builds the
// indexes of its unique properties.
func Workspace(ctx context.Context, d *db.DB, workspaceID int) error {
	if err := catalog.Seed(ctx, d.Client, workspaceID); err != nil {
		return fmt.Errorf("seed workspace %d: %w", workspaceID, err)
	}
	m, err := meta.NewCache(d.Client).Get(ctx, workspaceID)
	if err != nil {
		return err
	}
	return records.EnsureIndexes(ctx, d, m)
}
