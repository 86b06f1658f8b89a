package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"

	"entgo.io/ent/dialect"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/importjob"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/history"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/webhooks"
	"github.com/acme/crm/internal/write"
)

// errCanceled stops a run whose job was canceled.
var errCanceled = errors.New("import canceled")

// Progress hears a job after each chunk it commits.
type Progress func(job *ent.ImportJob)

// Run runs a PENDING import to its end: DONE, FAILED with why, or
// CANCELED. Each chunk of rows commits with the counters and errors it
// adds; the files go when it ends.
func (e *Engine) Run(ctx context.Context, workspaceID, id int, progress Progress) error {
	job, err := e.db.Client.ImportJob.Query().Where(importjob.ID(id), importjob.WorkspaceID(workspaceID)).Only(ctx)
	if err != nil {
		return err
	}
	var spec Spec
	if err := decodeSpec(job.Spec, &spec); err != nil {
		return err
	}
	// The files go however it ends, canceled before it began too.
	defer func() {
		for _, f := range spec.Files {
			_ = os.Remove(f.Path)
		}
	}()
	n, err := e.db.Client.ImportJob.Update().Where(importjob.ID(id), importjob.StateEQ(importjob.StatePENDING)).
		SetState(importjob.StatePROCESSING).SetStartedAt(clock.Now()).Save(ctx)
	if err != nil || n == 0 {
		return err
	}
	touched, err := e.run(ctx, job, spec, progress)
	switch {
	case errors.Is(err, errCanceled):
		return nil
	case err != nil:
		msg := "the import failed"
		if e, ok := apierr.As(err); ok {
			msg = e.Message
		}
		e.logger.Error("import failed", "import", id, "error", err)
		return errors.Join(err, e.end(context.WithoutCancel(ctx), job, spec, func(u *ent.ImportJobUpdateOne) {
			u.SetState(importjob.StateFAILED).SetMessage(msg)
		}))
	}
	var listID *int
	if spec.CreateList && len(touched) > 0 {
		list, err := e.listOf(ctx, job, spec, touched)
		if err != nil {
			return err
		}
		listID = &list
	}
	return e.end(ctx, job, spec, func(u *ent.ImportJobUpdateOne) {
		u.SetState(importjob.StateDONE).SetNillableListID(listID)
	})
}

// objectTypes are the object types the import's files write, sorted.
func (spec Spec) objectTypes() []string {
	var types []string
	for _, f := range spec.Files {
		types = append(types, f.ObjectTypes...)
	}
	return slices.Compact(slices.Sorted(slices.Values(types)))
}

// end moves job, still PROCESSING, to the state set sets, and writes its
// IMPORT_FINISHED webhook event in the same transaction. A job canceled
// meanwhile stays so (Cancel told the webhooks).
func (e *Engine) end(ctx context.Context, job *ent.ImportJob, spec Spec, set func(u *ent.ImportJobUpdateOne)) error {
	m, err := e.cache.Get(ctx, job.WorkspaceID)
	if err != nil {
		return err
	}
	tx, err := e.db.Client.Tx(ctx)
	if err != nil {
		return err
	}
	upd := tx.ImportJob.UpdateOneID(job.ID).Where(importjob.StateEQ(importjob.StatePROCESSING)).SetFinishedAt(clock.Now())
	set(upd)
	ended, err := upd.Save(ctx)
	if ent.IsNotFound(err) {
		return tx.Rollback() // canceled after its last chunk
	}
	if err == nil {
		err = webhooks.ImportEnded(ctx, tx, e.db.Dialect, m, spec.objectTypes(), ended)
	}
	if err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

func decodeSpec(doc map[string]any, spec *Spec) error {
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, spec)
}

// run writes the files' rows, the files whose records others associate
// with first, and answers the records written when the import makes a
// list of them (a million ids are tens of MiB held to the end: an import
// that makes no list keeps none).
func (e *Engine) run(ctx context.Context, job *ent.ImportJob, spec Spec, progress Progress) ([]int, error) {
	m, err := e.cache.Get(ctx, job.WorkspaceID)
	if err != nil {
		return nil, err
	}
	plans := make([]*plan, len(spec.Files))
	for i := range spec.Files {
		header, err := readHeader(&spec.Files[i])
		if err != nil {
			return nil, err
		}
		if plans[i], err = planFile(m, &spec.Files[i], header); err != nil {
			return nil, err
		}
	}
	var touched map[int]bool
	if spec.CreateList {
		touched = map[int]bool{}
	}
	for _, p := range ordered(plans) {
		if err := e.file(ctx, job, m, p, spec.DateFormat, touched, progress); err != nil {
			return nil, err
		}
	}
	return slices.Sorted(maps.Keys(touched)), nil
}

