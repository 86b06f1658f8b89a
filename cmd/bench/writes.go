package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"github.com/lib/pq"

	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// The writes part: "history must not make writes slow". Updates of
// contacts through the domain store (records.Store, which appends the
// property history in the write's transaction) are measured beside the
// same updates done by hand over database/sql on a copy of the records
// table without history.
const (
	numWriteContacts = 20_000
	writeBatch       = records.MaxBatch // records per batch call
	writeWarmupCalls = 20               // single calls; batch warm-up is writeWarmupCalls/10 calls
	minWriteRatio    = 0.7              // history on / baseline, records/s
	plainTable       = "bench_records_plain"
)

// writeMode is single-record or batch updates: n records per call, for
// scale times the configured duration (a batch call takes a good part of a
// second: twice the time gives each path some 20 of them).
type writeMode struct {
	name     string
	n, scale int
}

var writeModes = []writeMode{{"single", 1, 1}, {fmt.Sprintf("batch %d", writeBatch), writeBatch, 2}}

// writeResult is one mode's measurements of two paths, the first measured
// against the second; the latencies are per call.
type writeResult struct {
	mode  writeMode
	paths [2]sample
}

func (r *writeResult) recordsPerSecond(s *sample) float64 {
	return float64(s.requests()*r.mode.n) / s.elapsed.Seconds()
}

// ratio is the first path's records/s over the second's.
func (r *writeResult) ratio() float64 {
	return r.recordsPerSecond(&r.paths[0]) / r.recordsPerSecond(&r.paths[1])
}

// comparison names what a writes table compares: its two paths, and the
// goal's words, the first path at least minRatio the second's records/s.
type comparison struct {
	paths    [2]string
	goal     string // "with history on"
	against  string // "the baseline's records/s"
	minRatio float64
}

var historyComparison = comparison{[2]string{"history on", "baseline"}, "with history on", "the baseline's records/s", minWriteRatio}

// writeBench holds both write paths.
type writeBench struct {
	store *records.Store
	m     *meta.Model
	ot    *meta.ObjectType
	plain *sql.DB
	ids   []int // the write contacts, in both tables
	// seq numbers the values written, so that every write changes both.
	seq int
	// cursors into ids, one per path, so both paths walk the same records.
	historyNext, baseNext int
	// historyRecords is how many record updates went through the store.
	historyRecords int
	selectSQL      string
	selectManySQL  string
	updateSQL      string
	// times, when not nil, times the baseline's statements.
	times *stmtTimes
}

