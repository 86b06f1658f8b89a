package graph_test

// Record.timeline (issue 15, rule 3 and 7): every event type in one
// order, ties included, filtered by type and time, paged both ways, and
// many timelines read in one statement.

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const timelineFields = `edges { cursor node { __typename id type occurredAt recordId
	... on ActivityEvent { activity { id displayName } }
	... on PropertyChangedEvent { property value previousValue sourceType sourceId }
	... on AssociationEvent { associatedRecordId associatedRecord { id } labels }
	... on MergeEvent { mergedRecordId }
	... on ListMembershipEvent { listId list { name } } } }
	pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`

type timelineEventJSON struct {
	Typename           string `json:"__typename"`
	ID                 string
	Type               string
	OccurredAt         string
	RecordID           string
	Activity           *recordJSON
	Property           string
	Value              any
	PreviousValue      any
	SourceType         string
	AssociatedRecordID string
	AssociatedRecord   *recordJSON
	Labels             []string
	MergedRecordID     string
	ListID             string
	List               *struct{ Name string }
}

type timelineJSON struct {
	Edges []struct {
		Cursor string
		Node   timelineEventJSON
	}
	PageInfo pageInfoJSON
}

type pageInfoJSON struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

// timelineOf reads one page of a record's timeline.
func (a *api) timelineOf(id string, args map[string]any) timelineJSON {
	a.t.Helper()
	vars := map[string]any{"id": id}
	for k, v := range args {
		vars[k] = v
	}
	var out struct {
		Record struct{ Timeline timelineJSON }
	}
	a.ok(`query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $types: [TimelineEventType!], $from: DateTime, $to: DateTime) {
		record(id: $id) { timeline(first: $first, after: $after, last: $last, before: $before, types: $types, from: $from, to: $to) { `+timelineFields+` } } }`, vars, &out)
	return out.Record.Timeline
}

// summary is "TYPE detail" per event, newest first.
func (tl timelineJSON) summary() []string {
	var out []string
	for _, e := range tl.Edges {
		n := e.Node
		s := n.Type
		switch n.Typename {
		case "ActivityEvent":
			s += " " + n.Activity.DisplayName
		case "PropertyChangedEvent":
			s += fmt.Sprintf(" %s %v->%v %s", n.Property, n.PreviousValue, n.Value, n.SourceType)
		case "AssociationEvent":
			s += fmt.Sprintf(" %v %v", n.Labels, n.AssociatedRecord != nil)
		case "ListMembershipEvent":
			s += " " + n.List.Name
		}
		out = append(out, s)
	}
	return out
}

