package db

import (
	"context"
	stdsql "database/sql"
	"sync"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Counter counts the SQL statements sent through a client. Tests use it to
// prove that nested queries are not N+1; benchmarks print it per request.
type Counter struct {
	n atomic.Int64
	// Keep, when set before use, keeps the text of every statement.
	Keep bool
	mu   sync.Mutex
	kept []string
}

// Count is the number of statements sent so far.
func (c *Counter) Count() int64 { return c.n.Load() }

// Statements are the texts kept since the last Reset.
func (c *Counter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.kept...)
}

// Reset sets the count back to zero and forgets kept statements.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Store(0)
	c.kept = nil
}

func (c *Counter) add(query string) {
	c.n.Add(1)
	if c.Keep {
		c.mu.Lock()
		c.kept = append(c.kept, query)
		c.mu.Unlock()
	}
}

func (c *Counter) wrap(d dialect.Driver) dialect.Driver { return &countingDriver{Driver: d, c: c} }

type countingDriver struct {
	dialect.Driver
	c *Counter
}

func (d *countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.c.add(query)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.add(query)
	return d.Driver.Query(ctx, query, args, v)
}

func (d *countingDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	d.c.add(query)
	return d.Driver.(ExecQuerier).ExecContext(ctx, query, args...)
}

func (d *countingDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	d.c.add(query)
	return d.Driver.(ExecQuerier).QueryContext(ctx, query, args...)
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
	t.c.add(query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.add(query)
	return t.Tx.Query(ctx, query, args, v)
}

func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.c.add(query)
	return t.Tx.(ExecQuerier).ExecContext(ctx, query, args...)
}

func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.c.add(query)
	return t.Tx.(ExecQuerier).QueryContext(ctx, query, args...)
}
