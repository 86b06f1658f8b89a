package graph_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"
)

const listFields = `id name objectType kind filter size createdAt updatedAt`

type listJSON struct {
	ID         string
	Name       string
	ObjectType string
	Kind       string
	Filter     map[string]any
	Size       int
}

// createList makes a list and returns it.
func (a *api) createList(objectType, name, kind string, filter map[string]any) listJSON {
	a.t.Helper()
	in := map[string]any{"objectType": objectType, "name": name, "kind": kind}
	if filter != nil {
		in["filter"] = filter
	}
	var out struct{ CreateList struct{ List listJSON } }
	a.ok(`mutation($in: CreateListInput!) { createList(input: $in) { list { `+listFields+` } } }`, inVars(in), &out)
	return out.CreateList.List
}

// list reads a list.
func (a *api) list(id string) listJSON {
	a.t.Helper()
	var out struct{ List *listJSON }
	a.ok(`query($id: ID!) { list(id: $id) { `+listFields+` } }`, map[string]any{"id": id}, &out)
	if out.List == nil {
		a.t.Fatalf("no list %s", id)
	}
	return *out.List
}

type memberJSON struct {
	Email   string
	AddedAt time.Time
}

// members reads every member of a list in its order (most recently added
// first), page by page, and checks totalCount and size against them.
func (a *api) members(id string) []memberJSON {
	a.t.Helper()
	var out []memberJSON
	var after any
	for {
		var page struct {
			List struct {
				Size    int
				Records struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct {
						AddedAt time.Time
						Node    struct{ Properties map[string]any }
					}
				}
			}
		}
		a.ok(`query($id: ID!, $after: String) { list(id: $id) { size records(first: 7, after: $after) {
			totalCount pageInfo { hasNextPage endCursor } edges { addedAt node { properties(names: ["email"]) } } } } }`,
			map[string]any{"id": id, "after": after}, &page)
		for _, e := range page.List.Records.Edges {
			email, _ := e.Node.Properties["email"].(string)
			out = append(out, memberJSON{Email: email, AddedAt: e.AddedAt})
		}
		if page.List.Size != page.List.Records.TotalCount {
			a.t.Fatalf("list %s: size %d, totalCount %d", id, page.List.Size, page.List.Records.TotalCount)
		}
		if !page.List.Records.PageInfo.HasNextPage {
			if len(out) != page.List.Size {
				a.t.Fatalf("list %s: size %d, %d members read", id, page.List.Size, len(out))
			}
			return out
		}
		after = page.List.Records.PageInfo.EndCursor
	}
}

// memberEmails are a list's members' emails, sorted.
func (a *api) memberEmails(id string) []string {
	a.t.Helper()
	var out []string
	for _, m := range a.members(id) {
		out = append(out, m.Email)
	}
	sort.Strings(out)
	return out
}

// matching are the emails of the live contacts (or records of another
// type with an email property) a filter matches now, sorted: a fresh
// evaluation through records(filter:).
func (a *api) matching(objectType string, filter map[string]any) []string {
	a.t.Helper()
	var out []string
	var after any
	for {
		var page struct {
			Records struct {
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct {
					Node struct{ Properties map[string]any }
				}
			}
		}
		vars := map[string]any{"t": objectType, "after": after}
		if filter != nil {
			vars["f"] = filter
		}
		a.ok(`query($t: String!, $f: RecordFilter, $after: String) { records(objectType: $t, filter: $f, first: 500, after: $after) {
			pageInfo { hasNextPage endCursor } edges { node { properties(names: ["email"]) } } } }`, vars, &page)
		for _, e := range page.Records.Edges {
			email, _ := e.Node.Properties["email"].(string)
			out = append(out, email)
		}
		if !page.Records.PageInfo.HasNextPage {
			sort.Strings(out)
			return out
		}
		after = page.Records.PageInfo.EndCursor
	}
}

// dynamic is a dynamic list with the filter it was made with.
type dynamic struct {
	list   listJSON
	filter map[string]any
}

// exact fails unless each list holds exactly what a fresh evaluation of
// its filter finds.
func exact(t *testing.T, a *api, when string, lists ...dynamic) {
	t.Helper()
	for _, d := range lists {
		got, want := a.memberEmails(d.list.ID), a.matching(d.list.ObjectType, d.filter)
		if !slices.Equal(got, want) {
			t.Fatalf("after %s, list %q holds\n  %v\nwhile its filter matches\n  %v", when, d.list.Name, got, want)
		}
	}
}

// listNames are the names of the lists a record is a member of.
func (a *api) listNames(r recordJSON) []string {
	a.t.Helper()
	var out struct {
		Record struct {
			Lists []struct{ Name string }
		}
	}
	a.ok(`query($id: ID!) { record(id: $id) { lists { name } } }`, map[string]any{"id": r.ID}, &out)
	names := []string{}
	for _, l := range out.Record.Lists {
		names = append(names, l.Name)
	}
	return names
}

const listMembersMutation = `mutation($in: ListMembersInput!) { %s(input: $in) { list { size } written failed results { index record { id } error { code message } } } }`

type listMembersJSON struct {
	List            struct{ Size int }
	Written, Failed int
	Results         []struct {
		Index  int
		Record *struct{ ID string }
		Error  *struct{ Code, Message string }
	}
}

// changeMembers runs addToList or removeFromList.
func (a *api) changeMembers(field, listID string, ids ...string) listMembersJSON {
	a.t.Helper()
	var out map[string]listMembersJSON
	a.ok(fmt.Sprintf(listMembersMutation, field), inVars(map[string]any{"listId": listID, "recordIds": ids}), &out)
	return out[field]
}
