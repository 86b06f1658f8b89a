package records

import (
	"context"
	stdsql "database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/history"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/search"
	"github.com/acme/crm/internal/timeline"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// MaxBatch is the most items one batch call takes.
const MaxBatch = 1000

// Store reads and writes records.
type Store struct {
	db    *db.DB
	w     *write.Unit
	links Associations
}

// Associations are the association writes a record's life takes: linking
// a new record, moving a merged record's associations, removing an erased
// record's. Package assoc owns their rules.
type Associations interface {
	// Link associates from with to under labels, as associate does.
	Link(ctx context.Context, tx *write.Tx, from, to int, labels []string) error
	// Move gives primary every association of secondary, collapsing
	// duplicates, and refuses what breaks primary's limits.
	Move(ctx context.Context, tx *write.Tx, primary, secondary *Record) error
	// Remove deletes every association of the records ids.
	Remove(ctx context.Context, tx *write.Tx, ids []int) error
}

// New returns a store over d that writes through w.
func New(d *db.DB, w *write.Unit, links Associations) *Store {
	return &Store{db: d, w: w, links: links}
}

// Options say how a record write goes.
type Options struct {
	// Source is what the history of the written values names: API unless
	// set.
	Source history.Source
	// AllowErasedEmails lets creates take the emails of contacts deleted
	// permanently.
	AllowErasedEmails bool
	// Audit, when set, is the audit entry the write records in its
	// transaction (write.Options).
	Audit func() audit.Change
}

// writeOptions are the unit's options for a write that locks records with
// its first statement, or the version first.
func (o Options) writeOptions(lockWithRecords bool) write.Options {
	return write.Options{Source: o.Source, LockWithRecords: lockWithRecords, Audit: o.Audit}
}

func notFound(id int) error { return apierr.New(apierr.NotFound, "no record %d", id) }

// Get returns a record of the workspace, archived or not.
func (s *Store) Get(ctx context.Context, m *meta.Model, id int) (*Record, error) {
	recs, err := s.GetMany(ctx, m, []int{id})
	if err != nil {
		return nil, err
	}
	r, ok := recs[id]
	if !ok {
		return nil, notFound(id)
	}
	return r, nil
}

// GetMany returns the records of the workspace with the given ids, archived
// or not, in one statement per thousand ids; missing ids are absent. The
// id of a record merged into another answers that other record.
func (s *Store) GetMany(ctx context.Context, m *meta.Model, ids []int) (map[int]*Record, error) {
	out := make(map[int]*Record, len(ids))
	if err := s.getMany(ctx, m, ids, out); err != nil {
		return nil, err
	}
	if err := s.follow(ctx, m, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) getMany(ctx context.Context, m *meta.Model, ids []int, out map[int]*Record) error {
	return s.readMany(ctx, m, ids, nil, out)
}

// lock reads records, archived or not, and on PostgreSQL locks them until
// tx ends, in id order. The schema version is share-locked in the same
// statement (write.Tx.VersionLock).
func (s *Store) lock(ctx context.Context, tx *write.Tx, ids []int) (map[int]*Record, error) {
	out := map[int]*Record{}
	if err := s.readMany(ctx, tx.Model, ids, tx, out); err != nil {
		return nil, err
	}
	// No record found, the statement took no version lock.
	return out, tx.EnsureLocked(ctx)
}

// lockOne is lock of one record that must exist.
func (s *Store) lockOne(ctx context.Context, tx *write.Tx, id int) (*Record, error) {
	recs, err := s.lock(ctx, tx, []int{id})
	if err != nil {
		return nil, err
	}
	r, ok := recs[id]
	if !ok {
		return nil, notFound(id)
	}
	return r, nil
}

// readMany reads records by id: in locking's transaction, locking them,
// or else outside any transaction.
func (s *Store) readMany(ctx context.Context, m *meta.Model, ids []int, locking *write.Tx, out map[int]*Record) error {
	for start := 0; start < len(ids); start += MaxBatch {
		chunk := ids[start:min(start+MaxBatch, len(ids))]
		query := db.Build(s.db.Dialect, "SELECT ")
		var version int64
		var before []any
		if locking != nil {
			// The lock that keeps definition changes out comes with the
			// rows, in the same statement.
			locking.VersionLock(query).T(", ")
			before = []any{&version}
		}
		Columns(query, "").T(" FROM records WHERE workspace_id = ").Arg(m.WorkspaceID).T(" AND ").InIDs("", "id", chunk)
		if locking != nil {
			query.T(" ORDER BY id").ForUpdate()
		}
		var rows *stdsql.Rows
		var err error
		if locking != nil {
			rows, err = query.Query(ctx, locking)
		} else {
			rows, err = s.db.Read(ctx, query)
		}
		if err != nil {
			return fmt.Errorf("read records: %w", err)
		}
		for rows.Next() {
			r, err := Scan(rows, before...)
			if err != nil {
				rows.Close()
				return err
			}
			if locking != nil {
				if err := locking.Locked(version); err != nil {
					rows.Close()
					return err
				}
			}
			out[r.ID] = Attach(m, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read records: %w", err)
		}
	}
	return nil
}

// insert writes a new record unless a unique value is taken: then it
// returns the CONFLICT naming the record that holds it. ON CONFLICT DO
// NOTHING waits for a racing transaction and never aborts this one.
func (s *Store) insert(ctx context.Context, q ExecQuerier, ot *meta.ObjectType, workspaceID int, props map[string]any) (*Record, error) {
	encoded, err := encodeProperties(props)
	if err != nil {
		return nil, err
	}
	now := schema.Now()
	text := search.RecordText(search.Searchable(ot), props)
	query := db.Build(s.db.Dialect, "INSERT INTO records (workspace_id, object_type_id, properties, search_text, created_at, updated_at) VALUES (").
		Args(workspaceID, ot.ID, encoded, text, now, now).T(") ON CONFLICT DO NOTHING RETURNING id")
	// A conflicting record archived between the insert and the look-up
	// frees its value: try again, a bounded number of times.
	for attempt := 0; attempt < 3; attempt++ {
		var id int
		err := query.Row(ctx, q, &id)
		if err == nil {
			return &Record{ID: id, WorkspaceID: workspaceID, ObjectTypeID: ot.ID, Properties: props, CreatedAt: now, UpdatedAt: now, Type: ot}, nil
		}
		if !errors.Is(err, stdsql.ErrNoRows) {
			return nil, fmt.Errorf("insert record: %w", err)
		}
		conflict, err := s.findConflict(ctx, q, ot, workspaceID, props, 0)
		if err != nil || conflict != nil {
			return nil, errors.Join(err, conflictOrNil(conflict))
		}
	}
	return nil, apierr.New(apierr.Conflict, "a unique value of this %s is taken", ot.SingularLabel)
}

func conflictOrNil(e *apierr.Error) error {
	if e == nil {
		return nil
	}
	return e
}

// findConflict names the live record, other than exceptID, that already
// holds one of props' unique values.
func (s *Store) findConflict(ctx context.Context, q ExecQuerier, ot *meta.ObjectType, workspaceID int, props map[string]any, exceptID int) (*apierr.Error, error) {
	for _, p := range ot.UniqueProperties() {
		v, ok := props[p.Name]
		if !ok {
			continue
		}
		id, err := s.findByUnique(ctx, q, ot, workspaceID, p, v, exceptID, false)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			return &apierr.Error{Code: apierr.Conflict, Property: p.Name, ExistingID: id,
				Message: fmt.Sprintf("%s %v already belongs to %s %d", p.Name, v, strings.ToLower(ot.SingularLabel), id)}, nil
		}
	}
	return nil, nil
}

// findByUnique returns the live record holding value v of unique property
// p, or 0. The object type id is written as a literal so that SQLite can
// match the partial unique index. v is bound as JSON and turned into text
// by the same expression as the stored values, so that each database
// compares its own spelling of a number with itself.
func (s *Store) findByUnique(ctx context.Context, q ExecQuerier, ot *meta.ObjectType, workspaceID int, p *meta.Property, v any, exceptID int, lock bool) (int, error) {
	arg, err := json.Marshal(map[string]any{"v": v})
	if err != nil {
		return 0, err
	}
	query := db.Build(s.db.Dialect, "SELECT id FROM records WHERE workspace_id = ").Arg(workspaceID).
		T(" AND object_type_id = ").Int(ot.ID).T(" AND archived_at IS NULL AND ").Property("", "properties", p.Name).
		T(" = ").ArgProperty(string(arg), "v").T(" AND id <> ").Arg(exceptID).T(" LIMIT 1")
	if lock {
		query.ForUpdate()
	}
	var id int
	err = query.Row(ctx, q, &id)
	if errors.Is(err, stdsql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find %s by %s: %w", ot.Name, p.Name, err)
	}
	return id, nil
}

// touchesUnique reports whether a write from old to next changes a unique
// value, the only way an update can violate a unique index.
func touchesUnique(ot *meta.ObjectType, old, next map[string]any) bool {
	for _, p := range ot.UniqueProperties() {
		if !reflect.DeepEqual(old[p.Name], next[p.Name]) {
			return true
		}
	}
	return false
}

// update writes next as r's values and keeps the change for tx's history.
// A write that changes a unique value runs inside a savepoint, so that a
// violation undoes this item only and answers CONFLICT. alone says the
// transaction writes this one record: its history then goes in with the
// write, where the dialect can, instead of at commit.
func (s *Store) update(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, r *Record, next map[string]any, alone bool) (*Record, error) {
	if reflect.DeepEqual(r.Properties, next) {
		return r, nil
	}
	encoded, err := encodeProperties(next)
	if err != nil {
		return nil, err
	}
	now := schema.Now()
	text := search.RecordText(search.Searchable(ot), next)
	write := func(q *db.SQL) {
		q.T("UPDATE records SET properties = ").Arg(encoded).T(", search_text = ").Arg(text).T(", updated_at = ").Arg(now).
			T(" WHERE id = ").Arg(r.ID)
	}
	stmt := db.Build(s.db.Dialect, "")
	write(stmt)
	var changes history.Buffer
	if err := changes.Add(r.ID, r.Properties, next, now, tx.Source()); err != nil {
		return nil, err
	}
	if !touchesUnique(ot, r.Properties, next) {
		query := stmt
		if alone && s.db.Dialect.WritesInWith() && changes.Len() > 0 {
			// The record and its history in one round trip.
			query = changes.WithWrite(s.db.Dialect, r.WorkspaceID, write)
		}
		if _, err := query.Exec(ctx, tx); err != nil {
			return nil, fmt.Errorf("update record %d: %w", r.ID, err)
		}
	} else if err := tx.Savepoint(ctx, func() error {
		_, err := stmt.Exec(ctx, tx)
		if err != nil && s.db.Dialect.IsUniqueViolation(err) {
			return apierr.Wrap(err, apierr.Conflict, "a unique value of %s %d is taken", strings.ToLower(ot.SingularLabel), r.ID)
		}
		if err != nil {
			return fmt.Errorf("update record %d: %w", r.ID, err)
		}
		return nil
	}); err != nil {
		if apierr.CodeOf(err) != apierr.Conflict {
			return nil, err
		}
		// Rolled back to the savepoint, the transaction can name the holder.
		conflict, findErr := s.findConflict(ctx, tx, ot, r.WorkspaceID, next, r.ID)
		if findErr != nil {
			return nil, findErr
		}
		if conflict != nil {
			return nil, conflict
		}
		return nil, err
	}
	tx.History().Take(&changes)
	NoteUpdate(tx, ot, r.ID, r.Properties, next)
	out := *r
	out.Properties, out.UpdatedAt = next, now
	return &out, nil
}

// NoteUpdate notes for tx's hooks the values of record id that changed
// from old to next, lastmodifieddate with them.
func NoteUpdate(tx *write.Tx, ot *meta.ObjectType, id int, old, next map[string]any) {
	names := []string{LastModified}
	for name, v := range next {
		if before, ok := old[name]; !ok || !reflect.DeepEqual(before, v) {
			names = append(names, name)
		}
	}
	for name := range old {
		if _, ok := next[name]; !ok {
			names = append(names, name)
		}
	}
	tx.Changed(ot.ID, id, names...)
}

// Create validates and writes one record with its associations.
func (s *Store) Create(ctx context.Context, m *meta.Model, objectType string, item NewRecord, opts Options) (*Record, error) {
	return single(s.CreateMany(ctx, m, objectType, []NewRecord{item}, opts))
}

// Update validates and writes new values of one live record.
func (s *Store) Update(ctx context.Context, m *meta.Model, id int, props map[string]any, opts Options) (*Record, error) {
	return single(s.UpdateMany(ctx, m, "", []UpdateInput{{ID: id, Properties: props}}, opts))
}

func single(results []Result, err error) (*Record, error) {
	if err != nil {
		return nil, err
	}
	return results[0].Record, results[0].Err
}

// Archive moves a record to the recycle bin; archiving it again changes
// nothing. Its associations stay, hidden while it is archived.
func (s *Store) Archive(ctx context.Context, m *meta.Model, id int) (*Record, error) {
	return single(s.ArchiveMany(ctx, m, []int{id}, Options{}))
}

// Restore brings an archived record back. A unique value taken meanwhile by
// another record answers CONFLICT and leaves it archived.
func (s *Store) Restore(ctx context.Context, m *meta.Model, id int) (*Record, error) {
	var out *Record
	err := s.w.Records(ctx, m, Options{}.writeOptions(true), func(tx *write.Tx) error {
		r, err := s.lockOne(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.MergedInto != 0 {
			return apierr.New(apierr.Conflict, "record %d was merged into record %d: it cannot come back", id, r.MergedInto)
		}
		if r.ArchivedAt == nil {
			out = r
			return nil
		}
		ot, ok := tx.Model.ObjectTypeByID(r.ObjectTypeID)
		if !ok {
			return notFound(id)
		}
		now := schema.Now()
		_, err = db.Build(s.db.Dialect, "UPDATE records SET archived_at = NULL, updated_at = ").Arg(now).T(" WHERE id = ").Arg(id).Exec(ctx, tx)
		if err != nil && s.db.Dialect.IsUniqueViolation(err) {
			// The transaction is aborted on PostgreSQL: look from outside.
			return errRestoreConflict{ot: ot, r: r}
		}
		if err != nil {
			return fmt.Errorf("restore record %d: %w", id, err)
		}
		r.ArchivedAt, r.UpdatedAt = nil, now
		tx.ChangedAll(write.Restored, r.ObjectTypeID, id)
		tx.Happened(timeline.Event{RecordID: id, Type: timeline.Restored, At: now})
		out = r
		return nil
	})
	var rc errRestoreConflict
	if errors.As(err, &rc) {
		conflict, findErr := s.findConflict(ctx, s.db.Client, rc.ot, m.WorkspaceID, rc.r.Properties, rc.r.ID)
		if findErr != nil {
			return nil, findErr
		}
		if conflict != nil {
			return nil, conflict
		}
		return nil, apierr.New(apierr.Conflict, "a unique value of %s %d is taken", strings.ToLower(rc.ot.SingularLabel), id)
	}
	return out, err
}

type errRestoreConflict struct {
	ot *meta.ObjectType
	r  *Record
}

func (errRestoreConflict) Error() string { return "restore conflicts with a unique value" }

// objectTypeOf returns the object type of r, which must be ot when given.
func objectTypeOf(m *meta.Model, r *Record, want *meta.ObjectType) (*meta.ObjectType, error) {
	ot, ok := m.ObjectTypeByID(r.ObjectTypeID)
	if !ok || (want != nil && want.ID != ot.ID) {
		return nil, notFound(r.ID)
	}
	return ot, nil
}

// validate wraps values.Apply for one item.
func validate(ot *meta.ObjectType, current, input map[string]any) (map[string]any, error) {
	if input == nil {
		input = map[string]any{}
	}
	return values.Apply(ot, current, input)
}
