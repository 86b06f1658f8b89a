package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/lib/pq"
)

// deferred are the foreign keys and secondary indexes of some tables,
// dropped for a bulk load and made again after it: checking a foreign key
// and building an index once over every row costs a fraction of doing it
// row by row (the foreign keys of 300,000 association rows alone took
// several seconds of a COPY).
type deferred struct {
	drop, indexes, foreignKeys []string
}

// rebuilt is how many indexes and foreign keys finish makes.
func (d *deferred) rebuilt() int { return len(d.indexes) + len(d.foreignKeys) }

// deferChecks drops the foreign keys and the indexes (but primary keys,
// indexes of constraints and those keep keeps, when not nil, given their
// definitions) of tables, in tx, and returns how to make them again.
func deferChecks(ctx context.Context, tx *sql.Tx, keep func(indexDef string) bool, tables ...string) (*deferred, error) {
	d := &deferred{}
	fks, err := tx.QueryContext(ctx, `SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
		FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY($1::regclass[]) ORDER BY 1, 2`, pq.Array(tables))
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	err = scanAll(fks, func(s scanner) error {
		var table, name, def string
		if err := s.Scan(&table, &name, &def); err != nil {
			return err
		}
		d.drop = append(d.drop, "ALTER TABLE "+table+" DROP CONSTRAINT "+name)
		d.foreignKeys = append(d.foreignKeys, "ALTER TABLE "+table+" ADD CONSTRAINT "+name+" "+def)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	idx, err := tx.QueryContext(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisprimary
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
		ORDER BY 1`, pq.Array(tables))
	if err != nil {
		return nil, fmt.Errorf("read indexes: %w", err)
	}
	err = scanAll(idx, func(s scanner) error {
		var name, def string
		if err := s.Scan(&name, &def); err != nil {
			return err
		}
		if keep != nil && keep(def) {
			return nil
		}
		d.drop = append(d.drop, "DROP INDEX "+name)
		d.indexes = append(d.indexes, def)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read indexes: %w", err)
	}
	for _, stmt := range d.drop {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return d, nil
}

// buildWorkers is how many indexes finish builds at once: each build
// but a B-tree's runs on one core, and the largest (a GIN index of every
// record's properties) takes as long as many of the others together.
const buildWorkers = 3

// finish moves the records id sequence past lastID (the rows took their
// ids by hand) and commits tx, then makes the indexes again, buildWorkers
// at a time on connections of sqlDB, GIN indexes first, then the foreign
// keys, which check faster with the indexes there.
func (d *deferred) finish(ctx context.Context, sqlDB *sql.DB, tx *sql.Tx, lastID int) error {
	if _, err := tx.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('records', 'id'), $1)", lastID); err != nil {
		return fmt.Errorf("move the records id sequence: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit the data: %w", err)
	}
	order := append([]string(nil), d.indexes...)
	sort.SliceStable(order, func(i, j int) bool { return buildRank(order[i]) < buildRank(order[j]) })
	jobs := make(chan string, len(order))
	for _, def := range order {
		jobs <- def
	}
	close(jobs)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range buildWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := build(ctx, sqlDB, jobs); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, stmt := range d.foreignKeys {
		if _, err := sqlDB.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// buildRank orders index builds: GIN indexes, the slowest, first.
func buildRank(def string) int {
	if strings.Contains(def, " USING gin ") {
		return 0
	}
	return 1
}

// build runs the statements of jobs on one connection whose index builds
// sort in memory when they may.
func build(ctx context.Context, sqlDB *sql.DB, jobs <-chan string) error {
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET maintenance_work_mem = '512MB'"); err != nil {
		return err
	}
	for stmt := range jobs {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}
