// Package tenant makes workspaces, the tenants every row belongs to. A
// single-tenant install has one default workspace.
package tenant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/workspace"
)

// DefaultName is the name of the workspace of a single-tenant install.
const DefaultName = "default"

// EnsureWorkspace returns the workspace called name, creating it if missing.
func EnsureWorkspace(ctx context.Context, client *ent.Client, name string) (*ent.Workspace, error) {
	ws, err := client.Workspace.Query().Where(workspace.Name(name)).Only(ctx)
	if err == nil {
		return ws, nil
	}
	if !ent.IsNotFound(err) {
		return nil, fmt.Errorf("find workspace %q: %w", name, err)
	}
	err = client.Workspace.Create().SetName(name).OnConflictColumns(workspace.FieldName).DoNothing().Exec(ctx)
	// On PostgreSQL a create that did nothing (another process won the
	// race) reports no rows; the workspace is there all the same.
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("create workspace %q: %w", name, err)
	}
	return client.Workspace.Query().Where(workspace.Name(name)).Only(ctx)
}
