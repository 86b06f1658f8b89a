package records

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/search"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// The reads and writes of one record inside a transaction a caller runs
// (the importer's rows; CreateIn is derived.go's): each validates as the
// batch forms do and answers an *apierr.Error for what the item did wrong.

// FindIn finds and locks the live record of ot whose unique property key
// holds raw (normalized as a written value is): nil when there is none.
func (s *Store) FindIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, key *meta.Property, raw any) (*Record, error) {
	v, err := values.Normalize(ot, key, raw)
	if err != nil || v == nil {
		return nil, err
	}
	id, err := s.findByUnique(ctx, tx, ot, tx.Model.WorkspaceID, key, v, 0, true)
	if err != nil || id == 0 {
		return nil, err
	}
	return s.LockIn(ctx, tx, ot, id)
}

// LockIn locks live record id of ot: NOT_FOUND when there is none.
func (s *Store) LockIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, id int) (*Record, error) {
	r, err := s.lockOne(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if r.ObjectTypeID != ot.ID || r.Archived() || r.MergedInto != 0 {
		return nil, apierr.New(apierr.NotFound, "no live %s %d", ot.Name, id)
	}
	return r, nil
}

// UpdateIn validates input over r's values and writes them, as an item of
// UpdateMany.
func (s *Store) UpdateIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, r *Record, input map[string]any) (*Record, error) {
	next, err := validate(ot, r.Properties, input)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, tx, ot, r, next, false)
}

// CreateNewIn creates, inside tx and with one statement, the records of
// inputs that CreateIn would create after FindIn by key found none: each
// input valid as a new record, holding a text value of key, the one unique
// property of ot, that no live record holds, and no erased email. It
// answers per input the record created, or nil for an input it left to the
// caller (invalid, without key, erased email, key taken, or the key of an
// input before it): written one by one (FindIn, then CreateIn or
// UpdateIn), those answer what they would have alone. An object type with
// another unique property is refused whole (every answer nil): a new
// record could then collide on a value other than its key.
func (s *Store) CreateNewIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, key *meta.Property, inputs []map[string]any) ([]*Record, error) {
	if err := checkBatchSize(len(inputs)); err != nil {
		return nil, err
	}
	return s.createNew(ctx, tx, ot, key, inputs, func(fresh []newRow) (*db.SQL, error) {
		q := db.Build(s.db.Dialect, "INSERT INTO records (workspace_id, object_type_id, properties, search_text, created_at, updated_at) VALUES ")
		for i, r := range fresh {
			if i > 0 {
				q.T(", ")
			}
			q.T("(").Args(tx.Model.WorkspaceID, ot.ID, r.encoded, r.text, r.at, r.at).T(")")
		}
		return q, nil
	})
}

// CopyNewIn is CreateNewIn for any number of inputs through COPY, where
// the transaction can (write.Tx.CanCopy; else it is CreateNewIn in
// batches): the new records stream into a temporary staging table, which
// one INSERT ... SELECT moves into records, leaving the inputs whose key
// is taken to the caller as CreateNewIn does.
func (s *Store) CopyNewIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, key *meta.Property, inputs []map[string]any) ([]*Record, error) {
	if !tx.CanCopy() {
		out := make([]*Record, 0, len(inputs))
		for start := 0; start < len(inputs); start += MaxBatch {
			made, err := s.CreateNewIn(ctx, tx, ot, key, inputs[start:min(start+MaxBatch, len(inputs))])
			if err != nil {
				return nil, err
			}
			out = append(out, made...)
		}
		return out, nil
	}
	return s.createNew(ctx, tx, ot, key, inputs, func(fresh []newRow) (*db.SQL, error) {
		// Dropped at the commit; emptied after each use, as a
		// transaction may stage several batches.
		if _, err := db.Build(s.db.Dialect, "CREATE TEMPORARY TABLE IF NOT EXISTS import_stage (n integer, properties jsonb, search_text text) ON COMMIT DROP").Exec(ctx, tx); err != nil {
			return nil, fmt.Errorf("staging table: %w", err)
		}
		if _, err := db.Build(s.db.Dialect, "TRUNCATE import_stage").Exec(ctx, tx); err != nil {
			return nil, fmt.Errorf("staging table: %w", err)
		}
		rows := make([][]any, len(fresh))
		for i, r := range fresh {
			rows[i] = []any{i, r.encoded, r.text}
		}
		if err := tx.Copy(ctx, "import_stage", []string{"n", "properties", "search_text"}, rows); err != nil {
			return nil, err
		}
		return db.Build(s.db.Dialect, "INSERT INTO records (workspace_id, object_type_id, properties, search_text, created_at, updated_at) SELECT ").
			Args(tx.Model.WorkspaceID, ot.ID).T(", properties, search_text, ").Args(fresh[0].at, fresh[0].at).T(" FROM import_stage ORDER BY n"), nil
	})
}

