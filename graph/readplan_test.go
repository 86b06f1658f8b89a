package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/acme/crm/graph"
)

// readPlanQueries select every field a read plan knows, in the ways a
// client writes them: aliases, fragments, directives, variables, both
// directions of paging, the recycle bin. Each must be answered by a plan.
var readPlanQueries = []struct {
	name  string
	query string
	vars  map[string]any
}{
	{"every field", `{
		records(objectType: "companies", first: 3) {
			__typename totalCount
			pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
			edges { __typename cursor node {
				__typename id recordId displayName properties createdAt updatedAt archived archivedAt
				values { __typename name type string number bool date dateTime options ownerId }
				associations(toObjectType: "contacts", first: 2) {
					__typename totalCount
					pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
					edges { __typename cursor labels { __typename typeId label category } node {
						id displayName properties(names: ["email", "vip", "tags", "seen", "mobilephone"])
						values(names: ["vip", "email", "tags", "seen", "mobilephone", "vip"]) { name type string bool dateTime options }
						associations(toObjectType: "deals", first: 5) {
							totalCount edges { labels { label } node { recordId properties(names: ["amount", "closedate", "dealname"]) values { name number date } } }
						}
					} }
				}
			} }
		}
	}`, nil},
	{"aliases and fragments", `query Companies {
		page: records(objectType: "companies", first: 2) {
			...Conn
			more: pageInfo { next: hasNextPage }
		}
	}
	fragment Conn on RecordConnection { edges { node { ...Rec ... on Node { nodeId: id } } } }
	fragment Rec on Record {
		name: displayName
		a: properties(names: ["name"]) b: properties(names: [])
		people: associations(toObjectType: "contacts", labels: ["Decision maker"]) { edges { node { displayName } } }
		all: associations(toObjectType: "contacts", last: 2) { edges { cursor node { recordId } } pageInfo { hasPreviousPage } }
	}`, nil},
	{"directives and variables", `query($n: Int, $skip: Boolean!, $labels: [String!], $names: [String!]) {
		records(objectType: "contacts", first: $n) {
			edges { node {
				recordId @skip(if: $skip) displayName @include(if: $skip)
				properties(names: $names)
				associations(toObjectType: "contacts", labels: $labels) { edges { labels { label category } node { displayName } } }
			} }
		}
	}`, map[string]any{"n": 4, "skip": true, "labels": []any{"Manager", "Employee"}, "names": []any{"email"}}},
	{"backward from a cursor", `query($before: String) {
		records(objectType: "contacts", last: 2, before: $before) {
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { recordId } }
		}
	}`, nil},
	{"the recycle bin", `{
		records(objectType: "contacts", archived: true) {
			totalCount edges { node { recordId archived archivedAt associations(toObjectType: "companies") { totalCount } } }
		}
	}`, nil},
	{"an empty page", `{ records(objectType: "tickets", first: 5) { totalCount edges { node { id } } pageInfo { endCursor } } }`, nil},
	// GraphQL's input coercion makes a lone value a list of one; the one
	// decoder does as the executor does.
	{"a label written as one string", `{ records(objectType: "companies") { edges { node { associations(toObjectType: "contacts", labels: "Decision maker") { edges { node { recordId } } } } } } }`, nil},
}

// executorQueries are answered by gqlgen's executor: each selects
// something a plan does not know, or fails where a plan gives way to the
// executor so that it reports the errors.
var executorQueries = []struct {
	name  string
	query string
}{
	{"a field of another type", `{ records(objectType: "contacts") { edges { node { objectType { name } } } } }`},
	{"history", `{ records(objectType: "contacts") { edges { node { propertyHistory { edges { node { value } } } } } } }`},
	{"as of a moment", `{ records(objectType: "contacts", asOf: "2030-01-01T00:00:00Z") { edges { node { recordId } } } }`},
	{"an unknown object type", `{ records(objectType: "nothing") { edges { node { recordId } } } }`},
	{"a page too big", `{ records(objectType: "contacts", first: 5000) { edges { node { recordId } } } }`},
	{"a bad cursor below", `{ records(objectType: "companies") { edges { node { associations(toObjectType: "contacts", after: "nonsense") { edges { node { recordId } } } } } } }`},
	{"another root field", `{ objectTypes { name } }`},
}

