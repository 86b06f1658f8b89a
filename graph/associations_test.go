package graph_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

const associateMutation = `mutation($from: ID!, $to: ID!, $labels: [String!]) {
	associate(input: {from: $from, to: $to, labels: $labels}) { labels { label category } }
}`

const disassociateMutation = `mutation($from: ID!, $to: ID!, $labels: [String!]) {
	disassociate(input: {from: $from, to: $to, labels: $labels}) { removed labels { label } }
}`

func (a *api) associate(from, to recordJSON, labels ...string) {
	a.t.Helper()
	a.ok(associateMutation, map[string]any{"from": from.ID, "to": to.ID, "labels": labels}, nil)
}

// rows lists the association table as "from>to:label" (label "-" for the
// unlabeled default), by record ids, sorted.
func (a *api) rows() []string {
	a.t.Helper()
	rs, err := a.d.SQL.Query(a.d.Dialect.Rebind(`SELECT a.from_record_id, a.to_record_id, t.label FROM associations a
		JOIN association_types t ON t.id = a.association_type_id WHERE a.workspace_id = ?`), a.ws)
	if err != nil {
		a.t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var from, to int
		var label string
		if err := rs.Scan(&from, &to, &label); err != nil {
			a.t.Fatal(err)
		}
		if label == "" {
			label = "-"
		}
		out = append(out, fmt.Sprintf("%d>%d:%s", from, to, label))
	}
	sort.Strings(out)
	return out
}

// edge is how rows() writes one directional row of records x and y.
func edge(x, y recordJSON, label string) string {
	return x.RecordID + ">" + y.RecordID + ":" + label
}

func wantRows(t *testing.T, a *api, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := a.rows(); !slices.Equal(got, want) {
		t.Fatalf("association rows:\n got %v\nwant %v", got, want)
	}
}

// labelID is the global id of the association type with label between
// two object types.
func (a *api) labelID(from, to, label string) string {
	a.t.Helper()
	var out struct {
		AssociationTypes []struct {
			ID    string
			Label *string
		}
	}
	a.ok(`query($f: String!, $t: String!) { associationTypes(fromObjectType: $f, toObjectType: $t) { id label } }`,
		map[string]any{"f": from, "t": to}, &out)
	for _, at := range out.AssociationTypes {
		if (at.Label == nil && label == "") || (at.Label != nil && *at.Label == label) {
			return at.ID
		}
	}
	a.t.Fatalf("no label %q from %s to %s", label, from, to)
	return ""
}