// newRow is a new record of createNew, encoded for its insert.
type newRow struct {
	encoded string
	text    string
	at      time.Time
}

// createNew is CreateNewIn, the statement that inserts the new records
// (without its ON CONFLICT and RETURNING clauses) made by insert.
func (s *Store) createNew(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, key *meta.Property, inputs []map[string]any, insert func([]newRow) (*db.SQL, error)) ([]*Record, error) {
	out := make([]*Record, len(inputs))
	if u := ot.UniqueProperties(); len(u) != 1 || u[0] != key {
		return out, nil
	}
	valid := make([]map[string]any, len(inputs))
	keys := map[string]bool{}
	for i, in := range inputs {
		props, err := validate(ot, nil, in)
		if k, ok := props[key.Name].(string); ok && err == nil && !keys[k] {
			valid[i], keys[k] = props, true
		}
	}
	erased, err := s.checkErased(ctx, tx, tx.Model, ot, valid, false)
	if err != nil {
		return nil, err
	}
	byKey := map[string]int{}
	for i, props := range valid {
		if props != nil && erased[i] == nil {
			byKey[props[key.Name].(string)] = i
		}
	}
	if len(byKey) == 0 {
		return out, nil
	}
	now := schema.Now()
	searchable := search.Searchable(ot)
	fresh := make([]newRow, 0, len(byKey))
	for i, props := range valid {
		if props == nil || erased[i] != nil {
			continue
		}
		encoded, err := encodeProperties(props)
		if err != nil {
			return nil, err
		}
		fresh = append(fresh, newRow{encoded: encoded, text: search.RecordText(searchable, props), at: now})
	}
	q, err := insert(fresh)
	if err != nil {
		return nil, err
	}
	q.T(" ON CONFLICT DO NOTHING RETURNING id, ").Property("", "properties", key.Name)
	rows, err := q.Query(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("insert records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return nil, err
		}
		i, ok := byKey[k]
		if !ok {
			return nil, fmt.Errorf("insert records: record %d has %s %q, which no input holds", id, key.Name, k)
		}
		out[i] = &Record{ID: id, WorkspaceID: tx.Model.WorkspaceID, ObjectTypeID: ot.ID, Properties: valid[i], CreatedAt: now, UpdatedAt: now, Type: ot}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("insert records: %w", err)
	}
	for _, r := range out {
		if r == nil {
			continue
		}
		tx.ChangedAll(write.Created, ot.ID, r.ID)
		if err := tx.Record(r.ID, nil, r.Properties, r.CreatedAt); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FindNamedIn answers the ids of the live records of ot whose property
// name holds raw (normalized as a written value is) and that are
// associated with every record of to, at most two of them, in id order:
// the importer's match of a row whose object has no unique value to match
// by (a deal by its name and the company and contact it names).
func (s *Store) FindNamedIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, name *meta.Property, raw any, to []int) ([]int, error) {
	v, err := values.Normalize(ot, name, raw)
	if err != nil || v == nil {
		return nil, err
	}
	arg, err := json.Marshal(map[string]any{"v": v})
	if err != nil {
		return nil, err
	}
	q := db.Build(s.db.Dialect, "SELECT r.id FROM records r WHERE r.workspace_id = ").Arg(tx.Model.WorkspaceID).
		T(" AND r.object_type_id = ").Int(ot.ID).T(" AND r.archived_at IS NULL AND r.merged_into_id IS NULL AND ").
		Property("r", "properties", name.Name).T(" = ").ArgProperty(string(arg), "v")
	for _, id := range to {
		q.T(" AND EXISTS (SELECT 1 FROM associations a WHERE a.workspace_id = r.workspace_id AND a.from_record_id = r.id AND a.to_record_id = ").Arg(id).T(")")
	}
	ids, err := q.T(" ORDER BY r.id LIMIT 2").IDs(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("find %s by %s: %w", ot.Name, name.Name, err)
	}
	return ids, nil
}