// loadWriteData adds the write contacts to records, with the history of
// their creation (4 rows each), copies the whole records table into the
// baseline's plain table (same columns and indexes, no foreign keys, no
// history) and vacuums and analyzes the three tables.
func loadWriteData(ctx context.Context, sqlDB *sql.DB, ds *dataset, out io.Writer) ([]int, error) {
	start := time.Now()
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `INSERT INTO records (workspace_id, object_type_id, properties, created_at, updated_at)
		SELECT $1, $2, jsonb_build_object('email', 'writer' || lpad(g::text, 5, '0') || '@example.com',
			'firstname', 'Writer', 'lastname', 'Writer' || lpad(g::text, 5, '0'), 'jobtitle', 'Engineer'),
			$3::timestamptz + g * interval '1 millisecond', $3::timestamptz + g * interval '1 millisecond'
		FROM generate_series(1, $4::int) g ORDER BY g RETURNING id`,
		ds.workspaceID, ds.contacts.ID, epoch.AddDate(0, 1, 0), numWriteContacts)
	if err != nil {
		return nil, fmt.Errorf("insert the write contacts: %w", err)
	}
	ids := make([]int, 0, numWriteContacts)
	err = scanAll(rows, func(s scanner) error {
		var id int
		if err := s.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("insert the write contacts: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO property_histories (workspace_id, record_id, property, value, changed_at, source_type, source_id)
		SELECT r.workspace_id, r.id, kv.key, kv.value::text, r.created_at, 'API', ''
		FROM records r, jsonb_each(r.properties) kv WHERE r.id = ANY($1::bigint[]) ORDER BY r.id, kv.key`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("insert their creation history: %w", err)
	}
	nHistory, _ := res.RowsAffected()
	for _, stmt := range []string{
		"CREATE TABLE " + plainTable + " (LIKE records INCLUDING ALL)",
		"INSERT INTO " + plainTable + " SELECT * FROM records",
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	var nPlain, nIndexes int
	if err := tx.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM "+plainTable+"), (SELECT count(*) FROM pg_index WHERE indrelid = '"+plainTable+"'::regclass)").
		Scan(&nPlain, &nIndexes); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit the write data: %w", err)
	}
	for _, table := range []string{"records", plainTable, "property_histories"} {
		if _, err := sqlDB.ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
			return nil, fmt.Errorf("vacuum %s: %w", table, err)
		}
	}
	fmt.Fprintf(out, "write data: %d contacts with %d creation history rows; %s is a copy of records (%d rows, %d indexes, no history) in %.2fs\n",
		len(ids), nHistory, plainTable, nPlain, nIndexes, time.Since(start).Seconds())
	return ids, nil
}

// benchWrites loads the write data, measures both paths in both modes,
// alternating them in slices, prints the table and goals, then where the
// time goes. It fails when the history is not what the updates through
// the store should have appended; a missed goal is reported, not failed.
func benchWrites(ctx context.Context, cfg config, schemaURL string, m *meta.Model, ds *dataset, out io.Writer) error {
	fmt.Fprintf(out, "\n== writes: updates of contacts with property history (records.Store) beside raw SQL on a table without history\n")
	// The store's own pool, without the statement counter of the read part.
	d, err := db.Open(ctx, schemaURL)
	if err != nil {
		return err
	}
	defer d.Close()
	plain, err := openBaselineDB(ctx, schemaURL)
	if err != nil {
		return fmt.Errorf("open the baseline's pool: %w", err)
	}
	defer plain.Close()
	ids, err := loadWriteData(ctx, d.SQL, ds, out)
	if err != nil {
		return err
	}
	w := &writeBench{
		store: storeOf(d), m: m, ot: ds.contacts, plain: plain, ids: ids,
		selectSQL:     "SELECT properties FROM " + plainTable + " WHERE id = $1 FOR UPDATE",
		selectManySQL: "SELECT id, properties FROM " + plainTable + " WHERE id = ANY($1) FOR UPDATE",
		updateSQL:     "UPDATE " + plainTable + " SET properties = $1, updated_at = $2 WHERE id = $3",
	}

	var lastHistoryID, historyBefore int
	if err := d.SQL.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0), count(*) FROM property_histories").Scan(&lastHistoryID, &historyBefore); err != nil {
		return err
	}
	fmt.Fprintf(out, "method: per mode, warm-up (%d single calls or %d batch calls per path), then %s (single) or %s (batch) per path in %d slices alternating history on and baseline;\n"+
		"  every update sets firstname and jobtitle of a contact to values it never had (2 history rows a record); one client, sequential calls\n",
		writeWarmupCalls, writeWarmupCalls/10, cfg.duration, cfg.duration*2, slices)

	results := make([]writeResult, 0, len(writeModes))
	for _, mode := range writeModes {
		got, err := alternate(ctx, cfg, mode, [2]func(context.Context) error{w.historyCall(mode.n), w.baseCall(mode.n)},
			historyComparison.paths)
		if err != nil {
			return err
		}
		results = append(results, writeResult{mode: mode, paths: got})
	}

	if err := w.checkHistory(ctx, d.SQL, lastHistoryID, historyBefore, "warm-up and measured", out); err != nil {
		return err
	}
	if err := w.checkValues(ctx, d.SQL); err != nil {
		return err
	}
	fmt.Fprintln(out)
	reportWrites(out, results, historyComparison)

	fmt.Fprintln(out)
	if err := w.breakdown(ctx, d, cfg.duration/slices, out); err != nil {
		return err
	}
	if p := os.Getenv("BENCH_WRITES_CPUPROFILE"); p != "" {
		if err := w.profile(ctx, p, cfg.duration, out); err != nil {
			return err
		}
	}
	return w.checkHistory(ctx, d.SQL, lastHistoryID, historyBefore, "all, with the runs above", out)
}

// next returns the next n ids from cursor, wrapping around.
func (w *writeBench) next(cursor *int, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = w.ids[*cursor]
		*cursor = (*cursor + 1) % len(w.ids)
	}
	return out
}

// values are the next new firstname and jobtitle.
func (w *writeBench) values() (string, string) {
	w.seq++
	return fmt.Sprintf("First %d", w.seq), fmt.Sprintf("Title %d", w.seq)
}

// historyCall updates n records through the store: Update when n is 1,
// else one UpdateMany of n items.
func (w *writeBench) historyCall(n int) func(context.Context) error {
	return func(ctx context.Context) error {
		ids := w.next(&w.historyNext, n)
		if n == 1 {
			first, title := w.values()
			r, err := w.store.Update(ctx, w.m, ids[0], map[string]any{"firstname": first, "jobtitle": title}, records.Options{})
			if err != nil {
				return fmt.Errorf("update %d: %w", ids[0], err)
			}
			if r == nil || r.Properties["firstname"] != first {
				return fmt.Errorf("update %d: the store did not answer the written record", ids[0])
			}
			w.historyRecords++
			return nil
		}
		inputs := make([]records.UpdateInput, n)
		for i, id := range ids {
			first, title := w.values()
			inputs[i] = records.UpdateInput{ID: id, Properties: map[string]any{"firstname": first, "jobtitle": title}}
		}
		results, err := w.store.UpdateMany(ctx, w.m, w.ot.Name, inputs, records.Options{})
		if err != nil {
			return fmt.Errorf("update many: %w", err)
		}
		for i, res := range results {
			if res.Err != nil {
				return fmt.Errorf("update many, item %d (record %d): %w", i, ids[i], res.Err)
			}
			if res.Record == nil || res.Record.Properties["firstname"] != inputs[i].Properties["firstname"] {
				return fmt.Errorf("update many, item %d (record %d): the store did not answer the written record", i, ids[i])
			}
		}
		w.historyRecords += n
		return nil
	}
}

// baseCall updates n records of the plain table by hand, as the store's
// statements do: one transaction that lock-reads the records, then one
// UPDATE of the JSON encoded in Go per record.
func (w *writeBench) baseCall(n int) func(context.Context) error {
	return func(ctx context.Context) (err error) {
		ids := w.next(&w.baseNext, n)
		var tx *sql.Tx
		if err := w.times.time("BEGIN", func() (err error) { tx, err = w.plain.BeginTx(ctx, nil); return err }); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				err = errors.Join(err, tx.Rollback())
			}
		}()
		current := make(map[int][]byte, n)
		if n == 1 {
			var raw []byte
			if err := w.times.time(kindOf(w.selectSQL), func() error { return tx.QueryRowContext(ctx, w.selectSQL, ids[0]).Scan(&raw) }); err != nil {
				return fmt.Errorf("read %d: %w", ids[0], err)
			}
			current[ids[0]] = raw
		} else {
			var rows *sql.Rows
			err := w.times.time(kindOf(w.selectManySQL), func() (err error) { rows, err = tx.QueryContext(ctx, w.selectManySQL, pq.Array(ids)); return err })
			if err != nil {
				return fmt.Errorf("read: %w", err)
			}
			err = scanAll(rows, func(s scanner) error {
				var id int
				var raw []byte
				if err := s.Scan(&id, &raw); err != nil {
					return err
				}
				current[id] = raw
				return nil
			})
			if err != nil {
				return fmt.Errorf("read: %w", err)
			}
		}
		now := schema.Now()
		for _, id := range ids {
			raw, ok := current[id]
			if !ok {
				return fmt.Errorf("no record %d", id)
			}
			var props map[string]any
			if err := json.Unmarshal(raw, &props); err != nil {
				return fmt.Errorf("decode %d: %w", id, err)
			}
			props["firstname"], props["jobtitle"] = w.values()
			encoded, err := json.Marshal(props)
			if err != nil {
				return err
			}
			var res sql.Result
			err = w.times.time(kindOf(w.updateSQL), func() (err error) { res, err = tx.ExecContext(ctx, w.updateSQL, string(encoded), now, id); return err })
			if err != nil {
				return fmt.Errorf("update %d: %w", id, err)
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				return fmt.Errorf("update %d: %d rows, %v", id, k, err)
			}
		}
		return w.times.time("COMMIT", tx.Commit)
	}
}

// alternate measures two paths of a mode: warm-up calls of each, then
// slices of the configured time alternating them, the first of each
// round turning, so that noise hits both. names name the paths in
// errors.
func alternate(ctx context.Context, cfg config, mode writeMode, paths [2]func(context.Context) error, names [2]string) ([2]sample, error) {
	var out [2]sample
	warm := writeWarmupCalls
	if mode.n > 1 {
		warm /= 10
	}
	for _, p := range paths {
		for range warm {
			if err := p(ctx); err != nil {
				return out, fmt.Errorf("%s warm-up: %w", mode.name, err)
			}
		}
	}
	slice := cfg.duration * time.Duration(mode.scale) / slices
	for i := 0; i < slices && ctx.Err() == nil; i++ {
		for _, k := range [2][2]int{{0, 1}, {1, 0}}[i%2] {
			got, err := writeFor(ctx, paths[k], slice)
			if err != nil {
				return out, fmt.Errorf("%s, %s: %w", mode.name, names[k], err)
			}
			out[k].add(got)
		}
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("interrupted: %w", err)
	}
	return out, nil
}

// writeFor calls call one after the other until d has passed; an error
// stops it.
func writeFor(ctx context.Context, call func(context.Context) error, d time.Duration) (sample, error) {
	var s sample
	start := time.Now()
	for ctx.Err() == nil && time.Since(start) < d {
		t := time.Now()
		if err := call(ctx); err != nil {
			return s, err
		}
		s.latencies = append(s.latencies, time.Since(t))
	}
	s.elapsed = time.Since(start)
	return s, nil
}

// checkHistory fails unless property_histories grew by exactly a
// firstname and a jobtitle row, from the API, per record updated through
// the store.
func (w *writeBench) checkHistory(ctx context.Context, sqlDB *sql.DB, lastID, before int, which string, out io.Writer) error {
	var after, first, title, other int
	err := sqlDB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM property_histories),
		count(*) FILTER (WHERE property = 'firstname' AND source_type = 'API'),
		count(*) FILTER (WHERE property = 'jobtitle' AND source_type = 'API'),
		count(*) FILTER (WHERE property NOT IN ('firstname', 'jobtitle') OR source_type <> 'API')
		FROM property_histories WHERE id > $1`, lastID).Scan(&after, &first, &title, &other)
	if err != nil {
		return fmt.Errorf("count the history: %w", err)
	}
	want := 2 * w.historyRecords
	fmt.Fprintf(out, "check: property_histories grew by %d rows (%d firstname, %d jobtitle, %d other) for %d records updated with history on (%s): ",
		after-before, first, title, other, w.historyRecords, which)
	if after-before != want || first != w.historyRecords || title != w.historyRecords || other != 0 {
		fmt.Fprintln(out, "WRONG")
		return fmt.Errorf("HISTORY CHECK FAILED: property_histories grew by %d rows (%d firstname, %d jobtitle, %d other), want exactly %d: 2 per updated record",
			after-before, first, title, other, want)
	}
	fmt.Fprintln(out, "exactly 2 per record")
	return nil
}

// checkValues fails unless both tables hold, for the records both paths
// wrote, values the benchmark wrote.
func (w *writeBench) checkValues(ctx context.Context, sqlDB *sql.DB) error {
	for _, table := range []string{"records", plainTable} {
		var n int
		err := sqlDB.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE id = ANY($1) AND properties->>'firstname' LIKE 'First %' AND properties->>'jobtitle' LIKE 'Title %'",
			pq.Array(w.ids)).Scan(&n)
		if err != nil {
			return fmt.Errorf("check the values of %s: %w", table, err)
		}
		if n == 0 {
			return fmt.Errorf("VALUES CHECK FAILED: no record of %s holds a written value", table)
		}
	}
	return nil
}

