package lists

import (
	"context"
	"fmt"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/timeline"
	"github.com/acme/crm/internal/write"
)

// Add makes records members of a MANUAL or SNAPSHOT list, per item: a
// record missing, archived or of another object type fails its item; the
// others join (a member already stays as it was), all in one transaction
// with the lists that read this one.
func (s *Store) Add(ctx context.Context, m *meta.Model, id int, recordIDs []int) (*meta.List, []records.Result, error) {
	return s.change(ctx, m, id, recordIDs, true)
}

// Remove takes records out of a MANUAL or SNAPSHOT list, per item as Add;
// removing a record that is not a member is not an error.
func (s *Store) Remove(ctx context.Context, m *meta.Model, id int, recordIDs []int) (*meta.List, []records.Result, error) {
	return s.change(ctx, m, id, recordIDs, false)
}

func (s *Store) change(ctx context.Context, m *meta.Model, id int, recordIDs []int, add bool) (*meta.List, []records.Result, error) {
	if len(recordIDs) > MaxBatch {
		return nil, nil, apierr.New(apierr.LimitExceeded, "a list takes at most %d records a call, got %d", MaxBatch, len(recordIDs))
	}
	var l *meta.List
	var results []records.Result
	err := s.w.Records(ctx, m, write.Options{}, func(tx *write.Tx) error {
		var err error
		if l, err = manual(tx.Model, id); err != nil {
			return err
		}
		// Locked: a write that evaluates a list reading this one waits
		// for this change, or this change for it.
		found, err := s.lock(ctx, tx, recordIDs)
		if err != nil {
			return err
		}
		results = make([]records.Result, len(recordIDs))
		var valid []int
		for i, rid := range recordIDs {
			results[i] = records.Result{Index: i}
			r, ok := found[rid]
			switch {
			case !ok:
				results[i].Err = apierr.New(apierr.NotFound, "no record %d", rid)
			case r.ObjectTypeID != l.ObjectType.ID:
				results[i].Err = apierr.Invalid("", "record %d is not one of %s: list %q holds %s", rid, l.ObjectType.Name, l.Name, l.ObjectType.Name)
			case add && r.Archived():
				results[i].Err = apierr.New(apierr.NotFound, "record %d is archived; restore it first", rid)
			default:
				results[i].Record = r
				valid = append(valid, rid)
			}
		}
		if len(valid) == 0 {
			return nil
		}
		ws := tx.Model.WorkspaceID
		now := clock.Now()
		var stmt *db.SQL
		event := timeline.ListAdded
		if add {
			stmt = db.Build(tx.Dialect, "INSERT INTO list_members (workspace_id, list_id, record_id, added_at) SELECT r.workspace_id, ").
				Int(l.ID).T(", r.id, ").Cast(now, "timestamptz").T(" FROM records r WHERE r.workspace_id = ").Arg(ws).
				T(" AND ").InIDs("r", "id", valid).T(" AND NOT EXISTS (SELECT 1 FROM list_members m WHERE m.workspace_id = ").Arg(ws).
				T(" AND m.list_id = ").Int(l.ID).T(" AND m.record_id = r.id)")
		} else {
			event = timeline.ListRemoved
			stmt = db.Build(tx.Dialect, "DELETE FROM list_members WHERE workspace_id = ").Arg(ws).T(" AND list_id = ").Int(l.ID).
				T(" AND ").InIDs("", "record_id", valid)
		}
		changed, err := stmt.T(" RETURNING record_id").IDs(ctx, tx)
		if err != nil {
			return fmt.Errorf("change the members of list %d: %w", l.ID, err)
		}
		if len(changed) == 0 {
			return nil
		}
		if err := timeline.Members(ctx, tx, tx.Dialect, ws, event, l.ID, now, changed); err != nil {
			return err
		}
		tx.Joined(l.ID, add, changed...)
		return s.follow(ctx, tx, s.plans.get(tx.Model), &seeds{lists: map[int]*set{l.ID: idSet(valid...)}})
	})
	if err != nil {
		return nil, nil, err
	}
	return l, results, nil
}

// lock reads and locks records of the workspace by id, in id order.
func (s *Store) lock(ctx context.Context, tx *write.Tx, ids []int) (map[int]*records.Record, error) {
	out := map[int]*records.Record{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := records.Columns(db.Build(tx.Dialect, "SELECT "), "").T(" FROM records WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).
		T(" AND ").InIDs("", "id", ids).T(" ORDER BY id").ForUpdate().Query(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("lock records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := records.Scan(rows)
		if err != nil {
			return nil, err
		}
		out[r.ID] = records.Attach(tx.Model, r)
	}
	return out, rows.Err()
}
