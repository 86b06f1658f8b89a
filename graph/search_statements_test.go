package graph_test

// Filters and sorts keep the statement bound of nested reads (issue 13,
// rule 6), read plans answer them with the executor's bytes, and limits
// are refused before the database is asked for anything but the
// definitions (rule 7).

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
)

// filteredNestedQuery is companies(filter) -> contacts(filter, sort) ->
// deals(filter), cut at levels; filters hold association leaves too.
func filteredNestedQuery(levels int) string {
	deals := `associations(toObjectType: "deals", first: 5, filter: {or: [{property: "amount", operator: GTE, value: 0},
		{association: {toObjectType: "companies", some: {property: "name", operator: CONTAINS, value: "1"}}}]},
		sort: [{property: "amount", direction: DESC}, {property: "dealname"}]) {
		edges { cursor node { recordId properties(names: ["amount"]) } } pageInfo { hasNextPage endCursor } }`
	contacts := fmt.Sprintf(`associations(toObjectType: "contacts", first: 10, filter: {and: [{property: "email", operator: CONTAINS, value: "@"},
		{not: {property: "firstname", operator: EQ, value: "Zed"}}, {association: {toObjectType: "deals", minCount: 1}}]},
		sort: [{property: "firstname", nulls: FIRST}, {property: "createdate", direction: DESC}, {property: "email"}]) {
		edges { cursor labels { label } node { recordId displayName %s } } pageInfo { hasNextPage endCursor } }`, map[bool]string{true: deals}[levels >= 3])
	return fmt.Sprintf(`{ records(objectType: "companies", first: 10, filter: {property: "name", operator: STARTS_WITH, value: "company"},
		sort: [{property: "name", direction: DESC}]) { edges { cursor node { recordId displayName %s } } } }`, map[bool]string{true: contacts}[levels >= 2])
}

// nestedData makes companies, each with contacts, each with deals.
func nestedData(a *api) {
	a.t.Helper()
	for c := range 4 {
		co := a.create("companies", map[string]any{"name": fmt.Sprint("Company ", c)})
		contacts := a.createLinked("contacts", 6, func(i int) map[string]any {
			p := map[string]any{"email": fmt.Sprintf("c%d.%d@example.com", c, i)}
			if i%3 > 0 {
				p["firstname"] = []string{"", "Ann", "Zed"}[i%3]
			}
			return p
		}, co)
		for _, ct := range contacts {
			a.createLinked("deals", 3, deal, ct)
		}
	}
}

func TestFilteredNestedQueriesStatementBound(t *testing.T) {
	eachCounting(t, func(t *testing.T, a *api) {
		nestedData(a)
		a.analyze()
		a.counter.Keep = true
		for _, via := range a.planAndExecutor() {
			a := via.a
			a.ok(`{ objectTypes { name } }`, nil, nil) // a new server reads the definitions once
			for _, levels := range []int{1, 2, 3} {
				t.Run(fmt.Sprintf("%s, %d levels", via.name, levels), func(t *testing.T) {
					a.counter.Reset()
					var out nestedAnswer
					a.ok(filteredNestedQuery(levels), nil, &out)
					var data []string
					for _, s := range a.counter.Statements() {
						if strings.Contains(s, "records") || strings.Contains(s, "associations") {
							data = append(data, s)
						}
					}
					if len(data) != levels || a.counter.Count() > int64(levels+1) {
						t.Fatalf("%d statements for records and associations, %d in all, for %d levels:\n%s",
							len(data), a.counter.Count(), levels, strings.Join(a.counter.Statements(), "\n"))
					}
					// The filters kept something at every level.
					if len(out.Records.Edges) != 4 {
						t.Fatalf("%d companies", len(out.Records.Edges))
					}
					for _, co := range out.Records.Edges {
						if levels >= 2 && len(co.Node.Associations.Edges) != 4 { // Zed and those without deals left out
							t.Fatalf("a company has %d contacts", len(co.Node.Associations.Edges))
						}
						for _, ct := range co.Node.Associations.Edges {
							if levels >= 3 && len(ct.Node.Associations.Edges) != 3 {
								t.Fatalf("a contact has %d deals", len(ct.Node.Associations.Edges))
							}
						}
					}
				})
			}
		}
	})
}

