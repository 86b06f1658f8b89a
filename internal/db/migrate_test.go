package db_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect/sql/schema"

	"github.com/acme/crm/ent/migrate"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

// EnvWriteMigration, set to a short name, makes
// TestMigrationsMatchEntSchema write the changes it finds as the next
// migration of each dialect instead of failing.
const EnvWriteMigration = "WRITE_MIGRATION"

// migrationDir is where a dialect's migration files are, from this package.
func migrationDir(d *db.DB) string {
	if d.Dialect.Name() == "postgres" {
		return filepath.Join("migrations", "postgres")
	}
	return filepath.Join("migrations", "sqlite")
}

// entChanges is what ent's automatic migration would still run on d, in the
// mode the server used before versioned migrations: nothing dropped.
func entChanges(t *testing.T, d *db.DB) string {
	t.Helper()
	defer keepSymbols(d)()
	var buf bytes.Buffer
	if err := d.Client.Schema.WriteTo(context.Background(), &buf, schema.WithDropIndex(false), schema.WithDropColumn(false)); err != nil {
		t.Fatalf("ent schema diff: %v", err)
	}
	return buf.String()
}

// keepSymbols readies ent's generated tables for a diff on d and returns
// what puts their names back. ent's schema writer shortens long index and
// foreign key names to the dialect's limit (63 on PostgreSQL, 64 on SQLite)
// in place, in the tables every client shares. The released migrations
// were written by one run, SQLite's diff first: PostgreSQL's names are
// shortened from SQLite's. Each diff starts from that state, whatever
// ran before it in this process, and leaves the names as it found them.
func keepSymbols(d *db.DB) (restore func()) {
	var names []*string
	var saved []string
	for _, t := range migrate.Tables {
		for _, idx := range t.Indexes {
			names, saved = append(names, &idx.Name), append(saved, idx.Name)
		}
		for _, fk := range t.ForeignKeys {
			names, saved = append(names, &fk.Symbol), append(saved, fk.Symbol)
		}
	}
	if d.Dialect.Name() == "postgres" {
		for _, p := range names {
			*p = sqliteSymbol(*p)
		}
	}
	return func() {
		for i, p := range names {
			*p = saved[i]
		}
	}
}

// sqliteSymbol is a name as ent's schema writer shortens it for SQLite.
func sqliteSymbol(name string) string {
	const size = 64
	if len(name) <= size {
		return name
	}
	return fmt.Sprintf("%s_%x", name[:size-33], md5.Sum([]byte(name)))
}

// TestMigrationsMatchEntSchema proves that the migration files make the
// schema ent/schema declares: after all of them, ent has nothing to add.
func TestMigrationsMatchEntSchema(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		changes := entChanges(t, d)
		if changes == "" {
			return
		}
		if name := os.Getenv(EnvWriteMigration); name != "" {
			file := writeMigration(t, migrationDir(d), name, changes)
			t.Logf("wrote %s: review it, add what ent cannot declare, commit it", file)
			return
		}
		t.Fatalf(`ent/schema and internal/db/%s differ: after every migration, ent would still run:

%s
To add a migration, from the repository root (both dialects: with TEST_DATABASE_URL set):
  %s=short_name TEST_DATABASE_URL=postgres://... go test ./internal/db -run TestMigrationsMatchEntSchema
writes internal/db/migrations/{postgres,sqlite}/NNNNN_short_name.sql from these changes.
Review them, add what ent cannot declare, and commit them. Never edit a released migration.`,
			migrationDir(d), changes, EnvWriteMigration)
	})
}

var migrationName = regexp.MustCompile(`^(\d+)_.*\.sql$`)

// writeMigration writes changes as the next migration file in dir.
func writeMigration(t *testing.T, dir, name, changes string) string {
	t.Helper()
	if !regexp.MustCompile(`^[a-z0-9_]+$`).MatchString(name) {
		t.Fatalf("%s=%q: use lower case letters, digits and _", EnvWriteMigration, name)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	next := 1
	for _, e := range entries {
		if m := migrationName.FindStringSubmatch(e.Name()); m != nil {
			n, _ := strconv.Atoi(m[1])
			next = max(next, n+1)
		}
	}
	file := filepath.Join(dir, fmt.Sprintf("%05d_%s.sql", next, name))
	text := "-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a\n" +
		"-- database at the previous migration). Never edit a migration once released.\n"
	if strings.Contains(changes, "PRAGMA foreign_keys") {
		text += "-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent\n" +
			"-- rebuilds a table here (its way to change a SQLite column), the file needs\n" +
			"-- goose's NO TRANSACTION annotation above its Up annotation.\n"
	}
	text += "-- +goose Up\n" + changes
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// open opens a fresh, unmigrated database.
func open(t *testing.T, dialectName string) (*db.DB, string) {
	t.Helper()
	raw := dbtest.URL(t, dialectName)
	d, err := db.Open(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, raw
}

func eachDialect(t *testing.T, fn func(t *testing.T, dialectName string)) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) { fn(t, name) })
	}
}

