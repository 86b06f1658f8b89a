package graph_test

import (
	"encoding/json"
	"testing"
)

// Partial success is reported as it happened: the mutation fields that
// committed keep their data beside the one that failed, and a bad id in
// nodes errs at its own position.
func TestPartialAnswers(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		t.Run("a mutation document", func(t *testing.T) {
			a := a.with(t)
			before := a.count("contacts")
			resp := a.do(`mutation {
				ok: createRecord(input: {objectType: "contacts", properties: {email: "kept@example.com"}}) { record { recordId } }
				bad: createRecord(input: {objectType: "nothing", properties: {}}) { record { recordId } }
			}`, nil)
			var data struct {
				OK  *struct{ Record struct{ RecordID string } }
				Bad *struct{}
			}
			if err := json.Unmarshal(resp.Data, &data); err != nil || data.OK == nil || data.OK.Record.RecordID == "" || data.Bad != nil {
				t.Fatalf("data %s (%v)", resp.Data, err)
			}
			if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "NOT_FOUND" || resp.Errors[0].Path[0] != "bad" {
				t.Fatalf("errors %+v", resp.Errors)
			}
			if a.count("contacts") != before+1 {
				t.Fatal("the committed field's record is not there")
			}
		})
		t.Run("nodes with a malformed id", func(t *testing.T) {
			a := a.with(t)
			c := a.create("contacts", map[string]any{"email": "n@example.com"})
			resp := a.do(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{c.ID, "not an id", c.ID}})
			var data struct{ Nodes []*struct{ ID string } }
			if err := json.Unmarshal(resp.Data, &data); err != nil || len(data.Nodes) != 3 || data.Nodes[0] == nil || data.Nodes[1] != nil || data.Nodes[2] == nil {
				t.Fatalf("data %s (%v)", resp.Data, err)
			}
			if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || len(resp.Errors[0].Path) != 2 || resp.Errors[0].Path[1] != float64(1) {
				t.Fatalf("errors %+v", resp.Errors)
			}
		})
		t.Run("an unknown property name", func(t *testing.T) {
			a := a.with(t)
			c := a.create("contacts", map[string]any{"email": "u@example.com"})
			for _, via := range []*api{a, a.executorOnly()} {
				e := via.fails(`query($id: ID!) { record(id: $id) { properties(names: ["email", "emial"]) } }`, map[string]any{"id": c.ID}, "BAD_USER_INPUT", "names")
				if e.Message != `contacts has no property "emial"` {
					t.Fatalf("message %q", e.Message)
				}
			}
			// Through a read plan, one error per record, as the executor says.
			resp := a.do(`{ records(objectType: "contacts") { edges { node { properties(names: ["emial"]) } } } }`, nil)
			if len(resp.Errors) == 0 {
				t.Fatal("no error")
			}
			for _, e := range resp.Errors {
				if e.Extensions["code"] != "BAD_USER_INPUT" || e.Extensions["property"] != "names" {
					t.Fatalf("errors %+v", resp.Errors)
				}
			}
		})
		t.Run("NUL in any string", func(t *testing.T) {
			a := a.with(t)
			a.fails(`mutation($l: String!) { createAssociationLabel(input: {fromObjectType: "companies", toObjectType: "contacts", label: $l}) { associationType { id } } }`,
				map[string]any{"l": "a\u0000b"}, "BAD_USER_INPUT", "")
			a.fails(`{ records(objectType: "con\u0000tacts") { totalCount } }`, nil, "BAD_USER_INPUT", "")
		})
	})
}

// @defer is not offered: introspection does not list it, and a document
// that uses it is refused rather than answered with a part that never
// comes.
func TestDeferIsNotOffered(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var out struct {
			Schema struct{ Directives []struct{ Name string } } `json:"__schema"`
		}
		a.ok(`{ __schema { directives { name } } }`, nil, &out)
		for _, d := range out.Schema.Directives {
			if d.Name == "defer" {
				t.Fatal("introspection offers @defer")
			}
		}
		a.fails(`{ records(objectType: "contacts") { edges { node { id ... @defer { displayName } } } } }`, nil, "BAD_USER_INPUT", "")
	})
}

// An id that is not one fails its own item of a batch, never the batch.
func TestBadIDsFailTheirItemOnly(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c1 := a.create("contacts", map[string]any{"email": "b1@example.com"})
		c2 := a.create("contacts", map[string]any{"email": "b2@example.com"})
		type batch struct {
			Written, Failed int
			Results         []struct {
				Error *struct{ Code, Property string }
			}
		}
		check := func(name string, got batch, written int, bad int) {
			t.Helper()
			if got.Written != written || got.Failed != 1 || got.Results[bad].Error == nil || got.Results[bad].Error.Code != "BAD_USER_INPUT" {
				t.Fatalf("%s: %+v", name, got)
			}
		}
		var archived struct{ ArchiveRecords batch }
		a.ok(`mutation($ids: [ID!]!) { archiveRecords(input: {ids: $ids}) { written failed results { error { code property } } } }`,
			map[string]any{"ids": []string{c1.ID, "nope", c2.ID}}, &archived)
		check("archiveRecords", archived.ArchiveRecords, 2, 1)

		var created struct{ CreateRecords batch }
		a.ok(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "companies", inputs: $in}) { written failed results { error { code property } } } }`,
			map[string]any{"in": []map[string]any{
				{"properties": map[string]any{"name": "A"}},
				{"properties": map[string]any{"name": "B"}, "associations": []map[string]any{{"to": "nope"}}},
			}}, &created)
		check("createRecords", created.CreateRecords, 1, 1)
		if p := created.CreateRecords.Results[1].Error.Property; p != "associations" {
			t.Fatalf("the bad association names %q", p)
		}
		if n := a.count("companies"); n != 1 {
			t.Fatalf("%d companies, want 1", n)
		}

		// c1 and c2 are archived now: link fresh records.
		c3 := a.create("contacts", map[string]any{"email": "b3@example.com"})
		var linked struct{ AssociateRecords batch }
		a.ok(`mutation($in: [AssociateInput!]!) { associateRecords(input: {inputs: $in}) { written failed results { error { code property } } } }`,
			map[string]any{"in": []map[string]any{{"from": c3.ID, "to": "nope"}, {"from": a.create("companies", map[string]any{"name": "C"}).ID, "to": c3.ID}}}, &linked)
		check("associateRecords", linked.AssociateRecords, 1, 0)
	})
}
