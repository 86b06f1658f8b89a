package db

import (
	"cmp"
	"context"
	stdsql "database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/crc64"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// The schema is versioned SQL files, one folder per dialect, applied in
// order by goose and recorded in its VersionTable. They are written from
// ent/schema by ent itself (see TestMigrationsMatchEntSchema), so the two
// cannot drift apart unnoticed. Goose only runs the files: it never drops
// what it did not create, so the expression indexes the server makes for
// unique properties (records_unique_*) are out of its reach.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationFiles embed.FS

// VersionTable is goose's record of applied migrations.
const VersionTable = "goose_db_version"

// baselineTable is a table every database made by ent's automatic
// migration (before versioned migrations) has.
const baselineTable = "workspaces"

// lockWait bounds the wait for the migration lock: a migration that runs
// longer than this on another server is likely stuck.
const lockWait = 15 * time.Minute

// MigrationState says where a migration stands in a database.
type MigrationState string

const (
	// MigrationApplied: recorded in the version table.
	MigrationApplied MigrationState = "applied"
	// MigrationPending: to be applied.
	MigrationPending MigrationState = "pending"
	// MigrationBaseline: the first migration, pending in a database that ent's
	// automatic migration made; Migrate records it as applied without running
	// it, since its schema is there.
	MigrationBaseline MigrationState = "baseline"
	// MigrationUnknown: recorded as applied but with no file in this program:
	// the database is newer than the program.
	MigrationUnknown MigrationState = "unknown"
)

// Migration is one migration and its state in a database.
type Migration struct {
	Version   int64
	File      string // "" when State is MigrationUnknown
	State     MigrationState
	AppliedAt time.Time // zero unless applied; as the database's clock wrote it
}

// DatabaseNewerError is the refusal to run against a database whose schema
// a newer release migrated.
type DatabaseNewerError struct {
	DatabaseVersion int64 // the highest version the database records
	LatestKnown     int64 // the highest version this program has a file for
}

func (e *DatabaseNewerError) Error() string {
	return fmt.Sprintf("the database schema is at version %d, newer than this program, whose latest migration is version %d: run a release at least as new as the one that migrated it", e.DatabaseVersion, e.LatestKnown)
}

// PendingMigrationsError says that the schema is not up to date.
type PendingMigrationsError struct {
	DatabaseVersion int64 // 0 for a database without migrations
	Pending         []Migration
}

func (e *PendingMigrationsError) Error() string {
	files := make([]string, len(e.Pending))
	for i, m := range e.Pending {
		files[i] = m.File
	}
	return fmt.Sprintf("the database schema is at version %d and %d migration(s) are pending: %s",
		e.DatabaseVersion, len(e.Pending), strings.Join(files, ", "))
}

// MigrateOption changes what Migrate does.
type MigrateOption func(*migrateConfig)

type migrateConfig struct {
	logger *slog.Logger
	then   func(context.Context) error
}

// MigrateLogger logs applied migrations to l instead of slog.Default().
func MigrateLogger(l *slog.Logger) MigrateOption {
	return func(c *migrateConfig) { c.logger = l }
}

// MigrateThen runs fn after migrating, still holding the migration lock.
func MigrateThen(fn func(context.Context) error) MigrateOption {
	return func(c *migrateConfig) { c.then = fn }
}

// Migrate applies pending migrations, holding the migration lock (see
// Locked) so that servers starting together migrate once. A database made
// by ent's automatic migration (its tables but no version table) is first
// baselined: its first migration is recorded as applied without running.
// Migrate refuses a database newer than this program.
func (db *DB) Migrate(ctx context.Context, opts ...MigrateOption) error {
	cfg := migrateConfig{logger: slog.Default()}
	for _, opt := range opts {
		opt(&cfg)
	}
	return db.Locked(ctx, func(ctx context.Context) error {
		if err := db.migrateLocked(ctx, cfg.logger); err != nil {
			return err
		}
		if cfg.then != nil {
			return cfg.then(ctx)
		}
		return nil
	})
}

func (db *DB) migrateLocked(ctx context.Context, logger *slog.Logger) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	status, err := db.status(ctx, p)
	if err != nil {
		return err
	}
	if err := newer(status); err != nil {
		return err
	}
	for _, m := range status {
		if m.State == MigrationBaseline {
			if err := db.baseline(ctx, m.Version); err != nil {
				return fmt.Errorf("baseline the schema made by automatic migration: %w", err)
			}
			logger.Info("schema made by automatic migration recorded as migrated", "version", m.Version, "file", m.File)
		}
	}
	results, err := p.Up(ctx)
	if pe := (*goose.PartialError)(nil); errors.As(err, &pe) {
		results = pe.Applied
	}
	for _, r := range results {
		logger.Info("migration applied", "version", r.Source.Version, "file", path.Base(r.Source.Path),
			"took", r.Duration.Round(time.Millisecond))
	}
	if err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return nil
}