// breakdown runs each path in each mode for d once more, its statements
// timed, and prints where the time of a call goes.
func (w *writeBench) breakdown(ctx context.Context, d *db.DB, dur time.Duration, out io.Writer) error {
	fmt.Fprintf(out, "where the time of a write goes (%s (single) or %s (batch) more per path, statements timed from the client):\n", dur, 2*dur)
	for _, mode := range writeModes {
		dur := dur * time.Duration(mode.scale)
		storeTimes := newStmtTimes()
		measured := w.store
		w.store = storeOf(timedDB(d, storeTimes))
		s, err := writeFor(ctx, w.historyCall(mode.n), dur)
		w.store = measured
		if err != nil {
			return err
		}
		storeTimes.print(out, mode.name+" history on", s.requests(), s.elapsed)

		w.times = newStmtTimes()
		s, err = writeFor(ctx, w.baseCall(mode.n), dur)
		times := w.times
		w.times = nil
		if err != nil {
			return err
		}
		times.print(out, mode.name+" baseline", s.requests(), s.elapsed)
	}
	return explainHistoryInsert(ctx, d.SQL, w.m.WorkspaceID, w.ids[:writeBatch], out)
}

// profile writes a CPU profile of the history-on path alone: single
// updates then batches, d each.
func (w *writeBench) profile(ctx context.Context, path string, d time.Duration, out io.Writer) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	var n [2]int
	for i, mode := range writeModes {
		s, err := writeFor(ctx, w.historyCall(mode.n), d)
		if err != nil {
			pprof.StopCPUProfile()
			return err
		}
		n[i] = s.requests()
	}
	pprof.StopCPUProfile()
	fmt.Fprintf(out, "CPU profile of the history-on path (%d single updates, then %d batches, %s each; this process only, not PostgreSQL) in %s\n"+
		"  go tool pprof -top %s\n", n[0], n[1], d, path, path)
	return f.Close()
}