// ordered puts first the files whose records other files' rows associate
// with (companies.csv before contacts.csv, which names their domains).
func ordered(plans []*plan) []*plan {
	var out []*plan
	placed := map[*plan]bool{}
	var place func(p *plan, depth int)
	place = func(p *plan, depth int) {
		if placed[p] || depth > len(plans) {
			return
		}
		for _, l := range p.links {
			for _, q := range plans {
				if q != p && q.targets[0].ot == l.ot {
					place(q, depth+1)
				}
			}
		}
		if !placed[p] {
			placed[p] = true
			out = append(out, p)
		}
	}
	for _, p := range plans {
		place(p, 0)
	}
	return out
}

// pending is a row read and not yet written: its cells, or what was wrong
// with reading it.
type pending struct {
	line  int
	cells []string
	err   *rowError
}

// file writes the rows of one file, chunk by chunk.
func (e *Engine) file(ctx context.Context, job *ent.ImportJob, m *meta.Model, p *plan, format DateFormat, touched map[int]bool, progress Progress) error {
	in, err := os.Open(p.file.Path)
	if err != nil {
		return err
	}
	defer in.Close()
	r, err := newReader(p.file.Name, in)
	if err != nil {
		return err
	}
	fr := &fileRun{plan: p, format: format, keys: newKeyRows()}
	fr.copying = batching && copying && e.db.Dialect.Name() == dialect.Postgres && p.creates()
	size := ChunkRows
	if fr.copying {
		size = CopiedChunkRows
	}
	for {
		var chunk []pending
		for len(chunk) < size {
			cells, err := r.next()
			if errors.Is(err, io.EOF) {
				break
			}
			var re *rowError
			if errors.As(err, &re) {
				chunk = append(chunk, pending{line: r.line, err: re})
				continue
			}
			if err != nil {
				return err
			}
			chunk = append(chunk, pending{line: r.line, cells: slices.Clone(cells)})
		}
		if len(chunk) == 0 {
			return nil
		}
		if err := e.chunk(ctx, job, m, fr, chunk, touched, progress); err != nil {
			return err
		}
	}
}

// batching says rows that may only create go to records.CreateNewIn
// together before any is written alone; copying says that on PostgreSQL
// they go through COPY (records.CopyNewIn), in chunks of CopiedChunkRows.
// Each is off in the test that compares the answers of the ways.
var batching, copying = true, true

// counts are what a chunk adds to the job's counters.
type counts struct{ read, created, updated, skipped, failed int }

// chunk writes rows in one transaction with the errors and counters they
// add, and the ids of the records it wrote to touched, unless nil. The
// transaction may run again (write.Unit retries it): it starts from the
// state before it each time.
func (e *Engine) chunk(ctx context.Context, job *ent.ImportJob, m *meta.Model, fr *fileRun, rows []pending, touched map[int]bool, progress Progress) error {
	src := history.Source{Type: "IMPORT", ID: strconv.Itoa(job.ID)}
	var wrote []int
	var committed counts
	err := e.w.Records(ctx, m, write.Options{Source: src}, func(tx *write.Tx) error {
		wrote = nil
		fr.keys.begin()
		var state importjob.State
		if err := db.Build(tx.Dialect, "SELECT state FROM import_jobs WHERE id = ").Arg(job.ID).ForUpdate().Row(ctx, tx, &state); err != nil {
			return fmt.Errorf("import %d: %w", job.ID, err)
		}
		if state != importjob.StatePROCESSING {
			return errCanceled
		}
		var c counts
		var errs []pendingError
		tally := func(line int, out outcome, ids []int, rowErrs []*rowError) {
			switch out {
			case created:
				c.created++
			case updated:
				c.updated++
			case skipped:
				c.skipped++
			case failed:
				c.failed++
			}
			wrote = append(wrote, ids...)
			for _, re := range rowErrs {
				errs = append(errs, pendingError{line, re})
			}
		}
		alone := func(in *rowInput) error {
			out, ids, rowErrs, err := e.row(ctx, tx, fr, in)
			if err != nil {
				return fmt.Errorf("%s row %d: %w", fr.plan.file.Name, in.line, err)
			}
			tally(in.line, out, ids, rowErrs)
			return nil
		}
		// Rows that may only create go together, in order; each row the
		// batch leaves, and every other row, is written alone after the
		// rows before it.
		var batch []*rowInput
		keys := map[string]bool{}
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			inputs := make([]map[string]any, len(batch))
			for i, in := range batch {
				inputs[i] = in.inputs[0]
			}
			t := fr.plan.targets[0]
			create := e.records.CreateNewIn
			if fr.copying {
				create = e.records.CopyNewIn
			}
			made, err := create(ctx, tx, t.ot, t.key, inputs)
			if err != nil {
				return fmt.Errorf("%s rows %d-%d: %w", fr.plan.file.Name, batch[0].line, batch[len(batch)-1].line, err)
			}
			for i, in := range batch {
				if made[i] == nil {
					if err := alone(in); err != nil {
						return err
					}
					continue
				}
				fr.keys.note(in.key, in.line)
				tally(in.line, created, []int{made[i].ID}, nil)
			}
			batch = batch[:0]
			clear(keys)
			return nil
		}
		for _, row := range rows {
			c.read++
			var in *rowInput
			out, rerr := failed, row.err
			if rerr == nil {
				in, out, rerr = fr.read(row.line, row.cells)
			}
			if in == nil {
				if err := flush(); err != nil {
					return err
				}
				var rowErrs []*rowError
				if rerr != nil {
					rowErrs = []*rowError{rerr}
				}
				tally(row.line, out, nil, rowErrs)
				continue
			}
			if batching && fr.batched(in) && !keys[in.key] {
				batch = append(batch, in)
				keys[in.key] = true
				continue
			}
			if err := flush(); err != nil {
				return err
			}
			if err := alone(in); err != nil {
				return err
			}
		}
		if err := flush(); err != nil {
			return err
		}
		committed = c
		return e.account(ctx, tx, job, fr.plan.file.Name, c, errs)
	})
	if err != nil {
		return err
	}
	if e.Rows != nil {
		e.Rows("created", committed.created)
		e.Rows("updated", committed.updated)
		e.Rows("skipped", committed.skipped)
		e.Rows("failed", committed.failed)
	}
	fr.keys.commit()
	if touched != nil {
		for _, id := range wrote {
			touched[id] = true
		}
	}
	if progress != nil {
		if j, err := e.db.Client.ImportJob.Get(ctx, job.ID); err == nil {
			progress(j)
		}
	}
	return nil
}