// TestReadPlanMatchesExecutor answers each query through a read plan and
// through gqlgen's executor over the same data: the two bodies must be
// the same bytes.
func TestReadPlanMatchesExecutor(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		exec := a.executorOnly().h
		planning := graph.NewHandler(graph.Config{DB: a.d, WorkspaceID: a.ws})
		// answer posts query to the planning handler and reports whether a
		// read plan answered it.
		answer := func(query string, vars map[string]any) (body []byte, byPlan bool) {
			before := planning.PlannedFields()
			body = post(t, planning, query, vars)
			return body, planning.PlannedFields() == before+1
		}
		readPlanData(a)
		var contacts struct {
			Records struct{ PageInfo struct{ EndCursor string } }
		}
		a.ok(`{ records(objectType: "contacts", first: 3) { pageInfo { endCursor } } }`, nil, &contacts)

		for _, q := range readPlanQueries {
			t.Run(q.name, func(t *testing.T) {
				vars := q.vars
				if q.name == "backward from a cursor" {
					vars = map[string]any{"before": contacts.Records.PageInfo.EndCursor}
				}
				plan, byPlan := answer(q.query, vars)
				if !byPlan {
					t.Fatalf("the executor answered it, not a read plan:\n%s", plan)
				}
				executor := post(t, exec, q.query, vars)
				if !bytes.Equal(plan, executor) {
					t.Fatalf("read plan:\n%s\nexecutor:\n%s", plan, executor)
				}
				var resp response
				if err := json.Unmarshal(plan, &resp); err != nil || len(resp.Errors) > 0 || len(resp.Data) < 20 {
					t.Fatalf("not a full answer: %s", plan)
				}
			})
		}
		for _, q := range executorQueries {
			t.Run(q.name, func(t *testing.T) {
				plan, byPlan := answer(q.query, nil)
				if byPlan {
					t.Fatalf("a read plan answered it:\n%s", plan)
				}
				executor := post(t, exec, q.query, nil)
				if p, e := sortedErrors(t, plan), sortedErrors(t, executor); p != e {
					t.Fatalf("answered differently:\n%s\nexecutor:\n%s", p, e)
				}
			})
		}
	})
}

// readPlanData makes records whose answers exercise every value type,
// labels (paired too), escapes and archived records.
func readPlanData(a *api) {
	a.t.Helper()
	a.createProperty("contacts", map[string]any{"name": "vip", "label": "VIP", "type": "BOOL", "fieldType": "BOOLEANCHECKBOX"})
	a.createProperty("contacts", map[string]any{"name": "seen", "label": "Seen", "type": "DATETIME", "fieldType": "DATE"})
	a.createProperty("contacts", map[string]any{"name": "tags", "label": "Tags", "type": "ENUMERATION", "fieldType": "CHECKBOX",
		"options": optionsInput("a", "b", "c")})
	a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "companies", toObjectType: "contacts", label: "Decision maker"}) { associationType { id } } }`, nil, nil)
	a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "contacts", toObjectType: "contacts", label: "Manager", inverseLabel: "Employee"}) { associationType { id } } }`, nil, nil)

	var companies, contacts []recordJSON
	for i := range 3 {
		companies = append(companies, a.create("companies", map[string]any{
			"name": fmt.Sprintf(`Acme "%d" <&> ünïcode`, i), "domain": fmt.Sprintf("acme%d.example.com", i), "annualrevenue": 1e12 + float64(i)}))
	}
	for i := range 6 {
		c := a.create("contacts", map[string]any{"email": fmt.Sprintf("p%d@example.com", i), "firstname": "Pat\n" + fmt.Sprint(i),
			"vip": i%2 == 0, "seen": "2026-11-30T10:00:00Z", "tags": []string{"a", "c"}[:i%3]})
		contacts = append(contacts, c)
		a.associate(companies[i%3], c)
		if i%2 == 0 {
			a.associate(companies[i%3], c, "Decision maker")
		}
		for j := range i % 3 {
			d := a.create("deals", map[string]any{"dealname": fmt.Sprintf("Deal %d.%d", i, j), "amount": 12345678901234567 + j,
				"closedate": "2027-01-31", "pipeline": "default", "dealstage": "qualifiedtobuy"})
			a.associate(c, d)
		}
	}
	a.associate(contacts[0], contacts[1], "Manager")
	a.associate(contacts[2], contacts[0], "Employee")
	a.archiveRecord(contacts[5])
}

// post sends a query to h and returns the response body.
func post(t *testing.T, h http.Handler, query string, vars map[string]any) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

// sortedErrors is a response body with its errors in a stable order: the
// executor resolves sibling fields concurrently and reports their errors
// as they come.
func sortedErrors(t *testing.T, body []byte) string {
	t.Helper()
	var resp struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	slices.SortFunc(resp.Errors, func(a, b json.RawMessage) int { return bytes.Compare(a, b) })
	out, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
