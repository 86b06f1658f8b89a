package graph_test

// The typed schema follows definition changes: on the server that made
// them and on another server process over the same database, from the
// next request on.

import (
	"slices"
	"strings"
	"testing"
)

// typedIntrospection is a typed schema as introspection answers it: the
// root fields, and each named type's fields, input fields and enum values.
type typedIntrospection struct {
	query, mutation []string
	types           map[string][]string
}

const typedIntrospectionQuery = `{ __schema {
  queryType { fields { name } }
  mutationType { fields { name } }
  types { name fields { name } inputFields { name } enumValues { name } }
} }`

// introspectTyped reads a's typed schema through introspection.
func (a *api) introspectTyped() typedIntrospection {
	a.t.Helper()
	type named struct{ Name string }
	var out struct {
		Schema struct {
			QueryType, MutationType struct{ Fields []named }
			Types                   []struct {
				Name                            string
				Fields, InputFields, EnumValues []named
			}
		} `json:"__schema"`
	}
	a.typed().ok(typedIntrospectionQuery, nil, &out)
	names := func(list []named) []string {
		var s []string
		for _, n := range list {
			s = append(s, n.Name)
		}
		return s
	}
	got := typedIntrospection{query: names(out.Schema.QueryType.Fields), mutation: names(out.Schema.MutationType.Fields), types: map[string][]string{}}
	for _, t := range out.Schema.Types {
		got.types[t.Name] = slices.Concat(names(t.Fields), names(t.InputFields), names(t.EnumValues))
	}
	return got
}

// hasMachines reports how much of the Machine type, made from the
// machines object type, s shows: the type, its root fields, a mutation.
func (s typedIntrospection) hasMachines() (typ, roots bool) {
	_, typ = s.types["Machine"]
	return typ, slices.Contains(s.query, "machines") && slices.Contains(s.query, "machine") && slices.Contains(s.mutation, "createMachine")
}

// hasField reports whether typ has field in s, and its filter and write
// input too.
func (s typedIntrospection) hasField(typ, field string) (inType, inInputs bool) {
	return slices.Contains(s.types[typ], field),
		slices.Contains(s.types[typ+"Filter"], field) && slices.Contains(s.types[typ+"Input"], field) && slices.Contains(s.types[typ+"SortField"], field)
}