func (tl timelineJSON) ids() []string {
	var out []string
	for _, e := range tl.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

// note makes a note at the moment at, associated with records.
func (a *api) note(body, at string, with ...recordJSON) recordJSON {
	a.t.Helper()
	n := a.create("notes", map[string]any{"hs_note_body": body, "hs_timestamp": at})
	for _, r := range with {
		a.associate(n, r)
	}
	return n
}

// timelineWorld makes a contact with every event type, and returns it with
// the events newest first.
func timelineWorld(a *api) (recordJSON, []string) {
	a.t.Helper()
	c := a.create("contacts", map[string]any{"email": "tia@example.com", "firstname": "Tia"})
	a.updateRecord(c, map[string]any{"firstname": "Tiana"})
	co := a.create("companies", map[string]any{"name": "Acme"})
	a.associate(c, co, "Primary")
	a.note("old", "2001-01-01T00:00:00.000Z", c)
	a.note("later one", "2099-01-01T00:00:00.000Z", c)
	a.note("later two", "2099-01-01T00:00:00.000Z", c) // the same moment: the newer record first
	vip := a.createList("contacts", "VIP", "MANUAL", nil)
	a.changeMembers("addToList", vip.ID, c.ID)
	a.changeMembers("removeFromList", vip.ID, c.ID)
	a.archiveRecord(c)
	a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": c.ID}, nil)
	twin := a.create("contacts", map[string]any{"email": "tia.twin@example.com", "lastname": "Twin"})
	a.ok(mergeMutation, map[string]any{"p": c.ID, "s": twin.ID}, nil)
	a.ok(disassociateMutation, map[string]any{"from": c.ID, "to": co.ID}, nil)
	return c, []string{
		"NOTE later two",
		"NOTE later one",
		"ASSOCIATION_REMOVED [Primary] true",
		"PROPERTY_CHANGED lastname <nil>->Twin MERGE", // one write: by name, the last written first
		"PROPERTY_CHANGED hs_additional_emails <nil>->tia.twin@example.com MERGE",
		"MERGED",
		"CREATED", // the twin's, merged in
		"RESTORED",
		"ARCHIVED",
		"LIST_REMOVED VIP",
		"LIST_ADDED VIP",
		"ASSOCIATION_ADDED [Primary] true",
		"PROPERTY_CHANGED firstname Tia->Tiana API",
		"CREATED",
		"NOTE old",
	}
}

func TestTimelineEveryEventTypeInOrder(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c, want := timelineWorld(a)
		tl := a.timelineOf(c.ID, nil)
		if got := tl.summary(); !slices.Equal(got, want) {
			t.Fatalf("timeline:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		if tl.PageInfo.HasNextPage || tl.PageInfo.HasPreviousPage {
			t.Fatalf("one page holds it all: %+v", tl.PageInfo)
		}
		ids := tl.ids()
		if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
			t.Fatalf("event ids repeat: %v", ids)
		}
		// The twin's creation (7th) is the twin's; every other event is
		// the contact's.
		for i, e := range tl.Edges {
			if (i == 6) == (e.Node.RecordID == c.ID) {
				t.Fatalf("event %d %s names record %s (the contact is %s)", i, e.Node.Type, e.Node.RecordID, c.ID)
			}
		}
		if last := tl.Edges[len(tl.Edges)-1].Node; last.OccurredAt != "2001-01-01T00:00:00Z" || last.Activity == nil {
			t.Fatalf("an activity happened at its hs_timestamp: %+v", last)
		}
		// A second read answers the same ids.
		if again := a.timelineOf(c.ID, nil).ids(); !slices.Equal(again, ids) {
			t.Fatalf("ids changed between reads:\n%v\n%v", ids, again)
		}
	})
}

func TestTimelinePagesBothWays(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c, _ := timelineWorld(a)
		all := a.timelineOf(c.ID, nil).ids()
		for _, size := range []int{1, 2, 4} {
			var forward []string
			var after any
			for pages := 0; ; pages++ {
				p := a.timelineOf(c.ID, map[string]any{"first": size, "after": after})
				forward = append(forward, p.ids()...)
				if (after != nil) != p.PageInfo.HasPreviousPage {
					t.Fatalf("size %d page %d: hasPreviousPage %v", size, pages, p.PageInfo.HasPreviousPage)
				}
				if !p.PageInfo.HasNextPage {
					break
				}
				after = *p.PageInfo.EndCursor
			}
			var backward []string
			var before any
			for {
				p := a.timelineOf(c.ID, map[string]any{"last": size, "before": before})
				backward = append(p.ids(), backward...)
				if !p.PageInfo.HasPreviousPage {
					break
				}
				before = *p.PageInfo.StartCursor
			}
			if !slices.Equal(forward, all) || !slices.Equal(backward, all) {
				t.Fatalf("size %d:\n   all %v\nfwd   %v\nback  %v", size, all, forward, backward)
			}
		}
	})
}

