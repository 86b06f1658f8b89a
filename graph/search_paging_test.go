package graph_test

// Paging under sorts (issue 13, rule 3): sorts of three keys and more over
// values with heavy ties and nulls, each direction and nulls placement,
// walked forwards (first/after) and backwards (last/before), visit every
// record once in the evaluator's order, on both databases; records and a
// record's associations alike.

import (
	"fmt"
	"testing"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/gid"
)

// key is a sort key: property, then direction and nulls when given.
func key(property string, opts ...string) map[string]any {
	k := map[string]any{"property": property}
	for _, o := range opts {
		switch o {
		case "ASC", "DESC":
			k["direction"] = o
		case "FIRST", "LAST":
			k["nulls"] = o
		}
	}
	return k
}

func keys(ks ...map[string]any) []map[string]any { return ks }

// tiedSorts are sorts whose keys tie often (tier has three options, active
// two, due seven days) and lack values often, in every direction and
// nulls placement, on every sortable type.
var tiedSorts = [][]map[string]any{
	keys(key("tier"), key("active", "DESC"), key("due")),
	keys(key("tier", "DESC", "LAST"), key("active", "FIRST"), key("due", "DESC", "LAST")),
	keys(key("label"), key("qty", "DESC"), key("seen", "FIRST")),
	keys(key("active"), key("tier", "FIRST"), key("createdate", "DESC")),
	keys(key("due", "DESC"), key("seen", "DESC", "LAST"), key("hs_object_id", "DESC")),
	keys(key("qty", "FIRST"), key("label", "DESC"), key("tier")),
	keys(key("lastmodifieddate"), key("active", "DESC", "FIRST"), key("tier", "DESC")),
	keys(key("notes", "DESC"), key("due", "ASC", "LAST"), key("active", "ASC", "FIRST")),
	keys(key("tier"), key("active"), key("due", "DESC"), key("label"), key("qty", "LAST")),
	keys(key("active", "DESC", "LAST")),
}

// sortCases are the sorts over every record and, every other sort, over
// a filter's.
func sortCases(parent *recordJSON, labels []string) []searchCase {
	filter := map[string]any{"or": list(leaf("tier", "NEQ", "value", "silver"), leaf("qty", "LT", "value", 2))}
	var out []searchCase
	for i, s := range tiedSorts {
		out = append(out, searchCase{name: fmt.Sprintf("sort %d", i), sort: s, parent: parent, labels: labels})
		if i%2 == 1 {
			out = append(out, searchCase{name: fmt.Sprintf("sort %d, filtered", i), sort: s, filter: filter, parent: parent, labels: labels})
		}
	}
	return out
}

