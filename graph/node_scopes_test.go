package graph_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/graph/generated"
	"github.com/acme/crm/internal/gid"
)

// nodeScopes is the scope each Node type needs through node and nodes:
// the scope of the root fields that read it.
var nodeScopes = map[string]string{
	"Record": "RECORDS_READ", "ObjectType": "RECORDS_READ", "Property": "RECORDS_READ", "PropertyGroup": "RECORDS_READ",
	"Pipeline": "RECORDS_READ", "PipelineStage": "RECORDS_READ", "AssociationType": "RECORDS_READ",
	"View": "RECORDS_READ", "List": "RECORDS_READ", "Workspace": "RECORDS_READ", "Owner": "RECORDS_READ", "Team": "RECORDS_READ",
	"Import": "IMPORT_EXPORT", "Export": "IMPORT_EXPORT",
}

// nodeOfEachType makes (in local mode) one object of every Node type and
// returns their ids by type.
func nodeOfEachType(t *testing.T, a *api) map[string]string {
	rec := a.create("contacts", map[string]any{"email": "ada@example.com"})
	var defs struct {
		ObjectType struct {
			ID             string
			Properties     []struct{ ID string }
			PropertyGroups []struct{ ID string }
			Pipelines      []struct {
				ID     string
				Stages []struct{ ID string }
			}
		}
		AssociationTypes []struct{ ID string }
		Viewer           struct{ Workspace struct{ ID string } }
	}
	a.ok(`{ objectType(name: "deals") { id properties { id } propertyGroups { id } pipelines { id stages { id } } }
	  associationTypes(fromObjectType: "contacts", toObjectType: "companies") { id }
	  viewer { workspace { id } } }`, nil, &defs)
	var view struct {
		CreateView struct{ View struct{ ID string } }
	}
	a.ok(`mutation { createView(input: {objectType: "contacts", name: "All"}) { view { id } } }`, nil, &view)
	ot := defs.ObjectType
	return map[string]string{
		"Record": rec.ID, "ObjectType": ot.ID, "Property": ot.Properties[0].ID, "PropertyGroup": ot.PropertyGroups[0].ID,
		"Pipeline": ot.Pipelines[0].ID, "PipelineStage": ot.Pipelines[0].Stages[0].ID, "AssociationType": defs.AssociationTypes[0].ID,
		"View": view.CreateView.View.ID, "List": a.createList("contacts", "Some", "MANUAL", nil).ID,
		"Workspace": defs.Viewer.Workspace.ID,
		"Owner":     a.createOwner(map[string]any{"email": "ann@acme.io", "firstName": "Ann"}).ID,
		"Team":      a.createTeam("Sales"),
		"Import":    a.importFiles(nil, upload{name: "contacts.csv", content: []byte("Email\nann@acme.io\n")}).ID,
		"Export":    a.exportOf(map[string]any{"objectType": "contacts"}).ID,
	}
}

// TestNodeScopes: node and nodes answer an object only to a key with the
// scope its type needs, as the root fields that read it do; otherwise
// FORBIDDEN naming the scope, at the object's own path, whether or not
// the object exists.
func TestNodeScopes(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	var types []string
	for _, def := range s.PossibleTypes["Node"] {
		types = append(types, def.Name)
	}
	for _, typ := range types {
		if _, ok := nodeScopes[typ]; !ok {
			t.Errorf("Node type %s: say which scope node needs to answer it (graph/auth.go nodeScopes, and here)", typ)
		}
	}
	if len(types) != len(nodeScopes) {
		t.Fatalf("Node types %v, scopes for %d", types, len(nodeScopes))
	}
	each(t, func(t *testing.T, a *api) {
		ids := nodeOfEachType(t, a)
		_, admin := a.newKey("admin", []string{"ADMIN"}, nil)
		keys := map[string]string{}
		for _, scopes := range [][]string{{"RECORDS_READ"}, {"RECORDS_READ", "IMPORT_EXPORT"}} {
			_, keys[strings.Join(scopes, ",")] = a.as(admin).newKey(strings.Join(scopes, ","), scopes, nil)
		}
		_, keys["IMPORT_EXPORT"] = a.as(admin).newKey("porter", []string{"IMPORT_EXPORT"}, nil)
		const node = `query($id: ID!) { node(id: $id) { __typename id } }`
		// The nodes field inside a fragment, the node's fields inside
		// nested fragments, between two records.
		const nodes = `query($ids: [ID!]!) { ... on Query { ...N } }
		  fragment N on Query { nodes(ids: $ids) { ... on Node { __typename ...Id } ... on Import { state } ... on Export { objectType } } }
		  fragment Id on Node { id }`
		for typ, id := range ids {
			need := nodeScopes[typ]
			t.Run(typ, func(t *testing.T) {
				for scopes, secret := range keys {
					k := a.as(secret)
					allowed := strings.Contains(scopes, need)
					resp := k.do(node, map[string]any{"id": id})
					many := k.do(nodes, map[string]any{"ids": []string{ids["Record"], id, ids["Record"]}})
					switch {
					case !strings.Contains(scopes, "RECORDS_READ"):
						// node itself needs RECORDS_READ.
						wantForbidden(t, resp, `{"node":null}`, []any{"node"}, "RECORDS_READ")
						wantForbidden(t, many, `null`, []any{"nodes"}, "RECORDS_READ")
					case allowed:
						if len(resp.Errors) > 0 || !strings.Contains(string(resp.Data), `"__typename":"`+typ+`","id":"`+id+`"`) {
							t.Fatalf("%s: node: %+v %s", scopes, resp.Errors, resp.Data)
						}
						var out struct {
							Nodes []*struct {
								Typename string `json:"__typename"`
							}
						}
						if err := json.Unmarshal(many.Data, &out); err != nil || len(many.Errors) > 0 || len(out.Nodes) != 3 || out.Nodes[1] == nil || out.Nodes[1].Typename != typ {
							t.Fatalf("%s: nodes: %+v %s", scopes, many.Errors, many.Data)
						}
					default:
						wantForbidden(t, resp, `{"node":null}`, []any{"node"}, need)
						rec := `{"__typename":"Record","id":"` + ids["Record"] + `"}`
						wantForbidden(t, many, `{"nodes":[`+rec+`,null,`+rec+`]}`, []any{"nodes", float64(1)}, need)
						// An object of the type that does not exist is as forbidden.
						missing := k.do(node, map[string]any{"id": gid.Encode(typ, 1_000_000)})
						wantForbidden(t, missing, `{"node":null}`, []any{"node"}, need)
					}
				}
			})
		}
	})
}

// wantForbidden checks an answer of data and one FORBIDDEN error at path
// naming scope.
func wantForbidden(t *testing.T, resp *response, data string, path []any, scope string) {
	t.Helper()
	if resp.Status != 200 || string(resp.Data) != data || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "FORBIDDEN" ||
		!slices.Equal(resp.Errors[0].Path, path) || !strings.Contains(resp.Errors[0].Message, scope) {
		t.Fatalf("want %s and FORBIDDEN naming %s at %v, got %d %+v %s", data, scope, path, resp.Status, resp.Errors, resp.Data)
	}
}
