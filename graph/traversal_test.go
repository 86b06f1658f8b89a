package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
)

// createLinked creates n records of objectType, each associated with to
// (under labels), in one batch, and returns them.
func (a *api) createLinked(objectType string, n int, props func(i int) map[string]any, to recordJSON, labels ...string) []recordJSON {
	a.t.Helper()
	var out []recordJSON
	for start := 0; start < n; start += 1000 {
		var inputs []map[string]any
		for i := start; i < min(n, start+1000); i++ {
			inputs = append(inputs, map[string]any{"properties": props(i),
				"associations": []map[string]any{{"to": to.ID, "labels": labels}}})
		}
		out = append(out, a.createAll(objectType, inputs)...)
	}
	return out
}

func deal(i int) map[string]any {
	return map[string]any{"dealname": fmt.Sprint("Deal ", i), "pipeline": "default", "dealstage": "qualifiedtobuy", "amount": i}
}

// nestedQuery is companies -> contacts -> deals cut at levels, each level
// paginated with size.
func nestedQuery(levels, size int) string {
	deals := fmt.Sprintf(`associations(toObjectType: "deals", first: %d) { edges { cursor labels { label } node { recordId displayName properties(names: ["amount"]) } } pageInfo { hasNextPage endCursor } }`, size)
	contacts := fmt.Sprintf(`associations(toObjectType: "contacts", first: %d) { edges { cursor labels { label } node { recordId displayName %s } } pageInfo { hasNextPage endCursor } }`, size, map[bool]string{true: deals}[levels >= 3])
	return fmt.Sprintf(`{ records(objectType: "companies", first: %d) { edges { node { recordId displayName %s } } } }`, size, map[bool]string{true: contacts}[levels >= 2])
}

func TestNestedQueriesStatementBound(t *testing.T) {
	eachCounting(t, func(t *testing.T, a *api) {
		const companies, contactsEach, dealsEach = 5, 12, 3
		for c := range companies {
			co := a.create("companies", map[string]any{"name": fmt.Sprint("Company ", c)})
			contacts := a.createLinked("contacts", contactsEach, func(i int) map[string]any {
				return map[string]any{"email": fmt.Sprintf("c%d.%d@example.com", c, i)}
			}, co)
			for _, ct := range contacts {
				a.createLinked("deals", dealsEach, deal, ct)
			}
		}
		a.counter.Keep = true
		// A read plan answers these queries; gqlgen's executor must keep
		// the same bound for the selections a plan does not know. Pages of
		// 100 three levels deep cost 11 million, over the default limit.
		for _, via := range []struct {
			name    string
			noPlans bool
		}{{"read plan", plansOff}, {"executor", true}} {
			a := a.withConfig(graph.Config{NoReadPlans: via.noPlans, Limits: graph.Limits{Cost: 20_000_000}})
			a.ok(`{ objectTypes { name } }`, nil, nil) // a new server reads the definitions once
			for _, levels := range []int{1, 2, 3} {
				// One statement a level. SQLite reads the definitions'
				// version besides; PostgreSQL hears it (meta.Cache).
				most := levels + 1
				if a.d.Dialect.Name() == "postgres" {
					most = levels
				}
				for _, size := range []int{1, 10, 100} {
					t.Run(fmt.Sprintf("%s, %d levels, pages of %d", via.name, levels, size), func(t *testing.T) {
						a.counter.Reset()
						var out nestedAnswer
						a.ok(nestedQuery(levels, size), nil, &out)
						var data []string
						for _, s := range a.counter.Statements() {
							if strings.Contains(s, "records") || strings.Contains(s, "associations") {
								data = append(data, s)
							}
						}
						if len(data) > levels || a.counter.Count() > int64(most) {
							t.Fatalf("%d statements for records and associations, %d in all (at most %d), for %d levels:\n%s",
								len(data), a.counter.Count(), most, levels, strings.Join(a.counter.Statements(), "\n"))
						}
						t.Logf("%d statements, %d for records and associations", a.counter.Count(), len(data))
						// Every parent got its own page, whatever its siblings hold.
						edges := out.Records.Edges
						if len(edges) != min(size, companies) {
							t.Fatalf("%d companies", len(edges))
						}
						for _, co := range edges {
							if levels >= 2 && len(co.Node.Associations.Edges) != min(size, contactsEach) {
								t.Fatalf("a company has %d contacts on its page", len(co.Node.Associations.Edges))
							}
							for _, ct := range co.Node.Associations.Edges {
								if levels >= 3 && len(ct.Node.Associations.Edges) != min(size, dealsEach) {
									t.Fatalf("a contact has %d deals on its page", len(ct.Node.Associations.Edges))
								}
							}
						}
					})
				}
			}
		}
	})
}

