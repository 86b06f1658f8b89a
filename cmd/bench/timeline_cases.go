package main

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/timeline"
)

// activityLinks are the unlabeled association types from contacts to the
// activity types, as one bigint[] parameter.
func (s *timelineSet) activityLinks() any { return pq.Array(s.toActivity) }

// readOnlyArray are the contacts' read-only values, as one text[]
// parameter.
func (s *timelineSet) readOnlyArray() any { return pq.Array(s.readOnly) }

func micros(expr string) string { return "CAST(EXTRACT(EPOCH FROM " + expr + ") * 1000000 AS bigint)" }

// timelineLateral is the hand-written read of the n newest events of the
// contact c (columns id, created_at), for a LATERAL join: the n newest of
// each source over the index a person would pick — the events' (record_id,
// occurred_at, id) read backwards; the contact's history rows, and its
// activities through the associations' (workspace_id, from_record_id...)
// index, each sorted by a top-n sort, since nothing indexes their moments
// per contact — then the n newest of those, in the API's order (moment,
// then source: creation 0, history 1, events 2, activities 3, then id).
// $1 is the workspace, $3 the association types to activities, $4 the
// read-only values.
func timelineLateral(s *timelineSet, n int) string {
	limit := " LIMIT " + strconv.Itoa(n)
	kind := "CASE a.object_type_id"
	for _, ot := range s.kinds {
		kind += " WHEN " + strconv.Itoa(ot.ID) + " THEN '" + string(timeline.Activities[ot.Name]) + "'"
	}
	kind += " END"
	return "SELECT * FROM (" +
		"(SELECT " + micros("c.created_at") + " AS at, 0 AS src, c.id AS k, 'CREATED' AS type, CAST(NULL AS text) AS property, CAST(NULL AS text) AS value)" +
		" UNION ALL (SELECT " + micros("h.changed_at") + ", 1, h.id, 'PROPERTY_CHANGED', h.property, h.value FROM property_histories h" +
		" WHERE h.record_id = c.id AND h.changed_at > c.created_at AND h.property <> ALL($4) ORDER BY h.changed_at DESC, h.id DESC" + limit + ")" +
		" UNION ALL (SELECT " + micros("e.occurred_at") + ", 2, e.id, e.type, NULL, NULL FROM timeline_events e" +
		" WHERE e.record_id = c.id ORDER BY e.occurred_at DESC, e.id DESC" + limit + ")" +
		" UNION ALL (SELECT " + micros("COALESCE(CAST(a.properties->>'hs_timestamp' AS timestamptz), a.created_at)") + ", 3, a.id, " + kind + ", NULL, NULL" +
		" FROM associations s JOIN records a ON a.id = s.to_record_id WHERE s.workspace_id = $1 AND s.from_record_id = c.id" +
		" AND s.association_type_id = ANY($3) AND a.archived_at IS NULL AND a.merged_into_id IS NULL ORDER BY 1 DESC, a.id DESC" + limit + ")" +
		") p ORDER BY at DESC, src DESC, k DESC" + limit
}

// timelineColumns are the columns of an event the baselines read: its
// place, type, a change's values (the previous one the record's write of
// the property before it) and the activity's date and name (the primary
// display property of its type: each type has its own).
func timelineColumns(s *timelineSet) string {
	cols := "t.at, t.src, t.k, t.type, t.property, t.value, CASE WHEN t.src = 1 THEN (SELECT p.value FROM property_histories p" +
		" WHERE p.record_id = c.id AND p.property = t.property AND p.id < t.k ORDER BY p.id DESC LIMIT 1) END"
	cols += ", a.object_type_id, a.properties->'hs_timestamp', COALESCE("
	for i, ot := range s.kinds {
		if i > 0 {
			cols += ", "
		}
		cols += "a.properties->>'" + ot.PrimaryDisplayProperty + "'"
	}
	return cols + ")"
}

