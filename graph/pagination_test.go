package graph_test

import (
	"fmt"
	"slices"
	"testing"
)

type pageJSON struct {
	Records struct {
		Edges []struct {
			Cursor string
			Node   struct{ ID string }
		}
		PageInfo struct {
			HasNextPage     bool
			HasPreviousPage bool
			StartCursor     *string
			EndCursor       *string
		}
	}
}

// createBatch makes n contacts in one batch: they share one creation time,
// so the keyset's id tiebreak is what orders them.
func (a *api) createBatch(n, offset int) {
	a.t.Helper()
	inputs := make([]map[string]any, n)
	for i := range inputs {
		inputs[i] = map[string]any{"properties": map[string]any{"email": fmt.Sprintf("p%d@example.com", offset+i)}}
	}
	var out struct {
		CreateRecords struct{ Written, Failed int }
	}
	a.ok(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { written failed } }`,
		map[string]any{"in": inputs}, &out)
	if out.CreateRecords.Written != n {
		a.t.Fatalf("wrote %d of %d", out.CreateRecords.Written, n)
	}
}

func TestPaginationVisitsEachRecordOnce(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		// 250 records in three batches: ties within each batch.
		a.createBatch(100, 0)
		a.createBatch(100, 100)
		a.createBatch(50, 200)
		all := a.listIDs("contacts", false)
		if len(all) != 250 {
			t.Fatalf("%d records listed", len(all))
		}

		const q = `query($first: Int, $after: String, $last: Int, $before: String) {
			records(objectType: "contacts", first: $first, after: $after, last: $last, before: $before) {
				edges { cursor node { id } }
				pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			}
		}`
		t.Run("forward", func(t *testing.T) {
			var seen []string
			vars := map[string]any{"first": 7}
			for pages := 0; ; pages++ {
				if pages > 40 {
					t.Fatal("pagination does not end")
				}
				var p pageJSON
				a.ok(q, vars, &p)
				for _, e := range p.Records.Edges {
					seen = append(seen, e.Node.ID)
				}
				if got, want := p.Records.PageInfo.HasPreviousPage, pages > 0; got != want {
					t.Fatalf("page %d: hasPreviousPage %v", pages, got)
				}
				if !p.Records.PageInfo.HasNextPage {
					break
				}
				vars = map[string]any{"first": 7, "after": *p.Records.PageInfo.EndCursor}
			}
			if !slices.Equal(seen, all) {
				t.Fatalf("forward walk visited %d records, not each of the 250 once in order", len(seen))
			}
		})
		t.Run("backward", func(t *testing.T) {
			var seen []string
			vars := map[string]any{"last": 7}
			for pages := 0; ; pages++ {
				if pages > 40 {
					t.Fatal("pagination does not end")
				}
				var p pageJSON
				a.ok(q, vars, &p)
				page := make([]string, len(p.Records.Edges))
				for i, e := range p.Records.Edges {
					page[i] = e.Node.ID
				}
				seen = append(page, seen...)
				if !p.Records.PageInfo.HasPreviousPage {
					break
				}
				vars = map[string]any{"last": 7, "before": *p.Records.PageInfo.StartCursor}
			}
			if !slices.Equal(seen, all) {
				t.Fatalf("backward walk visited %d records, not each of the 250 once in order", len(seen))
			}
		})
		t.Run("between two cursors", func(t *testing.T) {
			var first pageJSON
			a.ok(q, map[string]any{"first": 20}, &first)
			edges := first.Records.Edges
			var mid pageJSON
			a.ok(q, map[string]any{"first": 100, "after": edges[4].Cursor, "before": edges[10].Cursor}, &mid)
			if len(mid.Records.Edges) != 5 || mid.Records.Edges[0].Node.ID != edges[5].Node.ID {
				t.Fatalf("after 4 and before 10 gave %d edges", len(mid.Records.Edges))
			}
		})
	})
}

func TestPaginationArguments(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createBatch(3, 0)
		var def struct {
			Records struct{ Edges []any }
		}
		a.ok(`{ records(objectType: "contacts") { edges { cursor } } }`, nil, &def)
		if len(def.Records.Edges) != 3 {
			t.Fatalf("default page holds %d", len(def.Records.Edges))
		}
		a.fails(`{ records(objectType: "contacts", first: 1001) { totalCount } }`, nil, "LIMIT_EXCEEDED", "")
		a.fails(`{ records(objectType: "contacts", first: -1) { totalCount } }`, nil, "BAD_USER_INPUT", "")
		a.fails(`{ records(objectType: "contacts", first: 1, last: 1) { totalCount } }`, nil, "BAD_USER_INPUT", "")
		a.fails(`{ records(objectType: "contacts", after: "garbage") { totalCount } }`, nil, "BAD_USER_INPUT", "")
		var live pageJSON
		a.ok(`{ records(objectType: "contacts", first: 1) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, nil, &live)
		// A cursor of the live ordering does not page the recycle bin.
		a.fails(`query($c: String) { records(objectType: "contacts", archived: true, after: $c) { totalCount } }`,
			map[string]any{"c": live.Records.Edges[0].Cursor}, "BAD_USER_INPUT", "")
	})
}

