package importer

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// rowError is what went wrong with a row (or, a warning, what a row
// written left out): its column and property where one is at fault.
type rowError struct {
	column, property string
	code             string
	message          string
	warning          bool
}

func (e *rowError) Error() string { return e.message }

// Unwrap makes a row's error an item's refusal, which rolls back the row's
// savepoint (write.Tx.Savepoint).
func (e *rowError) Unwrap() error {
	return &apierr.Error{Code: apierr.Code(e.code), Message: e.message, Property: e.property}
}

// KeptStage is the code of the warning a row gets when its lifecycle stage
// would have moved a record's backwards: the row is written without it.
const KeptStage = string(apierr.LifecycleStageKept)

// lifecycle is the property an import never moves backwards, as HubSpot's
// imports do not.
const lifecycle = "lifecyclestage"

// outcome is what a row did.
type outcome int

const (
	created outcome = iota
	updated
	skipped
	failed
)

// fileRun is the state of one file's rows: the keys of the rows written so
// far, to refuse a second row for the same record.
type fileRun struct {
	plan   *plan
	format DateFormat
	keys   *keyRows
	// copying says the rows batched go through COPY (records.CopyNewIn).
	copying bool
}

// keyRows remember the row of each key a file's rows wrote, as a hash
// (a million keys take a few MiB): the rows committed (done) and those of
// the chunk being written (chunk), which a chunk run again forgets.
type keyRows struct {
	done, chunk map[uint64]int
}

func newKeyRows() *keyRows { return &keyRows{done: map[uint64]int{}, chunk: map[uint64]int{}} }

func keyHash(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()
}

// row is the row that wrote key, if one did.
func (k *keyRows) row(key string) (int, bool) {
	h := keyHash(key)
	if line, ok := k.chunk[h]; ok {
		return line, true
	}
	line, ok := k.done[h]
	return line, ok
}

// note remembers that row line of the chunk wrote key.
func (k *keyRows) note(key string, line int) { k.chunk[keyHash(key)] = line }

// begin starts writing a chunk, or writing it again.
func (k *keyRows) begin() { clear(k.chunk) }

// commit keeps the keys of the chunk written.
func (k *keyRows) commit() {
	for h, line := range k.chunk {
		k.done[h] = line
	}
	clear(k.chunk)
}

// rowInput is a row read into the inputs of its records and the text of
// its first record's match key ("" for none), not yet written.
type rowInput struct {
	line   int
	cells  []string
	inputs []map[string]any
	key    string
}

// read reads a row's cells into its records' inputs. A row that is
// written no further answers nil with what it did: skipped when empty,
// failed with why.
func (fr *fileRun) read(line int, cells []string) (*rowInput, outcome, *rowError) {
	p := fr.plan
	in := &rowInput{line: line, cells: cells, inputs: make([]map[string]any, len(p.targets))}
	empty := true
	for i, t := range p.targets {
		in.inputs[i] = map[string]any{}
		for _, c := range t.cols {
			v, ok, err := cell(c.prop, cells[c.col], fr.format)
			if err != nil {
				return nil, failed, &rowError{column: p.header[c.col], property: c.prop.Name, code: string(apierr.BadUserInput), message: err.Error()}
			}
			if ok {
				in.inputs[i][c.prop.Name] = v
				empty = false
			}
		}
	}
	if empty {
		return nil, skipped, nil
	}
	key, rerr := fr.key(in.inputs[0], cells)
	if rerr != nil {
		return nil, failed, rerr
	}
	in.key = key
	return in, 0, nil
}

