package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
)

// deferred are the foreign keys and secondary indexes of some tables,
// dropped for a bulk load and made again after it: checking a foreign key
// and building an index once over every row costs a fraction of doing it
// row by row (the foreign keys of 300,000 association rows alone took
// several seconds of a COPY).
type deferred struct {
	drop, create []string
}

// deferChecks drops the foreign keys and the indexes (but primary keys and
// indexes of constraints) of tables, in tx, and returns how to make them
// again.
func deferChecks(ctx context.Context, tx *sql.Tx, tables ...string) (*deferred, error) {
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
		d.create = append(d.create, "ALTER TABLE "+table+" ADD CONSTRAINT "+name+" "+def)
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
	var creates []string
	err = scanAll(idx, func(s scanner) error {
		var name, def string
		if err := s.Scan(&name, &def); err != nil {
			return err
		}
		d.drop = append(d.drop, "DROP INDEX "+name)
		creates = append(creates, def)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read indexes: %w", err)
	}
	// Indexes first: foreign keys check faster with them.
	d.create = append(creates, d.create...)
	for _, stmt := range d.drop {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return d, nil
}

// restore makes the indexes and foreign keys again, checking every row.
func (d *deferred) restore(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range d.create {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}