type pendingError struct {
	line int
	err  *rowError
}

// account adds a chunk's errors and counters to the job, in the chunk's
// transaction.
func (e *Engine) account(ctx context.Context, tx *write.Tx, job *ent.ImportJob, file string, c counts, errs []pendingError) error {
	if len(errs) > 0 {
		q := db.Build(tx.Dialect, "INSERT INTO import_errors (workspace_id, import_id, file, row, \"column\", property, code, message, warning) VALUES ")
		for i, pe := range errs {
			if i > 0 {
				q.T(", ")
			}
			q.T("(").Args(job.WorkspaceID, job.ID, file, pe.line, pe.err.column, pe.err.property, pe.err.code, pe.err.message, pe.err.warning).T(")")
		}
		if _, err := q.Exec(ctx, tx); err != nil {
			return fmt.Errorf("import errors: %w", err)
		}
	}
	_, err := db.Build(tx.Dialect, "UPDATE import_jobs SET rows_read = rows_read + ").Arg(c.read).
		T(", created = created + ").Arg(c.created).T(", updated = updated + ").Arg(c.updated).
		T(", skipped = skipped + ").Arg(c.skipped).T(", failed = failed + ").Arg(c.failed).
		T(", updated_at = ").Arg(clock.Now()).T(" WHERE id = ").Arg(job.ID).Exec(ctx, tx)
	return err
}

// listOf makes the MANUAL list of the records an import wrote.
func (e *Engine) listOf(ctx context.Context, job *ent.ImportJob, spec Spec, ids []int) (int, error) {
	m, err := e.cache.Get(ctx, job.WorkspaceID)
	if err != nil {
		return 0, err
	}
	name := fmt.Sprintf("%s (import %d)", job.Name, job.ID)
	l, err := e.lists.Create(ctx, m, spec.Files[0].ObjectTypes[0], lists.Input{Name: &name, Kind: meta.Manual})
	if err != nil {
		return 0, err
	}
	// The records of the first file's object: others came with its rows.
	var members []int
	for start := 0; start < len(ids); start += lists.MaxBatch {
		found, err := e.records.GetMany(ctx, m, ids[start:min(start+lists.MaxBatch, len(ids))])
		if err != nil {
			return 0, err
		}
		for _, id := range ids[start:min(start+lists.MaxBatch, len(ids))] {
			if r := found[id]; r != nil && r.ObjectTypeID == l.ObjectType.ID {
				members = append(members, id)
			}
		}
	}
	for start := 0; start < len(members); start += lists.MaxBatch {
		if _, _, err := e.lists.Add(ctx, m, l.ID, members[start:min(start+lists.MaxBatch, len(members))]); err != nil {
			return 0, err
		}
	}
	return l.ID, nil
}
