package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/internal/db"
)

// stmtTimes adds up the wall time of statements by kind, as the client
// sees it: from sending a statement to its result (for a query, to its
// first rows; reading the rest counts as Go).
type stmtTimes struct {
	mu    sync.Mutex
	kinds map[string]*stmtTime
}

type stmtTime struct {
	n int
	d time.Duration
}

func newStmtTimes() *stmtTimes { return &stmtTimes{kinds: map[string]*stmtTime{}} }

// kindOf names a statement by its first words and table.
func kindOf(query string) string {
	f := strings.Fields(query)
	if len(f) == 0 {
		return "?"
	}
	verb := strings.ToUpper(f[0])
	table := ""
	for i, w := range f {
		u := strings.ToUpper(w)
		if (u == "FROM" || u == "INTO" || (u == "UPDATE" && i == 0)) && i+1 < len(f) {
			table = " " + f[i+1]
			break
		}
	}
	if verb == "SELECT" && strings.Contains(strings.ToUpper(query), "FOR UPDATE") {
		verb += " .. FOR UPDATE"
	}
	return verb + table
}

func (t *stmtTimes) add(kind string, since time.Time) {
	d := time.Since(since)
	t.mu.Lock()
	defer t.mu.Unlock()
	k := t.kinds[kind]
	if k == nil {
		k = &stmtTime{}
		t.kinds[kind] = k
	}
	k.n++
	k.d += d
}

// time runs fn as a statement of kind.
func (t *stmtTimes) time(kind string, fn func() error) error {
	if t == nil {
		return fn()
	}
	defer t.add(kind, time.Now())
	return fn()
}

// print shows the statements' share of calls that took total.
func (t *stmtTimes) print(out io.Writer, name string, calls int, total time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	kinds := make([]string, 0, len(t.kinds))
	for k := range t.kinds {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return t.kinds[kinds[i]].d > t.kinds[kinds[j]].d })
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  %s, %d calls, %s a call:\tstatements/call\tms/call\tshare\t\n", name, calls, ms(total/time.Duration(calls)))
	var stmts time.Duration
	for _, k := range kinds {
		s := t.kinds[k]
		stmts += s.d
		fmt.Fprintf(tw, "    %s\t%.1f\t%.3f\t%.0f%%\t\n", k, float64(s.n)/float64(calls),
			float64(s.d)/float64(time.Millisecond)/float64(calls), 100*float64(s.d)/float64(total))
	}
	rest := total - stmts
	fmt.Fprintf(tw, "    Go between statements (validation, JSON, history rows, reading rows)\t\t%.3f\t%.0f%%\t\n",
		float64(rest)/float64(time.Millisecond)/float64(calls), 100*float64(rest)/float64(total))
	tw.Flush()
}

// timedDB is d with every statement of its client timed into t.
func timedDB(d *db.DB, t *stmtTimes) *db.DB {
	drv := &timingDriver{Driver: entsql.OpenDB(d.Dialect.Name(), d.SQL), t: t}
	return &db.DB{Client: ent.NewClient(ent.Driver(drv)), Dialect: d.Dialect, SQL: d.SQL}
}

type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type timingDriver struct {
	dialect.Driver
	t *stmtTimes
}

func (d *timingDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	defer d.t.add(kindOf(query), time.Now())
	return d.Driver.(execQuerier).ExecContext(ctx, query, args...)
}

func (d *timingDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	defer d.t.add(kindOf(query), time.Now())
	return d.Driver.(execQuerier).QueryContext(ctx, query, args...)
}

func (d *timingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	defer d.t.add("BEGIN", time.Now())
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &timingTx{Tx: tx, t: d.t}, nil
}

type timingTx struct {
	dialect.Tx
	t *stmtTimes
}

func (t *timingTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	defer t.t.add(kindOf(query), time.Now())
	return t.Tx.(execQuerier).ExecContext(ctx, query, args...)
}

func (t *timingTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	defer t.t.add(kindOf(query), time.Now())
	return t.Tx.(execQuerier).QueryContext(ctx, query, args...)
}

func (t *timingTx) Commit() error {
	defer t.t.add("COMMIT", time.Now())
	return t.Tx.Commit()
}

func (t *timingTx) Rollback() error {
	defer t.t.add("ROLLBACK", time.Now())
	return t.Tx.Rollback()
}

// explainHistoryInsert shows, from PostgreSQL's side, what appending the
// history of a batch costs: 2 rows for each of n records, in one INSERT as
// the store's are (but rolled back), with the time of its triggers.
func explainHistoryInsert(ctx context.Context, sqlDB *sql.DB, workspaceID int, ids []int, out io.Writer) error {
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `EXPLAIN (ANALYZE, BUFFERS)
		INSERT INTO property_histories (workspace_id, record_id, property, value, changed_at, source_type, source_id)
		SELECT $1, r.id, p.name, '"x"', now(), 'API', '' FROM unnest($2::bigint[]) r(id), (VALUES ('firstname'), ('jobtitle')) p(name)`,
		workspaceID, pq.Array(ids))
	if err != nil {
		return fmt.Errorf("explain the history insert: %w", err)
	}
	fmt.Fprintf(out, "  PostgreSQL's side of appending %d history rows in one INSERT (EXPLAIN ANALYZE, rolled back):\n", 2*len(ids))
	return scanAll(rows, func(s scanner) error {
		var line string
		if err := s.Scan(&line); err != nil {
			return err
		}
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "Insert on") || strings.HasPrefix(t, "Trigger") || strings.HasPrefix(t, "Execution Time") || strings.HasPrefix(t, "Planning Time") {
			fmt.Fprintf(out, "    %s\n", t)
		}
		return nil
	})
}
