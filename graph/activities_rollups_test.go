package graph_test

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"
)

// rollupNames are the rollups the server keeps on records activities are
// associated with.
var rollupNames = []string{"num_associated_activities", "num_notes", "num_contacted_notes",
	"hs_last_activity_date", "hs_last_sales_activity_timestamp", "notes_last_updated"}

// rollupsOf are r's rollups as the API shows them.
func (a *api) rollupsOf(r recordJSON) map[string]any {
	a.t.Helper()
	got := map[string]any{}
	for name, v := range a.read(r).Properties {
		if slices.Contains(rollupNames, name) {
			got[name] = v
		}
	}
	return got
}

// freshRollups counts r's rollups from the tables, by the rules the
// properties' descriptions say, independently of the server's statement:
// the live activities associated with r, read row by row.
func (a *api) freshRollups(r recordJSON) map[string]any {
	a.t.Helper()
	rows, err := a.d.SQL.Query(a.d.Dialect.Rebind(`SELECT e.id, o.name, e.properties, a.created_at FROM associations a
		JOIN records e ON e.id = a.to_record_id JOIN object_types o ON o.id = e.object_type_id
		WHERE a.from_record_id = ? AND o.kind = 'engagement' AND e.archived_at IS NULL`), mustAtoi(a.t, r.RecordID))
	if err != nil {
		a.t.Fatal(err)
	}
	defer rows.Close()
	type activity struct {
		kind, timestamp string
		linked          time.Time
	}
	acts := map[int]*activity{}
	for rows.Next() {
		var id int
		var kind string
		var raw []byte
		var linked time.Time
		if err := rows.Scan(&id, &kind, &raw, &linked); err != nil {
			a.t.Fatal(err)
		}
		var props map[string]any
		if err := json.Unmarshal(raw, &props); err != nil {
			a.t.Fatal(err)
		}
		ts, _ := props["hs_timestamp"].(string)
		if prev := acts[id]; prev == nil || linked.After(prev.linked) {
			acts[id] = &activity{kind: kind, timestamp: ts, linked: linked.UTC()}
		}
	}
	if err := rows.Err(); err != nil {
		a.t.Fatal(err)
	}
	want := map[string]any{}
	count := func(name string, n int) {
		if n > 0 {
			want[name] = float64(n)
		}
	}
	latest := func(name, v string) {
		if cur, _ := want[name].(string); v > cur {
			want[name] = v
		}
	}
	notes, contacted := 0, 0
	for _, act := range acts {
		logged := act.kind != "tasks"
		sales := act.kind == "calls" || act.kind == "emails" || act.kind == "meetings"
		if act.kind == "notes" {
			notes++
		}
		if sales {
			contacted++
			latest("hs_last_sales_activity_timestamp", act.timestamp)
		}
		if logged {
			latest("hs_last_activity_date", act.timestamp)
			latest("notes_last_updated", act.linked.Format("2006-01-02T15:04:05.000Z"))
		}
	}
	count("num_associated_activities", len(acts))
	count("num_notes", notes)
	count("num_contacted_notes", contacted)
	return want
}

// sameRollups checks that each record's rollups are what a fresh count
// of its activities says.
func sameRollups(t *testing.T, a *api, step string, rs ...recordJSON) {
	t.Helper()
	for _, r := range rs {
		got, want := a.rollupsOf(r), a.freshRollups(r)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: rollups of %s %s\n got %v\nwant %v", step, r.ObjectType.Name, r.RecordID, got, want)
		}
	}
}