func TestTimelineFilters(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c, _ := timelineWorld(a)
		byType := a.timelineOf(c.ID, map[string]any{"types": []string{"NOTE", "LIST_ADDED", "MERGED"}}).summary()
		if want := []string{"NOTE later two", "NOTE later one", "MERGED", "LIST_ADDED VIP", "NOTE old"}; !slices.Equal(byType, want) {
			t.Fatalf("by type: %v", byType)
		}
		future := a.timelineOf(c.ID, map[string]any{"from": "2050-01-01T00:00:00Z", "to": "2099-01-01T00:00:00.001Z"}).summary()
		if want := []string{"NOTE later two", "NOTE later one"}; !slices.Equal(future, want) {
			t.Fatalf("from 2050: %v", future)
		}
		// to is exclusive.
		if past := a.timelineOf(c.ID, map[string]any{"to": "2001-01-01T00:00:00Z"}).summary(); len(past) != 0 {
			t.Fatalf("before 2001: %v", past)
		}
		if past := a.timelineOf(c.ID, map[string]any{"from": "2000-01-01T00:00:00Z", "to": "2002-01-01T00:00:00Z", "types": []string{"NOTE"}}).summary(); !slices.Equal(past, []string{"NOTE old"}) {
			t.Fatalf("in 2001: %v", past)
		}
		// A filtered page pages within the filter.
		p := a.timelineOf(c.ID, map[string]any{"types": []string{"NOTE"}, "first": 1})
		next := a.timelineOf(c.ID, map[string]any{"types": []string{"NOTE"}, "first": 5, "after": *p.PageInfo.EndCursor}).summary()
		if !slices.Equal(next, []string{"NOTE later one", "NOTE old"}) {
			t.Fatalf("second page of notes: %v", next)
		}
	})
}

func TestTimelineActivityArchivedLeaves(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "x@example.com"})
		n := a.note("gone soon", "2020-05-05T10:00:00.000Z", c)
		a.archiveRecord(n)
		if got := a.timelineOf(c.ID, map[string]any{"types": []string{"NOTE"}}).summary(); len(got) != 0 {
			t.Fatalf("an archived activity shows: %v", got)
		}
		a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": n.ID}, nil)
		if got := a.timelineOf(c.ID, map[string]any{"types": []string{"NOTE"}}).summary(); !slices.Equal(got, []string{"NOTE gone soon"}) {
			t.Fatalf("a restored activity: %v", got)
		}
	})
}

func TestTimelineRefusals(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "r@example.com"})
		q := `query($id: ID!, $first: Int, $last: Int, $after: String) { record(id: $id) { timeline(first: $first, last: $last, after: $after) { edges { cursor } } } }`
		for name, vars := range map[string]map[string]any{
			"first and last":   {"first": 1, "last": 1},
			"negative":         {"first": -1},
			"not a cursor":     {"after": "nonsense"},
			"another ordering": {"after": a.historyCursor(c.ID)},
		} {
			vars["id"] = c.ID
			e := a.fails(q, vars, "BAD_USER_INPUT", "")
			if fmt.Sprint(e.Path) != "[record timeline]" {
				t.Fatalf("%s: path %v", name, e.Path)
			}
		}
		a.fails(q, map[string]any{"id": c.ID, "first": 1001}, "LIMIT_EXCEEDED", "")
		a.fails(`query($id: ID!) { record(id: $id) { timeline(types: [BOGUS]) { edges { cursor } } } }`, map[string]any{"id": c.ID}, "BAD_USER_INPUT", "")
	})
}

// historyCursor is a cursor of the record's property history.
func (a *api) historyCursor(id string) string {
	a.t.Helper()
	var out struct {
		Record struct {
			PropertyHistory struct{ Edges []struct{ Cursor string } }
		}
	}
	a.ok(`query($id: ID!) { record(id: $id) { propertyHistory(first: 1) { edges { cursor } } } }`, map[string]any{"id": id}, &out)
	return out.Record.PropertyHistory.Edges[0].Cursor
}

