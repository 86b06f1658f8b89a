package graph_test

import (
	"slices"
	"strings"
	"testing"
)

// TestManualList: members by hand, per item, most recently added first;
// size, totalCount and Record.lists agree; archived members leave and come
// back.
func TestManualList(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := a.create("contacts", map[string]any{"email": "ann@acme.io"})
		bob := a.create("contacts", map[string]any{"email": "bob@acme.io"})
		cy := a.create("contacts", map[string]any{"email": "cy@acme.io"})
		acme := a.create("companies", map[string]any{"name": "Acme", "domain": "acme.io"})
		vip := a.createList("contacts", "VIP", "MANUAL", nil)
		if vip.Kind != "MANUAL" || vip.Size != 0 || vip.ObjectType != "contacts" || vip.Filter != nil {
			t.Fatalf("created %+v", vip)
		}

		res := a.changeMembers("addToList", vip.ID, bob.ID, acme.ID, "not-an-id", ann.ID)
		if res.Written != 2 || res.Failed != 2 || res.List.Size != 2 ||
			res.Results[1].Error.Code != "BAD_USER_INPUT" || res.Results[2].Error.Code != "BAD_USER_INPUT" ||
			res.Results[0].Record.ID != bob.ID || res.Results[3].Error != nil {
			t.Fatalf("addToList: %+v", res)
		}
		a.changeMembers("addToList", vip.ID, cy.ID)
		// A member added again stays as it was.
		a.changeMembers("addToList", vip.ID, bob.ID)
		got := a.members(vip.ID)
		emails := []string{}
		for _, m := range got {
			emails = append(emails, m.Email)
		}
		// cy joined last; ann and bob joined together, the higher id first.
		if !slices.Equal(emails, []string{"cy@acme.io", "bob@acme.io", "ann@acme.io"}) || !got[0].AddedAt.After(got[1].AddedAt) ||
			!got[1].AddedAt.Equal(got[2].AddedAt) {
			t.Fatalf("members %+v", got)
		}
		if names := a.listNames(bob); !slices.Equal(names, []string{"VIP"}) {
			t.Fatalf("bob's lists %v", names)
		}
		// Backward, and sorted by a property instead.
		var back struct {
			List struct {
				Last, Sorted struct {
					PageInfo struct{ HasPreviousPage, HasNextPage bool }
					Edges    []struct {
						Node struct{ Properties map[string]any }
					}
				}
			}
		}
		a.ok(`query($id: ID!) { list(id: $id) {
			last: records(last: 2) { pageInfo { hasPreviousPage hasNextPage } edges { node { properties(names: ["email"]) } } }
			sorted: records(sort: [{property: "email"}], first: 2) { pageInfo { hasPreviousPage hasNextPage } edges { node { properties(names: ["email"]) } } } } }`,
			map[string]any{"id": vip.ID}, &back)
		if l := back.List.Last; !l.PageInfo.HasPreviousPage || len(l.Edges) != 2 || l.Edges[0].Node.Properties["email"] != "bob@acme.io" ||
			l.Edges[1].Node.Properties["email"] != "ann@acme.io" {
			t.Fatalf("last 2: %+v", l)
		}
		if s := back.List.Sorted; !s.PageInfo.HasNextPage || len(s.Edges) != 2 || s.Edges[0].Node.Properties["email"] != "ann@acme.io" {
			t.Fatalf("sorted: %+v", s)
		}

		// Archived: out of the list, its size and its lists; restored: back
		// with its addedAt.
		a.archiveRecord(bob)
		if got := a.memberEmails(vip.ID); !slices.Equal(got, []string{"ann@acme.io", "cy@acme.io"}) {
			t.Fatalf("after archiving bob: %v", got)
		}
		if names := a.listNames(bob); len(names) != 0 {
			t.Fatalf("archived bob's lists %v", names)
		}
		if res := a.changeMembers("addToList", vip.ID, bob.ID); res.Results[0].Error == nil || res.Results[0].Error.Code != "NOT_FOUND" {
			t.Fatalf("adding an archived record: %+v", res)
		}
		a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": bob.ID}, nil)
		if back := a.members(vip.ID); len(back) != 3 || back[1].Email != "bob@acme.io" || !back[1].AddedAt.Equal(got[1].AddedAt) {
			t.Fatalf("after restoring bob: %+v", back)
		}

		res = a.changeMembers("removeFromList", vip.ID, ann.ID, cy.ID, cy.ID)
		if res.Written != 3 || res.List.Size != 1 {
			t.Fatalf("removeFromList: %+v", res)
		}
		var listed struct {
			Lists []struct{ Name string }
			Node  struct{ Name string }
		}
		a.ok(`query($id: ID!) { lists(objectType: "contacts") { name } node(id: $id) { ... on List { name } } }`, map[string]any{"id": vip.ID}, &listed)
		if len(listed.Lists) != 1 || listed.Node.Name != "VIP" {
			t.Fatalf("lists: %+v", listed)
		}
		a.fails(`mutation { createList(input: {objectType: "contacts", name: "VIP", kind: MANUAL}) { list { id } } }`, nil, "CONFLICT", "")
		a.fails(`mutation { createList(input: {objectType: "contacts", name: "M", kind: MANUAL, filter: {property: "email", operator: HAS_PROPERTY}}) { list { id } } }`, nil, "BAD_USER_INPUT", "")
		a.ok(`mutation($id: ID!) { deleteList(input: {id: $id}) { deletedId } }`, map[string]any{"id": vip.ID}, nil)
		var gone struct{ List *listJSON }
		a.ok(`query($id: ID!) { list(id: $id) { id } }`, map[string]any{"id": vip.ID}, &gone)
		if gone.List != nil || len(a.listNames(bob)) != 0 {
			t.Fatalf("deleted list still there: %+v", gone)
		}
	})
}

