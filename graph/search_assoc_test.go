package graph_test

// Association filters against the evaluator: some, none, every and the
// bare "has any" at depth 1 and 2, under labels, with minCount and
// maxCount, from gadgets, contacts and companies; archived records are
// never associated ones.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/records"
)

// pairLabels are the labels each direction of a pair of object types
// may carry, with the label seen from the other side.
var pairLabels = map[[2]string][][2]string{
	{"gadgets", "contacts"}:   {{"Owner", "Owned gadget"}, {"User", "User"}},
	{"contacts", "gadgets"}:   {{"Owned gadget", "Owner"}, {"User", "User"}},
	{"contacts", "companies"}: {{"Primary", "Primary"}, {"Decision maker", "Decision maker"}},
	{"companies", "contacts"}: {{"Primary", "Primary"}, {"Decision maker", "Decision maker"}},
	{"gadgets", "companies"}:  nil,
	{"companies", "gadgets"}:  nil,
}

// linkedWorld makes gadgets, contacts and companies associated under
// labels (a few contacts archived), and reads them into an evaluator.
func (a *api) linkedWorld() *evalWorld {
	a.t.Helper()
	a.createObjectType(gadgetsInput())
	for _, l := range []string{
		`{fromObjectType: "gadgets", toObjectType: "contacts", label: "Owner", inverseLabel: "Owned gadget"}`,
		`{fromObjectType: "gadgets", toObjectType: "contacts", label: "User"}`,
		`{fromObjectType: "contacts", toObjectType: "companies", label: "Decision maker"}`,
	} {
		a.ok(`mutation { createAssociationLabel(input: `+l+`) { associationType { id } } }`, nil, nil)
	}
	r := rand.New(rand.NewPCG(7, 2026))
	pick := func(vs ...any) any { return vs[r.IntN(len(vs))] }
	var gadgets, contacts, companies []map[string]any
	for range 60 {
		gadgets = append(gadgets, map[string]any{"properties": gadgetProps(r)})
	}
	for i := range 30 {
		contacts = append(contacts, map[string]any{"properties": withoutNil(map[string]any{"email": fmt.Sprintf("c%d@example.com", i),
			"firstname": pick(nil, "Ann", "ann", "Bob", "Émile"), "lifecyclestage": pick(nil, "lead", "customer", "customer", "other"),
			"city": pick(nil, "Amsterdam", "amsterdam", "Oslo")})})
	}
	for i := range 8 {
		companies = append(companies, map[string]any{"properties": withoutNil(map[string]any{"name": fmt.Sprintf("Company %d", i),
			"city": pick(nil, "Amsterdam", "Oslo", "Lima"), "industry": pick(nil, "ACCOUNTING", "ANIMATION"),
			"numberofemployees": pick(nil, 5, 50, 500)})})
	}
	made := map[string][]recordJSON{"gadgets": a.createAll("gadgets", gadgets), "contacts": a.createAll("contacts", contacts),
		"companies": a.createAll("companies", companies)}

	w := newEvalWorld()
	w.now = searchNow
	for _, ot := range []string{"gadgets", "contacts", "companies"} {
		a.readWorld(w, ot, false)
	}
	var inputs []map[string]any
	link := func(from, to recordJSON, pair [2]string, labels [][2]string) {
		var mine, theirs []string
		for _, l := range labels {
			mine, theirs = append(mine, l[0]), append(theirs, l[1])
		}
		inputs = append(inputs, map[string]any{"from": from.ID, "to": to.ID, "labels": mine})
		w.link(mustAtoi(a.t, from.RecordID), mustAtoi(a.t, to.RecordID), mine, theirs)
	}
	// some labels of a pair: each with a chance of one in three
	someOf := func(pair [2]string) [][2]string {
		var out [][2]string
		for _, l := range pairLabels[pair] {
			if r.IntN(3) == 0 {
				out = append(out, l)
			}
		}
		return out
	}
	for _, g := range made["gadgets"] {
		for _, i := range r.Perm(30)[:r.IntN(5)] {
			link(g, made["contacts"][i], [2]string{"gadgets", "contacts"}, someOf([2]string{"gadgets", "contacts"}))
		}
		for _, i := range r.Perm(8)[:r.IntN(3)] {
			link(g, made["companies"][i], [2]string{"gadgets", "companies"}, nil)
		}
	}
	for _, c := range made["contacts"] {
		for k, i := range r.Perm(8)[:r.IntN(4)] {
			labels := someOf([2]string{"contacts", "companies"})
			if k > 0 && len(labels) > 0 && labels[0][0] == "Primary" { // one primary company
				labels = labels[1:]
			}
			link(c, made["companies"][i], [2]string{"contacts", "companies"}, labels)
		}
	}
	var out struct{ AssociateRecords struct{ Failed int } }
	a.ok(`mutation($in: [AssociateInput!]!) { associateRecords(input: {inputs: $in}) { failed } }`, map[string]any{"in": inputs}, &out)
	if out.AssociateRecords.Failed != 0 {
		a.t.Fatalf("%d associations failed", out.AssociateRecords.Failed)
	}
	for _, i := range []int{0, 1, 2} { // archived: never an associated record
		a.archiveRecord(made["contacts"][i])
		w.recs[mustAtoi(a.t, made["contacts"][i].RecordID)].Archived = true
	}
	a.analyze()
	return w
}

