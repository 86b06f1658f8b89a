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
// reloads its definitions at its next request. The version moves first:
// that locks the workspace row until the change commits, so record writes
// (which share-lock it, see records) wait for the change, or it for them,
// and none lands unseen while it rewrites stored values. The change was
// checked against m: when another change committed since m was read, it is
// refused with CONFLICT rather than overwrite that change with m's view.
func Change(ctx context.Context, client *ent.Client, m *Model, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	n, err := tx.Workspace.Update().Where(workspace.ID(m.WorkspaceID), workspace.SchemaVersion(m.Version)).AddSchemaVersion(1).Save(ctx)
	if err == nil && n == 0 {
		err = apierr.New(apierr.Conflict, "the definitions changed since this request read them; try again")
	}
	if err == nil {
		err = fn(tx)
	}
	if err != nil {
		return errors.Join(conflictOf(err), tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return conflictOf(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// conflictOf turns a unique constraint that caught a definition made at the
// same time by another request (the checks before ran on older
// definitions) into the CONFLICT those checks answer.
func conflictOf(err error) error {
	if _, ok := apierr.As(err); !ok && ent.IsConstraintError(err) {
		return apierr.Wrap(err, apierr.Conflict, "a definition with that name was made at the same time by another request")
	}
	return err
}

// Lookup returns the live object type called name, or NOT_FOUND.
func (m *Model) Lookup(name string) (*ObjectType, error) {
	ot, ok := m.ObjectType(name)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "no object type %q", name)
	}
	return ot, nil
}
