package db

import (
	"context"
	stdsql "database/sql"
	"fmt"

	"github.com/lib/pq"
)

// Bulk writes on PostgreSQL stream rows with COPY (lib/pq's CopyIn), which
// parses and plans nothing per row: a write's transaction that began with
// a context marked by KeepTx leaves its *sql.Tx for Copy, which ent's
// transaction does not give out.

type keepTxKey struct{}

// KeepTx marks ctx so that a transaction begun with it on PostgreSQL
// leaves its database/sql transaction in *slot; elsewhere *slot stays nil.
func KeepTx(ctx context.Context, slot **stdsql.Tx) context.Context {
	return context.WithValue(ctx, keepTxKey{}, slot)
}

// keep leaves tx in the slot ctx carries, if any.
func keep(ctx context.Context, tx *stdsql.Tx) {
	if slot, ok := ctx.Value(keepTxKey{}).(**stdsql.Tx); ok {
		*slot = tx
	}
}

// Copy streams rows, values of columns in order, into table with COPY
// FROM STDIN inside tx. CopyIn quotes the table and column names.
func Copy(ctx context.Context, tx *stdsql.Tx, table string, columns []string, rows [][]any) error {
	fail := func(err error) error { return fmt.Errorf("copy into %s: %w", table, err) }
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, columns...))
	if err != nil {
		return fail(err)
	}
	defer stmt.Close()
	for _, row := range rows {
		if _, err := stmt.ExecContext(ctx, row...); err != nil {
			return fail(err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fail(err)
	}
	if err := stmt.Close(); err != nil {
		return fail(err)
	}
	return nil
}
