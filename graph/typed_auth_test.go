package graph_test

// Keys, scopes and workspaces at the typed endpoint: as at /graphql.

import (
	"reflect"
	"strings"
	"testing"
)

func TestTypedWorkspacesAndScopes(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		one, two := twoWorkspaces(t, a)
		one.api.createObjectType(machinesInput())

		t.Run("a key sees its own workspace's typed schema only", func(t *testing.T) {
			if typ, roots := one.api.introspectTyped().hasMachines(); !typ || !roots {
				t.Fatalf("workspace one: type %v, root fields %v", typ, roots)
			}
			if typ, roots := two.api.introspectTyped().hasMachines(); typ || roots {
				t.Fatalf("workspace two: type %v, root fields %v", typ, roots)
			}
			two.api.typed().fails(`{ machines { totalCount } }`, nil, "BAD_USER_INPUT", "")
			two.api.typed().fails(`mutation { createMachine(input: {serial_number: "M-1"}) { record { id } } }`, nil, "BAD_USER_INPUT", "")
			// Each reads its own look-alike contact, and only it.
			for _, w := range []lookalike{one, two} {
				var out struct{ Contacts typedPage }
				w.api.typed().ok(`{ contacts { totalCount edges { node { id tier } } } }`, nil, &out)
				if out.Contacts.TotalCount != 1 || out.Contacts.Edges[0].Node["id"] != w.contact {
					t.Errorf("workspace of %s reads %+v", w.contact, out.Contacts)
				}
			}
		})

		t.Run("a key without RECORDS_WRITE: FORBIDDEN as at /graphql, and nothing written", func(t *testing.T) {
			_, secret := one.api.newKey("reader", []string{"RECORDS_READ"}, nil)
			reader := one.api.as(secret)
			reader.typed().ok(`{ machines { totalCount } }`, nil, nil)
			before := a.count("contacts")
			for _, c := range []struct{ typed, generic string }{
				{`mutation { createContact(input: {email: "b@example.com"}) { record { id } } }`,
					`mutation { createRecord(input: {objectType: "contacts", properties: {email: "b@example.com"}}) { record { id } } }`},
				{`mutation { createContacts(inputs: [{email: "b@example.com"}]) { written } }`,
					`mutation { createRecords(input: {objectType: "contacts", inputs: [{properties: {email: "b@example.com"}}]}) { written } }`},
				{`mutation { archiveContact(id: "` + one.contact + `") { record { id } } }`,
					`mutation { archiveRecord(input: {id: "` + one.contact + `"}) { record { id } } }`},
			} {
				te := reader.typed().fails(c.typed, nil, "FORBIDDEN", "")
				ge := reader.fails(c.generic, nil, "FORBIDDEN", "")
				if te.Message != ge.Message || !reflect.DeepEqual(te.Extensions, ge.Extensions) {
					t.Errorf("typed %+v, generic %+v", te, ge)
				}
			}
			if n := a.count("contacts"); n != before {
				t.Fatalf("refused mutations wrote %d contacts", n-before)
			}
			var out struct{ Record struct{ Archived bool } }
			one.api.ok(`query($id: ID!) { record(id: $id) { archived } }`, map[string]any{"id": one.contact}, &out)
			if out.Record.Archived {
				t.Fatal("the refused archive archived")
			}
		})

		t.Run("a key without RECORDS_READ: FORBIDDEN, the schema too", func(t *testing.T) {
			_, secret := one.api.newKey("importer", []string{"IMPORT_EXPORT"}, nil)
			importer := one.api.as(secret)
			importer.fails(`{ records(objectType: "contacts") { edges { node { id associations(toObjectType: "companies") { totalCount } } } } }`, nil, "FORBIDDEN", "")
			importer.fails(`{ objectTypes { name } }`, nil, "FORBIDDEN", "")
			for _, q := range []string{`{ contacts { totalCount } }`, `{ __schema { types { name } } }`} {
				if e := importer.typed().fails(q, nil, "FORBIDDEN", ""); !strings.Contains(e.Message, "RECORDS_READ") {
					t.Errorf("%s: %q", q, e.Message)
				}
			}
		})

		t.Run("no key once keys exist: UNAUTHENTICATED", func(t *testing.T) {
			// The default configuration asks for keys once one exists.
			for _, s := range []*api{a, one.api.as("")} {
				s.typed().unauthenticated(`{ contacts { totalCount } }`)
				s.typed().unauthenticated(`{ __schema { queryType { name } } }`)
				s.typed().unauthenticated(`mutation { createContact(input: {email: "c@example.com"}) { record { id } } }`)
			}
			one.api.as("not-a-key").typed().unauthenticated(`{ contacts { totalCount } }`)
		})
	})
}
