package db

import (
	"context"
	stdsql "database/sql"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// Reads outside a transaction run, on PostgreSQL, as statements prepared
// once per connection and kept by their text: on the nested read,
// planning an unnamed statement cost PostgreSQL about as much as running
// it. The texts the builder makes are few (values are bound), but not
// bounded in principle (a list of n names is its own text), so at most
// maxPrepared are kept and any other text runs unprepared, as before.
const maxPrepared = 512

type prepared struct {
	mu    sync.Mutex
	stmts map[string]*stdsql.Stmt
}

// stmt returns the statement prepared for query, preparing it on first
// use; nil when it cannot or may not be kept.
func (p *prepared) stmt(ctx context.Context, db *stdsql.DB, query string) *stdsql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.stmts[query]; ok {
		return s
	}
	if len(p.stmts) >= maxPrepared {
		return nil
	}
	s, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil // run unprepared; its error, if any, is the statement's
	}
	if p.stmts == nil {
		p.stmts = map[string]*stdsql.Stmt{}
	}
	p.stmts[query] = s
	return s
}

// Read runs q, a read outside any transaction, and returns its rows.
func (d *DB) Read(ctx context.Context, q *SQL) (*stdsql.Rows, error) {
	if d.Dialect.Name() == dialect.Postgres {
		if s := d.prepared.stmt(ctx, d.SQL, q.String()); s != nil {
			if d.counter != nil {
				d.counter.add(q.String(), q.args)
			}
			return s.QueryContext(ctx, q.args...)
		}
	}
	return q.Query(ctx, d.Client)
}

// ReadRow runs q as Read does and scans its first row into dest:
// sql.ErrNoRows when there is none.
func (d *DB) ReadRow(ctx context.Context, q *SQL, dest ...any) error {
	rows, err := d.Read(ctx, q)
	if err != nil {
		return err
	}
	return scanOne(rows, dest)
}

// Inside a transaction, a statement runs prepared when its context says so
// (Prepared): for the few statements of the write path whose planning
// costs PostgreSQL more than running them, sent on most writes with the
// same text. It is prepared once per connection and kept as reads' are.

type preparedKey struct{}

// Prepared marks ctx so that a statement sent with it inside a transaction
// runs prepared on PostgreSQL (elsewhere nothing changes).
func Prepared(ctx context.Context) context.Context {
	return context.WithValue(ctx, preparedKey{}, true)
}

// preparingDriver is PostgreSQL's driver: its transactions run the
// statements marked Prepared as prepared statements.
type preparingDriver struct {
	*entsql.Driver
	p *prepared
}

func (d *preparingDriver) Tx(ctx context.Context) (dialect.Tx, error) { return d.BeginTx(ctx, nil) }

func (d *preparingDriver) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	tx, err := d.Driver.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	etx, ok := tx.(*entsql.Tx)
	if !ok {
		return tx, nil
	}
	sqlTx, ok := etx.Tx.(*stdsql.Tx)
	if !ok {
		return tx, nil
	}
	keep(ctx, sqlTx)
	return &preparingTx{Tx: etx, sql: sqlTx, db: d.DB(), p: d.p}, nil
}

type preparingTx struct {
	*entsql.Tx
	sql *stdsql.Tx
	db  *stdsql.DB
	p   *prepared
}

// QueryContext runs query prepared when ctx says so.
func (t *preparingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	if marked, _ := ctx.Value(preparedKey{}).(bool); marked {
		if s := t.p.stmt(ctx, t.db, query); s != nil {
			return t.sql.StmtContext(ctx, s).QueryContext(ctx, args...)
		}
	}
	return t.Tx.QueryContext(ctx, query, args...)
}
