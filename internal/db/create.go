package db

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/lib/pq"
)

// PostgreSQL's codes for what creating a missing database meets.
const (
	pqNoDatabase      = "3D000" // invalid_catalog_name: the database does not exist
	pqDuplicateDB     = "42P04" // duplicate_database: another process made it first
	pqNoPrivilege     = "42501" // insufficient_privilege: the role may not CREATEDB
	maintenanceDBName = "postgres"
)

// missingDatabase reports whether err says the database connected to does
// not exist.
func missingDatabase(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == pqNoDatabase
}

// createDatabase creates the PostgreSQL database rawURL names, connecting
// to the maintenance database (postgres) with the same credentials, so
// that a fresh machine needs no createdb. A role that may not create it
// gets an error naming the one command that does.
func createDatabase(ctx context.Context, rawURL string, logger *slog.Logger) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || name == maintenanceDBName {
		return fmt.Errorf("the database of %s does not exist", redact(rawURL))
	}
	refused := func(cause error) error {
		return fmt.Errorf("the database %q of DATABASE_URL does not exist, and could not be created (%v): create it with `createdb %s`", name, cause, name)
	}
	maintenance := *u
	maintenance.Path = "/" + maintenanceDBName
	admin, err := stdsql.Open("postgres", maintenance.String())
	if err != nil {
		return refused(err)
	}
	defer admin.Close()
	_, err = Build(postgres{}, "CREATE DATABASE ").Ident(name).Exec(ctx, admin)
	var pqErr *pq.Error
	switch {
	case err == nil:
		logger.Info("created the database named in DATABASE_URL, which did not exist", "database", name)
		return nil
	case errors.As(err, &pqErr) && pqErr.Code == pqDuplicateDB:
		return nil
	case errors.As(err, &pqErr) && pqErr.Code == pqNoPrivilege:
		return refused(fmt.Errorf("role %q may not create databases", u.User.Username()))
	}
	return refused(err)
}
