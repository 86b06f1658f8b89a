package graph_test

import "testing"

// hostile is text that would break a statement it was spliced into.
const hostile = `O'Brien "the" \back\ -- ; DROP TABLE records; -- ' OR '1'='1 ?$1`

// Names and values carrying quotes, backslashes, comments and semicolons
// go through every read and write path as data: definitions keep them,
// records store, find, update and read them back, history answers them,
// and a name no property may have is refused, writing nothing.
func TestHostileNamesAndValuesRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		// A custom property's definition: label, description, options.
		option := `it's "x" \ -- opt`
		p := a.createProperty("contacts", map[string]any{"name": "code", "label": hostile, "description": hostile,
			"type": "STRING", "fieldType": "TEXT", "hasUniqueValue": true})
		if p.Label != hostile || p.Description != hostile || !p.HasUniqueValue {
			t.Fatalf("definition answered %+v", p)
		}
		e := a.createProperty("contacts", map[string]any{"name": "mood", "label": "Mood", "type": "ENUMERATION", "fieldType": "SELECT",
			"options": []map[string]any{{"value": option, "label": hostile, "displayOrder": 0}}})
		if len(e.Options) != 1 || e.Options[0].Value != option || e.Options[0].Label != hostile {
			t.Fatalf("options answered %+v", e.Options)
		}
		if got := a.mustProperty("contacts", "code"); got.Label != hostile || got.Description != hostile {
			t.Fatalf("definition read back %+v", got)
		}

		// A name no property may have is refused before it reaches SQL.
		before := len(a.mustObjectType("contacts").Properties)
		for _, name := range []string{hostile, `code'--`, `x"; DROP TABLE records; --`, `a\b`} {
			a.fails(createPropertyMutation, map[string]any{"t": "contacts", "p": map[string]any{"name": name, "label": "X", "type": "STRING", "fieldType": "TEXT"}},
				"BAD_USER_INPUT", "name")
		}
		if after := len(a.mustObjectType("contacts").Properties); after != before {
			t.Fatalf("refused names left %d properties, not %d", after, before)
		}

		// Values: stored, found by their unique index, updated, read.
		first := a.create("contacts", map[string]any{"email": "h1@example.com", "code": hostile, "mood": option, "firstname": hostile})
		if first.Properties["code"] != hostile || first.Properties["mood"] != option || first.DisplayName != hostile {
			t.Fatalf("created %+v", first)
		}
		conflict := a.fails(`mutation($p: JSON!) { createRecord(input: {objectType: "contacts", properties: $p}) { record { id } } }`,
			map[string]any{"p": map[string]any{"email": "h2@example.com", "code": hostile}}, "CONFLICT", "code")
		if conflict.Extensions["existingRecordId"] != first.RecordID {
			t.Fatalf("the conflict names %v, not %s", conflict.Extensions, first.RecordID)
		}
		var upsert struct {
			UpsertRecords struct {
				Results []struct {
					Created bool
					Record  struct{ RecordID string }
				}
			}
		}
		a.ok(`mutation($p: JSON!) { upsertRecords(input: {objectType: "contacts", idProperty: "code", inputs: [{properties: $p}]}) { results { created record { recordId } } } }`,
			map[string]any{"p": map[string]any{"code": hostile, "lastname": hostile + " 2"}}, &upsert)
		if r := upsert.UpsertRecords.Results; len(r) != 1 || r[0].Created || r[0].Record.RecordID != first.RecordID {
			t.Fatalf("upsert by a hostile value answered %+v", upsert)
		}
		updated := hostile + `\\ 2`
		a.ok(updateRecordMutation, map[string]any{"id": first.ID, "p": map[string]any{"code": updated}}, nil)
		if got := a.stored(first); got["code"] != updated || got["lastname"] != hostile+" 2" || got["mood"] != option {
			t.Fatalf("stored %v", got)
		}

		// History answers every value written, newest first.
		var read struct {
			Record struct {
				Properties      map[string]any
				PropertyHistory struct {
					Edges []struct{ Node struct{ Value any } }
				}
			}
		}
		a.ok(`query($id: ID!) { record(id: $id) { properties(names: ["code", "mood"]) propertyHistory(names: ["code"]) { edges { node { value } } } } }`,
			map[string]any{"id": first.ID}, &read)
		if read.Record.Properties["code"] != updated || read.Record.Properties["mood"] != option {
			t.Fatalf("read %v", read.Record.Properties)
		}
		if h := read.Record.PropertyHistory.Edges; len(h) != 2 || h[0].Node.Value != updated || h[1].Node.Value != hostile {
			t.Fatalf("history %+v", h)
		}

		// An association label.
		a.ok(`mutation($l: String!) { createAssociationLabel(input: {fromObjectType: "companies", toObjectType: "contacts", label: $l}) { associationType { id } } }`,
			map[string]any{"l": hostile}, nil)
		company := a.create("companies", map[string]any{"name": hostile})
		a.associate(company, first, hostile)
		var linked struct {
			Record struct {
				Associations struct {
					Edges []struct {
						Labels []struct{ Label *string }
						Node   struct{ RecordID string }
					}
				}
			}
		}
		a.ok(`query($id: ID!, $l: [String!]) { record(id: $id) { associations(toObjectType: "contacts", labels: $l) { edges { labels { label } node { recordId } } } } }`,
			map[string]any{"id": company.ID, "l": []string{hostile}}, &linked)
		edges := linked.Record.Associations.Edges
		if len(edges) != 1 || edges[0].Node.RecordID != first.RecordID || len(edges[0].Labels) != 2 || *edges[0].Labels[1].Label != hostile {
			t.Fatalf("associations %+v", edges)
		}
		// Nothing was dropped, nothing more was written.
		if n := a.count("contacts"); n != 1 {
			t.Fatalf("%d contacts, not 1", n)
		}
	})
}