// nestedAnswer is the answer of companies -> contacts -> deals.
type nestedAnswer struct {
	Records struct {
		Edges []struct {
			Node struct {
				Associations struct {
					Edges []struct {
						Node struct {
							Associations struct {
								Edges []struct{ Node struct{ RecordID string } }
							}
						}
					}
				}
			}
		}
	}
}

// planAndExecutor is a beside the same API with every field answered by
// gqlgen's executor: nested reads keep their bound either way.
func (a *api) planAndExecutor() []struct {
	name string
	a    *api
} {
	return []struct {
		name string
		a    *api
	}{{"read plan", a}, {"executor", a.executorOnly()}}
}

// filterPlanQueries select filters and sorts as clients write them:
// literals, variables, lists coerced from one value, nested pages, both
// directions.
var filterPlanQueries = []struct {
	name  string
	query string
	vars  map[string]any
}{
	{"filters and sorts as literals", filteredNestedQuery(3), nil},
	{"as variables", `query($f: RecordFilter, $s: [RecordSort!], $g: RecordFilter, $t: [RecordSort!]) {
		records(objectType: "contacts", filter: $f, sort: $s, last: 4) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { recordId properties
				associations(toObjectType: "deals", filter: $g, sort: $t) { totalCount edges { cursor node { recordId } } } } }
		}
	}`, map[string]any{
		"f": map[string]any{"or": []any{leaf("firstname", "HAS_PROPERTY"), map[string]any{"association": map[string]any{"toObjectType": "companies",
			"every": leaf("name", "CONTAINS_TOKEN", "value", "company")}}}},
		"s": []any{key("firstname", "DESC"), key("email")},
		"g": leaf("amount", "BETWEEN", "value", "0", "highValue", 2),
		"t": key("closedate", "DESC")}}, // one key where a list goes
	{"one value where a list goes, in variables", `query($f: RecordFilter, $s: [RecordSort!]) {
		records(objectType: "contacts", filter: $f, sort: $s, first: 5) { edges { cursor node { recordId } } } }`, map[string]any{
		"f": map[string]any{"and": map[string]any{"association": map[string]any{"toObjectType": "companies", "labels": "Primary",
			"some": leaf("name", "IN", "values", "Company 1")}}},
		"s": key("email", "DESC")}},
	{"one sort key and one value for lists", `{ records(objectType: "deals", sort: {property: "amount", direction: DESC, nulls: LAST},
		filter: {property: "amount", operator: IN, values: 2}, first: 3) { edges { cursor node { recordId } } } }`, nil},
	{"a filter that keeps nothing", `{ records(objectType: "companies", filter: {property: "name", operator: EQ, value: "none"}) {
		totalCount edges { node { recordId } } pageInfo { startCursor endCursor } } }`, nil},
}