func TestAssociationRules(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "c@example.com"})
		co := a.create("companies", map[string]any{"name": "Acme"})
		co2 := a.create("companies", map[string]any{"name": "Globex"})

		t.Run("both directions, unlabeled", func(t *testing.T) {
			a.associate(c, co)
			wantRows(t, a, edge(c, co, "-"), edge(co, c, "-"))
		})
		t.Run("a label adds, beside the unlabeled association", func(t *testing.T) {
			a.associate(c, co, "Primary")
			wantRows(t, a, edge(c, co, "-"), edge(co, c, "-"), edge(c, co, "Primary"), edge(co, c, "Primary"))
			a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "contacts", toObjectType: "companies", label: "Billing contact"}) { associationType { id } } }`, nil, nil)
			a.associate(c, co, "Billing contact")
			wantRows(t, a, edge(c, co, "-"), edge(co, c, "-"), edge(c, co, "Primary"), edge(co, c, "Primary"),
				edge(c, co, "Billing contact"), edge(co, c, "Billing contact"))
			a.associate(c, co, "Primary") // again: nothing changes
			if n := len(a.rows()); n != 6 {
				t.Fatalf("%d rows", n)
			}
		})
		t.Run("one primary company", func(t *testing.T) {
			e := a.fails(associateMutation, map[string]any{"from": c.ID, "to": co2.ID, "labels": []string{"Primary"}}, "CONFLICT", "")
			if e.Extensions["existingId"] != co.ID {
				t.Fatalf("conflict names %v, want the primary %s", e.Extensions["existingId"], co.ID)
			}
			if n := len(a.rows()); n != 6 {
				t.Fatalf("refused associate wrote: %v", a.rows())
			}
		})
		t.Run("removing a label keeps the rest", func(t *testing.T) {
			var out struct {
				Disassociate struct {
					Removed int
					Labels  []struct{ Label *string }
				}
			}
			a.ok(disassociateMutation, map[string]any{"from": co.ID, "to": c.ID, "labels": []string{"Billing contact"}}, &out)
			if out.Disassociate.Removed != 2 || len(out.Disassociate.Labels) != 2 {
				t.Fatalf("got %+v", out.Disassociate)
			}
			wantRows(t, a, edge(c, co, "-"), edge(co, c, "-"), edge(c, co, "Primary"), edge(co, c, "Primary"))
		})
		t.Run("removing the unlabeled association removes every label", func(t *testing.T) {
			var out struct {
				Disassociate struct{ Removed int }
			}
			a.ok(disassociateMutation, map[string]any{"from": c.ID, "to": co.ID}, &out)
			if out.Disassociate.Removed != 4 {
				t.Fatalf("removed %d", out.Disassociate.Removed)
			}
			wantRows(t, a)
		})
		t.Run("refusals", func(t *testing.T) {
			a.fails(associateMutation, map[string]any{"from": c.ID, "to": co.ID, "labels": []string{"Best friend"}}, "BAD_USER_INPUT", "labels")
			a.fails(associateMutation, map[string]any{"from": c.ID, "to": c.ID}, "BAD_USER_INPUT", "")
			a.fails(associateMutation, map[string]any{"from": c.ID, "to": "UmVjb3JkOjk5OTk5"}, "NOT_FOUND", "")
			wantRows(t, a)
		})
	})
}

func TestAssociationLimits(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "c@example.com"})
		var cos []recordJSON
		for i := range 3 {
			cos = append(cos, a.create("companies", map[string]any{"name": fmt.Sprint("Co ", i)}))
		}
		a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "contacts", toObjectType: "companies", label: "Advisor", limit: 2}) { associationType { limit } } }`, nil, nil)
		a.associate(c, cos[0], "Advisor")
		a.associate(c, cos[1], "Advisor")
		e := a.fails(associateMutation, map[string]any{"from": c.ID, "to": cos[2].ID, "labels": []string{"Advisor"}}, "LIMIT_EXCEEDED", "")
		if e.Extensions["existingId"] != c.ID {
			t.Fatalf("limit error names %v, want the contact", e.Extensions["existingId"])
		}
		t.Run("a limit on the pair", func(t *testing.T) {
			var out struct {
				SetAssociationLimit struct{ AssociationType struct{ Limit *int } }
			}
			a.ok(`mutation($id: ID!) { setAssociationLimit(input: {id: $id, limit: 2}) { associationType { limit } } }`,
				map[string]any{"id": a.labelID("contacts", "companies", "")}, &out)
			if l := out.SetAssociationLimit.AssociationType.Limit; l == nil || *l != 2 {
				t.Fatalf("limit %v", l)
			}
			a.fails(associateMutation, map[string]any{"from": c.ID, "to": cos[2].ID}, "LIMIT_EXCEEDED", "")
			a.ok(`mutation($id: ID!) { setAssociationLimit(input: {id: $id}) { associationType { limit } } }`,
				map[string]any{"id": a.labelID("contacts", "companies", "")}, nil)
			a.associate(c, cos[2])
		})
	})
}

