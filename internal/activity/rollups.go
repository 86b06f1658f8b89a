package activity

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// The rollups: read-only values of every record activities are associated
// with (contacts, companies, deals, tickets: the object types whose
// definitions have them), counted afresh from the live activities
// associated with it whenever a write may have changed them. A rollup with
// nothing to count has no value, so that a record no activity ever touched
// and one whose activities all went read the same.
const (
	// NumActivities counts notes, calls, emails, meetings and tasks.
	NumActivities = "num_associated_activities"
	// NumNotes counts notes.
	NumNotes = "num_notes"
	// NumContacted counts calls, emails and meetings: the sales
	// activities, HubSpot's "number of times contacted".
	NumContacted = "num_contacted_notes"
	// LastActivity is the latest hs_timestamp of notes, calls, emails and
	// meetings; a task's hs_timestamp is its due date, not an activity.
	LastActivity = "hs_last_activity_date"
	// LastSalesActivity is the latest hs_timestamp of calls, emails and
	// meetings.
	LastSalesActivity = "hs_last_sales_activity_timestamp"
	// LastLogged is when a note, call, email or meeting was last logged
	// on or associated with the record: its newest such association.
	LastLogged = "notes_last_updated"
)

// Properties of activities the rollups and tasks read.
const (
	Timestamp      = "hs_timestamp"
	TaskStatus     = "hs_task_status"
	TaskCompletion = "hs_task_completion_date"
	Completed      = "COMPLETED"
)