// TestSnapshotAndDynamicLists: a snapshot holds what matched when it was
// made; a dynamic list follows; neither takes hand edits the same way;
// converting freezes; changing the filter re-evaluates.
func TestSnapshotAndDynamicLists(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createProperty("contacts", map[string]any{"name": "region", "label": "Region", "type": "STRING", "fieldType": "TEXT"})
		ann := a.create("contacts", map[string]any{"email": "ann@acme.io", "region": "north"})
		bob := a.create("contacts", map[string]any{"email": "bob@acme.io", "region": "south"})
		north := map[string]any{"property": "region", "operator": "EQ", "value": "north"}
		snap := a.createList("contacts", "North then", "SNAPSHOT", north)
		dyn := a.createList("contacts", "North", "DYNAMIC", north)
		if snap.Size != 1 || dyn.Size != 1 || dyn.Kind != "DYNAMIC" || dyn.Filter["value"] != "north" {
			t.Fatalf("created %+v %+v", snap, dyn)
		}
		a.updateRecord(bob, map[string]any{"region": "North"})
		cy := a.create("contacts", map[string]any{"email": "cy@acme.io", "region": "north"})
		if got := a.memberEmails(snap.ID); !slices.Equal(got, []string{"ann@acme.io"}) {
			t.Fatalf("snapshot moved: %v", got)
		}
		exact(t, a, "writes", dynamic{dyn, north})

		// A snapshot takes hand edits; a dynamic list refuses them.
		if res := a.changeMembers("addToList", snap.ID, cy.ID); res.Written != 1 || res.List.Size != 2 {
			t.Fatalf("adding to a snapshot: %+v", res)
		}
		e := a.fails(`mutation($in: ListMembersInput!) { addToList(input: $in) { written } }`,
			inVars(map[string]any{"listId": dyn.ID, "recordIds": []any{ann.ID}}), "BAD_USER_INPUT", "")
		if !strings.Contains(e.Message, "DYNAMIC") {
			t.Fatalf("refusal: %s", e.Message)
		}
		a.fails(`mutation($in: ListMembersInput!) { removeFromList(input: $in) { written } }`,
			inVars(map[string]any{"listId": dyn.ID, "recordIds": []any{ann.ID}}), "BAD_USER_INPUT", "")
		a.fails(`mutation($id: ID!) { updateList(input: {id: $id, filter: {property: "region", operator: HAS_PROPERTY}}) { list { id } } }`,
			map[string]any{"id": snap.ID}, "BAD_USER_INPUT", "")

		// A new filter: evaluated again in the same transaction; members
		// that still match keep their addedAt.
		before := a.members(dyn.ID)
		south := map[string]any{"or": []any{north, map[string]any{"property": "region", "operator": "EQ", "value": "south"}}}
		var updated struct{ UpdateList struct{ List listJSON } }
		a.ok(`mutation($id: ID!, $f: RecordFilter) { updateList(input: {id: $id, name: "North or south", filter: $f}) { list { `+listFields+` } } }`,
			map[string]any{"id": dyn.ID, "f": south}, &updated)
		if updated.UpdateList.List.Name != "North or south" || updated.UpdateList.List.Size != 3 {
			t.Fatalf("updated %+v", updated.UpdateList.List)
		}
		exact(t, a, "a new filter", dynamic{updated.UpdateList.List, south})
		for _, m := range a.members(dyn.ID) {
			for _, b := range before {
				if m.Email == b.Email && !m.AddedAt.Equal(b.AddedAt) {
					t.Fatalf("%s stayed but its addedAt moved: %v to %v", m.Email, b.AddedAt, m.AddedAt)
				}
			}
		}

		// Converted: the members it has stay, and stay put.
		var conv struct{ ConvertListToManual struct{ List listJSON } }
		a.ok(`mutation($id: ID!) { convertListToManual(input: {id: $id}) { list { `+listFields+` } } }`, map[string]any{"id": dyn.ID}, &conv)
		if c := conv.ConvertListToManual.List; c.Kind != "MANUAL" || c.Filter != nil || c.Size != 3 {
			t.Fatalf("converted %+v", c)
		}
		a.updateRecord(ann, map[string]any{"region": "east"})
		if got := a.memberEmails(dyn.ID); len(got) != 3 {
			t.Fatalf("a converted list moved: %v", got)
		}
		if res := a.changeMembers("removeFromList", dyn.ID, ann.ID); res.List.Size != 2 {
			t.Fatalf("removing from a converted list: %+v", res)
		}
	})
}