func count(t *testing.T, d *db.DB, query string) int {
	t.Helper()
	var n int
	if err := d.SQL.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func tableExists(t *testing.T, d *db.DB, table string) bool {
	t.Helper()
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'"
	if d.Dialect.Name() == "postgres" {
		q = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '" + table + "'"
	}
	return count(t, d, q) == 1
}

func status(t *testing.T, d *db.DB) []db.Migration {
	t.Helper()
	st, err := d.MigrationStatus(context.Background())
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	if len(st) == 0 {
		t.Fatal("MigrationStatus lists no migration")
	}
	return st
}

func TestMigrateEmptyDatabase(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		d, _ := open(t, dialectName)

		// Asking changes nothing.
		for _, m := range status(t, d) {
			if m.State != db.MigrationPending || !m.AppliedAt.IsZero() || m.File == "" {
				t.Errorf("before migrating: %+v, want pending", m)
			}
		}
		var pe *db.PendingMigrationsError
		if err := d.CheckMigrations(ctx); !errors.As(err, &pe) || pe.DatabaseVersion != 0 || !strings.Contains(err.Error(), "00001_initial.sql") {
			t.Errorf("CheckMigrations = %v, want pending migrations naming 00001_initial.sql", err)
		}
		if tableExists(t, d, db.VersionTable) {
			t.Errorf("MigrationStatus or CheckMigrations created %s", db.VersionTable)
		}

		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		st := status(t, d)
		for _, m := range st {
			if m.State != db.MigrationApplied || m.AppliedAt.IsZero() {
				t.Errorf("after migrating: %+v, want applied with a time", m)
			}
			if d := time.Since(m.AppliedAt); d > 24*time.Hour || d < -24*time.Hour {
				t.Errorf("applied at %v, not about now", m.AppliedAt)
			}
		}
		if err := d.CheckMigrations(ctx); err != nil {
			t.Errorf("CheckMigrations after Migrate = %v", err)
		}
		// Again: nothing to do.
		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if n := count(t, d, "SELECT count(*) FROM "+db.VersionTable+" WHERE version_id > 0"); n != len(st) {
			t.Errorf("%s holds %d migrations, want %d", db.VersionTable, n, len(st))
		}
		if d.Dialect.Name() == "postgres" {
			// What ent could not declare is in the migration.
			if n := count(t, d, "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'records_properties_gin'"); n != 1 {
				t.Error("records_properties_gin is missing")
			}
		}
	})
}

// legacySchema makes on d the schema ent's automatic migration made before
// versioned migrations: the statements of the first migration, run without
// goose.
func legacySchema(t *testing.T, d *db.DB) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(migrationDir(d), "00001_initial.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "--") {
			continue
		}
		if _, err := d.SQL.Exec(line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
}

// TestMigrateBaselinesAutoMigratedDatabase upgrades a database made as the
// server made them before versioned migrations.
func TestMigrateBaselinesAutoMigratedDatabase(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		d, _ := open(t, dialectName)
		// The old Migrate: ent's automatic migration, then ExtraMigrations.
		// What it made is the first migration's schema (the baseline): ent's
		// schema of today holds tables added by later migrations.
		legacySchema(t, d)
		if d.Dialect.Name() == "postgres" {
			if _, err := d.SQL.Exec("CREATE INDEX IF NOT EXISTS records_properties_gin ON records USING gin (properties jsonb_path_ops)"); err != nil {
				t.Fatal(err)
			}
		}
		ws, err := d.Client.Workspace.Create().SetName("old").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// An expression index as the server makes for a unique property
		// (internal/records): migrating must leave it alone.
		idx := "records_unique_1_1"
		if _, err := db.Build(d.Dialect, "CREATE UNIQUE INDEX ").Ident(idx).T(" ON records (workspace_id, ").
			Property("", "properties", "email").T(") WHERE object_type_id = 1 AND archived_at IS NULL").Exec(ctx, d.SQL); err != nil {
			t.Fatal(err)
		}

		st := status(t, d)
		if st[0].State != db.MigrationBaseline {
			t.Errorf("first migration of an automatically migrated database: %+v, want baseline", st[0])
		}
		if err := d.CheckMigrations(ctx); err == nil {
			t.Error("CheckMigrations = nil before the baseline is recorded")
		}

		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		for _, m := range status(t, d) {
			if m.State != db.MigrationApplied {
				t.Errorf("after Migrate: %+v, want applied", m)
			}
		}
		if err := d.CheckMigrations(ctx); err != nil {
			t.Errorf("CheckMigrations = %v", err)
		}
		got, err := d.Client.Workspace.Get(ctx, ws.ID)
		if err != nil || got.Name != "old" {
			t.Errorf("workspace after Migrate = %v, %v; want the one made before", got, err)
		}
		q := "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '" + idx + "'"
		if d.Dialect.Name() == "postgres" {
			q = "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = '" + idx + "'"
		}
		if count(t, d, q) != 1 {
			t.Errorf("Migrate dropped %s", idx)
		}
		if changes := entChanges(t, d); changes != "" {
			t.Errorf("after the baseline ent would still run:\n%s", changes)
		}
	})
}