func TestPairedLabelsReadFromBothSides(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		boss := a.create("contacts", map[string]any{"email": "boss@example.com"})
		clerk := a.create("contacts", map[string]any{"email": "clerk@example.com"})
		a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "contacts", toObjectType: "contacts", label: "Manager", inverseLabel: "Employee"}) { associationType { label inverse { label } } } }`, nil, nil)
		// From the clerk, the boss is the Manager.
		a.associate(clerk, boss, "Manager")
		wantRows(t, a, edge(clerk, boss, "-"), edge(boss, clerk, "-"), edge(clerk, boss, "Manager"), edge(boss, clerk, "Employee"))
		const q = `query($id: ID!) { record(id: $id) { associations(toObjectType: "contacts") { edges { node { id } labels { label category } } } } }`
		for _, side := range []struct {
			from, to recordJSON
			label    string
		}{{clerk, boss, "Manager"}, {boss, clerk, "Employee"}} {
			var out struct {
				Record struct {
					Associations struct {
						Edges []struct {
							Node   struct{ ID string }
							Labels []struct {
								Label    *string
								Category string
							}
						}
					}
				}
			}
			a.ok(q, map[string]any{"id": side.from.ID}, &out)
			edges := out.Record.Associations.Edges
			if len(edges) != 1 || edges[0].Node.ID != side.to.ID || len(edges[0].Labels) != 2 ||
				edges[0].Labels[0].Label != nil || *edges[0].Labels[1].Label != side.label || edges[0].Labels[1].Category != "USER_DEFINED" {
				t.Fatalf("from %s: %+v", side.from.RecordID, edges)
			}
		}
	})
}

func TestDeleteAndRenameLabels(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "c@example.com"})
		d := a.create("deals", map[string]any{"dealname": "D", "pipeline": "default", "dealstage": "closedwon"})
		var created struct {
			CreateAssociationLabel struct{ AssociationType struct{ ID string } }
		}
		a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "contacts", toObjectType: "deals", label: "Champion", inverseLabel: "Championed by"}) { associationType { id } } }`, nil, &created)
		id := created.CreateAssociationLabel.AssociationType.ID
		a.associate(c, d, "Champion")

		var renamed struct {
			RenameAssociationLabel struct {
				AssociationType struct {
					Label   string
					Inverse struct{ Label string }
				}
			}
		}
		a.ok(`mutation($id: ID!) { renameAssociationLabel(input: {id: $id, label: "Sponsor", inverseLabel: "Sponsored by"}) { associationType { label inverse { label } } } }`,
			map[string]any{"id": id}, &renamed)
		if at := renamed.RenameAssociationLabel.AssociationType; at.Label != "Sponsor" || at.Inverse.Label != "Sponsored by" {
			t.Fatalf("renamed %+v", at)
		}
		wantRows(t, a, edge(c, d, "-"), edge(d, c, "-"), edge(c, d, "Sponsor"), edge(d, c, "Sponsored by"))

		e := a.fails(`mutation($id: ID!) { deleteAssociationLabel(input: {id: $id}) { deletedId } }`, map[string]any{"id": id}, "CONFLICT", "")
		if e.Message == "" {
			t.Fatal("no message")
		}
		var del struct {
			DeleteAssociationLabel struct{ RemovedAssociations int }
		}
		a.ok(`mutation($id: ID!) { deleteAssociationLabel(input: {id: $id, removeAssociations: true}) { deletedId removedAssociations } }`, map[string]any{"id": id}, &del)
		if del.DeleteAssociationLabel.RemovedAssociations != 2 {
			t.Fatalf("removed %d", del.DeleteAssociationLabel.RemovedAssociations)
		}
		wantRows(t, a, edge(c, d, "-"), edge(d, c, "-"))
		a.fails(`mutation($id: ID!) { deleteAssociationLabel(input: {id: $id}) { deletedId } }`,
			map[string]any{"id": a.labelID("contacts", "companies", "Primary")}, "FORBIDDEN", "")
	})
}

func TestCreateRecordWithAssociations(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		co := a.create("companies", map[string]any{"name": "Acme"})
		const m = `mutation($to: ID!, $labels: [String!]) {
			createRecord(input: {objectType: "contacts", properties: {email: "new@example.com"}, associations: [{to: $to, labels: $labels}]}) {
				record { recordId associations(toObjectType: "companies") { edges { node { id } labels { label } } } }
			}
		}`
		a.fails(m, map[string]any{"to": co.ID, "labels": []string{"Nope"}}, "BAD_USER_INPUT", "labels")
		if n := a.count("contacts"); n != 0 {
			t.Fatalf("a refused association left %d contacts", n)
		}
		wantRows(t, a)
		var out struct {
			CreateRecord struct {
				Record struct {
					RecordID     string
					Associations struct {
						Edges []struct {
							Node   struct{ ID string }
							Labels []struct{ Label *string }
						}
					}
				}
			}
		}
		a.ok(m, map[string]any{"to": co.ID, "labels": []string{"Primary"}}, &out)
		edges := out.CreateRecord.Record.Associations.Edges
		if len(edges) != 1 || edges[0].Node.ID != co.ID || len(edges[0].Labels) != 2 {
			t.Fatalf("edges %+v", edges)
		}
		c := recordJSON{RecordID: out.CreateRecord.Record.RecordID}
		wantRows(t, a, edge(c, co, "-"), edge(co, c, "-"), edge(c, co, "Primary"), edge(co, c, "Primary"))
	})
}