// reportWrites prints the table of the two paths c compares and whether
// the goals are met.
func reportWrites(out io.Writer, results []writeResult, c comparison) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tpath\tcalls\trecords\trecords/s\tp50/call\tp99/call\t")
	for _, r := range results {
		for i, name := range c.paths {
			s := &r.paths[i]
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f\t%s\t%s\t\n", r.mode.name, name, s.requests(), s.requests()*r.mode.n,
				r.recordsPerSecond(s), ms(s.percentile(50)), ms(s.percentile(99)))
		}
		first, second := &r.paths[0], &r.paths[1]
		fmt.Fprintf(tw, "%s\t%s/%s\t\t\t%.2fx\t%.2fx\t%.2fx\t\n", r.mode.name, c.paths[0], c.paths[1], r.ratio(),
			float64(first.percentile(50))/float64(second.percentile(50)),
			float64(first.percentile(99))/float64(second.percentile(99)))
	}
	tw.Flush()
	fmt.Fprintln(out)
	for _, r := range results {
		ratio := r.ratio()
		verdict := "MET"
		if ratio < c.minRatio {
			verdict = fmt.Sprintf("MISSED, %.0f%% under the goal", (1-ratio/c.minRatio)*100)
		}
		fmt.Fprintf(out, "goal: %s updates %s >= %.1fx %s: %s (%.2fx)\n", r.mode.name, c.goal, c.minRatio, c.against, verdict, ratio)
	}
}

// storeOf is the records store the API runs over d.
func storeOf(d *db.DB) *records.Store {
	w := write.New(d)
	return records.New(d, w, assoc.New(d, w))
}