func TestSearchPagingUnderSorts(t *testing.T) {
	defer clock.Set(searchNow)()
	each(t, func(t *testing.T, a *api) {
		w := a.gadgets(300)

		t.Run("records, forwards and backwards", func(t *testing.T) {
			a := a.with(t)
			a.checkBothWays(w, "gadgets", sortCases(nil, nil), 23)
			a.checkBothWays(w, "gadgets", sortCases(nil, nil)[2:3], 6)
		})

		t.Run("a cursor belongs to its order", func(t *testing.T) {
			a := a.with(t)
			var out struct {
				Records struct{ PageInfo struct{ EndCursor string } }
			}
			a.ok(`query($s: [RecordSort!]) { records(objectType: "gadgets", sort: $s, first: 3) { pageInfo { endCursor } } }`,
				map[string]any{"s": tiedSorts[0]}, &out)
			for _, other := range []any{tiedSorts[1], nil, keys(key("tier"), key("active", "DESC"), key("due", "DESC"))} {
				a.fails(`query($s: [RecordSort!], $c: String) { records(objectType: "gadgets", sort: $s, first: 3, after: $c) { edges { cursor } } }`,
					map[string]any{"s": other, "c": out.Records.PageInfo.EndCursor}, "BAD_USER_INPUT", "")
			}
			// The same order written with its default nulls is the same order.
			a.ok(`query($s: [RecordSort!], $c: String) { records(objectType: "gadgets", sort: $s, first: 3, after: $c) { edges { cursor } } }`,
				map[string]any{"s": keys(key("tier", "LAST"), key("active", "DESC", "FIRST"), key("due", "ASC")), "c": out.Records.PageInfo.EndCursor}, nil)
		})

		// Two contacts: one associated with every other gadget, one with
		// every third, half of those as Owner.
		const owner = "Owner"
		a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "contacts", toObjectType: "gadgets", label: "Owner"}) { associationType { id } } }`, nil, nil)
		var contacts []recordJSON
		for i := range 2 {
			contacts = append(contacts, a.create("contacts", map[string]any{"email": fmt.Sprintf("sorted%d@example.com", i)}))
		}
		a.readWorld(w, "contacts", false)
		var inputs []map[string]any
		var gadgetIDs []int
		for id, r := range w.recs {
			if r.Type == "gadgets" {
				gadgetIDs = append(gadgetIDs, id)
			}
		}
		gadget := func(id int) string { return gid.Encode(gid.Record, id) }
		for _, id := range gadgetIDs {
			if id%2 == 0 {
				inputs = append(inputs, map[string]any{"from": contacts[0].ID, "to": gadget(id)})
				w.link(mustAtoi(t, contacts[0].RecordID), id, nil, nil)
			}
			if id%3 == 0 {
				labels := []string{}
				if id%4 < 2 {
					labels = []string{owner}
				}
				inputs = append(inputs, map[string]any{"from": contacts[1].ID, "to": gadget(id), "labels": labels})
				w.link(mustAtoi(t, contacts[1].RecordID), id, labels, nil)
			}
		}
		var out struct {
			AssociateRecords struct {
				Failed  int
				Results []struct{ Error *struct{ Message string } }
			}
		}
		a.ok(`mutation($in: [AssociateInput!]!) { associateRecords(input: {inputs: $in}) { failed results { error { message } } } }`, map[string]any{"in": inputs}, &out)
		if out.AssociateRecords.Failed != 0 {
			for _, r := range out.AssociateRecords.Results {
				if r.Error != nil {
					t.Fatalf("%d associations failed: %s", out.AssociateRecords.Failed, r.Error.Message)
				}
			}
		}
		a.analyze()

		t.Run("a record's associations, forwards and backwards", func(t *testing.T) {
			a := a.with(t)
			cases := sortCases(&contacts[0], nil)[:6]
			cases = append(cases, sortCases(&contacts[1], []string{owner})[6:11]...)
			cases = append(cases, searchCase{name: "default order", parent: &contacts[1]})
			a.checkBothWays(w, "gadgets", cases, 11)
		})

		t.Run("the first pages of many parents in one statement", func(t *testing.T) {
			a := a.with(t)
			for _, s := range tiedSorts {
				var page struct {
					Records struct {
						Edges []struct {
							Node struct {
								RecordID     string
								Associations struct {
									Edges []struct{ Node struct{ RecordID string } }
								}
							}
						}
					}
				}
				a.ok(`query($s: [RecordSort!]) { records(objectType: "contacts", first: 10) { edges { node { recordId
					associations(toObjectType: "gadgets", sort: $s, first: 12) { edges { node { recordId } } } } } } }`, map[string]any{"s": s}, &page)
				if len(page.Records.Edges) != 2 {
					t.Fatalf("%d contacts", len(page.Records.Edges))
				}
				for _, e := range page.Records.Edges {
					want := w.associated(mustAtoi(t, e.Node.RecordID), "gadgets", nil, nil, canon(s))
					var got []int
					for _, g := range e.Node.Associations.Edges {
						got = append(got, mustAtoi(t, g.Node.RecordID))
					}
					if fmt.Sprint(got) != fmt.Sprint(want[:min(12, len(want))]) {
						t.Fatalf("contact %s, sort %s: %v, want %v", e.Node.RecordID, jsonText(s), got, want[:min(12, len(want))])
					}
				}
			}
		})
	})
}