func TestRollupsFollowEveryWrite(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c1 := a.create("contacts", map[string]any{"email": "c1@example.com"})
		c2 := a.create("contacts", map[string]any{"email": "c2@example.com"})
		c3 := a.create("contacts", map[string]any{"email": "c3@example.com"})
		co := a.create("companies", map[string]any{"name": "Acme"})
		deal := a.create("deals", map[string]any{"dealname": "D", "pipeline": "default", "dealstage": "qualifiedtobuy"})
		all := []recordJSON{c1, c2, c3, co, deal}
		sameRollups(t, a, "before any activity", all...)
		if got := a.rollupsOf(c1); len(got) != 0 {
			t.Fatalf("a record without activities has rollups: %v", got)
		}

		note := a.logActivity("notes", map[string]any{"hs_timestamp": at(2, 9)}, c1)
		call := a.logActivity("calls", map[string]any{"hs_timestamp": at(4, 9)}, c1)
		meeting := a.logActivity("meetings", map[string]any{"hs_timestamp": at(3, 9)}, c1, co, deal)
		a.logActivity("tasks", map[string]any{"hs_timestamp": at(20, 9)}, c1)
		a.logActivity("emails", map[string]any{"hs_timestamp": at(1, 9)}, c3)
		sameRollups(t, a, "logged", all...)
		if got := a.rollupsOf(c1); got["num_associated_activities"] != 4.0 || got["num_notes"] != 1.0 || got["num_contacted_notes"] != 2.0 ||
			got["hs_last_activity_date"] != at(4, 9) || got["hs_last_sales_activity_timestamp"] != at(4, 9) {
			t.Fatalf("rollups of c1 after logging: %v", got)
		}

		a.associate(call, c2)
		sameRollups(t, a, "re-associated", all...)
		if got := a.rollupsOf(c2); got["num_contacted_notes"] != 1.0 {
			t.Fatalf("c2 after the call was associated with it: %v", got)
		}

		a.ok(disassociateMutation, map[string]any{"from": meeting.ID, "to": c1.ID}, nil)
		sameRollups(t, a, "disassociated", all...)

		a.updateRecord(note, map[string]any{"hs_timestamp": at(8, 9)})
		sameRollups(t, a, "hs_timestamp changed", all...)
		if got := a.rollupsOf(c1); got["hs_last_activity_date"] != at(8, 9) {
			t.Fatalf("c1 after the note moved to the 8th: %v", got)
		}

		a.archiveRecord(call)
		sameRollups(t, a, "archived", all...)
		if got := a.rollupsOf(c2); len(got) != 0 {
			t.Fatalf("c2's only activity is archived, its rollups stay: %v", got)
		}

		a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": call.ID}, nil)
		sameRollups(t, a, "restored", all...)

		a.ok(mergeMutation, map[string]any{"p": c1.ID, "s": c3.ID}, nil)
		sameRollups(t, a, "merged", c1, c2, co, deal)
		if got := a.rollupsOf(c1); got["num_contacted_notes"] != 2.0 || got["num_associated_activities"] != 4.0 {
			t.Fatalf("c1 after taking c3's email (the meeting left it): %v", got)
		}

		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedRecords } }`, map[string]any{"id": call.ID}, nil)
		sameRollups(t, a, "erased", c1, c2, co, deal)

		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedRecords } }`, map[string]any{"id": meeting.ID}, nil)
		sameRollups(t, a, "erased", c1, c2, co, deal)
		for _, r := range []recordJSON{c2, co, deal} {
			if got := a.rollupsOf(r); len(got) != 0 {
				t.Fatalf("%s %s has no activity left, yet rollups %v", r.ObjectType.Name, r.RecordID, got)
			}
		}
	})
}

// Two activities merged: the primary takes the secondary's records, whose
// rollups count the primary once.
func TestRollupsAfterActivitiesMerge(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c1 := a.create("contacts", map[string]any{"email": "c1@example.com"})
		c2 := a.create("contacts", map[string]any{"email": "c2@example.com"})
		n1 := a.logActivity("notes", map[string]any{"hs_timestamp": at(2, 9)}, c1)
		n2 := a.logActivity("notes", map[string]any{"hs_timestamp": at(6, 9)}, c1, c2)
		a.ok(mergeMutation, map[string]any{"p": n1.ID, "s": n2.ID}, nil)
		sameRollups(t, a, "merged", c1, c2)
		want := map[string]any{"num_associated_activities": 1.0, "num_notes": 1.0, "hs_last_activity_date": at(2, 9)}
		for _, c := range []recordJSON{c1, c2} {
			got := a.rollupsOf(c)
			delete(got, "notes_last_updated")
			if !maps.Equal(got, want) {
				t.Fatalf("after merging the notes, %s: %v", c.RecordID, got)
			}
		}
	})
}

// Rollups are ordinary properties: "contacts with no activity in 90 days"
// is a filter, and sorting by the last activity a sort.
func TestRollupsFilterAndSort(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		recent := a.create("contacts", map[string]any{"email": "recent@example.com"})
		stale := a.create("contacts", map[string]any{"email": "stale@example.com"})
		never := a.create("contacts", map[string]any{"email": "never@example.com"})
		now := time.Now().UTC()
		a.logActivity("notes", map[string]any{"hs_timestamp": now.Add(-24 * time.Hour).Format(time.RFC3339)}, recent)
		a.logActivity("calls", map[string]any{"hs_timestamp": now.AddDate(0, 0, -200).Format(time.RFC3339)}, stale)
		noActivity := map[string]any{"or": []any{
			map[string]any{"property": "hs_last_activity_date", "operator": "LT", "value": "-P90D"},
			map[string]any{"property": "hs_last_activity_date", "operator": "NOT_HAS_PROPERTY"},
		}}
		if got := a.matching("contacts", noActivity); !slices.Equal(got, sortedEmails(stale, never)) {
			t.Fatalf("no activity in 90 days: %v", got)
		}
		var out struct {
			Records struct{ Edges []struct{ Node recordJSON } }
		}
		a.ok(`{ records(objectType: "contacts", sort: [{property: "hs_last_activity_date", direction: DESC, nulls: LAST}]) { edges { node { `+recordFields+` } } } }`, nil, &out)
		var order []string
		for _, e := range out.Records.Edges {
			order = append(order, e.Node.ID)
		}
		if want := []string{recent.ID, stale.ID, never.ID}; !slices.Equal(order, want) {
			t.Fatalf("by last activity, newest first: %v, want %v", order, want)
		}
	})
}

func sortedEmails(rs ...recordJSON) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i], _ = r.Properties["email"].(string)
	}
	slices.Sort(out)
	return out
}