func TestTimelinesOfAPageInOneStatement(t *testing.T) {
	eachCounting(t, func(t *testing.T, a *api) {
		for i := range 7 {
			c := a.create("contacts", map[string]any{"email": fmt.Sprintf("p%d@example.com", i)})
			for j := range i {
				a.note(fmt.Sprint("note ", j), fmt.Sprintf("2020-01-0%dT00:00:00.000Z", j+1), c)
			}
			a.updateRecord(c, map[string]any{"firstname": fmt.Sprint("F", i)})
		}
		a.ok(`{ objectTypes { name } }`, nil, nil)
		a.counter.Keep = true
		a.counter.Reset()
		var out struct {
			Records struct {
				Edges []struct {
					Node struct {
						Properties map[string]any
						Timeline   timelineJSON
					}
				}
			}
		}
		a.ok(`{ records(objectType: "contacts", first: 50) { edges { node { properties(names: ["email"])
			timeline(first: 3) { `+timelineFields+` } } } } }`, nil, &out)
		var timelines int
		for _, s := range a.counter.Statements() {
			if strings.Contains(s, "timeline_events") {
				timelines++
			}
		}
		if timelines != 1 || a.counter.Count() > 3 { // the definitions' version, the page, the timelines
			t.Fatalf("%d timeline statements, %d in all:\n%s", timelines, a.counter.Count(), strings.Join(a.counter.Statements(), "\n"))
		}
		for _, e := range out.Records.Edges {
			var n int
			fmt.Sscanf(e.Node.Properties["email"].(string), "p%d@", &n)
			// The notes happened in 2020, before the contacts were made.
			want := []string{fmt.Sprintf("PROPERTY_CHANGED firstname <nil>->F%d API", n), "CREATED"}
			if n > 0 {
				want = append(want, fmt.Sprint("NOTE note ", n-1))
			}
			if got := e.Node.Timeline.summary(); !slices.Equal(got, want) {
				t.Fatalf("contact %d: %v, want %v", n, got, want)
			}
		}
	})
}

// TestTimelineForgetsErasedRecords: erasing a record (GDPR) takes the
// events of other records that name it.
func TestTimelineForgetsErasedRecords(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "gone@example.com"})
		co := a.create("companies", map[string]any{"name": "Stays"})
		a.associate(co, c)
		if got := a.timelineOf(co.ID, nil).summary(); !slices.Equal(got, []string{"ASSOCIATION_ADDED [] true", "CREATED"}) {
			t.Fatalf("before: %v", got)
		}
		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedId } }`, map[string]any{"id": c.ID}, nil)
		if got := a.timelineOf(co.ID, nil).summary(); !slices.Equal(got, []string{"CREATED"}) {
			t.Fatalf("after: %v", got)
		}
		var n int
		if err := a.d.SQL.QueryRow(a.d.Dialect.Rebind("SELECT COUNT(*) FROM timeline_events WHERE workspace_id = ?"), a.ws).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d events left (%v)", n, err)
		}
	})
}

// TestTimelineOfARefusedItem: an item of a batch whose second association
// is refused leaves no event of its first, and the others stand.
func TestTimelineOfARefusedItem(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		co := a.create("companies", map[string]any{"name": "Acme"})
		gone := a.create("companies", map[string]any{"name": "Gone"})
		a.archiveRecord(gone)
		var out struct {
			CreateRecords struct {
				Written int
				Results []struct{ Error *struct{ Code string } }
			}
		}
		a.ok(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { written results { error { code } } } }`,
			map[string]any{"in": []any{
				map[string]any{"properties": map[string]any{"email": "half@example.com"}, "associations": []any{map[string]any{"to": co.ID}, map[string]any{"to": gone.ID}}},
				map[string]any{"properties": map[string]any{"email": "whole@example.com"}, "associations": []any{map[string]any{"to": co.ID}}},
			}}, &out)
		if out.CreateRecords.Written != 1 || out.CreateRecords.Results[0].Error == nil {
			t.Fatalf("results: %+v", out.CreateRecords)
		}
		if got := a.timelineOf(co.ID, map[string]any{"types": []string{"ASSOCIATION_ADDED"}}).summary(); !slices.Equal(got, []string{"ASSOCIATION_ADDED [] true"}) {
			t.Fatalf("the company's associations: %v", got)
		}
	})
}
