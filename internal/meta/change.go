package meta

import (
	"context"
	"errors"
	"fmt"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/workspace"
	"github.com/acme/crm/internal/apierr"
)

// Change runs fn, a change of definitions, in one transaction that also
// moves the workspace's schema version on, so that every server process
// reloads its definitions at its next request.
func Change(ctx context.Context, client *ent.Client, workspaceID int, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	err = fn(tx)
	if err == nil {
		err = tx.Workspace.Update().Where(workspace.ID(workspaceID)).AddSchemaVersion(1).Exec(ctx)
	}
	if err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Lookup returns the live object type called name, or NOT_FOUND.
func (m *Model) Lookup(name string) (*ObjectType, error) {
	ot, ok := m.ObjectType(name)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "no object type %q", name)
	}
	return ot, nil
}
