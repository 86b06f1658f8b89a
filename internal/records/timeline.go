package records

import (
	"context"
	stdsql "database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/history"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/timeline"
)

// The sources of a timeline, in the order of events that share a moment
// (the higher first, newest first): a record's creation comes before
// anything else that happened to it in the same microsecond.
const (
	fromCreation = iota
	fromHistory
	fromEvents
	fromActivities
)

var sourceNames = [...]string{"c", "h", "e", "a"}

const timelineOrdering = "timeline"

// TimelineQuery selects a page of one record's timeline: the event types
// (all when empty) that happened at or after From and before To.
type TimelineQuery struct {
	Types []timeline.Type `json:"types,omitempty"`
	From  *time.Time      `json:"from,omitempty"`
	To    *time.Time      `json:"to,omitempty"`
	Page  page.Args       `json:"page"`
}

// Key is q's comparable form for one record's read, for loaders.
func (q TimelineQuery) Key(r *Record) page.Key[*Record] {
	return page.Key[*Record]{Parent: r, Shape: page.Shape(q)}
}

// TimelineEvent is one event of a timeline. Which fields it fills depends
// on its type: Activity for an activity; OtherRecordID (and Labels) for an
// association or merge; ListID for a list membership; Property, Value,
// Previous and the source for a property change.
type TimelineEvent struct {
	ID   string
	Type timeline.Type
	At   time.Time
	// RecordID is the record the event happened to: the one whose timeline
	// is read, or one merged into it.
	RecordID      int
	Activity      *Record
	OtherRecordID int
	Labels        []string
	ListID        int
	Property      string
	Value         any
	Previous      any
	SourceType    string
	SourceID      string

	micros int64
	source int
	key    int
}

// TimelinePage is one page of a record's timeline, newest first.
type TimelinePage struct {
	Events  []*TimelineEvent
	Cursors []string
	Info    page.Info
}

func (e *TimelineEvent) cursor() string {
	return page.Encode(timelineOrdering, page.Cursor{Value: fmt.Sprintf("%d.%d", e.micros, e.source), ID: e.key})
}

// position reads a timeline cursor's place: its moment and source.
func position(c *page.Cursor) (micros int64, source int, err error) {
	s, _ := c.Value.(string)
	at, src, ok := strings.Cut(s, ".")
	micros, err1 := strconv.ParseInt(at, 10, 64)
	source, err2 := strconv.Atoi(src)
	if !ok || err1 != nil || err2 != nil || source < fromCreation || source > fromActivities {
		return 0, 0, apierr.New(apierr.BadUserInput, "cursor holds no valid position")
	}
	return micros, source, nil
}

// newer reports whether a comes before b in a timeline: later, or at the
// same moment from a later source, or from the same source with a greater
// key.
func newer(a, b *TimelineEvent) bool {
	if a.micros != b.micros {
		return a.micros > b.micros
	}
	if a.source != b.source {
		return a.source > b.source
	}
	return a.key > b.key
}

// Timelines returns, for each record, a page of its timeline newest first,
// with the events of the records merged into it: its creation, the changes
// of its values (history; not those its creation wrote, nor read-only
// values the server keeps), the activities associated with it at their
// hs_timestamp, and the events writes appended (associations, merges,
// archives, restores, list memberships). One statement reads the pages of
// all the records, activities with their values included.
func (s *Store) Timelines(ctx context.Context, m *meta.Model, recs []*Record, q TimelineQuery) ([]*TimelinePage, error) {
	w, err := q.Page.Resolve(timelineOrdering)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	types := map[timeline.Type]bool{}
	for _, t := range q.Types {
		types[t] = true
	}
	wants := func(t timeline.Type) bool { return len(types) == 0 || types[t] }
	var ids []int
	for _, r := range recs {
		ids = append(ids, r.ID)
		ids = append(ids, MergedIDs(r)...)
	}
	stmt, err := timelineSQL(s.db.Dialect, m, recs, ids, wants, q, w)
	if err != nil {
		return nil, err
	}
	byRecord := map[int][]*TimelineEvent{}
	if stmt != nil {
		if byRecord, err = s.readTimeline(ctx, m, stmt); err != nil {
			return nil, err
		}
	}
	out := make([]*TimelinePage, len(recs))
	for i, r := range recs {
		// A record's newest events are among the newest of each record
		// it is made of.
		events := slices.Clone(byRecord[r.ID])
		for _, id := range MergedIDs(r) {
			events = append(events, byRecord[id]...)
		}
		slices.SortFunc(events, func(a, b *TimelineEvent) int {
			if newer(a, b) != w.Backward {
				return -1
			}
			return 1
		})
		events, info := page.Trim(w, events, (*TimelineEvent).cursor)
		p := &TimelinePage{Events: events, Info: info, Cursors: make([]string, len(events))}
		for j, e := range events {
			p.Cursors[j] = e.cursor()
		}
		out[i] = p
	}
	return out, nil
}