// MigrationStatus lists every migration of this program, and any the
// database records that this program does not have, by version. It changes
// nothing in the database and does not wait for the migration lock.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	return db.status(ctx, p)
}

// CheckMigrations returns nil when the schema is up to date, a
// *DatabaseNewerError when the database is newer than this program, and a
// *PendingMigrationsError when migrations are pending.
func (db *DB) CheckMigrations(ctx context.Context) error {
	status, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if err := newer(status); err != nil {
		return err
	}
	pe := &PendingMigrationsError{}
	for _, m := range status {
		switch m.State {
		case MigrationApplied:
			pe.DatabaseVersion = max(pe.DatabaseVersion, m.Version)
		case MigrationPending, MigrationBaseline:
			pe.Pending = append(pe.Pending, m)
		}
	}
	if len(pe.Pending) > 0 {
		return pe
	}
	return nil
}

func newer(status []Migration) error {
	var e DatabaseNewerError
	for _, m := range status {
		switch m.State {
		case MigrationUnknown:
			e.DatabaseVersion = max(e.DatabaseVersion, m.Version)
		default:
			e.LatestKnown = max(e.LatestKnown, m.Version)
		}
	}
	if e.DatabaseVersion > 0 {
		return &e
	}
	return nil
}

func (db *DB) provider() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, db.migrationsDir())
	if err != nil {
		return nil, err
	}
	// No goose locker: Migrate holds the lock itself, around more than
	// goose's part (see Locked).
	p, err := goose.NewProvider(db.gooseDialect(), db.SQL, fsys,
		goose.WithTableName(VersionTable),
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

func (db *DB) migrationsDir() string {
	if db.Dialect.Name() == dialect.Postgres {
		return "migrations/postgres"
	}
	return "migrations/sqlite"
}

func (db *DB) gooseDialect() goose.Dialect {
	if db.Dialect.Name() == dialect.Postgres {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

// status merges the migration files with the version table, read directly
// so that asking creates nothing (goose's own Status creates the table).
func (db *DB) status(ctx context.Context, p *goose.Provider) ([]Migration, error) {
	applied, err := db.appliedVersions(ctx)
	if err != nil {
		return nil, err
	}
	sources := p.ListSources()
	var status []Migration
	for i, s := range sources {
		m := Migration{Version: s.Version, File: path.Base(s.Path), State: MigrationPending}
		if at, ok := applied[s.Version]; ok {
			m.State, m.AppliedAt = MigrationApplied, at
			delete(applied, s.Version)
		} else if i == 0 {
			legacy, err := db.tableExists(ctx, baselineTable)
			if err != nil {
				return nil, err
			}
			if legacy {
				m.State = MigrationBaseline
			}
		}
		status = append(status, m)
	}
	for v, at := range applied {
		status = append(status, Migration{Version: v, State: MigrationUnknown, AppliedAt: at})
	}
	slices.SortFunc(status, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	return status, nil
}

// appliedVersions reads the version table: each version whose latest row
// says applied, with when. Version 0, goose's marker row, is left out.
func (db *DB) appliedVersions(ctx context.Context) (map[int64]time.Time, error) {
	exists, err := db.tableExists(ctx, VersionTable)
	if err != nil || !exists {
		return nil, err
	}
	rows, err := db.SQL.QueryContext(ctx, "SELECT version_id, is_applied, tstamp FROM "+VersionTable+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", VersionTable, err)
	}
	defer rows.Close()
	applied := map[int64]time.Time{}
	for rows.Next() {
		var (
			version int64
			ok      bool
			stamp   any
		)
		if err := rows.Scan(&version, &ok, &stamp); err != nil {
			return nil, fmt.Errorf("read %s: %w", VersionTable, err)
		}
		if version == 0 {
			continue
		}
		if ok {
			applied[version] = timeOf(stamp)
		} else {
			delete(applied, version)
		}
	}
	return applied, rows.Err()
}

// timeOf reads a version table timestamp: a time from PostgreSQL, text
// written by datetime('now') (UTC) from SQLite.
func timeOf(v any) time.Time {
	switch v := v.(type) {
	case time.Time:
		return v
	case string:
		t, _ := time.Parse(time.DateTime, v)
		return t
	case []byte:
		t, _ := time.Parse(time.DateTime, string(v))
		return t
	}
	return time.Time{}
}

func (db *DB) tableExists(ctx context.Context, table string) (bool, error) {
	var exists bool
	var err error
	if db.Dialect.Name() == dialect.Postgres {
		// to_regclass resolves the name along search_path, as queries do.
		err = db.SQL.QueryRowContext(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists)
	} else {
		err = db.SQL.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)", table).Scan(&exists)
	}
	if err != nil {
		return false, fmt.Errorf("look for table %s: %w", table, err)
	}
	return exists, nil
}

// baseline records version as applied, creating the version table as goose
// does when it is missing, in one transaction.
func (db *DB) baseline(ctx context.Context, version int64) error {
	store, err := database.NewStore(db.gooseDialect(), VersionTable)
	if err != nil {
		return err
	}
	exists, err := db.tableExists(ctx, VersionTable)
	if err != nil {
		return err
	}
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if !exists {
		if err := store.CreateVersionTable(ctx, tx); err != nil {
			return err
		}
		if err := store.Insert(ctx, tx, database.InsertRequest{Version: 0}); err != nil {
			return err
		}
	}
	if err := store.Insert(ctx, tx, database.InsertRequest{Version: version}); err != nil {
		return err
	}
	return tx.Commit()
}

// Locked runs fn holding the migration lock: one holder at a time among
// every process using this database. Migrate holds it; so does seeding the
// default workspace (internal/install), whose statements include DDL that
// must not race either.
//
// PostgreSQL: a session-level advisory lock (goose's session locker) on a
// connection kept for the purpose, so it is released if the process dies.
// Advisory locks are per database while migrations are per schema, so the
// lock id is derived from the current schema: servers on different schemas
// of one database (tests do that) do not wait for each other.
//
// SQLite has no advisory lock, and its write lock cannot serve: it belongs
// to one transaction on one connection, while goose runs each migration in
// a transaction of its own on another connection, which would then wait on
// the very lock held for it. An OS lock on a file beside the database
// (flock) can span them: it is held by the process, dropped by the kernel
// if the process dies (no stale lock to clear), and seen by every process
// that opens the database on this machine, the only ones SQLite supports.
func (db *DB) Locked(ctx context.Context, fn func(context.Context) error) error {
	if db.Dialect.Name() == dialect.Postgres {
		return db.withAdvisoryLock(ctx, fn)
	}
	return db.withFileLock(ctx, fn)
}

func (db *DB) withAdvisoryLock(ctx context.Context, fn func(context.Context) error) (err error) {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Close()
	var schema stdsql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	id := int64(crc64.Checksum([]byte("crm migrations "+schema.String), crc64.MakeTable(crc64.ECMA)))
	// Tried every second: goose's locker polls rather than blocks.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id),
		lock.WithLockTimeout(1, uint64(lockWait/time.Second)))
	if err != nil {
		return err
	}
	if err := locker.SessionLock(ctx, conn); err != nil {
		return fmt.Errorf("take the migration lock (advisory lock %d, schema %q): %w", id, schema.String, err)
	}
	defer func() {
		if uerr := locker.SessionUnlock(context.WithoutCancel(ctx), conn); uerr != nil {
			// Closing a *sql.Conn only returns it to the pool, lock and
			// all; a bad connection is closed for good, ending the session.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("release the migration lock: %w", uerr))
		}
	}()
	return fn(ctx)
}

func (db *DB) withFileLock(ctx context.Context, fn func(context.Context) error) error {
	var (
		seq        int
		name, file string
	)
	rows, err := db.SQL.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	for rows.Next() {
		var n, f string
		if err := rows.Scan(&seq, &n, &f); err != nil {
			rows.Close()
			return fmt.Errorf("migration lock: %w", err)
		}
		if n == "main" {
			name, file = n, f
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	if name == "" || file == "" {
		// An in-memory database: no other process can open it.
		return fn(ctx)
	}
	lockPath := file + ".migrate-lock"
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	// The file stays: removing a lock file races with its next taker.
	defer f.Close()
	waitCtx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	if err := lockFile(waitCtx, f); err != nil {
		return fmt.Errorf("take the migration lock (%s): %w", lockPath, err)
	}
	defer unlockFile(f)
	return fn(ctx)
}
