package graph_test

import (
	"testing"
)

const createViewMutation = `mutation($in: CreateViewInput!) { createView(input: $in) { view { id objectType name filter sort { property direction nulls } columns visibility } } }`

type viewJSON struct {
	ID         string
	ObjectType string
	Name       string
	Filter     map[string]any
	Sort       []struct{ Property, Direction, Nulls string }
	Columns    []string
	Visibility string
}

// viewEmails reads records through a view, narrowed by filter when given,
// and answers the emails in order.
func viewEmails(t *testing.T, a *api, viewID string, filter map[string]any) []string {
	t.Helper()
	var out struct {
		Records struct {
			TotalCount int
			Edges      []struct {
				Node struct{ Properties map[string]any }
			}
		}
	}
	vars := map[string]any{"v": viewID}
	if filter != nil {
		vars["f"] = filter
	}
	a.ok(`query($v: ID, $f: RecordFilter) { records(objectType: "contacts", view: $v, filter: $f) { totalCount edges { node { properties(names: ["email"]) } } } }`, vars, &out)
	emails := []string{}
	for _, e := range out.Records.Edges {
		emails = append(emails, e.Node.Properties["email"].(string))
	}
	if out.Records.TotalCount != len(emails) {
		t.Fatalf("totalCount %d for %d records", out.Records.TotalCount, len(emails))
	}
	return emails
}

func TestViews(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createProperty("contacts", map[string]any{"name": "region", "label": "Region", "type": "STRING", "fieldType": "TEXT"})
		for _, c := range []map[string]any{
			{"email": "ann@acme.io", "firstname": "Ann", "region": "North"},
			{"email": "bob@acme.io", "firstname": "Bob", "region": "south"},
			{"email": "cy@other.io", "firstname": "Cy", "region": "north"},
			{"email": "dee@acme.io", "firstname": "Dee"},
		} {
			a.create("contacts", c)
		}
		var created struct{ CreateView struct{ View viewJSON } }
		a.ok(createViewMutation, map[string]any{"in": map[string]any{
			"objectType": "contacts", "name": "Northerners",
			"filter":  map[string]any{"property": "region", "operator": "EQ", "value": "NORTH"},
			"sort":    []any{map[string]any{"property": "firstname", "direction": "DESC"}},
			"columns": []any{"email", "region"},
		}}, &created)
		v := created.CreateView.View
		if v.Name != "Northerners" || v.ObjectType != "contacts" || v.Visibility != "SHARED" || len(v.Columns) != 2 ||
			len(v.Sort) != 1 || v.Sort[0].Direction != "DESC" || v.Sort[0].Nulls != "FIRST" || v.Filter["operator"] != "EQ" {
			t.Fatalf("created %+v", v)
		}

		// Apply, then narrow.
		if got := viewEmails(t, a, v.ID, nil); !equalStrings(got, []string{"cy@other.io", "ann@acme.io"}) {
			t.Fatalf("through the view: %v", got)
		}
		narrow := map[string]any{"property": "email", "operator": "CONTAINS", "value": "acme"}
		if got := viewEmails(t, a, v.ID, narrow); !equalStrings(got, []string{"ann@acme.io"}) {
			t.Fatalf("through the view, narrowed: %v", got)
		}
		var listed struct {
			Views []viewJSON
			Node  struct{ Name string }
		}
		a.ok(`query($id: ID!) { views(objectType: "contacts") { id name } node(id: $id) { ... on View { name } } }`, map[string]any{"id": v.ID}, &listed)
		if len(listed.Views) != 1 || listed.Views[0].ID != v.ID || listed.Node.Name != "Northerners" {
			t.Fatalf("views: %+v", listed)
		}

		// Same name: CONFLICT; a bad filter: refused, nothing written.
		a.fails(createViewMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "Northerners"}}, "CONFLICT", "")
		e := a.fails(createViewMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "Bad",
			"filter": map[string]any{"property": "region", "operator": "GT", "value": 3}}}, "BAD_USER_INPUT", "region")
		if e.Extensions["argumentPath"] != "filter.value" {
			t.Fatalf("refusal: %+v", e)
		}
		a.fails(createViewMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "Bad", "columns": []any{"nope"}}}, "BAD_USER_INPUT", "nope")

		// An archived property makes the view answer a clear error; restoring
		// it makes the view work again.
		a.ok(archivePropertyMutation, propertyRef("contacts", "region"), nil)
		e = a.fails(`query($v: ID) { records(objectType: "contacts", view: $v) { totalCount } }`, map[string]any{"v": v.ID}, "BAD_USER_INPUT", "region")
		if e.Extensions["argumentPath"] != "view" || e.Message != `view "Northerners" no longer applies: filter.property: property "region" of contacts is archived` {
			t.Fatalf("archived property: %+v", e)
		}
		a.ok(restorePropertyMutation, propertyRef("contacts", "region"), nil)
		if got := viewEmails(t, a, v.ID, nil); len(got) != 2 {
			t.Fatalf("after restoring: %v", got)
		}

		// Update clears the filter; View.records reads through it.
		var updated struct {
			UpdateView struct {
				View struct {
					Filter  map[string]any
					Records struct{ TotalCount int }
				}
			}
		}
		a.ok(`mutation($id: ID!) { updateView(input: {id: $id, filter: null, name: "All"}) { view { filter records { totalCount } } } }`, map[string]any{"id": v.ID}, &updated)
		if updated.UpdateView.View.Filter != nil || updated.UpdateView.View.Records.TotalCount != 4 {
			t.Fatalf("updated: %+v", updated)
		}
		a.fails(`query($v: ID) { records(objectType: "companies", view: $v) { totalCount } }`, map[string]any{"v": v.ID}, "BAD_USER_INPUT", "")
		a.ok(`mutation($id: ID!) { deleteView(input: {id: $id}) { deletedId } }`, map[string]any{"id": v.ID}, nil)
		a.fails(`query($v: ID) { records(objectType: "contacts", view: $v) { totalCount } }`, map[string]any{"v": v.ID}, "NOT_FOUND", "")
	})
}