// TestReadPlanAnswersFiltersAsExecutor answers filtered and sorted reads
// through a read plan and through gqlgen's executor: the same bytes; a
// refused filter is the executor's to report, with the same error.
func TestReadPlanAnswersFiltersAsExecutor(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		nestedData(a)
		exec := a.executorOnly().h
		planning := graph.NewHandler(graph.Config{DB: a.d, WorkspaceID: a.ws})
		for _, q := range filterPlanQueries {
			t.Run(q.name, func(t *testing.T) {
				before := planning.PlannedFields()
				plan := post(t, planning, q.query, q.vars)
				if planning.PlannedFields() != before+1 {
					t.Fatalf("the executor answered it, not a read plan:\n%s", plan)
				}
				if executor := post(t, exec, q.query, q.vars); !bytes.Equal(plan, executor) {
					t.Fatalf("read plan:\n%s\nexecutor:\n%s", plan, executor)
				}
				if bytes.Contains(plan, []byte(`"errors"`)) {
					t.Fatalf("failed: %s", plan)
				}
			})
		}
		for _, r := range []refusal{
			bad("an unknown property", leaf("nope", "EQ", "value", 1), "nope", "filter.property"),
			bad("a bad value below", leaf("amount", "GT", "value", "x"), "amount", "filter.value"),
			{name: "six sort keys", sort: sortKeys(6), code: "LIMIT_EXCEEDED", path: "sort"},
		} {
			t.Run(r.name, func(t *testing.T) {
				query := `query($f: RecordFilter, $s: [RecordSort!]) { records(objectType: "contacts", first: 2) { edges { node {
					recordId associations(toObjectType: "deals", filter: $f, sort: $s) { edges { node { recordId } } } } } } }`
				if r.name == "an unknown property" {
					query = `query($f: RecordFilter, $s: [RecordSort!]) { records(objectType: "contacts", filter: $f, sort: $s) { edges { node { recordId } } } }`
				}
				vars := map[string]any{"f": r.filter, "s": r.sort}
				if r.name == "six sort keys" {
					vars["s"] = []map[string]any{key("amount"), key("dealname"), key("amount"), key("dealname"), key("closedate"), key("createdate")}
				}
				plan, executor := sortedErrors(t, post(t, planning, query, vars)), sortedErrors(t, post(t, exec, query, vars))
				if plan != executor || !strings.Contains(plan, r.code) || !strings.Contains(plan, r.path) {
					t.Fatalf("read plan:\n%s\nexecutor:\n%s", plan, executor)
				}
			})
		}
	})
}

// TestSearchLimitsBeforeTheDatabase: a filter past 6 levels or 100
// leaves, or more than 5 sort keys, is refused with LIMIT_EXCEEDED before
// any statement at the root, and below it before the field's own.
func TestSearchLimitsBeforeTheDatabase(t *testing.T) {
	eachCounting(t, func(t *testing.T, a *api) {
		a.createObjectType(gadgetsInput())
		c := a.create("contacts", map[string]any{"email": "limits@example.com"})
		a.associate(c, a.create("gadgets", map[string]any{"label": "x"}))
		a.counter.Keep = true
		cases := []struct {
			name   string
			filter map[string]any
			sort   []map[string]any
		}{
			{"7 levels", nested(7), nil},
			{"7 levels of associations", nestedAssociations(7), nil},
			{"101 leaves", leaves(101), nil},
			{"6 sort keys", nil, sortKeys(6)},
		}
		for _, via := range a.planAndExecutor() {
			a := via.a
			a.ok(`{ objectTypes { name } }`, nil, nil)
			for _, c := range cases {
				for _, query := range []string{
					`query($f: RecordFilter, $s: [RecordSort!]) { records(objectType: "gadgets", filter: $f, sort: $s) { totalCount edges { node { id } } } }`,
					`query($f: RecordFilter, $s: [RecordSort!]) { records(objectType: "contacts") { edges { node {
						associations(toObjectType: "gadgets", filter: $f, sort: $s) { totalCount edges { node { id } } } } } } }`,
				} {
					t.Run(via.name+", "+c.name, func(t *testing.T) {
						a.counter.Reset()
						nested := strings.Contains(query, "associations(")
						resp := a.do(query, map[string]any{"f": c.filter, "s": c.sort})
						if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "LIMIT_EXCEEDED" {
							t.Fatalf("%+v", resp.Errors)
						}
						// Below the root, the page of contacts is read
						// before its associations' arguments are decoded:
						// one statement, and none for the associations.
						var reads []string
						for _, s := range a.counter.Statements() {
							if !strings.Contains(s, "schema_version") {
								reads = append(reads, s)
							}
						}
						if (!nested && len(reads) != 0) || (nested && len(reads) > 1) || a.counter.Count() > int64(len(reads)+1) {
							t.Fatalf("%d statements:\n%s", a.counter.Count(), strings.Join(a.counter.Statements(), "\n"))
						}
					})
				}
			}
		}
	})
}
