package activity

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// PinnedProperty holds the record id of the one activity pinned to a
// record, as HubSpot names it. An activity stays pinned while it is
// associated with the record: the rollups' hook takes the pin away with
// the association (rollups.go). An archived pinned activity stays pinned,
// and shows again when restored.
const PinnedProperty = "hs_pinned_engagement_id"

// PinnedID is the id of the activity pinned to r, 0 for none.
func PinnedID(r *records.Record) int {
	n, ok := r.Properties[PinnedProperty].(json.Number)
	if !ok {
		return 0
	}
	id, err := strconv.Atoi(n.String())
	if err != nil {
		return 0
	}
	return id
}

// Pin pins activity activityID to record recordID, in place of the one
// pinned before. The record must be live and have pins (its object type
// has PinnedProperty), the activity live and associated with it.
func (s *Store) Pin(ctx context.Context, m *meta.Model, recordID, activityID int) (*records.Record, error) {
	var out *records.Record
	err := s.w.Records(ctx, m, write.Options{LockWithRecords: true}, func(tx *write.Tx) error {
		recs, err := s.records.Lock(ctx, tx, []int{recordID, activityID})
		if err != nil {
			return err
		}
		r, err := pinHolder(recs, recordID)
		if err != nil {
			return err
		}
		act, ok := recs[activityID]
		switch {
		case !ok || act.MergedInto != 0:
			return &apierr.Error{Code: apierr.NotFound, Property: "activityId", Message: fmt.Sprintf("no record %d", activityID)}
		case act.Type == nil || !isActivity(act.Type):
			return apierr.Invalid("activityId", "record %d is not an activity", activityID)
		case act.Archived():
			return apierr.Invalid("activityId", "activity %d is archived; restore it first", activityID)
		}
		linked, err := db.Build(tx.Dialect, "SELECT from_record_id FROM associations WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).
			T(" AND from_record_id = ").Arg(recordID).T(" AND to_record_id = ").Arg(activityID).T(" LIMIT 1").IDs(ctx, tx)
		if err != nil {
			return fmt.Errorf("read association: %w", err)
		}
		if len(linked) == 0 {
			return apierr.Invalid("activityId", "activity %d is not associated with record %d: associate it first", activityID, recordID)
		}
		out, err = s.records.SetDerived(ctx, tx, r, map[string]any{PinnedProperty: json.Number(strconv.Itoa(activityID))})
		return err
	})
	return out, err
}

// Unpin takes the pinned activity of record recordID away; a record with
// none is left as it is.
func (s *Store) Unpin(ctx context.Context, m *meta.Model, recordID int) (*records.Record, error) {
	var out *records.Record
	err := s.w.Records(ctx, m, write.Options{LockWithRecords: true}, func(tx *write.Tx) error {
		recs, err := s.records.Lock(ctx, tx, []int{recordID})
		if err != nil {
			return err
		}
		r, err := pinHolder(recs, recordID)
		if err != nil {
			return err
		}
		out, err = s.records.SetDerived(ctx, tx, r, map[string]any{PinnedProperty: nil})
		return err
	})
	return out, err
}

// pinHolder is record id of recs, live and of an object type with pins.
func pinHolder(recs map[int]*records.Record, id int) (*records.Record, error) {
	r, ok := recs[id]
	switch {
	case !ok || r.MergedInto != 0:
		return nil, &apierr.Error{Code: apierr.NotFound, Property: "recordId", Message: fmt.Sprintf("no record %d", id)}
	case r.Archived():
		return nil, &apierr.Error{Code: apierr.NotFound, Property: "recordId", Message: fmt.Sprintf("record %d is archived; restore it first", id)}
	case r.Type == nil:
		return nil, apierr.Invalid("recordId", "record %d has no pinned activity", id)
	}
	if _, ok := r.Type.Property(PinnedProperty); !ok {
		return nil, apierr.Invalid("recordId", "%s have no pinned activity", r.Type.Name)
	}
	return r, nil
}

// livePins reports, of the records ids of recs that have a pinned
// activity, those still associated with it.
func livePins(ctx context.Context, tx *write.Tx, recs map[int]*records.Record, ids []int) (map[int]bool, error) {
	pinned := map[int]int{}
	for _, id := range ids {
		if p := PinnedID(recs[id]); p != 0 {
			pinned[id] = p
		}
	}
	out := map[int]bool{}
	if len(pinned) == 0 {
		return out, nil
	}
	rows, err := db.Build(tx.Dialect, "SELECT DISTINCT from_record_id, to_record_id FROM associations WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).
		T(" AND ").InIDs("", "from_record_id", slices.Sorted(maps.Keys(pinned))).T(" AND ").InIDs("", "to_record_id", slices.Sorted(maps.Values(pinned))).Query(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("read pinned activities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var from, to int
		if err := rows.Scan(&from, &to); err != nil {
			return nil, err
		}
		if pinned[from] == to {
			out[from] = true
		}
	}
	return out, rows.Err()
}
