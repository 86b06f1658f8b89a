package graph_test

// Relative dates read the one clock of the server (internal/clock), which
// these tests fix and move; and ever reads a property's history. Not in
// parallel: the clock is the process's.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/acme/crm/internal/clock"
)

func TestSearchRelativeDates(t *testing.T) {
	at := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	defer clock.Set(at)()
	each(t, func(t *testing.T, a *api) {
		a.createObjectType(gadgetsInput())
		moment := func(d time.Duration) string { return at.Add(d).Format(time.RFC3339Nano) }
		day := func(days int) string { return at.AddDate(0, 0, days).Format("2006-01-02") }
		var inputs []map[string]any
		for i, seen := range []any{moment(-91 * 24 * time.Hour), moment(-89 * 24 * time.Hour), moment(-time.Hour), moment(-30 * time.Minute),
			moment(-time.Hour - time.Millisecond), moment(time.Hour), moment(8 * 24 * time.Hour), nil} {
			p := map[string]any{"label": fmt.Sprint("g", i), "due": day(i - 3)}
			if seen != nil {
				p["seen"] = seen
			}
			inputs = append(inputs, map[string]any{"properties": p})
		}
		a.createAll("gadgets", inputs)
		w := newEvalWorld()
		a.readWorld(w, "gadgets", false)
		var created time.Time
		for _, r := range w.recs {
			if r.Created.After(created) {
				created = r.Created
			}
		}

		cases := []searchCase{
			{name: "not contacted in the last 90 days (the issue's example)", filter: map[string]any{"or": list(
				leaf("seen", "LT", "value", "-P90D"), leaf("seen", "NOT_HAS_PROPERTY"))}},
			{name: "seen in the last hour", filter: leaf("seen", "GTE", "value", "-PT1H")},
			{name: "seen after an hour ago", filter: leaf("seen", "GT", "value", "-PT1H")},
			{name: "seen from a day ago to a week ahead", filter: leaf("seen", "BETWEEN", "value", "-P1D", "highValue", "P1W")},
			{name: "seen ahead", filter: leaf("seen", "GT", "value", "P0D")},
			{name: "seen more than a month ago", filter: leaf("seen", "LT", "value", "-P1M")},
			{name: "due yesterday", filter: leaf("due", "EQ", "value", "-P1D")},
			{name: "due by tomorrow", filter: leaf("due", "LTE", "value", "+P1D")},
			{name: "due within two days and a half", filter: leaf("due", "BETWEEN", "value", "-P2DT12H", "highValue", "P2DT12H")},
			{name: "created in the last hour", filter: leaf("createdate", "GT", "value", "-PT1H")},
			{name: "modified in the last hour", filter: leaf("lastmodifieddate", "GTE", "value", "-PT1H")},
		}
		var before [][]int
		for _, now := range []time.Time{at, at.Add(90 * time.Minute), at.AddDate(0, 1, 1), created.Add(30 * time.Minute), created.Add(3 * time.Hour)} {
			clock.Set(now)
			w.now = now
			a.with(t).checkSearches(w, "gadgets", cases, 3)
			var found [][]int
			for _, c := range cases {
				found = append(found, w.selects("gadgets", canon(c.filter), nil))
			}
			if before != nil && slices.EqualFunc(found, before, slices.Equal) {
				t.Fatalf("at %s the filters select what they did before", now)
			}
			before = found
		}
	})
}

func TestSearchEver(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createObjectType(gadgetsInput())
		g := a.create("gadgets", map[string]any{"tier": "gold", "qty": 1, "tags": []string{"red"}, "label": "First"})
		other := a.create("gadgets", map[string]any{"tier": "silver", "qty": 3, "label": "Other"})
		for _, p := range []map[string]any{
			{"tier": "silver", "qty": 5, "tags": []string{"red", "blue"}, "label": "Second"},
			{"tier": "bronze", "qty": 2, "tags": nil, "label": "Third"},
			{"tier": nil, "qty": 2},
		} {
			a.ok(`mutation($id: ID!, $p: JSON!) { updateRecord(input: {id: $id, properties: $p}) { record { id } } }`, map[string]any{"id": g.ID, "p": p}, nil)
		}
		both, gOnly, otherOnly, none := []string{g.ID, other.ID}, []string{g.ID}, []string{other.ID}, []string(nil)
		for _, c := range []struct {
			filter map[string]any
			want   []string
		}{
			{leaf("tier", "EQ", "value", "gold"), none},
			{leaf("tier", "EQ", "value", "gold", "ever", true), gOnly},
			{leaf("tier", "EQ", "value", "silver", "ever", true), both},
			{leaf("tier", "IN", "values", list("bronze", "gold"), "ever", true), gOnly},
			{leaf("tier", "HAS_PROPERTY", "ever", true), both},
			{leaf("tier", "HAS_PROPERTY"), otherOnly},
			{leaf("qty", "GT", "value", 4, "ever", true), gOnly},
			{leaf("qty", "GT", "value", 4), none},
			{leaf("qty", "EQ", "value", 3, "ever", true), otherOnly},
			{leaf("tags", "CONTAINS_ALL", "values", list("blue", "red"), "ever", true), gOnly},
			{leaf("tags", "EQ", "value", "red", "ever", true), gOnly},
			{leaf("label", "STARTS_WITH", "value", "sec", "ever", true), gOnly},
			{leaf("label", "EQ", "value", "FIRST", "ever", true), gOnly},
			{map[string]any{"not": leaf("label", "CONTAINS_TOKEN", "value", "first", "ever", true)}, otherOnly},
			{leaf("tier", "EQ", "value", "gold", "ever", true, "includeMissing", true), gOnly},
			{leaf("tier", "EQ", "value", "bronze", "includeMissing", true), gOnly},
		} {
			var out struct {
				Records struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			a.ok(`query($f: RecordFilter) { records(objectType: "gadgets", filter: $f, sort: {property: "hs_object_id"}) { edges { node { id } } } }`,
				map[string]any{"f": c.filter}, &out)
			var got []string
			for _, e := range out.Records.Edges {
				got = append(got, e.Node.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", jsonText(c.filter), got, c.want)
			}
		}
	})
}
