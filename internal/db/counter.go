package db

import (
	"context"
	stdsql "database/sql"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Counter counts the SQL statements sent through a client. Tests use it to
// prove that nested queries are not N+1; benchmarks print it per request.
type Counter struct{ n atomic.Int64 }

// Count is the number of statements sent so far.
func (c *Counter) Count() int64 { return c.n.Load() }

// Reset sets the count back to zero.
func (c *Counter) Reset() { c.n.Store(0) }

func (c *Counter) wrap(d dialect.Driver) dialect.Driver { return &countingDriver{Driver: d, c: c} }

// execQuerier is what ent's ExecContext and QueryContext need of a driver.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error)
}

type countingDriver struct {
	dialect.Driver
	c *Counter
}

func (d *countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.c.n.Add(1)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.n.Add(1)
	return d.Driver.Query(ctx, query, args, v)
}

func (d *countingDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	d.c.n.Add(1)
	return d.Driver.(execQuerier).ExecContext(ctx, query, args...)
}

func (d *countingDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	d.c.n.Add(1)
	return d.Driver.(execQuerier).QueryContext(ctx, query, args...)
}

func (d *countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: d.c}, nil
}

func (d *countingDriver) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	tx, err := d.Driver.(interface {
		BeginTx(context.Context, *stdsql.TxOptions) (dialect.Tx, error)
	}).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: d.c}, nil
}

type countingTx struct {
	dialect.Tx
	c *Counter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.n.Add(1)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.n.Add(1)
	return t.Tx.Query(ctx, query, args, v)
}

func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.c.n.Add(1)
	return t.Tx.(execQuerier).ExecContext(ctx, query, args...)
}

func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.c.n.Add(1)
	return t.Tx.(execQuerier).QueryContext(ctx, query, args...)
}