// row writes one row inside tx: its records, their associations and
// history, whole or not at all. It answers what the row did, the records
// it wrote and, for a failed row or a warning, what happened; an error
// fails the chunk.
func (e *Engine) row(ctx context.Context, tx *write.Tx, fr *fileRun, in *rowInput) (outcome, []int, []*rowError, error) {
	p := fr.plan
	if prev, ok := fr.keys.row(in.key); ok && in.key != "" {
		t := p.targets[0]
		same := t.key.Name
		if t.named {
			same += " and associated records"
		}
		return failed, nil, []*rowError{{column: p.header[t.keyCol], property: t.key.Name, code: string(apierr.Conflict),
			message: fmt.Sprintf("row %d of this file has the same %s: a file holds one row per record", prev, same)}}, nil
	}
	w := rowWrite{e: e, tx: tx, fr: fr, cells: in.cells}
	write := func() error { return w.run(ctx, in.inputs) }
	var err error
	if len(p.targets) > 1 || len(p.links) > 0 {
		err = tx.Savepoint(ctx, write)
	} else {
		err = write()
	}
	if err != nil {
		if re, ok := w.rowError(err); ok {
			return failed, nil, []*rowError{re}, nil
		}
		return failed, nil, nil, err
	}
	if in.key != "" {
		fr.keys.note(in.key, in.line)
	}
	out := updated
	if w.created {
		out = created
	}
	return out, w.touched, w.warnings, nil
}

// batched reports whether a row may be created with others in one
// statement (records.CreateNewIn) before it is written alone: a row of one
// record, matched by its key alone, which it holds and no row before it
// in the file wrote, that the file's operation may create.
func (fr *fileRun) batched(in *rowInput) bool {
	p := fr.plan
	t := p.targets[0]
	if !p.creates() || in.key == "" {
		return false
	}
	if t.idCol >= 0 && strings.TrimSpace(in.cells[t.idCol]) != "" {
		return false
	}
	_, seen := fr.keys.row(in.key)
	return !seen
}

// key is the text of the match key of a row's first record, "" for none:
// of a record matched by name, its name and the values of the association
// columns that name records (none: the row matches nothing).
func (fr *fileRun) key(input map[string]any, cells []string) (string, *rowError) {
	t := fr.plan.targets[0]
	if t.key == nil {
		return "", nil
	}
	raw, ok := input[t.key.Name]
	if !ok {
		return "", nil
	}
	v, err := values.Normalize(t.ot, t.key, raw)
	if err != nil {
		re, _ := (&rowWrite{fr: fr}).rowError(err)
		return "", re
	}
	if !t.named {
		return fmt.Sprint(v), nil
	}
	key, named := fmt.Sprint(v), false
	for _, l := range fr.plan.links {
		cell := strings.TrimSpace(cells[l.col])
		if cell == "" {
			continue
		}
		if lv, err := values.Normalize(l.ot, l.prop, cell); err == nil && lv != nil {
			cell = fmt.Sprint(lv)
		}
		key, named = key+"\x00"+l.ot.Name+"\x00"+cell, true
	}
	if !named {
		return "", nil
	}
	return key, nil
}

// rowWrite is the write of one row.
type rowWrite struct {
	e        *Engine
	tx       *write.Tx
	fr       *fileRun
	cells    []string
	target   *target
	linked   []linkedRecord
	created  bool
	touched  []int
	warnings []*rowError
}

