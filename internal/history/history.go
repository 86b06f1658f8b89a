// Package history keeps the history of property values: every write of a
// value, on every path, appends (record, property, value, time, source) in
// the write's own transaction, and reads answer a record's changes newest
// first and the values it had at a moment.
package history

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/acme/crm/internal/db"
)

// The sources of a write.
const (
	API    = "API"
	Merge  = "MERGE"
	System = "SYSTEM"
)

// Source says what wrote a value: its type (API, MERGE, SYSTEM; IMPORT is
// the importer's) and an id, such as the merged record's.
type Source struct {
	Type string
	ID   string
}

type row struct {
	recordID int
	property string
	value    *string
	at       time.Time
	src      Source
}

// Buffer gathers the changes of a transaction, to insert them together.
type Buffer struct{ rows []row }

// Add records the changes of one record from old (nil for a new record)
// to next. A value written again unchanged records nothing.
func (b *Buffer) Add(recordID int, old, next map[string]any, at time.Time, src Source) error {
	names := make([]string, 0, len(next))
	for name := range next {
		names = append(names, name)
	}
	for name := range old {
		if _, ok := next[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		before, hadBefore, err := encode(old, name)
		if err != nil {
			return err
		}
		after, hasAfter, err := encode(next, name)
		if err != nil {
			return err
		}
		if hadBefore == hasAfter && before == after {
			continue
		}
		r := row{recordID: recordID, property: name, at: at, src: src}
		if hasAfter {
			r.value = &after
		}
		b.rows = append(b.rows, r)
	}
	return nil
}

func encode(props map[string]any, name string) (string, bool, error) {
	v, ok := props[name]
	if !ok {
		return "", false, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "", false, fmt.Errorf("encode %s: %w", name, err)
	}
	return string(raw), true, nil
}

// Take moves what other gathered into b.
func (b *Buffer) Take(other *Buffer) {
	b.rows = append(b.rows, other.rows...)
	other.rows = other.rows[:0]
}

// Truncate forgets the changes after the first n.
func (b *Buffer) Truncate(n int) {
	if n < len(b.rows) {
		b.rows = b.rows[:n]
	}
}

// Len is how many changes the buffer holds.
func (b *Buffer) Len() int { return len(b.rows) }

// historyInsert is the head of every insert of history rows.
const historyInsert = "INSERT INTO property_histories (workspace_id, record_id, property, value, changed_at, source_type, source_id) "

// row appends r as one VALUES row, typed where the dialect asks.
func (r *row) values(q *db.SQL, workspaceID int) {
	var value any
	if r.value != nil {
		value = *r.value
	}
	q.T("(").Cast(workspaceID, "bigint").T(", ").Cast(r.recordID, "bigint").T(", ").Cast(r.property, "text").T(", ").
		Cast(value, "text").T(", ").Cast(r.at, "timestamptz").T(", ").Cast(r.src.Type, "text").T(", ").Cast(r.src.ID, "text").T(")")
}

// WithWrite returns one statement that runs the write that write appends
// and appends what the buffer gathered, for a dialect whose statements can
// write in a WITH clause: a single-record write then costs one round trip,
// not two. The write must end where a RETURNING clause may follow; the
// history rows go in only when it changed a row.
func (b *Buffer) WithWrite(d db.Dialect, workspaceID int, write func(q *db.SQL)) *db.SQL {
	q := db.Build(d, "WITH w AS (")
	write(q)
	q.T(" RETURNING 1) " + historyInsert + "SELECT v.* FROM (VALUES ")
	for i := range b.rows {
		if i > 0 {
			q.T(", ")
		}
		b.rows[i].values(q, workspaceID)
	}
	q.T(") AS v WHERE EXISTS (SELECT 1 FROM w)")
	b.rows = b.rows[:0]
	return q
}

// flushChunk keeps one statement's bind parameters far below PostgreSQL's
// 65,535.
const flushChunk = 1000

// Flush inserts what the buffer gathered and empties it.
func (b *Buffer) Flush(ctx context.Context, e db.ExecQuerier, d db.Dialect, workspaceID int) error {
	for start := 0; start < len(b.rows); start += flushChunk {
		chunk := b.rows[start:min(start+flushChunk, len(b.rows))]
		q := db.Build(d, historyInsert+"VALUES ")
		for i := range chunk {
			if i > 0 {
				q.T(", ")
			}
			chunk[i].values(q, workspaceID)
		}
		if _, err := q.Exec(ctx, e); err != nil {
			return fmt.Errorf("append property history: %w", err)
		}
	}
	b.rows = b.rows[:0]
	return nil
}

// Rows answers what the buffer gathered as rows of property_histories's
// columns, for COPY, and empties it.
func (b *Buffer) Rows(workspaceID int) (columns []string, rows [][]any) {
	columns = []string{"workspace_id", "record_id", "property", "value", "changed_at", "source_type", "source_id"}
	rows = make([][]any, len(b.rows))
	for i, r := range b.rows {
		var value any
		if r.value != nil {
			value = *r.value
		}
		rows[i] = []any{workspaceID, r.recordID, r.property, value, r.at, r.src.Type, r.src.ID}
	}
	b.rows = b.rows[:0]
	return columns, rows
}

// Entry is one change of one property.
type Entry struct {
	ID       int
	RecordID int
	Property string
	// Value is the value written; nil when the write cleared it.
	Value      any
	ChangedAt  time.Time
	SourceType string
	SourceID   string
}

// Decode reads a value as history holds it (JSON text; nil for a value
// cleared), numbers as json.Number.
func Decode(raw *string) (any, error) {
	if raw == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(*raw)))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// List returns, for each record, up to limit of its changes newest first,