func TestPerParentPagination(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		sizes := []int{0, 1, 10, 11, 300}
		want := map[string][]string{}
		var companyIDs []string
		for c, n := range sizes {
			co := a.create("companies", map[string]any{"name": fmt.Sprint("Company ", c)})
			companyIDs = append(companyIDs, co.ID)
			contacts := a.createLinked("contacts", n, func(i int) map[string]any {
				return map[string]any{"email": fmt.Sprintf("p%d.%d@example.com", c, i)}
			}, co)
			for _, ct := range contacts {
				want[co.ID] = append(want[co.ID], ct.ID)
			}
			slices.Sort(want[co.ID])
		}
		type conn struct {
			Edges    []struct{ Node struct{ ID string } }
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
		}
		// The first page of every company in one query.
		var first struct {
			Records struct {
				Edges []struct {
					Node struct {
						ID           string
						Associations conn
					}
				}
			}
		}
		a.ok(`{ records(objectType: "companies", first: 10) { edges { node { id associations(toObjectType: "contacts", first: 10) { edges { node { id } } pageInfo { hasNextPage endCursor } } } } } }`, nil, &first)
		if len(first.Records.Edges) != len(sizes) {
			t.Fatalf("%d companies", len(first.Records.Edges))
		}
		for _, co := range first.Records.Edges {
			got := []string{}
			page := co.Node.Associations
			for pages := 0; ; pages++ {
				if pages > 40 {
					t.Fatal("pagination does not end")
				}
				for _, e := range page.Edges {
					got = append(got, e.Node.ID)
				}
				if len(page.Edges) > 10 {
					t.Fatalf("a page of %d", len(page.Edges))
				}
				if !page.PageInfo.HasNextPage {
					break
				}
				var next struct {
					Record struct{ Associations conn }
				}
				a.ok(`query($id: ID!, $after: String) { record(id: $id) { associations(toObjectType: "contacts", first: 10, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
					map[string]any{"id": co.Node.ID, "after": *page.PageInfo.EndCursor}, &next)
				page = next.Record.Associations
			}
			slices.Sort(got)
			if !slices.Equal(got, want[co.Node.ID]) && !(len(got) == 0 && len(want[co.Node.ID]) == 0) {
				t.Fatalf("company %s: visited %d contacts, it has %d (each exactly once?)", co.Node.ID, len(got), len(want[co.Node.ID]))
			}
		}
	})
}

func TestTraversalWithLabelsAndFallbackLoader(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		co := a.create("companies", map[string]any{"name": "Acme"})
		co2 := a.create("companies", map[string]any{"name": "Globex"})
		dm := a.create("contacts", map[string]any{"email": "dm@example.com"})
		other := a.create("contacts", map[string]any{"email": "other@example.com"})
		a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "companies", toObjectType: "contacts", label: "Decision maker", inverseLabel: "Decides for"}) { associationType { id } } }`, nil, nil)
		a.associate(co, dm, "Decision maker")
		a.associate(co, other)
		a.associate(co2, other, "Decision maker")
		// nodes() is not prefetched: its associations batch through the
		// request's loader instead, and answer the same.
		var out struct {
			Nodes []struct {
				Associations struct {
					TotalCount int
					Edges      []struct {
						Node   struct{ ID string }
						Labels []struct{ Label *string }
					}
				}
			}
		}
		a.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Record { associations(toObjectType: "contacts", labels: ["Decision maker"]) { totalCount edges { node { id } labels { label } } } } } }`,
			map[string]any{"ids": []string{co.ID, co2.ID}}, &out)
		if len(out.Nodes) != 2 {
			t.Fatalf("%+v", out)
		}
		for i, wantID := range []string{dm.ID, other.ID} {
			e := out.Nodes[i].Associations.Edges
			if out.Nodes[i].Associations.TotalCount != 1 || len(e) != 1 || e[0].Node.ID != wantID || len(e[0].Labels) != 2 {
				t.Fatalf("company %d: %+v", i, out.Nodes[i].Associations)
			}
		}
		a.fails(`query($id: ID!) { record(id: $id) { associations(toObjectType: "unicorns") { totalCount } } }`, map[string]any{"id": co.ID}, "NOT_FOUND", "")
	})
}

// propertyHistory of every record of a page, and the existing records of
// a batch's conflicts, each load in one statement, not one per record.
func TestHistoryAndConflictsLoadInBatches(t *testing.T) {
	eachCounting(t, func(t *testing.T, a *api) {
		var emails []string
		for i := range 12 {
			e := fmt.Sprintf("h%d@example.com", i)
			emails = append(emails, e)
			a.create("contacts", map[string]any{"email": e, "firstname": "F"})
		}
		a.counter.Keep = true
		a.counter.Reset()
		var out struct {
			Records struct {
				Edges []struct {
					Node struct {
						PropertyHistory struct {
							Edges []struct{ Node struct{ Property string } }
						}
					}
				}
			}
		}
		a.ok(`{ records(objectType: "contacts", first: 20) { edges { node { propertyHistory(first: 1) { edges { node { property } } } } } } }`, nil, &out)
		history := 0
		for _, s := range a.counter.Statements() {
			if strings.Contains(s, "property_histories") {
				history++
			}
		}
		if history != 1 || len(out.Records.Edges) != 12 || len(out.Records.Edges[0].Node.PropertyHistory.Edges) != 1 {
			t.Fatalf("%d history statements for 12 records: %+v", history, out)
		}

		inputs := make([]map[string]any, len(emails))
		for i, e := range emails {
			inputs[i] = map[string]any{"properties": map[string]any{"email": e}}
		}
		a.counter.Reset()
		var batch struct{ CreateRecords batchJSON }
		a.ok(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { `+batchFields+` } }`, map[string]any{"in": inputs}, &batch)
		reads := 0
		for _, s := range a.counter.Statements() {
			if strings.HasPrefix(s, `SELECT "id", "workspace_id"`) {
				reads++
			}
		}
		if batch.CreateRecords.Failed != 12 || batch.CreateRecords.Results[11].Error.ExistingRecord == nil || reads != 1 {
			t.Fatalf("%d reads of existing records for 12 conflicts: %+v", reads, batch.CreateRecords)
		}
	})
}
