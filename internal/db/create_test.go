package db_test

import (
	"bytes"
	"crypto/rand"
	stdsql "database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

// A DATABASE_URL naming a PostgreSQL database that does not exist: the
// server creates it and says so, when its role may; otherwise the error
// names the one command that does.
func TestOpenCreatesMissingDatabase(t *testing.T) {
	base := os.Getenv(dbtest.EnvPostgres)
	if base == "" {
		t.Skip(dbtest.EnvPostgres + " not set: skipping PostgreSQL")
	}
	admin, err := stdsql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "crm_create_" + hex.EncodeToString(suffix)
	urlOf := func(user string) string {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + name
		if user != "" {
			u.User = url.User(user)
		}
		return u.String()
	}

	t.Run("created", func(t *testing.T) {
		t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
		var logs bytes.Buffer
		d, err := db.Open(t.Context(), urlOf(""), db.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		var current string
		err = d.SQL.QueryRow("SELECT current_database()").Scan(&current)
		d.Close()
		if err != nil || current != name {
			t.Fatalf("connected to %q (%v), want %q", current, err, name)
		}
		if !strings.Contains(logs.String(), "created the database") || !strings.Contains(logs.String(), name) {
			t.Fatalf("log: %s", logs.String())
		}
		// It exists now: a second server opens it without a word.
		logs.Reset()
		d, err = db.Open(t.Context(), urlOf(""), db.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		if err != nil {
			t.Fatalf("open again: %v", err)
		}
		d.Close()
		if logs.Len() != 0 {
			t.Fatalf("log on the second open: %s", logs.String())
		}
	})

	t.Run("refused", func(t *testing.T) {
		role := "crm_nocreatedb_" + hex.EncodeToString(suffix)
		if _, err := admin.Exec("CREATE ROLE " + role + " LOGIN NOCREATEDB"); err != nil {
			t.Skipf("cannot make a role without CREATEDB: %v", err)
		}
		t.Cleanup(func() { _, _ = admin.Exec("DROP ROLE IF EXISTS " + role) })
		_, err := db.Open(t.Context(), urlOf(role))
		if err == nil || !strings.Contains(err.Error(), "createdb "+name) {
			t.Fatalf("open as %s: %v, want an error naming createdb %s", role, err, name)
		}
		var n int
		if err := admin.QueryRow("SELECT COUNT(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d databases named %s (%v)", n, name, err)
		}
	})
}
