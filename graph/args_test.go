package graph_test

import "testing"

// TestListArgumentsFromOneValue: a variable of a list type may hold one
// value, which GraphQL coerces to a list of one, whatever slice type the
// parser builds for it.
func TestListArgumentsFromOneValue(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "ann@acme.io"})
		co := a.create("companies", map[string]any{"name": "Acme", "domain": "acme.io"})
		a.associate(c, co, "Primary")
		var out struct {
			Node struct {
				Associations struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		a.ok(`query($id: ID!, $l: [String!]) { node(id: $id) { ... on Record { associations(toObjectType: "companies", labels: $l) { edges { node { id } } } } } }`,
			map[string]any{"id": c.ID, "l": "Primary"}, &out)
		if len(out.Node.Associations.Edges) != 1 || out.Node.Associations.Edges[0].Node.ID != co.ID {
			t.Fatalf("labels from one value: %+v", out)
		}
		a.fails(`query($id: ID!, $l: [String!]) { node(id: $id) { ... on Record { associations(toObjectType: "companies", labels: $l) { edges { node { id } } } } } }`,
			map[string]any{"id": c.ID, "l": "Prim\u0000ary"}, "BAD_USER_INPUT", "")
	})
}