func (w *rowWrite) run(ctx context.Context, inputs []map[string]any) error {
	p := w.fr.plan
	// The other objects of the row first: its record is associated with
	// them.
	var others []*records.Record
	for i := len(p.targets) - 1; i >= 1; i-- {
		if len(inputs[i]) == 0 {
			continue
		}
		r, _, err := w.write(ctx, p.targets[i], inputs[i], Upsert)
		if err != nil {
			return err
		}
		others = append(others, r)
	}
	// The records the association columns name, found before the row's
	// record, which a row matches by name among their associations. A
	// column naming none (or not a value) fails the row once its record is
	// written, so that what is wrong with the record's values is said
	// first, as when the columns were read after it.
	var linked []linkedRecord
	var missing error
	for _, l := range p.links {
		raw := strings.TrimSpace(w.cells[l.col])
		if raw == "" {
			continue
		}
		to, err := w.e.records.FindIn(ctx, w.tx, l.ot, l.prop, raw)
		if _, refused := apierr.As(err); err != nil && !refused {
			return err
		}
		switch {
		case err != nil:
			missing = w.at(l.col, l.prop.Name, err)
		case to == nil:
			missing = &rowError{column: p.header[l.col], property: l.prop.Name, code: string(apierr.NotFound),
				message: fmt.Sprintf("no %s has %s %q to associate with", strings.ToLower(l.ot.SingularLabel), l.prop.Name, raw)}
		}
		if missing != nil {
			linked = nil
			break
		}
		linked = append(linked, linkedRecord{col: l.col, id: to.ID})
	}
	w.linked = linked
	r, created, err := w.write(ctx, p.targets[0], inputs[0], p.file.Operation)
	if err != nil {
		return err
	}
	w.created = created
	if missing != nil {
		return missing
	}
	for _, o := range others {
		w.target = p.targets[0]
		if err := w.e.links.Link(ctx, w.tx, r.ID, o.ID, p.labels); err != nil {
			return err
		}
	}
	for _, l := range linked {
		if err := w.e.links.Link(ctx, w.tx, r.ID, l.id, p.labels); err != nil {
			return w.at(l.col, "", err)
		}
	}
	return nil
}

// linkedRecord is the record an association column of a row names.
type linkedRecord struct{ col, id int }

// at makes err, an item's refusal, the row's error at column col.
func (w *rowWrite) at(col int, property string, err error) error {
	e, ok := apierr.As(err)
	if !ok {
		return err
	}
	if e.Property != "" {
		property = e.Property
	}
	return &rowError{column: w.fr.plan.header[col], property: property, code: string(e.Code), message: e.Message}
}

// write creates or updates the record of t from input, as op says, and
// answers it and whether it is new.
func (w *rowWrite) write(ctx context.Context, t *target, input map[string]any, op Operation) (*records.Record, bool, error) {
	w.target = t
	existing, err := w.find(ctx, t, input, op)
	if err != nil {
		return nil, false, err
	}
	name := strings.ToLower(t.ot.SingularLabel)
	switch {
	case existing == nil && op == Update:
		return nil, false, apierr.New(apierr.NotFound, "no %s matches the row", name)
	case existing != nil && op == Create:
		e := apierr.New(apierr.Conflict, "%s %d matches the row, and the import only creates", name, existing.ID)
		if t.key != nil {
			e.Property = t.key.Name
		}
		return nil, false, e
	case existing == nil:
		r, err := w.e.records.CreateIn(ctx, w.tx, t.ot, records.NewRecord{Properties: input})
		if err == nil {
			w.touched = append(w.touched, r.ID)
		}
		return r, true, err
	}
	w.keepStage(t, existing, input)
	r, err := w.e.records.UpdateIn(ctx, w.tx, t.ot, existing, input)
	if err == nil {
		w.touched = append(w.touched, r.ID)
	}
	return r, false, err
}

// find is the record a row's object matches: by its record id column,
// else its key; nil for none. An UPSERT whose record id names no record
// of the workspace, or one holding another key value than the row (a file
// exported from another workspace), matches by its key.
func (w *rowWrite) find(ctx context.Context, t *target, input map[string]any, op Operation) (*records.Record, error) {
	if t.idCol >= 0 {
		if s := strings.TrimSpace(w.cells[t.idCol]); s != "" {
			id, err := strconv.Atoi(s)
			if err != nil || id <= 0 {
				return nil, &rowError{column: w.fr.plan.header[t.idCol], code: string(apierr.BadUserInput), message: fmt.Sprintf("%q is not a record id", s)}
			}
			r, err := w.e.records.LockIn(ctx, w.tx, t.ot, id)
			switch {
			case err == nil && w.sameKey(t, r, input):
				return r, nil
			case err == nil && op != Upsert:
				return nil, &rowError{column: w.fr.plan.header[t.idCol], property: t.key.Name, code: string(apierr.Conflict),
					message: fmt.Sprintf("record %d holds another %s than the row", id, t.key.Name)}
			case err != nil && (apierr.CodeOf(err) != apierr.NotFound || op != Upsert):
				return nil, w.at(t.idCol, "", err)
			}
		}
	}
	if t.key == nil {
		return nil, nil
	}
	raw, ok := input[t.key.Name]
	if !ok {
		return nil, nil
	}
	if t.named {
		return w.findNamed(ctx, t, raw)
	}
	return w.e.records.FindIn(ctx, w.tx, t.ot, t.key, raw)
}

