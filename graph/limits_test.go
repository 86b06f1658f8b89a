package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/graph"
)

// Requests that would make the server do unbounded work, and arguments
// in the wrong shape, are refused with a code like any other bad input.
func TestRequestLimitsAndArguments(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "l@example.com"})
		t.Run("nested pages multiply", func(t *testing.T) {
			deep := `{ records(objectType: "companies", first: 1000) { edges { node {
				associations(toObjectType: "contacts", first: 1000) { edges { node {
					associations(toObjectType: "deals", first: 1000) { edges { node { recordId displayName } } } } } } } } } }`
			a.fails(deep, nil, "LIMIT_EXCEEDED", "")
			// Three levels of 100 may answer a million records: over the
			// cost budget. Three levels of 30 are not.
			a.fails(nestedQuery(3, 100), nil, "LIMIT_EXCEEDED", "")
			a.ok(nestedQuery(3, 30), nil, nil)
		})
		t.Run("nodes takes at most 1000 ids", func(t *testing.T) {
			ids := make([]string, 1001)
			for i := range ids {
				ids[i] = c.ID
			}
			a.fails(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, "LIMIT_EXCEEDED", "")
		})
		t.Run("a malformed DateTime", func(t *testing.T) {
			a.fails(`{ records(objectType: "contacts", asOf: "yesterday") { totalCount } }`, nil, "BAD_USER_INPUT", "")
			a.fails(`query($at: DateTime) { records(objectType: "contacts", asOf: $at) { totalCount } }`, map[string]any{"at": "31/12/2025"}, "BAD_USER_INPUT", "")
		})
		t.Run("negative page sizes on associations", func(t *testing.T) {
			a.fails(`query($id: ID!) { record(id: $id) { associations(toObjectType: "companies", first: -2) { totalCount } } }`, map[string]any{"id": c.ID}, "BAD_USER_INPUT", "")
		})
		t.Run("a unique value too long to index", func(t *testing.T) {
			before := a.count("contacts")
			a.fails(createMutation, map[string]any{"t": "contacts", "p": map[string]any{"email": strings.Repeat("a", 2500) + "@example.com"}}, "BAD_USER_INPUT", "email")
			if after := a.count("contacts"); after != before {
				t.Fatalf("%d contacts, want %d", after, before)
			}
		})
	})
}

// A mutation's payload reads what the mutation before it in the same
// request left, not what the request's loaders saw earlier.
func TestMutationsInOneRequestReadFresh(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "m@example.com"})
		co := a.create("companies", map[string]any{"name": "Acme"})
		var out struct {
			A struct {
				From struct {
					Associations struct{ TotalCount int }
				}
			}
			B struct {
				From struct {
					Associations struct{ TotalCount int }
				}
			}
		}
		q := fmt.Sprintf(`mutation {
			a: associate(input: {from: %q, to: %q}) { from { associations(toObjectType: "companies") { totalCount } } }
			b: disassociate(input: {from: %q, to: %q}) { from { associations(toObjectType: "companies") { totalCount } } }
		}`, c.ID, co.ID, c.ID, co.ID)
		a.ok(q, nil, &out)
		if out.A.From.Associations.TotalCount != 1 || out.B.From.Associations.TotalCount != 0 {
			t.Fatalf("after associate %d, after disassociate %d", out.A.From.Associations.TotalCount, out.B.From.Associations.TotalCount)
		}
	})
}

// A request that runs past its deadline is cancelled, database work and
// all, and says TIMEOUT; its writes roll back.
func TestDeadline(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		b := *a
		b.t = t
		b.h = graph.NewHandler(graph.Config{DB: a.d, WorkspaceID: a.ws, Limits: graph.Limits{Timeout: time.Nanosecond}})
		before := a.count("contacts")
		for _, q := range []string{
			`{ records(objectType: "contacts") { totalCount edges { node { id } } } }`,
			`mutation { createRecord(input: {objectType: "contacts", properties: {email: "late@example.com"}}) { record { id } } }`,
		} {
			resp := b.do(q, nil)
			if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "TIMEOUT" {
				t.Fatalf("%s answered %+v", q, resp.Errors)
			}
		}
		if after := a.count("contacts"); after != before {
			t.Fatalf("a cancelled write left %d contacts", after-before)
		}
		// A deadline that passes in the middle of the database work: a
		// batch of 1,000 takes far longer than 5 ms on either database.
		b.h = graph.NewHandler(graph.Config{DB: a.d, WorkspaceID: a.ws, Limits: graph.Limits{Timeout: 5 * time.Millisecond}})
		items := make([]map[string]any, 1000)
		for i := range items {
			items[i] = map[string]any{"properties": map[string]any{"email": fmt.Sprintf("slow%d@example.com", i)}}
		}
		resp := b.do(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { written } }`, map[string]any{"in": items})
		if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "TIMEOUT" {
			t.Fatalf("a batch cut short by its deadline answered %+v", resp.Errors)
		}
		if after := a.count("contacts"); after != before {
			t.Fatalf("a batch cut short by its deadline left %d contacts", after-before)
		}
	})
}