func TestArchivedRecordsLeaveAssociations(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		co := a.create("companies", map[string]any{"name": "Acme"})
		c1 := a.create("contacts", map[string]any{"email": "one@example.com"})
		c2 := a.create("contacts", map[string]any{"email": "two@example.com"})
		a.associate(c1, co)
		a.associate(c2, co)
		list := func() []string {
			var out struct {
				Record struct {
					Associations struct {
						TotalCount int
						Edges      []struct{ Node struct{ ID string } }
					}
				}
			}
			a.ok(`query($id: ID!) { record(id: $id) { associations(toObjectType: "contacts") { totalCount edges { node { id } } } } }`, map[string]any{"id": co.ID}, &out)
			var ids []string
			for _, e := range out.Record.Associations.Edges {
				ids = append(ids, e.Node.ID)
			}
			if out.Record.Associations.TotalCount != len(ids) {
				t.Fatalf("totalCount %d for %d edges", out.Record.Associations.TotalCount, len(ids))
			}
			return ids
		}
		if ids := list(); !slices.Equal(ids, []string{c2.ID, c1.ID}) {
			t.Fatalf("before: %v", ids)
		}
		a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": c2.ID}, nil)
		if ids := list(); !slices.Equal(ids, []string{c1.ID}) {
			t.Fatalf("archived contact still listed: %v", ids)
		}
		a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": c2.ID}, nil)
		if ids := list(); !slices.Equal(ids, []string{c2.ID, c1.ID}) {
			t.Fatalf("restored contact's association is gone: %v", ids)
		}
	})
}

func TestPrimaryRuleUnderConcurrency(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "c@example.com"})
		cos := []recordJSON{a.create("companies", map[string]any{"name": "A"}), a.create("companies", map[string]any{"name": "B"})}
		for round := range 5 {
			a.ok(disassociateMutation, map[string]any{"from": c.ID, "to": cos[0].ID}, nil)
			a.ok(disassociateMutation, map[string]any{"from": c.ID, "to": cos[1].ID}, nil)
			var wg sync.WaitGroup
			resps := make([]*response, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resps[i] = a.do(associateMutation, map[string]any{"from": c.ID, "to": cos[i].ID, "labels": []string{"Primary"}})
				}()
			}
			wg.Wait()
			ok, conflicts := 0, 0
			for _, r := range resps {
				if len(r.Errors) == 0 {
					ok++
				} else if r.Errors[0].Extensions["code"] == "CONFLICT" {
					conflicts++
				} else {
					t.Fatalf("round %d: %+v", round, r.Errors)
				}
			}
			primaries := 0
			for _, r := range a.rows() {
				if strings.HasSuffix(r, ":Primary") {
					primaries++
				}
			}
			if ok != 1 || conflicts != 1 || primaries != 2 {
				t.Fatalf("round %d: %d ok, %d conflicts, %d primary rows (want one pair)", round, ok, conflicts, primaries)
			}
		}
	})
}

func TestAssociateRecordsPerItem(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "c@example.com"})
		co := a.create("companies", map[string]any{"name": "A"})
		co2 := a.create("companies", map[string]any{"name": "B"})
		var out struct {
			AssociateRecords struct {
				Written, Failed int
				Results         []struct {
					Index  int
					Labels []struct{ Label *string }
					Error  *struct{ Code string }
				}
			}
		}
		a.ok(`mutation($in: [AssociateInput!]!) { associateRecords(input: {inputs: $in}) { written failed results { index labels { label } error { code } } } }`,
			map[string]any{"in": []map[string]any{
				{"from": c.ID, "to": co.ID, "labels": []string{"Primary"}},
				{"from": c.ID, "to": co2.ID, "labels": []string{"Primary"}},
				{"from": c.ID, "to": co2.ID},
			}}, &out)
		b := out.AssociateRecords
		if b.Written != 2 || b.Failed != 1 || b.Results[1].Error == nil || b.Results[1].Error.Code != "CONFLICT" || len(b.Results[0].Labels) != 2 {
			t.Fatalf("%+v", b)
		}
		wantRows(t, a, edge(c, co, "-"), edge(co, c, "-"), edge(c, co, "Primary"), edge(co, c, "Primary"), edge(c, co2, "-"), edge(co2, c, "-"))
	})
}

func TestDataModel(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var out struct {
			DataModel struct {
				ObjectTypes      []struct{ Name string }
				AssociationTypes []struct {
					FromObjectType struct{ Name string }
					ToObjectType   struct{ Name string }
					Label          *string
					Limit          *int
					Inverse        struct{ Label *string }
				}
			}
		}
		a.ok(`{ dataModel { objectTypes { name } associationTypes { fromObjectType { name } toObjectType { name } label limit inverse { label } } } }`, nil, &out)
		if len(out.DataModel.ObjectTypes) != 9 {
			t.Fatalf("%d object types", len(out.DataModel.ObjectTypes))
		}
		primaries := 0
		for _, at := range out.DataModel.AssociationTypes {
			if at.Label != nil && *at.Label == "Primary" && at.ToObjectType.Name == "companies" {
				primaries++
				if at.Limit == nil || *at.Limit != 1 || at.Inverse.Label == nil {
					t.Fatalf("primary %+v", at)
				}
			}
		}
		if primaries != 3 {
			t.Fatalf("%d primary types to companies", primaries)
		}
	})
}
