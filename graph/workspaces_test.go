package graph_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/install"
)

// lookalike is what seedLookalike made in one workspace, by global id.
type lookalike struct {
	api                                            *api
	contact, company, property, list, view, export string
	workspace, key                                 string
}

// seedLookalike makes, through a, the same data every workspace of the
// test holds: a unique property "tier", a contact ada@example.com of tier
// gold associated with the company acme.com, a manual list "VIPs" holding
// her, a view "Gold" and an export of contacts.
func seedLookalike(t *testing.T, a *api) lookalike {
	t.Helper()
	var out lookalike
	out.api = a
	var prop struct {
		CreateProperty struct{ Property struct{ ID string } } `json:"createProperty"`
	}
	a.ok(`mutation { createProperty(input: {objectType: "contacts", property: {name: "tier", label: "Tier", type: STRING, fieldType: TEXT, hasUniqueValue: true}}) { property { id } } }`, nil, &prop)
	out.property = prop.CreateProperty.Property.ID
	out.contact = a.create("contacts", map[string]any{"email": "ada@example.com", "firstname": "Ada", "tier": "gold"}).ID
	out.company = a.create("companies", map[string]any{"domain": "acme.com", "name": "Acme"}).ID
	a.ok(`mutation($f: ID!, $t: ID!) { associate(input: {from: $f, to: $t}) { from { id } } }`, map[string]any{"f": out.contact, "t": out.company}, nil)
	a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {firstname: "Ada L."}}) { record { id } } }`, map[string]any{"id": out.contact}, nil)
	var list struct {
		CreateList struct{ List struct{ ID string } } `json:"createList"`
	}
	a.ok(`mutation { createList(input: {objectType: "contacts", name: "VIPs", kind: MANUAL}) { list { id } } }`, nil, &list)
	out.list = list.CreateList.List.ID
	a.ok(`mutation($l: ID!, $r: ID!) { addToList(input: {listId: $l, recordIds: [$r]}) { written } }`, map[string]any{"l": out.list, "r": out.contact}, nil)
	var view struct {
		CreateView struct{ View struct{ ID string } } `json:"createView"`
	}
	a.ok(`mutation { createView(input: {objectType: "contacts", name: "Gold", filter: {property: "tier", operator: EQ, value: "gold"}}) { view { id } } }`, nil, &view)
	out.view = view.CreateView.View.ID
	var export struct {
		ExportRecords struct{ Export struct{ ID string } } `json:"exportRecords"`
	}
	a.ok(`mutation { exportRecords(input: {objectType: "contacts"}) { export { id } } }`, nil, &export)
	out.export = export.ExportRecords.Export.ID
	var viewer struct {
		Viewer struct {
			APIKey    struct{ ID string }
			Workspace struct{ ID string }
		}
	}
	a.ok(`{ viewer { apiKey { id } workspace { id } } }`, nil, &viewer)
	out.workspace, out.key = viewer.Viewer.Workspace.ID, viewer.Viewer.APIKey.ID
	return out
}

// twoWorkspaces is the API with authentication on, the default workspace
// and a second one, each seeded with the same look-alike data through a
// key of its own.
func twoWorkspaces(t *testing.T, a *api) (one, two lookalike) {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.CLI)
	second, err := install.CreateWorkspace(ctx, a.d, "second")
	if err != nil {
		t.Fatal(err)
	}
	h := a.withConfig(graph.Config{Auth: graph.AuthRequired})
	keys := auth.New(a.d)
	_, s1, err := keys.Create(ctx, a.ws, "one", []auth.Scope{auth.Admin}, nil, auth.Rate{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, s2, err := keys.Create(ctx, second, "two", []auth.Scope{auth.Admin}, nil, auth.Rate{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return seedLookalike(t, h.as(s1)), seedLookalike(t, h.as(s2))
}

// missing is an id of the kind of id that matches nothing.
func missing(t *testing.T, id string) string {
	kind, _, err := gid.Decode(id)
	if err != nil {
		t.Fatal(err)
	}
	return gid.Encode(kind, 1<<40)
}

// TestWorkspacesDoNotCross: two workspaces hold look-alike data; nothing of
// one is seen, written or named through the other. An id of the other
// workspace's object answers exactly as an id that matches nothing.
func TestWorkspacesDoNotCross(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		one, two := twoWorkspaces(t, a)
		b := two.api

		t.Run("another workspace's ids answer as missing ones", func(t *testing.T) {
			probes := []string{
				`query($id: ID!) { node(id: $id) { id } }`,
				`query($id: ID!) { nodes(ids: [$id]) { id } }`,
				`query($id: ID!) { record(id: $id) { id } }`,
				`query($id: ID!) { list(id: $id) { id size } }`,
				`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {firstname: "Eve"}}) { record { id } } }`,
				`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`,
				`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedId } }`,
				`mutation($id: ID!, $mine: ID!) { associate(input: {from: $mine, to: $id}) { from { id } } }`,
				`mutation($id: ID!, $mine: ID!) { mergeRecords(input: {primary: $mine, secondary: $id}) { record { id } } }`,
				`mutation($id: ID!, $list: ID!) { addToList(input: {listId: $list, recordIds: [$id]}) { written results { error { code message } } } }`,
				`mutation($id: ID!) { addToList(input: {listId: $id, recordIds: []}) { written } }`,
				`mutation($id: ID!) { deleteList(input: {id: $id}) { deletedId } }`,
				`mutation($id: ID!) { deleteView(input: {id: $id}) { deletedId } }`,
				`mutation($id: ID!) { updateView(input: {id: $id, name: "x"}) { view { id } } }`,
				`mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }`,
			}
			theirs := []string{one.contact, one.company, one.property, one.list, one.view, one.export, one.workspace, one.key}
			// Their own workspace sees them: the answers below are not null
			// for want of the objects.
			var own struct{ Nodes []*struct{ ID string } }
			one.api.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": theirs[:7]}, &own)
			for i, n := range own.Nodes {
				if n == nil || n.ID != theirs[i] {
					t.Fatalf("its own workspace does not see %s: %+v", theirs[i], n)
				}
			}
			for _, probe := range probes {
				for _, id := range theirs {
					vars := func(id string) map[string]any {
						return map[string]any{"id": id, "mine": two.contact, "list": two.list}
					}
					got := b.do(probe, vars(id))
					want := b.do(probe, vars(missing(t, id)))
					g, w := answerWithout(t, got, id), answerWithout(t, want, missing(t, id))
					if g != w {
						t.Errorf("%s with %s: answered\n%s\nwhere a missing id answers\n%s", probe, id, g, w)
					}
				}
			}
		})

		t.Run("reads, counts, filters and nested associations hold only the workspace's own", func(t *testing.T) {
			for _, w := range []lookalike{one, two} {
				var out struct {
					Records struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								ID           string
								Associations struct {
									TotalCount int
									Edges      []struct{ Node struct{ ID string } }
								}
								Lists    []struct{ ID string }
								Timeline struct {
									Edges []struct{ Node json.RawMessage }
								}
								PropertyHistory struct {
									Edges []struct{ Node struct{ Value any } }
								}
							}
						}
					}
					Lists []struct {
						ID   string
						Size int
					}
					Views   []struct{ ID string }
					Imports struct {
						Edges []struct{ Node struct{ ID string } }
					}
					APIKeys []struct{ ID string } `json:"apiKeys"`
					Tier    struct{ Property struct{ ID string } }
				}
				w.api.ok(`{
  records(objectType: "contacts", filter: {property: "email", operator: EQ, value: "ada@example.com"}) { totalCount edges { node {
    id associations(toObjectType: "companies") { totalCount edges { node { id } } }
    lists { id }
    timeline(first: 50) { edges { node { __typename ... on AssociationEvent { associatedRecordId } ... on ListMembershipEvent { listId } } } }
    propertyHistory(names: ["firstname"]) { edges { node { value } } }
  } } }
  lists { id size }
  views(objectType: "contacts") { id }
  imports { edges { node { id } } }
  apiKeys { id }
  tier: objectType(name: "contacts") { property(name: "tier") { id } }
}`, nil, &out)
				r := out.Records
				if r.TotalCount != 1 || len(r.Edges) != 1 || r.Edges[0].Node.ID != w.contact {
					t.Fatalf("records %+v, want %s alone", r, w.contact)
				}
				n := r.Edges[0].Node
				if n.Associations.TotalCount != 1 || n.Associations.Edges[0].Node.ID != w.company || len(n.Lists) != 1 || n.Lists[0].ID != w.list {
					t.Fatalf("associations or lists %+v", n)
				}
				other := one
				if w.contact == one.contact {
					other = two
				}
				for _, e := range n.Timeline.Edges {
					for _, id := range []string{other.contact, other.company, other.list} {
						if strings.Contains(string(e.Node), id) {
							t.Fatalf("timeline event %s names %s of the other workspace", e.Node, id)
						}
					}
				}
				if len(n.PropertyHistory.Edges) != 2 {
					t.Fatalf("history %+v, want its own two values", n.PropertyHistory)
				}
				if len(out.Lists) != 1 || out.Lists[0].ID != w.list || out.Lists[0].Size != 1 || len(out.Views) != 1 || out.Views[0].ID != w.view ||
					len(out.Imports.Edges) != 0 || len(out.APIKeys) != 1 || out.APIKeys[0].ID != w.key || out.Tier.Property.ID != w.property {
					t.Fatalf("lists, views, imports, keys or definitions %+v", out)
				}
			}
		})

		t.Run("unique values are per workspace; a conflict names the workspace's own record", func(t *testing.T) {
			e := b.fails(`mutation { createRecord(input: {objectType: "contacts", properties: {email: "grace@example.com", tier: "gold"}}) { record { id } } }`, nil, "CONFLICT", "tier")
			if e.Extensions["existingId"] != two.contact || strings.Contains(e.Message, one.contact) {
				t.Fatalf("conflict %+v, want it to name %s", e, two.contact)
			}
			one.api.create("contacts", map[string]any{"email": "grace@example.com", "tier": "platinum"})
			b.create("contacts", map[string]any{"email": "grace@example.com", "tier": "platinum"})
		})
	})
}

// answerWithout is resp as JSON with id, global or plain (as messages
// say it), written as ID, so that answers to two ids compare.
func answerWithout(t *testing.T, resp *response, id string) string {
	t.Helper()
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	_, n, err := gid.Decode(id)
	if err != nil {
		t.Fatal(err)
	}
	plain := regexp.MustCompile(`\b` + strconv.Itoa(n) + `\b`)
	return plain.ReplaceAllString(strings.ReplaceAll(string(b), id, "ID"), "ID")
}