func TestTypedSchemaFollowsDefinitions(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		b := a.secondServer()
		var machine string
		// Both servers have built their typed server of this version.
		for _, s := range []*api{a, b} {
			if typ, roots := s.introspectTyped().hasMachines(); typ || roots {
				t.Fatal("Machine before machines exists")
			}
		}

		t.Run("a custom object type appears on every server", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			a.createObjectType(machinesInput())
			for name, s := range map[string]*api{"first": a, "second": b} {
				if typ, roots := s.introspectTyped().hasMachines(); !typ || !roots {
					t.Errorf("%s server: type %v, root fields %v", name, typ, roots)
				}
			}
			var out struct {
				CreateMachine struct{ Record map[string]any }
			}
			b.typed().ok(`mutation { createMachine(input: {serial_number: "M-1", model: "Lathe", status: active}) { record { id serial_number status } } }`, nil, &out)
			if r := out.CreateMachine.Record; r["serial_number"] != "M-1" || r["status"] != "active" {
				t.Fatalf("created %v", r)
			}
		})

		t.Run("a property created in one request is a typed field in the next", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			a.createProperty("machines", map[string]any{"name": "rack", "label": "Rack", "type": "STRING", "fieldType": "TEXT"})
			var out struct{ UpdateMachines struct{ Written int } }
			var page struct{ Machines typedPage }
			a.typed().ok(`{ machines(first: 1) { edges { node { id } } } }`, nil, &page)
			machine = page.Machines.Edges[0].Node["id"].(string)
			a.typed().ok(`mutation($id: ID!) { updateMachines(inputs: [{id: $id, values: {rack: "R7"}}]) { written } }`, map[string]any{"id": machine}, &out)
			if out.UpdateMachines.Written != 1 {
				t.Fatalf("wrote %d", out.UpdateMachines.Written)
			}
			for name, s := range map[string]*api{"first": a, "second": b} {
				s.typed().ok(`{ machines(filter: {rack: {eq: "R7"}}, sort: [{field: rack}]) { totalCount edges { node { rack } } } }`, nil, &page)
				if page.Machines.TotalCount != 1 || page.Machines.Edges[0].Node["rack"] != "R7" {
					t.Errorf("%s server read %+v", name, page.Machines)
				}
				if inType, inInputs := s.introspectTyped().hasField("Machine", "rack"); !inType || !inInputs {
					t.Errorf("%s server: rack in Machine %v, in its filter, input and sort %v", name, inType, inInputs)
				}
			}
		})

		t.Run("an archived property leaves the typed schema", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			a.ok(archivePropertyMutation, propertyRef("machines", "rack"), nil)
			for name, s := range map[string]*api{"first": a, "second": b} {
				if inType, inInputs := s.introspectTyped().hasField("Machine", "rack"); inType || inInputs {
					t.Errorf("%s server: rack in Machine %v, in its filter, input and sort %v", name, inType, inInputs)
				}
				e := s.typed().fails(`{ machines { edges { node { rack } } } }`, nil, "BAD_USER_INPUT", "")
				if !strings.Contains(e.Message, `"rack"`) {
					t.Errorf("%s server: %s", name, e.Message)
				}
			}
		})

		t.Run("an archived object type leaves the typed schema", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			// Through the second server this time, once its records are gone.
			b.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedId } }`, map[string]any{"id": machine}, nil)
			b.ok(archiveObjectTypeMutation, map[string]any{"n": "machines"}, nil)
			for name, s := range map[string]*api{"first": a, "second": b} {
				if typ, roots := s.introspectTyped().hasMachines(); typ || roots {
					t.Errorf("%s server: type %v, root fields %v", name, typ, roots)
				}
				s.typed().fails(`{ machines { totalCount } }`, nil, "BAD_USER_INPUT", "")
			}
		})
	})
}

// TestTypedHostileDefinitions: definitions whose names the naming rule
// must bend keep the typed endpoint answering (a property named true, two
// options of no letter or digit, a type labelled as another's connection).
func TestTypedHostileDefinitions(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createProperty("contacts", map[string]any{"name": "true", "label": "True", "type": "STRING", "fieldType": "TEXT"})
		a.createProperty("contacts", map[string]any{"name": "mood", "label": "Mood", "type": "ENUMERATION", "fieldType": "SELECT",
			"options": []map[string]any{{"label": "Happy", "value": ":-)"}, {"label": "Sad", "value": ":-("}}})
		a.createObjectType(map[string]any{"name": "contact_connections", "singularLabel": "Contact Connection", "pluralLabel": "Contact Connections",
			"properties": []map[string]any{{"name": "title", "label": "Title", "type": "STRING", "fieldType": "TEXT"}}, "primaryDisplayProperty": "title"})
		var out struct {
			CreateContact struct{ Record map[string]any }
		}
		a.typed().ok(`mutation { createContact(input: {email: "h@example.com", true_: "yes", mood: _2}) { record { id true_ mood } } }`, nil, &out)
		if r := out.CreateContact.Record; r["true_"] != "yes" || r["mood"] != "_2" {
			t.Fatalf("typed answer %v", r)
		}
		if got := storedOf(t, a, out.CreateContact.Record["id"].(string)); got["true"] != "yes" || got["mood"] != ":-(" {
			t.Fatalf("stored %v", got)
		}
		var page struct{ ContactConnections typedPage }
		a.typed().ok(`mutation { createContactConnection_2(input: {title: "c"}) { record { id } } }`, nil, nil)
		a.typed().ok(`{ contactConnections: contact_connections { totalCount } }`, nil, &page)
		if page.ContactConnections.TotalCount != 1 {
			t.Fatalf("contact connections %+v", page.ContactConnections)
		}
	})
}
