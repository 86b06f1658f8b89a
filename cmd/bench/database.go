package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	_ "github.com/lib/pq" // PostgreSQL driver
)

// freshSchema makes an empty schema on the PostgreSQL server at base and
// returns a URL whose connections use it, and a func that drops it.
func freshSchema(ctx context.Context, base string) (schemaURL string, drop func() error, err error) {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return "", nil, errors.New("the benchmark runs on PostgreSQL only: the database URL must start with postgres:// or postgresql://")
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("parse database URL: %w", err)
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		return "", nil, err
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	schema := "bench_" + hex.EncodeToString(buf)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema on %s: %w", u.Redacted(), err)
	}
	drop = func() error {
		defer admin.Close()
		if os.Getenv("BENCH_KEEP") != "" {
			fmt.Printf("kept schema %s (BENCH_KEEP)\n", schema)
			return nil
		}
		// Not ctx: the schema goes even when the run was interrupted.
		dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(dctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			return fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return nil
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// openBaselineDB opens the baseline's own pool, sized like the API's.
func openBaselineDB(ctx context.Context, schemaURL string) (*sql.DB, error) {
	sqlDB, err := sql.Open("postgres", schemaURL)
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(32)
	sqlDB.SetMaxIdleConns(32)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return sqlDB, nil
}