func withoutNil(m map[string]any) map[string]any {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	return m
}

// typeLeaves are leaves on each object type of the linked world.
var typeLeaves = map[string][]map[string]any{
	"gadgets": {leaf("tier", "EQ", "value", "gold"), leaf("qty", "GT", "value", 2), leaf("label", "STARTS_WITH", "value", "a"),
		leaf("tags", "IN", "values", list("red")), leaf("active", "EQ", "value", true), leaf("due", "LT", "value", "-P1D"),
		leaf("notes", "NOT_CONTAINS_TOKEN", "value", "acme")},
	"contacts": {leaf("firstname", "EQ", "value", "ANN"), leaf("lifecyclestage", "EQ", "value", "customer"),
		leaf("lifecyclestage", "NOT_IN", "values", list("lead")), leaf("city", "CONTAINS", "value", "dam"),
		leaf("firstname", "NOT_HAS_PROPERTY"), leaf("firstname", "STARTS_WITH", "value", "é")},
	"companies": {leaf("city", "EQ", "value", "amsterdam"), leaf("industry", "EQ", "value", "ANIMATION"),
		leaf("numberofemployees", "GTE", "value", 50), leaf("industry", "NEQ", "value", "ACCOUNTING", "includeMissing", true),
		leaf("name", "CONTAINS_TOKEN", "value", "3")},
}

// associationFilter is a random association leaf from objectType:
// some, none, every, bare, or counted, under labels or not, its filter
// another association leaf while depth allows.
func associationFilter(r *rand.Rand, from string, depth int) map[string]any {
	var targets []string
	for pair := range pairLabels {
		if pair[0] == from {
			targets = append(targets, pair[1])
		}
	}
	slices.Sort(targets)
	to := targets[r.IntN(len(targets))]
	a := map[string]any{"toObjectType": to}
	if labels := pairLabels[[2]string{from, to}]; len(labels) > 0 && r.IntN(3) == 0 {
		var names []any
		for _, l := range labels {
			if len(names) == 0 || r.IntN(2) == 0 {
				names = append(names, l[0])
			}
		}
		a["labels"] = names
	}
	inner := func() map[string]any {
		if depth > 1 && r.IntN(2) == 0 {
			sub := associationFilter(r, to, depth-1)
			if r.IntN(3) == 0 {
				return map[string]any{"and": list(sub, typeLeaves[to][r.IntN(len(typeLeaves[to]))])}
			}
			return sub
		}
		l := typeLeaves[to]
		if r.IntN(3) == 0 {
			return map[string]any{"or": list(l[r.IntN(len(l))], l[r.IntN(len(l))])}
		}
		return l[r.IntN(len(l))]
	}
	switch r.IntN(10) {
	case 0, 1, 2, 3:
		a["some"] = inner()
	case 4, 5:
		a["none"] = inner()
	case 6, 7:
		a["every"] = inner()
	case 8:
		if r.IntN(2) == 0 {
			a["some"] = inner()
		}
		a["minCount"] = 1 + r.IntN(2)
		if r.IntN(2) == 0 {
			a["maxCount"] = a["minCount"].(int) + r.IntN(2)
		}
	default: // has any
	}
	return map[string]any{"association": a}
}

// assocDepth is how many association leaves nest in f.
func assocDepth(f map[string]any) int {
	d := 0
	for _, k := range []string{"and", "or"} {
		if l, ok := f[k].([]any); ok {
			for _, c := range l {
				d = max(d, assocDepth(c.(map[string]any)))
			}
		}
	}
	if n, ok := f["not"].(map[string]any); ok {
		d = max(d, assocDepth(n))
	}
	if a, ok := f["association"].(map[string]any); ok {
		for _, k := range []string{"some", "none", "every"} {
			if sub, ok := a[k].(map[string]any); ok {
				d = max(d, assocDepth(sub))
			}
		}
		d++
	}
	return d
}

