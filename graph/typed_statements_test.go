package graph_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
)

// typedNestedQuery is filteredNestedQuery(3) in the typed schema.
const typedNestedQuery = `{ companies(first: 10, filter: {name: {startsWith: "company"}}, sort: [{field: name, direction: DESC}]) {
	edges { cursor node { recordId displayName
	contacts(first: 10, filter: {and: [{email: {contains: "@"}}, {not: {firstname: {eq: "Zed"}}}, {deals: {minCount: 1}}]},
		sort: [{field: firstname, nulls: FIRST}, {field: createdate, direction: DESC}, {field: email}]) {
		edges { cursor labels { label } node { recordId displayName
		deals(first: 5, filter: {or: [{amount: {gte: 0}}, {companies: {some: {name: {contains: "1"}}}}]},
			sort: [{field: amount, direction: DESC}, {field: dealname}]) {
			edges { cursor node { recordId amount } } pageInfo { hasNextPage endCursor } } } }
		pageInfo { hasNextPage endCursor } } } } } }`

// asGeneric renames a typed answer's fields below the root to the generic
// ones: an association field associations, a property one of
// properties(names:).
func asGeneric(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, item := range v {
			switch k {
			case "companies", "contacts", "deals":
				out["associations"] = asGeneric(item)
			case "amount":
				props := map[string]any{}
				if item != nil {
					props["amount"] = item
				}
				out["properties"] = props
			default:
				out[k] = asGeneric(item)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = asGeneric(item)
		}
		return out
	}
	return v
}

// TestTypedNestedReadStatementBound: a typed nested read sends exactly the
// statements the generic one does (one per level, and the definitions'
// version), through read plans and through the executor (the typed one
// through a read plan where the generic one is), and answers the same
// records, cursors and labels.
func TestTypedNestedReadStatementBound(t *testing.T) {
	eachCounting(t, func(t *testing.T, a *api) {
		nestedData(a)
		a.analyze()
		a.counter.Keep = true
		for _, via := range a.planAndExecutor() {
			t.Run(via.name, func(t *testing.T) {
				generic, typed := via.a, via.a.typed()
				generic.ok(`{ objectTypes { name } }`, nil, nil) // a new server reads the definitions once
				typed.ok(`{ __typename }`, nil, nil)
				h := via.a.h.(*graph.Handler)
				a.counter.Reset()
				var want any
				planned := h.PlannedFields()
				generic.ok(filteredNestedQuery(3), nil, &want)
				genericPlanned := h.PlannedFields() - planned
				genericStatements := a.counter.Statements()
				a.counter.Reset()
				var got map[string]any
				planned = h.PlannedFields()
				typed.ok(typedNestedQuery, nil, &got)
				typedStatements := a.counter.Statements()
				if h.PlannedFields()-planned != genericPlanned {
					t.Fatalf("read plans answered %d root fields of the typed read, %d of the generic one", h.PlannedFields()-planned, genericPlanned)
				}
				got["records"] = got["companies"]
				delete(got, "companies")
				if len(typedStatements) != len(genericStatements) {
					t.Fatalf("typed: %d statements, generic: %d\ntyped:\n%s\ngeneric:\n%s", len(typedStatements), len(genericStatements),
						strings.Join(typedStatements, "\n"), strings.Join(genericStatements, "\n"))
				}
				if g := asGeneric(got); !reflect.DeepEqual(g, want) {
					gb, _ := json.Marshal(g)
					wb, _ := json.Marshal(want)
					t.Fatalf("typed and generic answers differ:\ntyped   %s\ngeneric %s", gb, wb)
				}
			})
		}
	})
}