func TestMigrateRefusesNewerDatabase(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		d := dbtest.Open(t, dialectName)
		st := status(t, d)
		latest := st[len(st)-1].Version
		future := latest + 1000
		if _, err := d.SQL.Exec(d.Dialect.Rebind("INSERT INTO "+db.VersionTable+" (version_id, is_applied) VALUES (?, ?)"), future, true); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{"Migrate": d.Migrate(ctx), "CheckMigrations": d.CheckMigrations(ctx)} {
			var ne *db.DatabaseNewerError
			if !errors.As(err, &ne) {
				t.Errorf("%s = %v, want a DatabaseNewerError", name, err)
				continue
			}
			if ne.DatabaseVersion != future || ne.LatestKnown != latest {
				t.Errorf("%s = %+v, want database %d, latest known %d", name, ne, future, latest)
			}
			for _, v := range []int64{future, latest} {
				if !strings.Contains(err.Error(), strconv.FormatInt(v, 10)) {
					t.Errorf("%s: %q does not name version %d", name, err, v)
				}
			}
		}
		last := status(t, d)[len(st)]
		if last.Version != future || last.State != db.MigrationUnknown {
			t.Errorf("status lists %+v, want version %d unknown", last, future)
		}
	})
}

// TestMigrateConcurrently starts servers' worth of Migrate at once, each
// with its own connection pool, as separate processes would.
func TestMigrateConcurrently(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialectName string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_, raw := open(t, dialectName)
		const n = 6
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			errs    = make([]error, n)
			handles = make([]*db.DB, n)
		)
		for i := range n {
			d, err := db.Open(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			handles[i] = d
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = d.Migrate(ctx)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("Migrate %d: %v", i, err)
			}
		}
		st := status(t, handles[0])
		if n := count(t, handles[0], "SELECT count(*) FROM "+db.VersionTable+" WHERE version_id > 0"); n != len(st) {
			t.Errorf("%s holds %d rows, want one per migration (%d)", db.VersionTable, n, len(st))
		}
	})
}

func TestLockedIsExclusive(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialectName string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, raw := open(t, dialectName)
		var inside, most atomic.Int32
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			d, err := db.Open(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = d.Locked(ctx, func(context.Context) error {
					now := inside.Add(1)
					for {
						m := most.Load()
						if now <= m || most.CompareAndSwap(m, now) {
							break
						}
					}
					time.Sleep(50 * time.Millisecond)
					inside.Add(-1)
					return nil
				})
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if most.Load() != 1 {
			t.Errorf("%d holders of the migration lock at once", most.Load())
		}
	})
}

// TestMigrationFilesAreEmbedded guards the file names goose orders by.
func TestMigrationFilesAreEmbedded(t *testing.T) {
	for _, dir := range []string{"postgres", "sqlite"} {
		entries, err := os.ReadDir(filepath.Join("migrations", dir))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			if !migrationName.MatchString(e.Name()) {
				t.Errorf("migrations/%s/%s is not NNNNN_name.sql", dir, e.Name())
			}
			names = append(names, e.Name())
		}
		if len(names) == 0 || !strings.HasPrefix(names[0], "00001_") {
			t.Errorf("migrations/%s: %v, want 00001_... first", dir, names)
		}
		if dir == "sqlite" {
			pg, _ := os.ReadDir(filepath.Join("migrations", "postgres"))
			var pgNames []string
			for _, e := range pg {
				pgNames = append(pgNames, e.Name())
			}
			if !slices.Equal(names, pgNames) {
				t.Errorf("the dialects' migrations differ: sqlite %v, postgres %v", names, pgNames)
			}
		}
	}
}
