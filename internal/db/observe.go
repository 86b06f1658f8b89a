package db

import (
	"context"
	"database/sql/driver"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Every statement the server sends passes through an observing driver:
// it counts the statement and its time into the Stats of its context (the
// request's, for the metrics of statements per request) and, under a
// recording span (tracing on, inside a traced operation), makes a span of
// it. Outside both it costs two context look-ups.

// Stats are the statements sent with a context and the time they took.
type Stats struct {
	statements atomic.Int64
	nanos      atomic.Int64
}

// Statements is how many statements were sent.
func (s *Stats) Statements() int64 { return s.statements.Load() }

// Time is how long they took, from sending each to its first answer.
func (s *Stats) Time() time.Duration { return time.Duration(s.nanos.Load()) }

type statsKey struct{}

// WithStats returns ctx counting the statements sent with it into s.
func WithStats(ctx context.Context, s *Stats) context.Context {
	return context.WithValue(ctx, statsKey{}, s)
}

var tracer = otel.Tracer("github.com/acme/crm/internal/db")

// observe starts observing a statement; the func it returns ends it.
func observe(ctx context.Context, system, query string) (context.Context, func(error)) {
	stats, _ := ctx.Value(statsKey{}).(*Stats)
	traced := trace.SpanFromContext(ctx).IsRecording()
	if stats == nil && !traced {
		return ctx, func(error) {}
	}
	var span trace.Span
	if traced {
		ctx, span = tracer.Start(ctx, "sql "+verb(query), trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system", system), attribute.String("db.statement", query)))
	}
	start := time.Now()
	return ctx, func(err error) {
		if stats != nil {
			stats.statements.Add(1)
			stats.nanos.Add(int64(time.Since(start)))
		}
		if span != nil {
			if err != nil && err != driver.ErrSkip {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			span.End()
		}
	}
}

// verb is a statement's first word, upper case: SELECT, INSERT, WITH...
func verb(query string) string {
	query = strings.TrimSpace(query)
	if i := strings.IndexAny(query, " \t\n("); i > 0 {
		query = query[:i]
	}
	return strings.ToUpper(query)
}

// observed wraps a connector so that its connections observe their
// statements.
type observed struct {
	driver.Connector
	system string
}

func (c observed) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &observedConn{Conn: cn, system: c.system}, nil
}

// dsnConnector is a connector of a driver that has none of its own.
type dsnConnector struct {
	driver driver.Driver
	dsn    string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.driver }

// observedConn passes everything to the driver's connection, observing
// statements on the way. Where the connection lacks an optional interface,
// it answers as database/sql does without one (driver.ErrSkip, or no-op).
type observedConn struct {
	driver.Conn
	system string
}

func (c *observedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	ctx, end := observe(ctx, c.system, query)
	rows, err := q.QueryContext(ctx, query, args)
	end(err)
	return rows, err
}

func (c *observedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	ctx, end := observe(ctx, c.system, query)
	res, err := e.ExecContext(ctx, query, args)
	end(err)
	return res, err
}

func (c *observedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	if verb(query) == "COPY" {
		// A COPY's "runs" are its rows (db.Copy): not statements, and not
		// a span each.
		return st, nil
	}
	return &observedStmt{Stmt: st, conn: c, query: query, system: c.system}, nil
}

func (c *observedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *observedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the driver has nothing else
}

func (c *observedConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *observedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *observedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *observedConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// observedStmt is a prepared statement that observes each run.
type observedStmt struct {
	driver.Stmt
	conn          *observedConn
	query, system string
}

func (s *observedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	ctx, end := observe(ctx, s.system, s.query)
	var rows driver.Rows
	var err error
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		rows, err = q.QueryContext(ctx, args)
	} else {
		rows, err = s.Stmt.Query(values(args)) //nolint:staticcheck // the driver has nothing else
	}
	end(err)
	return rows, err
}

func (s *observedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	ctx, end := observe(ctx, s.system, s.query)
	var res driver.Result
	var err error
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		res, err = e.ExecContext(ctx, args)
	} else {
		res, err = s.Stmt.Exec(values(args)) //nolint:staticcheck // the driver has nothing else
	}
	end(err)
	return res, err
}

// CheckNamedValue is the statement's checker, else its connection's (as
// database/sql asks the connection when a statement has none).
func (s *observedStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}

func values(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}