// noActivity are the activity columns of the parts of a timeline's union
// that are not activities.
const noActivity = "CAST(NULL AS bigint) AS act_type, CAST(NULL AS jsonb) AS act_properties, CAST(NULL AS timestamptz) AS act_created, CAST(NULL AS timestamptz) AS act_updated"

// timelineSQL is the statement of Timelines, nil when no source can
// answer the types asked for.
func timelineSQL(d db.Dialect, m *meta.Model, recs []*Record, ids []int, wants func(timeline.Type) bool, q TimelineQuery, w page.Window) (*db.SQL, error) {
	ws := m.WorkspaceID
	stmt := db.Build(d, "")
	// The records are read once for their creation and for the changes
	// after it: each reference to records costs the planner the many
	// partial indexes of the table.
	if wants(timeline.Created) || wants(timeline.PropertyChanged) {
		stmt.T("WITH tr AS (SELECT r.id, r.created_at, r.object_type_id FROM records r WHERE r.workspace_id = ").Arg(ws).T(" AND ").InIDs("r", "id", ids).T(") ")
	}
	stmt.T("SELECT t.rid, t.at, t.src, t.k, t.type, t.other, t.list_id, t.detail, t.property, t.value, t.source_type, t.source_id, ")
	// The value a change replaced: the record's previous write of the
	// property (a record's writes are ordered by its lock, so by id).
	stmt.T("CASE WHEN t.src = ").Int(fromHistory).T(" THEN (SELECT p.value FROM property_histories p WHERE p.record_id = t.rid AND p.property = t.property AND p.id < t.k ORDER BY p.id DESC LIMIT 1) END, ")
	// An activity's own columns come along from its part of the union,
	// the other parts' are null.
	stmt.T("t.act_type, t.act_properties, t.act_created, t.act_updated FROM (SELECT u.*, ROW_NUMBER() OVER (PARTITION BY u.rid ORDER BY u.at").
		Desc(w.Backward).T(", u.src").Desc(w.Backward).T(", u.k").Desc(w.Backward).T(") AS rn FROM (")
	parts := 0
	union := func() {
		if parts > 0 {
			stmt.T(" UNION ALL ")
		}
		parts++
	}
	if wants(timeline.Created) {
		union()
		stmt.T("SELECT r.id AS rid, ").Micros("r", "created_at").T(" AS at, ").Int(fromCreation).T(" AS src, r.id AS k, ").
			Cast(string(timeline.Created), "text").T(" AS type, CAST(NULL AS bigint) AS other, CAST(NULL AS bigint) AS list_id, CAST(NULL AS text) AS detail, CAST(NULL AS text) AS property," +
			" CAST(NULL AS text) AS value, CAST(NULL AS text) AS source_type, CAST(NULL AS text) AS source_id, " + noActivity + " FROM tr r")
	}
	if wants(timeline.PropertyChanged) {
		union()
		stmt.T("SELECT h.record_id AS rid, ").Micros("h", "changed_at").T(" AS at, ").Int(fromHistory).T(" AS src, h.id AS k, ").Cast(string(timeline.PropertyChanged), "text").
			T(" AS type, CAST(NULL AS bigint) AS other, CAST(NULL AS bigint) AS list_id, CAST(NULL AS text) AS detail, h.property, h.value, h.source_type, h.source_id, "+noActivity+
				" FROM property_histories h JOIN tr r ON r.id = h.record_id WHERE h.workspace_id = ").
			Arg(ws).T(" AND ").InIDs("h", "record_id", ids).T(" AND h.changed_at > r.created_at")
		kept(stmt, m, recs)
	}
	var events []timeline.Type
	for _, t := range []timeline.Type{timeline.AssociationAdded, timeline.AssociationRemoved, timeline.Merged, timeline.Archived, timeline.Restored, timeline.ListAdded, timeline.ListRemoved} {
		if wants(t) {
			events = append(events, t)
		}
	}
	if len(events) > 0 {
		union()
		stmt.T("SELECT e.record_id AS rid, ").Micros("e", "occurred_at").T(" AS at, ").Int(fromEvents).T(" AS src, e.id AS k, e.type, e.other_record_id AS other, e.list_id, CAST(e.detail AS text) AS detail,"+
			" CAST(NULL AS text) AS property, CAST(NULL AS text) AS value, CAST(NULL AS text) AS source_type, CAST(NULL AS text) AS source_id, "+noActivity+" FROM timeline_events e WHERE e.workspace_id = ").
			Arg(ws).T(" AND ").InIDs("e", "record_id", ids)
		if len(events) < 7 {
			stmt.T(" AND e.type IN (")
			for i, t := range events {
				if i > 0 {
					stmt.T(", ")
				}
				stmt.Arg(string(t))
			}
			stmt.T(")")
		}
	}
	if kinds := activityTypes(m, wants); len(kinds) > 0 {
		if links := unlabeled(m, recs, kinds); len(links) > 0 {
			union()
			stmt.T("SELECT s.from_record_id AS rid, COALESCE(").MicrosText(db.PropertyDoc("a", "hs_timestamp")).T(", ").Micros("a", "created_at").T(") AS at, ").Int(fromActivities).
				T(" AS src, a.id AS k, CASE a.object_type_id")
			for _, ot := range kinds {
				stmt.T(" WHEN ").Int(ot.ID).T(" THEN ").Cast(string(timeline.Activities[ot.Name]), "text")
			}
			stmt.T(" END AS type, CAST(NULL AS bigint) AS other, CAST(NULL AS bigint) AS list_id, CAST(NULL AS text) AS detail, CAST(NULL AS text) AS property,"+
				" CAST(NULL AS text) AS value, CAST(NULL AS text) AS source_type, CAST(NULL AS text) AS source_id,"+
				" a.object_type_id AS act_type, a.properties AS act_properties, a.created_at AS act_created, a.updated_at AS act_updated"+
				" FROM associations s JOIN records a ON a.id = s.to_record_id WHERE s.workspace_id = ").Arg(ws).
				T(" AND ").InIDs("s", "from_record_id", ids).T(" AND ").InIDs("s", "association_type_id", links).
				T(" AND a.archived_at IS NULL AND a.merged_into_id IS NULL")
		}
	}
	if parts == 0 {
		return nil, nil
	}
	stmt.T(") u WHERE TRUE")
	if q.From != nil {
		stmt.T(" AND u.at >= ").Arg(q.From.UnixMicro())
	}
	if q.To != nil {
		stmt.T(" AND u.at < ").Arg(q.To.UnixMicro())
	}
	for _, bound := range []struct {
		c     *page.Cursor
		older bool
	}{{w.After, true}, {w.Before, false}} {
		if bound.c == nil {
			continue
		}
		micros, source, err := position(bound.c)
		if err != nil {
			return nil, err
		}
		stmt.T(" AND (u.at, u.src, u.k) ")
		if bound.older {
			stmt.T("<")
		} else {
			stmt.T(">")
		}
		stmt.T(" (").Arg(micros).T(", ").Int(source).T(", ").Arg(bound.c.ID).T(")")
	}
	stmt.T(") t WHERE t.rn <= ").Int(w.Size + 1)
	return stmt, nil
}

