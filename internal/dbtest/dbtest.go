// Package dbtest gives tests real databases: a fresh SQLite file always and,
// when TEST_DATABASE_URL names a PostgreSQL server, a fresh schema on it.
// Each test gets its own, migrated, and dropped after.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/acme/crm/internal/db"

	stdsql "database/sql"
)

// EnvPostgres names the PostgreSQL server tests may use.
const EnvPostgres = "TEST_DATABASE_URL"

// Dialects are the databases every test runs on.
var Dialects = []string{"sqlite", "postgres"}

var warnOnce, trigramOnce sync.Once

// Each runs fn once per database, as subtests named after the dialect.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB), opts ...db.Option) {
	t.Helper()
	for _, name := range Dialects {
		t.Run(name, func(t *testing.T) {
			fn(t, Open(t, name, opts...))
		})
	}
}

// Open returns a fresh, migrated database of the named dialect, closed and
// dropped when the test ends. PostgreSQL tests skip when TEST_DATABASE_URL
// is unset.
func Open(t testing.TB, dialectName string, opts ...db.Option) *db.DB {
	t.Helper()
	return OpenURL(t, URL(t, dialectName), opts...)
}

// OpenURL opens the database at rawURL (from URL) and migrates it, closed
// when the test ends: a second OpenURL of the same URL is another server
// process over the same database.
func OpenURL(t testing.TB, rawURL string, opts ...db.Option) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, rawURL, opts...)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx, db.MigrateLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// URL returns the URL of a fresh, empty database of the named dialect (a
// SQLite file, or a PostgreSQL schema selected by search_path), dropped
// when the test ends. Nothing is migrated. PostgreSQL tests skip when
// TEST_DATABASE_URL is unset.
func URL(t testing.TB, dialectName string) string {
	t.Helper()
	switch dialectName {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	case "postgres":
		return postgresSchema(t)
	default:
		t.Fatalf("unknown dialect %q", dialectName)
		return ""
	}
}

// postgresSchema makes an empty schema on the test server and returns a URL
// whose connections use it.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		warnOnce.Do(func() {
			os.Stderr.WriteString("dbtest: " + EnvPostgres + " is not set: PostgreSQL tests are SKIPPED\n")
		})
		t.Skip(EnvPostgres + " not set: skipping PostgreSQL")
	}
	admin, err := stdsql.Open("postgres", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	// pg_trgm, when the server has it, lives in public for every test: the
	// server would install it into a test's own schema, whose drop would
	// take it, and the indexes using it, from tests still running.
	// Refused or raced, the tests find it or go without.
	trigramOnce.Do(func() { _, _ = admin.Exec("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public") })
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	schema := "t_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := stdsql.Open("postgres", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
