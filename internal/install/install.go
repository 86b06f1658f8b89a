// Package install brings a database to a usable state: the schema, the
// default workspace, its standard catalog, the indexes definitions need
// (unique ones under the migration lock, those of search after it) and the
// search text of records that came without one.
// It is idempotent: the server runs it at every start.
package install

import (
	"context"
	"errors"
	"fmt"

	"github.com/acme/crm/ent/workspace"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/catalog"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/indexes"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/tenant"
)

// Default migrates d and prepares the default workspace, returning its id.
// Migrating and seeding run under one hold of the migration lock
// (db.Locked), so that servers starting together on a new database take
// turns: the first migrates and seeds, the others find it done. Without
// the lock, seeding rows would be safe (catalog.Seed locks the workspace
// row, the workspace insert ignores a conflict) but the unique indexes'
// DDL would not: concurrent CREATE INDEX IF NOT EXISTS of one name fails
// on PostgreSQL's catalog. opts are passed to db.Migrate (db.MigrateLogger,
// for one).
func Default(ctx context.Context, d *db.DB, opts ...db.MigrateOption) (int, error) {
	var id int
	err := d.Migrate(ctx, append(opts[:len(opts):len(opts)], db.MigrateThen(func(ctx context.Context) (err error) {
		id, err = defaultWorkspace(ctx, d)
		return err
	}))...)
	if err != nil {
		return 0, err
	}
	return id, searchIndexes(ctx, d, id)
}

// DefaultMigrated prepares the default workspace of a database that must
// already be migrated: it returns db.CheckMigrations's error, changing
// nothing, when migrations are pending or the database is newer than this
// program.
func DefaultMigrated(ctx context.Context, d *db.DB) (int, error) {
	if err := d.CheckMigrations(ctx); err != nil {
		return 0, err
	}
	var id int
	err := d.Locked(ctx, func(ctx context.Context) (err error) {
		id, err = defaultWorkspace(ctx, d)
		return err
	})
	if err != nil {
		return 0, err
	}
	return id, searchIndexes(ctx, d, id)
}

// searchIndexes builds the indexes of search the workspace's definitions
// ask for and a server stopped before building, outside the migration
// lock: on a large table a concurrent build takes a while, and migrations
// of other servers need not wait for it (indexes.Startup takes a lock of
// its own).
func searchIndexes(ctx context.Context, d *db.DB, workspaceID int) error {
	if err := indexes.Startup(ctx, d, workspaceID); err != nil {
		return fmt.Errorf("search indexes of workspace %d: %w", workspaceID, err)
	}
	return nil
}

func defaultWorkspace(ctx context.Context, d *db.DB) (int, error) {
	ws, err := tenant.EnsureWorkspace(ctx, d.Client, tenant.DefaultName)
	if err != nil {
		return 0, err
	}
	if err := Workspace(ctx, d, ws.ID); err != nil {
		return 0, err
	}
	return ws.ID, nil
}

// Workspace seeds the standard catalog into a workspace, builds the
// indexes of its unique properties and makes the search text of records
// that have none.
func Workspace(ctx context.Context, d *db.DB, workspaceID int) error {
	if err := catalog.Seed(ctx, d, workspaceID); err != nil {
		return fmt.Errorf("seed workspace %d: %w", workspaceID, err)
	}
	m, err := meta.NewCache(d).Get(ctx, workspaceID)
	if err != nil {
		return err
	}
	if err := records.EnsureIndexes(ctx, d, m); err != nil {
		return err
	}
	return records.FillSearchText(ctx, d, m)
}

// createWorkspace inserts the workspace called name and its audit entry,
// in one transaction, and returns its id.
func createWorkspace(ctx context.Context, d *db.DB, name string) (int, error) {
	tx, err := d.Client.Tx(ctx)
	if err != nil {
		return 0, err
	}
	ws, err := tx.Workspace.Create().SetName(name).Save(ctx)
	if err == nil {
		err = audit.Insert(ctx, tx.AuditEntry, ws.ID, audit.Of(audit.CreateWorkspace, gid.Workspace, ws.ID, "created workspace %q", name))
	}
	if err != nil {
		return 0, errors.Join(fmt.Errorf("create workspace %q: %w", name, err), tx.Rollback())
	}
	return ws.ID, tx.Commit()
}

// CreateWorkspace makes a workspace called name with its standard catalog
// and returns its id; a workspace of that name already there is an error.
// Its creation is audited, by the actor of ctx.
// It migrates d first and seeds under the migration lock, as Default does.
func CreateWorkspace(ctx context.Context, d *db.DB, name string) (int, error) {
	var id int
	err := d.Migrate(ctx, db.MigrateThen(func(ctx context.Context) error {
		exists, err := d.Client.Workspace.Query().Where(workspace.Name(name)).Exist(ctx)
		if err != nil {
			return err
		}
		if exists {
			return fmt.Errorf("a workspace called %q exists already", name)
		}
		if id, err = createWorkspace(ctx, d, name); err != nil {
			return err
		}
		return Workspace(ctx, d, id)
	}))
	if err != nil {
		return 0, err
	}
	return id, searchIndexes(ctx, d, id)
}