// TestListsInFilters: inList and notInList in records, views and other
// lists; a cycle is refused naming it; a list read by another list or a
// view cannot be deleted.
func TestListsInFilters(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := a.create("contacts", map[string]any{"email": "ann@acme.io", "firstname": "Ann"})
		a.create("contacts", map[string]any{"email": "bob@acme.io", "firstname": "Bob"})
		acme := a.create("companies", map[string]any{"name": "Acme", "domain": "acme.io"})
		vip := a.createList("contacts", "VIP", "MANUAL", nil)
		a.changeMembers("addToList", vip.ID, ann.ID)
		if got := a.matching("contacts", map[string]any{"inList": vip.ID}); !slices.Equal(got, []string{"ann@acme.io"}) {
			t.Fatalf("inList: %v", got)
		}
		if got := a.matching("contacts", map[string]any{"notInList": vip.ID}); !slices.Equal(got, []string{"bob@acme.io"}) {
			t.Fatalf("notInList: %v", got)
		}
		a.fails(`query($f: RecordFilter) { records(objectType: "companies", filter: $f) { totalCount } }`,
			map[string]any{"f": map[string]any{"inList": vip.ID}}, "BAD_USER_INPUT", "")
		a.fails(`query { records(objectType: "contacts", filter: {inList: "nope"}) { totalCount } }`, nil, "BAD_USER_INPUT", "")
		_ = acme

		// A list of a list, and another of that one: the third may not
		// read the first back.
		first := a.createList("contacts", "First", "DYNAMIC", map[string]any{"notInList": vip.ID})
		second := a.createList("contacts", "Second", "DYNAMIC", map[string]any{"inList": first.ID})
		e := a.fails(`mutation($id: ID!, $f: RecordFilter) { updateList(input: {id: $id, filter: $f}) { list { id } } }`,
			map[string]any{"id": first.ID, "f": map[string]any{"inList": second.ID}}, "BAD_USER_INPUT", "")
		if !strings.Contains(e.Message, `"First" reads "Second" reads "First"`) {
			t.Fatalf("cycle refusal: %s", e.Message)
		}
		e = a.fails(`mutation($id: ID!, $f: RecordFilter) { updateList(input: {id: $id, filter: $f}) { list { id } } }`,
			map[string]any{"id": first.ID, "f": map[string]any{"not": map[string]any{"inList": first.ID}}}, "BAD_USER_INPUT", "")
		if !strings.Contains(e.Message, `"First" reads "First"`) {
			t.Fatalf("self refusal: %s", e.Message)
		}

		// Used by a list and a view: CONFLICT naming both.
		a.ok(createViewMutation, inVars(map[string]any{"objectType": "contacts", "name": "Not first", "filter": map[string]any{"notInList": first.ID}}), nil)
		e = a.fails(`mutation($id: ID!) { deleteList(input: {id: $id}) { deletedId } }`, map[string]any{"id": first.ID}, "CONFLICT", "")
		if !strings.Contains(e.Message, `list "Second"`) || !strings.Contains(e.Message, `view "Not first"`) {
			t.Fatalf("delete refusal: %s", e.Message)
		}
		a.ok(`mutation($id: ID!) { deleteList(input: {id: $id}) { deletedId } }`, map[string]any{"id": second.ID}, nil)
	})
}