// findNamed is the record of t named raw and associated with every record
// the row's association columns name, when exactly one is; nil when the
// row names none (it has no key then) or no record matches. Several
// records matching fail the row: which one it updates is not for the
// import to guess.
func (w *rowWrite) findNamed(ctx context.Context, t *target, raw any) (*records.Record, error) {
	if len(w.linked) == 0 {
		return nil, nil
	}
	to := make([]int, len(w.linked))
	for i, l := range w.linked {
		to[i] = l.id
	}
	ids, err := w.e.records.FindNamedIn(ctx, w.tx, t.ot, t.key, raw, to)
	switch {
	case err != nil:
		return nil, w.at(t.keyCol, t.key.Name, err)
	case len(ids) == 0:
		return nil, nil
	case len(ids) > 1:
		name := strings.ToLower(t.ot.SingularLabel)
		return nil, &rowError{column: w.fr.plan.header[t.keyCol], property: t.key.Name, code: string(apierr.Conflict),
			message: fmt.Sprintf("%ss %d and %d have this %s and the records the row associates: name the one to update in a Record ID column", name, ids[0], ids[1], t.key.Name)}
	}
	return w.e.records.LockIn(ctx, w.tx, t.ot, ids[0])
}

// sameKey reports whether r, found by a row's record id, holds the row's
// key value, if the row has one: a file from another workspace names ids
// of other records here.
func (w *rowWrite) sameKey(t *target, r *records.Record, input map[string]any) bool {
	if t.key == nil {
		return true
	}
	raw, ok := input[t.key.Name]
	if !ok {
		return true
	}
	v, err := values.Normalize(t.ot, t.key, raw)
	return err != nil || v == nil || fmt.Sprint(v) == fmt.Sprint(r.Properties[t.key.Name])
}

// keepStage drops from input a lifecycle stage that would move the record
// backwards, with a warning for the row.
func (w *rowWrite) keepStage(t *target, existing *records.Record, input map[string]any) {
	prop, ok := t.ot.Property(lifecycle)
	next, given := input[lifecycle].(string)
	current, has := existing.Properties[lifecycle].(string)
	if !ok || !given || !has {
		return
	}
	rank := func(v string) int {
		return slices.IndexFunc(prop.Options, func(o propdef.Option) bool { return o.Value == v })
	}
	if n, c := rank(next), rank(current); n >= 0 && c >= 0 && n < c {
		delete(input, lifecycle)
		col := ""
		for _, m := range t.cols {
			if m.prop.Name == lifecycle {
				col = w.fr.plan.header[m.col]
			}
		}
		w.warnings = append(w.warnings, &rowError{column: col, property: lifecycle, code: KeptStage, warning: true,
			message: fmt.Sprintf("the record's lifecycle stage %s was kept: an import never moves it back (to %s)", current, next)})
	}
}

// rowError turns an item's refusal into the row's error, naming the
// column of its property; false for a failure of the write itself.
func (w *rowWrite) rowError(err error) (*rowError, bool) {
	var re *rowError
	if errors.As(err, &re) {
		return re, true
	}
	e, ok := apierr.As(err)
	if !ok {
		return nil, false
	}
	re = &rowError{property: e.Property, code: string(e.Code), message: e.Message}
	for _, t := range w.fr.plan.targets {
		if w.target != nil && t != w.target {
			continue
		}
		for _, c := range t.cols {
			if c.prop.Name == e.Property {
				re.column = w.fr.plan.header[c.col]
			}
		}
	}
	return re, true
}