// older than the change before (0: from the newest), of the named
// properties (all when names is empty): one statement for all the records.
func List(ctx context.Context, e db.ExecQuerier, d db.Dialect, workspaceID int, recordIDs []int, names []string, before, limit int) (map[int][]Entry, error) {
	q := db.Build(d, "SELECT id, record_id, property, value, changed_at, source_type, source_id FROM (SELECT id, record_id, property, value, changed_at, source_type, source_id, "+
		"ROW_NUMBER() OVER (PARTITION BY record_id ORDER BY id DESC) AS rn FROM property_histories WHERE workspace_id = ").Arg(workspaceID).
		T(" AND ").InIDs("", "record_id", recordIDs)
	if before > 0 {
		q.T(" AND id < ").Arg(before)
	}
	if len(names) > 0 {
		q.T(" AND property IN (")
		for i, n := range names {
			if i > 0 {
				q.T(", ")
			}
			q.Arg(n)
		}
		q.T(")")
	}
	q.T(") h WHERE rn <= ").Arg(limit).T(" ORDER BY record_id, id DESC")
	rows, err := q.Query(ctx, e)
	if err != nil {
		return nil, fmt.Errorf("read property history: %w", err)
	}
	defer rows.Close()
	out := map[int][]Entry{}
	for rows.Next() {
		var e Entry
		var raw *string
		if err := rows.Scan(&e.ID, &e.RecordID, &e.Property, &raw, &e.ChangedAt, &e.SourceType, &e.SourceID); err != nil {
			return nil, err
		}
		if e.Value, err = Decode(raw); err != nil {
			return nil, err
		}
		e.ChangedAt = e.ChangedAt.UTC()
		out[e.RecordID] = append(out[e.RecordID], e)
	}
	return out, rows.Err()
}

// AsOf returns the values the records had at a moment: for each record,
// the last value written to each property at or before at, cleared values
// left out. One statement for all the records.
func AsOf(ctx context.Context, e db.ExecQuerier, d db.Dialect, workspaceID int, recordIDs []int, at time.Time) (map[int]map[string]any, error) {
	q := db.Build(d, "SELECT record_id, property, value FROM (SELECT record_id, property, value, ROW_NUMBER() OVER "+
		"(PARTITION BY record_id, property ORDER BY changed_at DESC, id DESC) AS rn FROM property_histories WHERE workspace_id = ").Arg(workspaceID).
		T(" AND ").InIDs("", "record_id", recordIDs).T(" AND changed_at <= ").Arg(at.UTC()).T(") last WHERE rn = 1")
	rows, err := q.Query(ctx, e)
	if err != nil {
		return nil, fmt.Errorf("read values as of %s: %w", at, err)
	}
	defer rows.Close()
	out := make(map[int]map[string]any, len(recordIDs))
	for _, id := range recordIDs {
		out[id] = map[string]any{}
	}
	for rows.Next() {
		var id int
		var name string
		var raw *string
		if err := rows.Scan(&id, &name, &raw); err != nil {
			return nil, err
		}
		v, err := Decode(raw)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[id][name] = v
		}
	}
	return out, rows.Err()
}
