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
	// Keep, when set before use, keeps every statement with its arguments.
	Keep bool
	mu   sync.Mutex
	kept []Statement
}

// Statement is a statement sent, as a kept Counter has it: a test or a
// benchmark can send it again under EXPLAIN.
type Statement struct {
	Text string
	Args []any
}

// Count is the number of statements sent so far.
func (c *Counter) Count() int64 { return c.n.Load() }

// Statements are the texts kept since the last Reset.
func (c *Counter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.kept))
	for i, s := range c.kept {
		out[i] = s.Text
	}
	return out
}

// Sent are the statements kept since the last Reset, with their
// arguments.
func (c *Counter) Sent() []Statement {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Statement(nil), c.kept...)
}

// Reset sets the count back to zero and forgets kept statements.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Store(0)
	c.kept = nil
}

func (c *Counter) add(query string, args any) {
	c.n.Add(1)
	if c.Keep {
		list, _ := args.([]any)
		c.mu.Lock()
		c.kept = append(c.kept, Statement{Text: query, Args: append([]any(nil), list...)})
		c.mu.Unlock()
	}
}

func (c *Counter) wrap(d dialect.Driver) dialect.Driver { return &countingDriver{Driver: d, c: c} }

type countingDriver struct {
	dialect.Driver
	c *Counter
}

func (d *countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.c.add(query, args)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.add(query, args)
	return d.Driver.Query(ctx, query, args, v)
}

func (d *countingDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	d.c.add(query, args)
	return d.Driver.(ExecQuerier).ExecContext(ctx, query, args...)
}

func (d *countingDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	d.c.add(query, args)
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
	t.c.add(query, args)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.add(query, args)
	return t.Tx.Query(ctx, query, args, v)
}

func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.c.add(query, args)
	return t.Tx.(ExecQuerier).ExecContext(ctx, query, args...)
}

func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.c.add(query, args)
	return t.Tx.(ExecQuerier).QueryContext(ctx, query, args...)
}