// kept appends the condition that keeps a history row aliased h of a
// record aliased r as a change on the timeline: not of a read-only value
// the server keeps (lastmodifieddate, hs_object_id, rollups...).
func kept(q *db.SQL, m *meta.Model, recs []*Record) {
	seen := map[int]bool{}
	q.T(" AND (")
	for _, r := range recs {
		if seen[r.ObjectTypeID] {
			continue
		}
		if len(seen) > 0 {
			q.T(" OR ")
		}
		seen[r.ObjectTypeID] = true
		q.T("(r.object_type_id = ").Int(r.ObjectTypeID)
		if ot, ok := m.ObjectTypeByID(r.ObjectTypeID); ok {
			for _, p := range ot.Properties {
				if p.ReadOnlyValue {
					q.T(" AND h.property <> ").Arg(p.Name)
				}
			}
		}
		q.T(")")
	}
	q.T(")")
}

// activityTypes are the engagement objects whose events are asked for.
func activityTypes(m *meta.Model, wants func(timeline.Type) bool) []*meta.ObjectType {
	var out []*meta.ObjectType
	for _, ot := range m.ObjectTypes {
		if t, ok := timeline.Activities[ot.Name]; ok && ot.Kind == string(objecttype.KindEngagement) && wants(t) {
			out = append(out, ot)
		}
	}
	return out
}