// A cursor holds the object type and the order of the read it came from:
// used with another, it is refused, not silently read as a position there.
func TestCursorOfAnotherReadIsRefused(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		company := a.create("companies", map[string]any{"name": "Acme"})
		contact := a.create("contacts", map[string]any{"email": "ada@example.com"})
		a.associate(company, contact)
		a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": a.create("contacts", map[string]any{"email": "old@example.com"}).ID}, nil)

		var out struct {
			Contacts, Bin struct{ PageInfo struct{ EndCursor string } }
			Companies     struct {
				Edges []struct {
					Node struct {
						Associations struct{ PageInfo struct{ EndCursor string } }
					}
				}
			}
		}
		a.ok(`{
			contacts: records(objectType: "contacts") { pageInfo { endCursor } }
			bin: records(objectType: "contacts", archived: true) { pageInfo { endCursor } }
			companies: records(objectType: "companies") { edges { node { associations(toObjectType: "contacts") { pageInfo { endCursor } } } } }
		}`, nil, &out)
		contacts, bin := out.Contacts.PageInfo.EndCursor, out.Bin.PageInfo.EndCursor
		nested := out.Companies.Edges[0].Node.Associations.PageInfo.EndCursor

		const records = `query($type: String!, $archived: Boolean, $after: String) {
			records(objectType: $type, archived: $archived, after: $after) { edges { node { id } } }
		}`
		const associations = `query($after: String) {
			records(objectType: "contacts") { edges { node { associations(toObjectType: "companies", after: $after) { edges { node { id } } } } } }
		}`
		for _, c := range []struct {
			name, query string
			vars        map[string]any
		}{
			{"a contacts cursor on companies", records, map[string]any{"type": "companies", "after": contacts}},
			{"a live cursor in the recycle bin", records, map[string]any{"type": "contacts", "archived": true, "after": contacts}},
			{"a recycle bin cursor on live records", records, map[string]any{"type": "contacts", "after": bin}},
			{"an associated contacts cursor on companies", records, map[string]any{"type": "companies", "after": nested}},
			{"a contacts cursor on associated companies", associations, map[string]any{"after": contacts}},
		} {
			t.Run(c.name, func(t *testing.T) {
				a := a.with(t)
				a.fails(c.query, c.vars, "BAD_USER_INPUT", "")
			})
		}
		// The same read takes its own cursors, nested or not.
		a.ok(records, map[string]any{"type": "contacts", "after": contacts}, nil)
		a.ok(records, map[string]any{"type": "contacts", "after": nested}, nil)
	})
}

// An empty cursor is no cursor: genqlient sends after: "" for a first
// page. The answer is byte for byte the one without it, at every level.
func TestEmptyCursorsMeanNone(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		company := a.create("companies", map[string]any{"name": "Acme"})
		for i := range 3 {
			a.associate(company, a.create("contacts", map[string]any{"email": fmt.Sprintf("c%d@example.com", i)}))
		}
		const q = `query($after: String, $before: String) {
			records(objectType: "companies", first: 2, after: $after) { edges { cursor node { id
				associations(toObjectType: "contacts", last: 2, before: $before) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage } }
				timeline(first: 2, after: $after) { edges { cursor } }
			} } pageInfo { hasNextPage endCursor } } }`
		absent := a.do(q, nil)
		if len(absent.Errors) > 0 {
			t.Fatalf("errors: %v", absent.Errors)
		}
		for _, vars := range []map[string]any{{"after": ""}, {"before": ""}, {"after": "", "before": ""}} {
			got := a.do(q, vars)
			if len(got.Errors) > 0 || string(got.Data) != string(absent.Data) {
				t.Errorf("with %v:\n%s %v\nwithout:\n%s", vars, got.Data, got.Errors, absent.Data)
			}
		}
	})
}