// timelineOneSQL reads the page of contact $2's timeline, and one event
// more to tell whether there is a next page.
func timelineOneSQL(s *timelineSet) string {
	return "SELECT " + timelineColumns(s) + " FROM records c CROSS JOIN LATERAL (" + timelineLateral(s, timelinePage+1) + ") t" +
		" LEFT JOIN records a ON t.src = 3 AND a.id = t.k WHERE c.workspace_id = $1 AND c.id = $2 ORDER BY t.at DESC, t.src DESC, t.k DESC"
}

// timelineIndexSQL reads the index page (the newest contacts of object
// type $2, and whether there are more) with each contact's newest events,
// in one statement.
func timelineIndexSQL(s *timelineSet) string {
	return "WITH page AS (SELECT id, created_at, properties FROM records WHERE workspace_id = $1 AND object_type_id = $2 AND archived_at IS NULL" +
		" ORDER BY created_at DESC, id DESC LIMIT " + strconv.Itoa(timelineIndexPage+1) + ")" +
		" SELECT c.id, c.properties->'email', c.properties->'firstname', c.properties->'lastname', (SELECT count(*) FROM page) > " + strconv.Itoa(timelineIndexPage) +
		", " + timelineColumns(s) + " FROM (SELECT * FROM page ORDER BY created_at DESC, id DESC LIMIT " + strconv.Itoa(timelineIndexPage) + ") c" +
		" CROSS JOIN LATERAL (" + timelineLateral(s, timelineIndexEach) + ") t LEFT JOIN records a ON t.src = 3 AND a.id = t.k" +
		" ORDER BY c.created_at DESC, c.id DESC, t.at DESC, t.src DESC, t.k DESC"
}

// timelineBaseCase is a baseline read: a statement and its arguments,
// and whether it reads the index page (else one contact's page).
type timelineBaseCase struct {
	index bool
	sql   string
	args  []any
}

// timelineBaseline answers /<case index> with the case's hand-written
// statement, encoded in the API's shape.
type timelineBaseline struct {
	sql   *sql.DB
	cases []*timelineBaseCase
	kinds map[int64]*meta.ObjectType // the activity types by id
}

type tlNode struct {
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	OccurredAt    string          `json:"occurredAt"`
	Activity      *tlActivity     `json:"activity,omitempty"`
	Property      string          `json:"property,omitempty"`
	Value         json.RawMessage `json:"value,omitempty"`
	PreviousValue json.RawMessage `json:"previousValue,omitempty"`
}

type tlActivity struct {
	RecordID    string                     `json:"recordId"`
	DisplayName string                     `json:"displayName"`
	Properties  map[string]json.RawMessage `json:"properties"`
}

type tlConnection struct {
	Edges []struct {
		Node tlNode `json:"node"`
	} `json:"edges"`
	PageInfo *tlPageInfo `json:"pageInfo,omitempty"`
}

type tlPageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

type tlContact struct {
	RecordID   string                     `json:"recordId"`
	Properties map[string]json.RawMessage `json:"properties"`
	Timeline   tlConnection               `json:"timeline"`
}

// tlSources name the sources in event ids, as the API does.
var tlSources = [...]string{"c", "h", "e", "a"}