// unlabeled are the ids of the unlabeled association types from the
// records' object types to the activities': one row per pair associated,
// whatever its labels.
func unlabeled(m *meta.Model, recs []*Record, kinds []*meta.ObjectType) []int {
	seen := map[int]bool{}
	var out []int
	for _, r := range recs {
		if seen[r.ObjectTypeID] {
			continue
		}
		seen[r.ObjectTypeID] = true
		from, ok := m.ObjectTypeByID(r.ObjectTypeID)
		if !ok {
			continue
		}
		for _, to := range kinds {
			if at, ok := m.AssociationType(from, to, ""); ok {
				out = append(out, at.ID)
			}
		}
	}
	return out
}

func (s *Store) readTimeline(ctx context.Context, m *meta.Model, stmt *db.SQL) (map[int][]*TimelineEvent, error) {
	rows, err := s.db.Read(ctx, stmt)
	if err != nil {
		return nil, fmt.Errorf("read timelines: %w", err)
	}
	defer rows.Close()
	out := map[int][]*TimelineEvent{}
	for rows.Next() {
		var (
			e                                   TimelineEvent
			typ                                 string
			other, list, actType                stdsql.NullInt64
			detail, property, value, previous   stdsql.NullString
			sourceType, sourceID, actProperties stdsql.NullString
			actCreated, actUpdated              stdsql.NullTime
		)
		if err := rows.Scan(&e.RecordID, &e.micros, &e.source, &e.key, &typ, &other, &list, &detail, &property, &value, &sourceType, &sourceID,
			&previous, &actType, &actProperties, &actCreated, &actUpdated); err != nil {
			return nil, err
		}
		e.Type, e.At = timeline.Type(typ), time.UnixMicro(e.micros).UTC()
		e.ID = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s%d", sourceNames[e.source], e.key))
		e.OtherRecordID, e.ListID = int(other.Int64), int(list.Int64)
		e.Property, e.SourceType, e.SourceID = property.String, sourceType.String, sourceID.String
		if detail.Valid {
			var d struct {
				Labels []string `json:"labels"`
			}
			if err := json.Unmarshal([]byte(detail.String), &d); err != nil {
				return nil, fmt.Errorf("timeline event %d: %w", e.key, err)
			}
			e.Labels = d.Labels
		}
		if value.Valid {
			if e.Value, err = history.Decode(&value.String); err != nil {
				return nil, err
			}
		}
		if previous.Valid {
			if e.Previous, err = history.Decode(&previous.String); err != nil {
				return nil, err
			}
		}
		if e.source == fromActivities && actType.Valid {
			props, err := decodeProperties([]byte(actProperties.String))
			if err != nil {
				return nil, err
			}
			a := &Record{ID: e.key, WorkspaceID: m.WorkspaceID, ObjectTypeID: int(actType.Int64), Properties: props,
				CreatedAt: actCreated.Time.UTC(), UpdatedAt: actUpdated.Time.UTC()}
			a.Type, _ = m.ObjectTypeByID(a.ObjectTypeID)
			e.Activity = a
		}
		out[e.RecordID] = append(out[e.RecordID], &e)
	}
	return out, rows.Err()
}