func TestSearchAssociations(t *testing.T) {
	defer clock.Set(searchNow)()
	each(t, func(t *testing.T, a *api) {
		w := a.linkedWorld()

		t.Run("the issue's examples", func(t *testing.T) {
			a := a.with(t)
			a.checkSearches(w, "contacts", []searchCase{
				{name: "contacts whose company's industry is animation", filter: map[string]any{"association": map[string]any{
					"toObjectType": "companies", "some": leaf("industry", "EQ", "value", "ANIMATION")}}},
				{name: "contacts labelled Decision maker at a company in Amsterdam", filter: map[string]any{"association": map[string]any{
					"toObjectType": "companies", "labels": list("Decision maker"), "some": leaf("city", "EQ", "value", "Amsterdam")}}},
				{name: "contacts with no company", filter: map[string]any{"not": map[string]any{"association": map[string]any{"toObjectType": "companies"}}}},
			}, 10)
			a.checkSearches(w, "gadgets", []searchCase{
				{name: "gadgets all of whose contacts are customers", filter: map[string]any{"association": map[string]any{
					"toObjectType": "contacts", "every": leaf("lifecyclestage", "EQ", "value", "customer")}}},
				{name: "gadgets with no owner called Ann", filter: map[string]any{"association": map[string]any{
					"toObjectType": "contacts", "labels": list("Owner"), "none": leaf("firstname", "EQ", "value", "ann")}}},
				{name: "one label where a list goes", filter: map[string]any{"association": map[string]any{
					"toObjectType": "contacts", "labels": "User", "some": leaf("lifecyclestage", "IN", "values", "customer")}}},
			}, 10)
			a.checkSearches(w, "companies", []searchCase{
				{name: "companies with more than 2 contacts", filter: map[string]any{"association": map[string]any{"toObjectType": "contacts", "minCount": 3}}},
				{name: "companies with at most one customer", filter: map[string]any{"association": map[string]any{"toObjectType": "contacts",
					"some": leaf("lifecyclestage", "EQ", "value", "customer"), "maxCount": 1}}},
				{name: "companies with no contact owning a gold gadget", filter: map[string]any{"association": map[string]any{"toObjectType": "contacts",
					"none": map[string]any{"association": map[string]any{"toObjectType": "gadgets", "labels": list("Owned gadget"), "some": leaf("tier", "EQ", "value", "gold")}}}}},
			}, 3)
		})

		t.Run("random association filters at depth 1 and 2", func(t *testing.T) {
			a := a.with(t)
			r := rand.New(rand.NewPCG(11, 2026))
			for _, from := range []string{"gadgets", "contacts", "companies"} {
				var cases []searchCase
				depths := map[int]int{}
				modes := map[string]int{}
				for i := range 60 {
					f := associationFilter(r, from, 2)
					if r.IntN(4) == 0 {
						f = map[string]any{"or": list(f, typeLeaves[from][r.IntN(len(typeLeaves[from]))])}
					} else if r.IntN(5) == 0 {
						f = map[string]any{"not": f}
					}
					depths[assocDepth(f)]++
					for _, k := range []string{`"some"`, `"none"`, `"every"`, `"labels"`, `"minCount"`, `"maxCount"`} {
						if strings.Contains(jsonText(f), k) {
							modes[k]++
						}
					}
					cases = append(cases, searchCase{name: fmt.Sprintf("%s %d", from, i), filter: f})
				}
				if depths[1] < 10 || depths[2] < 10 || len(modes) < 6 {
					t.Fatalf("%s: depths %v, modes %v", from, depths, modes)
				}
				a.checkSearches(w, from, cases, 17)
			}
		})
	})
}

// TestSearchAssociationWalk: on PostgreSQL, a page in the default order
// whose filter has an association leaf first walks up to
// records.WalkRows records probing each with the filter, then has the
// filter's joins find the rest past them. Walking none (the joins
// alone), fewer records than a page, a few pages' worth, and every
// record (the probes alone), each page answers what the evaluator
// selects, forwards and backwards; SQLite answers by its one statement
// whatever the walk.
func TestSearchAssociationWalk(t *testing.T) {
	defer clock.Set(searchNow)()
	each(t, func(t *testing.T, a *api) {
		w := a.linkedWorld()
		r := rand.New(rand.NewPCG(13, 2026))
		cases := map[string][]searchCase{}
		for _, from := range []string{"contacts", "companies"} {
			for i := range 25 {
				f := associationFilter(r, from, 2)
				switch r.IntN(5) {
				case 0:
					f = map[string]any{"not": f}
				case 1:
					f = map[string]any{"or": list(f, typeLeaves[from][r.IntN(len(typeLeaves[from]))])}
				case 2:
					f = map[string]any{"and": list(f, associationFilter(r, from, 1))}
				}
				cases[from] = append(cases[from], searchCase{name: fmt.Sprintf("%s %d", from, i), filter: f})
			}
		}
		for _, walk := range []int{0, 2, 9, 1000} {
			t.Run(fmt.Sprintf("walking %d", walk), func(t *testing.T) {
				defer func(n int) { records.WalkRows = n }(records.WalkRows)
				records.WalkRows = walk
				a := a.with(t)
				for from, cs := range cases {
					a.checkBothWays(w, from, cs, 4)
				}
			})
		}
	})
}