func (b *timelineBaseline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i, rows, ok := caseRows(w, r, b.sql, len(b.cases), func(i int) (string, []any) { return b.cases[i].sql, b.cases[i].args })
	if !ok {
		return
	}
	c := b.cases[i]
	var (
		one      tlConnection
		contacts []*tlContact
		more     bool
		places   [][3]int64 // of one's events
	)
	err := scanAll(rows, func(s scanner) error {
		var (
			at, src, k             int64
			typ                    string
			property, value, prev  sql.NullString
			actType                sql.NullInt64
			actAt                  []byte
			actName                sql.NullString
			contactID              int64
			email, first, lastname []byte
		)
		dest := []any{&at, &src, &k, &typ, &property, &value, &prev, &actType, &actAt, &actName}
		if c.index {
			dest = append([]any{&contactID, &email, &first, &lastname, &more}, dest...)
		}
		if err := s.Scan(dest...); err != nil {
			return err
		}
		n := tlNode{ID: base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s%d", tlSources[src], k)), Type: typ,
			OccurredAt: time.UnixMicro(at).UTC().Format(time.RFC3339Nano), Property: property.String}
		if value.Valid {
			n.Value = json.RawMessage(value.String)
		}
		if prev.Valid {
			n.PreviousValue = json.RawMessage(prev.String)
		}
		if src == 3 {
			n.Activity = &tlActivity{RecordID: strconv.FormatInt(k, 10), DisplayName: displayName(b.kinds[actType.Int64], k, strings.TrimSpace(actName.String)),
				Properties: props("hs_timestamp", actAt)}
		}
		conn := &one
		if c.index {
			id := strconv.FormatInt(contactID, 10)
			if len(contacts) == 0 || contacts[len(contacts)-1].RecordID != id {
				contacts = append(contacts, &tlContact{RecordID: id, Properties: props("email", email, "firstname", first, "lastname", lastname)})
			}
			conn = &contacts[len(contacts)-1].Timeline
		}
		conn.Edges = append(conn.Edges, struct {
			Node tlNode `json:"node"`
		}{n})
		if !c.index {
			places = append(places, [3]int64{at, src, k})
		}
		return nil
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var resp any
	if c.index {
		var page struct {
			Data struct {
				Records struct {
					Edges []struct {
						Node *tlContact `json:"node"`
					} `json:"edges"`
					PageInfo tlPageInfo `json:"pageInfo"`
				} `json:"records"`
			} `json:"data"`
		}
		for _, ct := range contacts {
			page.Data.Records.Edges = append(page.Data.Records.Edges, struct {
				Node *tlContact `json:"node"`
			}{ct})
		}
		page.Data.Records.PageInfo = tlPageInfo{HasNextPage: more, EndCursor: &contacts[len(contacts)-1].RecordID}
		resp = page
	} else {
		if len(one.Edges) > timelinePage {
			one.Edges, one.PageInfo = one.Edges[:timelinePage], &tlPageInfo{HasNextPage: true}
		} else {
			one.PageInfo = &tlPageInfo{}
		}
		if len(one.Edges) > 0 {
			end := timelineCursor(places[len(one.Edges)-1])
			one.PageInfo.EndCursor = &end
		}
		var page struct {
			Data struct {
				Record struct {
					Timeline tlConnection `json:"timeline"`
				} `json:"record"`
			} `json:"data"`
		}
		page.Data.Record.Timeline = one
		resp = page
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// timelineCursor is a cursor of the API's shape for an event's place.
func timelineCursor(place [3]int64) string {
	return page.Encode("timeline", page.Cursor{Value: fmt.Sprintf("%d.%d", place[0], place[1]), ID: int(place[2])})
}

// timelineEventIDs reads the event ids of one record's timeline page, in
// order.
func timelineEventIDs(body []byte) ([]string, error) {
	var resp struct {
		Data struct {
			Record *struct {
				Timeline tlConnection `json:"timeline"`
			} `json:"record"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	if resp.Data.Record == nil {
		return nil, fmt.Errorf("no record in %.200s", body)
	}
	var ids []string
	for _, e := range resp.Data.Record.Timeline.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids, nil
}

// timelineIndexIDs reads the index page's contacts and their events'
// ids, in order, as "contact/event".
func timelineIndexIDs(body []byte) ([]string, error) {
	var resp struct {
		Data struct {
			Records struct {
				Edges []struct {
					Node tlContact `json:"node"`
				} `json:"edges"`
			} `json:"records"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range resp.Data.Records.Edges {
		for _, ev := range e.Node.Timeline.Edges {
			ids = append(ids, e.Node.RecordID+"/"+ev.Node.ID)
		}
	}
	return ids, nil
}