// keepCurrent is the write unit's hook: it finds the records whose
// rollups the write may have changed and counts them afresh, and keeps
// the completion time of the tasks whose status changed.
//
// A record's rollups may change when an association between it and an
// activity is made or removed (logging, associating, disassociating,
// merging either side, erasing either side: all noted as Links), and when
// an associated activity is created, archived, restored, merged or has
// its hs_timestamp changed (noted as its change). A definition change
// rewrites no activity's association or timestamp: it is left alone.
func (s *Store) keepCurrent(ctx context.Context, tx *write.Tx) error {
	ch := tx.Changes()
	if tx.Exclusive() || ch.Empty() {
		return nil
	}
	kinds := activityTypes(tx.Model)
	if len(kinds) == 0 {
		return nil
	}
	holders := map[int]bool{}
	var changed, tasks []int
	for id, rc := range ch.Records {
		name, ok := kinds[rc.ObjectTypeID]
		if !ok {
			continue
		}
		if rc.All || rc.Properties[Timestamp] {
			changed = append(changed, id)
		}
		if name == Tasks && (rc.All || rc.Properties[TaskStatus]) {
			tasks = append(tasks, id)
		}
	}
	for _, l := range ch.Links {
		_, fromActivity := kinds[l.FromType]
		_, toActivity := kinds[l.ToType]
		switch {
		case fromActivity && !toActivity:
			holders[l.To] = true
		case toActivity && !fromActivity:
			holders[l.From] = true
		}
	}
	if len(changed) > 0 {
		ids, err := db.Build(tx.Dialect, "SELECT DISTINCT to_record_id FROM associations WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).
			T(" AND ").InIDs("", "from_record_id", changed).T(" AND NOT ").InIDs("", "to_object_type_id", slices.Collect(maps.Keys(kinds))).IDs(ctx, tx)
		if err != nil {
			return fmt.Errorf("records associated with changed activities: %w", err)
		}
		for _, id := range ids {
			holders[id] = true
		}
	}
	if err := s.keepCompletion(ctx, tx, tasks); err != nil {
		return err
	}
	return s.rollUp(ctx, tx, slices.Sorted(maps.Keys(holders)), kinds)
}

// activityTypes are the names of m's engagement types, by id.
func activityTypes(m *meta.Model) map[int]string {
	out := map[int]string{}
	for _, ot := range m.ObjectTypes {
		if isActivity(ot) {
			out[ot.ID] = ot.Name
		}
	}
	return out
}

// typeIDs are the ids of the types in kinds called one of names.
func typeIDs(kinds map[int]string, names ...string) []int {
	var out []int
	for id, name := range kinds {
		if slices.Contains(names, name) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// rollup is what one statement counted of one record's activities.
type rollup struct {
	activities, notes, contacted int
	lastActivity, lastSales      *string
	lastLogged                   db.NullTime
}

func (r *rollup) values() map[string]any {
	return map[string]any{
		NumActivities:     count(r.activities),
		NumNotes:          count(r.notes),
		NumContacted:      count(r.contacted),
		LastActivity:      text(r.lastActivity),
		LastSalesActivity: text(r.lastSales),
		LastLogged:        timeValue(r.lastLogged),
	}
}

// count is a count as a value: none for zero.
func count(n int) any {
	if n == 0 {
		return nil
	}
	return json.Number(strconv.Itoa(n))
}

// text is a value read as text: none for NULL.
func text(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func timeValue(t db.NullTime) any {
	if !t.Valid {
		return nil
	}
	return t.Time.Format(values.DateTimeLayout)
}

// rollUp counts the activities of the records ids afresh, in one
// statement for all, and writes the rollups that changed through the
// records' update, which notes them for the hooks after this one. The
// records are locked before they are counted: on PostgreSQL a write that
// changes their activities at the same time is then either seen by the
// count or counts after this one commits.
func (s *Store) rollUp(ctx context.Context, tx *write.Tx, ids []int, kinds map[int]string) error {
	if len(ids) == 0 {
		return nil
	}
	recs, err := s.records.Lock(ctx, tx, ids)
	if err != nil {
		return err
	}
	var holders []int
	for _, id := range ids {
		r, ok := recs[id]
		if !ok || r.MergedInto != 0 || r.Type == nil {
			continue
		}
		if _, ok := r.Type.Property(NumActivities); ok {
			holders = append(holders, id)
		}
	}
	if len(holders) == 0 {
		return nil
	}
	counted, err := countActivities(ctx, tx, holders, kinds)
	if err != nil {
		return err
	}
	pins, err := livePins(ctx, tx, recs, holders)
	if err != nil {
		return err
	}
	for _, id := range holders {
		r := recs[id]
		c := counted[id]
		if c == nil {
			c = &rollup{}
		}
		derived := c.values()
		if _, pinned := r.Properties[PinnedProperty]; pinned && !pins[id] {
			derived[PinnedProperty] = nil
		}
		if _, err := s.records.SetDerived(ctx, tx, r, derived); err != nil {
			return err
		}
	}
	return nil
}

// countActivities counts, by record, the live activities associated with
// the records ids; a record with none is absent.
func countActivities(ctx context.Context, tx *write.Tx, ids []int, kinds map[int]string) (map[int]*rollup, error) {
	logged := typeIDs(kinds, Notes, Calls, Emails, Meetings)
	sales := typeIDs(kinds, Calls, Emails, Meetings)
	ts := func(q *db.SQL) *db.SQL { return q.Property("e", "properties", Timestamp) }
	q := db.Build(tx.Dialect, "SELECT a.from_record_id, COUNT(DISTINCT e.id), COUNT(DISTINCT CASE WHEN ").InIDs("e", "object_type_id", typeIDs(kinds, Notes)).
		T(" THEN e.id END), COUNT(DISTINCT CASE WHEN ").InIDs("e", "object_type_id", sales).T(" THEN e.id END), MAX(CASE WHEN ").
		InIDs("e", "object_type_id", logged).T(" THEN ")
	ts(q).T(" END), MAX(CASE WHEN ").InIDs("e", "object_type_id", sales).T(" THEN ")
	ts(q).T(" END), MAX(CASE WHEN ").InIDs("e", "object_type_id", logged).T(" THEN a.created_at END)").
		T(" FROM associations a JOIN records e ON e.id = a.to_record_id WHERE a.workspace_id = ").Arg(tx.Model.WorkspaceID).
		T(" AND ").InIDs("a", "from_record_id", ids).T(" AND ").InIDs("a", "to_object_type_id", slices.Sorted(maps.Keys(kinds))).
		T(" AND e.archived_at IS NULL GROUP BY a.from_record_id")
	rows, err := q.Query(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("count activities: %w", err)
	}
	defer rows.Close()
	out := map[int]*rollup{}
	for rows.Next() {
		var id int
		var r rollup
		if err := rows.Scan(&id, &r.activities, &r.notes, &r.contacted, &r.lastActivity, &r.lastSales, &r.lastLogged); err != nil {
			return nil, fmt.Errorf("count activities: %w", err)
		}
		out[id] = &r
	}
	return out, rows.Err()
}

// keepCompletion keeps the completion time of the tasks ids: set (now)
// when a task's status became COMPLETED without one, cleared when it
// left COMPLETED. completeTask sets both at once.
func (s *Store) keepCompletion(ctx context.Context, tx *write.Tx, ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	recs, err := s.records.Lock(ctx, tx, slices.Sorted(slices.Values(ids)))
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(recs)) {
		r := recs[id]
		done := r.Properties[TaskStatus] == Completed
		_, has := r.Properties[TaskCompletion]
		var derived map[string]any
		switch {
		case done && !has:
			derived = map[string]any{TaskCompletion: completionTime()}
		case !done && has:
			derived = map[string]any{TaskCompletion: nil}
		default:
			continue
		}
		if _, err := s.records.SetDerived(ctx, tx, r, derived); err != nil {
			return err
		}
	}
	return nil
}

// completionTime is now, as a task's completion time holds it.
func completionTime() string { return clock.Now().Format(values.DateTimeLayout) }
