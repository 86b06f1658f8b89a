package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
)

const valueFields = `name type string number bool date dateTime options ownerId`

// typedProperties defines on contacts a property of every type the JSON
// map and the typed shape carry (email is a STRING, hubspot_owner_id an
// OWNER) and answers an owner to assign.
func typedProperties(a *api) ownerJSON {
	a.t.Helper()
	a.createProperty("contacts", map[string]any{"name": "score", "label": "Score", "type": "NUMBER", "fieldType": "NUMBER"})
	a.createProperty("contacts", map[string]any{"name": "vip", "label": "VIP", "type": "BOOL", "fieldType": "BOOLEANCHECKBOX"})
	a.createProperty("contacts", map[string]any{"name": "born", "label": "Born", "type": "DATE", "fieldType": "DATE"})
	a.createProperty("contacts", map[string]any{"name": "seen", "label": "Seen", "type": "DATETIME", "fieldType": "DATE"})
	a.createProperty("contacts", map[string]any{"name": "tags", "label": "Tags", "type": "ENUMERATION", "fieldType": "CHECKBOX",
		"options": optionsInput("a", "b", "c")})
	a.createProperty("contacts", map[string]any{"name": "tier", "label": "Tier", "type": "ENUMERATION", "fieldType": "SELECT",
		"options": optionsInput("gold", "silver")})
	return a.createOwner(map[string]any{"email": "ann@acme.io", "firstName": "Ann"})
}

// typedRecord is a record's id, its values in both shapes, as answered.
type typedRecord struct {
	ID         string          `json:"id"`
	RecordID   string          `json:"recordId"`
	Properties json.RawMessage `json:"properties"`
	Values     json.RawMessage `json:"values"`
}

// compact is raw without insignificant space.
func compact(t *testing.T, raw string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(raw)); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return buf.String()
}

// sameJSON fails unless got is want, byte for byte once compacted.
func sameJSON(t *testing.T, what string, got json.RawMessage, want string) {
	t.Helper()
	if g, w := compact(t, string(got)), compact(t, want); g != w {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// typedNames are the typed test properties, in the order read back.
var typedNames = `["email", "score", "vip", "born", "seen", "tags", "tier", "hubspot_owner_id", "firstname"]`

// TestValuesRead reads every property type in the typed shape: each typed
// field holds what properties holds, names filters and orders, an unset
// property, an archived one and an unknown name behave as properties(names:).
func TestValuesRead(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := typedProperties(a)
		c := a.create("contacts", map[string]any{"email": "pat@x.io", "score": "12345678901234567890", "vip": true,
			"born": "1990-02-28", "seen": "2026-01-02T17:04:05.123456+02:00", "tags": []string{"c", "a"}, "tier": "gold",
			"hubspot_owner_id": ann.OwnerID})
		var got struct{ Record typedRecord }
		read := func(names string) {
			t.Helper()
			a.ok(`query($id: ID!) { record(id: $id) { properties`+names+` values`+names+` { `+valueFields+` } } }`,
				map[string]any{"id": c.ID}, &got)
		}
		read(`(names: ` + typedNames + `)`)
		sameJSON(t, "values", got.Record.Values, fmt.Sprintf(`[
			{"name":"email","type":"STRING","string":"pat@x.io","number":null,"bool":null,"date":null,"dateTime":null,"options":null,"ownerId":null},
			{"name":"score","type":"NUMBER","string":null,"number":12345678901234567890,"bool":null,"date":null,"dateTime":null,"options":null,"ownerId":null},
			{"name":"vip","type":"BOOL","string":null,"number":null,"bool":true,"date":null,"dateTime":null,"options":null,"ownerId":null},
			{"name":"born","type":"DATE","string":null,"number":null,"bool":null,"date":"1990-02-28","dateTime":null,"options":null,"ownerId":null},
			{"name":"seen","type":"DATETIME","string":null,"number":null,"bool":null,"date":null,"dateTime":"2026-01-02T15:04:05.123Z","options":null,"ownerId":null},
			{"name":"tags","type":"ENUMERATION","string":null,"number":null,"bool":null,"date":null,"dateTime":null,"options":["c","a"],"ownerId":null},
			{"name":"tier","type":"ENUMERATION","string":null,"number":null,"bool":null,"date":null,"dateTime":null,"options":["gold"],"ownerId":null},
			{"name":"hubspot_owner_id","type":"OWNER","string":null,"number":null,"bool":null,"date":null,"dateTime":null,"options":null,"ownerId":%d}
		]`, ann.OwnerID))
		sameJSON(t, "properties", got.Record.Properties, fmt.Sprintf(`{"born":"1990-02-28","email":"pat@x.io","hubspot_owner_id":%d,
			"score":12345678901234567890,"seen":"2026-01-02T15:04:05.123Z","tags":["c","a"],"tier":"gold","vip":true}`, ann.OwnerID))

		t.Run("without names: every value, by name", func(t *testing.T) {
			var all struct {
				Record struct {
					Properties map[string]any
					Values     []struct{ Name, Type string }
				}
			}
			a.ok(`query($id: ID!) { record(id: $id) { properties values { name type } } }`, map[string]any{"id": c.ID}, &all)
			var names []string
			for _, v := range all.Record.Values {
				names = append(names, v.Name+":"+v.Type)
				if _, ok := all.Record.Properties[v.Name]; !ok {
					t.Errorf("%s is in values, not in properties", v.Name)
				}
			}
			want := "born:DATE createdate:DATETIME email:STRING hs_object_id:NUMBER hubspot_owner_id:OWNER lastmodifieddate:DATETIME " +
				"score:NUMBER seen:DATETIME tags:ENUMERATION tier:ENUMERATION vip:BOOL"
			if strings.Join(names, " ") != want || len(all.Record.Properties) != len(names) {
				t.Fatalf("values: %v\nproperties: %v", names, all.Record.Properties)
			}
		})
		t.Run("names: order kept, twice once, unset left out", func(t *testing.T) {
			read(`(names: ["vip", "firstname", "email", "vip", "hs_object_id"])`)
			sameJSON(t, "values", got.Record.Values, fmt.Sprintf(`[
				{"name":"vip","type":"BOOL","string":null,"number":null,"bool":true,"date":null,"dateTime":null,"options":null,"ownerId":null},
				{"name":"email","type":"STRING","string":"pat@x.io","number":null,"bool":null,"date":null,"dateTime":null,"options":null,"ownerId":null},
				{"name":"hs_object_id","type":"NUMBER","string":null,"number":%s,"bool":null,"date":null,"dateTime":null,"options":null,"ownerId":null}
			]`, c.RecordID))
			read(`(names: [])`)
			sameJSON(t, "no names", got.Record.Values, `[]`)
		})
		t.Run("an unknown name is refused", func(t *testing.T) {
			e := a.fails(`query($id: ID!) { record(id: $id) { values(names: ["email", "nope"]) { name } } }`,
				map[string]any{"id": c.ID}, "BAD_USER_INPUT", "names")
			if fmt.Sprint(e.Path) != "[record values]" {
				t.Fatalf("path %v", e.Path)
			}
		})
		t.Run("an archived property has no value", func(t *testing.T) {
			a.ok(archivePropertyMutation, propertyRef("contacts", "score"), nil)
			read(`(names: ["score", "vip"])`)
			sameJSON(t, "values", got.Record.Values,
				`[{"name":"vip","type":"BOOL","string":null,"number":null,"bool":true,"date":null,"dateTime":null,"options":null,"ownerId":null}]`)
			sameJSON(t, "properties", got.Record.Properties, `{"vip":true}`)
		})
	})
}

// typedInput is a PropertyInput.
func typedInput(name, field string, v any) map[string]any {
	if field == "" {
		return map[string]any{"name": name, "value": nil}
	}
	return map[string]any{"name": name, "value": map[string]any{field: v}}
}

// TestValuesWrite writes every property type in the typed shape through
// every write: the same values are stored as the JSON map's.
func TestValuesWrite(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := typedProperties(a)
		typed := []any{
			typedInput("score", "number", json.Number("12345678901234567890")),
			typedInput("vip", "bool", false),
			typedInput("born", "date", "1990-02-28"),
			typedInput("seen", "dateTime", "2026-01-02T17:04:05.123456+02:00"),
			typedInput("tags", "options", []string{"c", "a"}),
			typedInput("tier", "options", []string{"gold"}),
			typedInput("hubspot_owner_id", "ownerId", ann.OwnerID),
		}
		wantStored := fmt.Sprintf(`{"born":"1990-02-28","email":"pat@x.io","firstname":"Pat","hubspot_owner_id":%d,
			"score":12345678901234567890,"seen":"2026-01-02T15:04:05.123Z","tags":["c","a"],"tier":"gold","vip":false}`, ann.OwnerID)
		var created struct{ CreateRecord struct{ Record typedRecord } }
		a.ok(`mutation($in: CreateRecordInput!) { createRecord(input: $in) { record { id recordId } } }`,
			inVars(map[string]any{"objectType": "contacts", "properties": map[string]any{"firstname": "Pat"},
				"values": append([]any{typedInput("email", "string", "Pat@X.io")}, typed...)}), &created)
		rec := created.CreateRecord.Record
		var read struct{ Record typedRecord }
		a.ok(`query($id: ID!) { record(id: $id) { properties(names: `+typedNames+`) } }`, map[string]any{"id": rec.ID}, &read)
		sameJSON(t, "created", read.Record.Properties, wantStored)

		t.Run("literals", func(t *testing.T) {
			var out struct{ CreateRecord struct{ Record typedRecord } }
			a.ok(`mutation { createRecord(input: {objectType: "contacts", values: [
				{name: "email", value: {string: "lit@x.io"}}, {name: "score", value: {number: 1.50}},
				{name: "tags", value: {options: "b"}}, {name: "born", value: {date: "2000-01-01"}}]}) {
				record { properties(names: `+typedNames+`) values(names: ["score", "tags"]) { name number options } } } }`, nil, &out)
			sameJSON(t, "properties", out.CreateRecord.Record.Properties, `{"born":"2000-01-01","email":"lit@x.io","score":1.5,"tags":["b"]}`)
			sameJSON(t, "values", out.CreateRecord.Record.Values, `[{"name":"score","number":1.5,"options":null},{"name":"tags","number":null,"options":["b"]}]`)
		})

		t.Run("updateRecord", func(t *testing.T) {
			var out struct{ UpdateRecord struct{ Record typedRecord } }
			a.ok(`mutation($in: UpdateRecordInput!) { updateRecord(input: $in) { record { properties(names: ["score", "tags", "tier", "vip", "firstname"]) } } }`,
				inVars(map[string]any{"id": rec.ID, "properties": map[string]any{"firstname": nil}, "values": []any{
					typedInput("score", "number", 7), typedInput("tags", "options", []string{}), typedInput("tier", "", nil),
					typedInput("vip", "bool", true)}}), &out)
			sameJSON(t, "updated", out.UpdateRecord.Record.Properties, `{"score":7,"vip":true}`)
		})

		t.Run("createRecords and updateRecords", func(t *testing.T) {
			var out struct {
				CreateRecords struct {
					Results []struct {
						Record *typedRecord
						Error  *struct{ Code, Property string }
					}
				}
			}
			a.ok(`mutation($in: CreateRecordsInput!) { createRecords(input: $in) { results { record { id properties(names: `+typedNames+`) } error { code property } } } }`,
				inVars(map[string]any{"objectType": "contacts", "inputs": []any{
					map[string]any{"values": []any{typedInput("email", "string", "b1@x.io"), typedInput("born", "date", "2001-01-01")}},
					map[string]any{"properties": map[string]any{"email": "b2@x.io"}, "values": []any{typedInput("score", "bool", true)}},
				}}), &out)
			res := out.CreateRecords.Results
			if len(res) != 2 || res[0].Record == nil || res[1].Error == nil || res[1].Error.Code != "BAD_USER_INPUT" || res[1].Error.Property != "score" {
				t.Fatalf("results: %+v", res)
			}
			sameJSON(t, "created", res[0].Record.Properties, `{"born":"2001-01-01","email":"b1@x.io"}`)
			if n := a.count("contacts"); n != 3 {
				t.Fatalf("%d contacts: the refused item was written", n)
			}
			var upd struct {
				UpdateRecords struct {
					Results []struct{ Record *typedRecord }
				}
			}
			a.ok(`mutation($in: UpdateRecordsInput!) { updateRecords(input: $in) { results { record { properties(names: ["born", "vip"]) } } } }`,
				inVars(map[string]any{"inputs": []any{map[string]any{"id": res[0].Record.ID, "values": []any{
					typedInput("born", "", nil), typedInput("vip", "bool", true)}}}}), &upd)
			sameJSON(t, "updated", upd.UpdateRecords.Results[0].Record.Properties, `{"vip":true}`)
		})

		t.Run("upsertRecords", func(t *testing.T) {
			var out struct {
				UpsertRecords struct {
					Results []struct {
						Created bool
						Record  typedRecord
					}
				}
			}
			upsert := func(score int) {
				t.Helper()
				a.ok(`mutation($in: UpsertRecordsInput!) { upsertRecords(input: $in) { results { created record { properties(names: ["email", "score"]) } } } }`,
					inVars(map[string]any{"objectType": "contacts", "idProperty": "email", "inputs": []any{
						map[string]any{"values": []any{typedInput("email", "string", "up@x.io"), typedInput("score", "number", score)}}}}), &out)
			}
			upsert(1)
			upsert(2)
			r := out.UpsertRecords.Results[0]
			if r.Created {
				t.Fatal("the second upsert created a record")
			}
			sameJSON(t, "upserted", r.Record.Properties, `{"email":"up@x.io","score":2}`)
		})
	})
}

// TestValuesWriteRefusals: a typed value that sets no field or two (in a
// variable too, where GraphQL validation does not look), a property named
// twice, a field of another type than the property's, and
// a value its property refuses answer BAD_USER_INPUT and write nothing.
func TestValuesWriteRefusals(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		typedProperties(a)
		a.create("contacts", map[string]any{"email": "keep@x.io", "score": 1})
		before := a.snapshot("contacts")
		create := `mutation($in: CreateRecordInput!) { createRecord(input: $in) { record { id } } }`
		createIn := func(props map[string]any, values ...any) map[string]any {
			return inVars(map[string]any{"objectType": "contacts", "properties": props, "values": values})
		}
		batch := `mutation($in: CreateRecordsInput!) { createRecords(input: $in) { results { record { id } } } }`
		upsert := `mutation($in: UpsertRecordsInput!) { upsertRecords(input: $in) { results { record { id } } } }`
		for _, c := range []struct {
			name, query string
			vars        map[string]any
			property    string
		}{
			{"named in both", create, createIn(map[string]any{"score": 2}, typedInput("score", "number", 3)), "score"},
			{"named twice", create, createIn(nil, typedInput("vip", "bool", true), typedInput("vip", "", nil)), "vip"},
			{"bool for a number", create, createIn(nil, typedInput("score", "bool", true)), "score"},
			{"digits for a number", create, createIn(nil, typedInput("score", "string", "5")), "score"},
			{"a string for an enumeration", create, createIn(nil, typedInput("tier", "string", "gold")), "tier"},
			{"a number for an owner", create, createIn(nil, typedInput("hubspot_owner_id", "number", 1)), "hubspot_owner_id"},
			{"a date for a datetime", create, createIn(nil, typedInput("seen", "date", "2026-01-02")), "seen"},
			{"two options for a single select", create, createIn(nil, typedInput("tier", "options", []string{"gold", "silver"})), "tier"},
			{"an unknown option", create, createIn(nil, typedInput("tags", "options", []string{"z"})), "tags"},
			{"an unknown owner", create, createIn(nil, typedInput("hubspot_owner_id", "ownerId", 99999)), "hubspot_owner_id"},
			{"an unknown property", create, createIn(nil, typedInput("nope", "string", "x")), "nope"},
			{"a read-only property", create, createIn(nil, typedInput("createdate", "dateTime", "2026-01-02T00:00:00Z")), "createdate"},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := a.fails(c.query, c.vars, "BAD_USER_INPUT", c.property)
				if len(e.Path) != 1 {
					t.Fatalf("path %v: %s", e.Path, e.Message)
				}
				a.unchanged("contacts", before)
			})
		}
		t.Run("GraphQL refuses literals and scalars", func(t *testing.T) {
			for _, q := range []string{
				`mutation { createRecord(input: {objectType: "contacts", values: [{name: "score", value: {number: 1, string: "1"}}]}) { record { id } } }`,
				`mutation { createRecord(input: {objectType: "contacts", values: [{name: "score", value: {}}]}) { record { id } } }`,
				`mutation { createRecord(input: {objectType: "contacts", values: [{name: "born", value: {date: "2026-02-30"}}]}) { record { id } } }`,
				`mutation { createRecord(input: {objectType: "contacts", values: [{name: "seen", value: {dateTime: "yesterday"}}]}) { record { id } } }`,
			} {
				a.fails(q, nil, "BAD_USER_INPUT", "")
				a.unchanged("contacts", before)
			}
			a.fails(create, createIn(nil, typedInput("born", "date", "02/03/2026")), "BAD_USER_INPUT", "")
			a.unchanged("contacts", before)
		})
		t.Run("variables break the oneOf rule", func(t *testing.T) {
			value := func(v map[string]any) map[string]any { return map[string]any{"name": "score", "value": v} }
			twoFields := value(map[string]any{"number": 1, "string": "1"})
			for _, c := range []struct {
				name, query string
				vars        map[string]any
				path        string
			}{
				{"two fields", create, createIn(nil, twoFields), "$in.values[0].value"},
				{"no field", create, createIn(nil, value(map[string]any{})), "$in.values[0].value"},
				{"a null field", create, createIn(nil, value(map[string]any{"number": nil})), "$in.values[0].value"},
				{"a null beside the field", create, createIn(nil, typedInput("email", "string", "a@x.io"), value(map[string]any{"number": 3, "string": nil})), "$in.values[1].value"},
				{"two fields in a batch item", batch, inVars(map[string]any{"objectType": "contacts", "inputs": []any{
					map[string]any{"properties": map[string]any{"email": "ok@x.io"}},
					map[string]any{"values": []any{twoFields}}}}), "$in.inputs[1].values[0].value"},
				{"no field in an upsert item", upsert, inVars(map[string]any{"objectType": "contacts", "inputs": []any{
					map[string]any{"values": []any{typedInput("email", "string", "new@x.io"), value(map[string]any{})}}}}), "$in.inputs[0].values[1].value"},
				{"the variable itself", `mutation($v: PropertyValueInput!) { createRecord(input: {objectType: "contacts", values: [{name: "score", value: $v}]}) { record { id } } }`,
					map[string]any{"v": map[string]any{"number": nil, "string": "x"}}, "$v"},
			} {
				t.Run(c.name, func(t *testing.T) {
					resp := a.do(c.query, c.vars)
					if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" ||
						resp.Errors[0].Extensions["argumentPath"] != c.path || len(resp.Errors[0].Path) != 0 {
						t.Fatalf("want one BAD_USER_INPUT at %s before any field ran, got %+v", c.path, resp.Errors)
					}
					if len(resp.Data) != 0 && string(resp.Data) != "null" {
						t.Fatalf("data beside the refusal: %s", resp.Data)
					}
					a.unchanged("contacts", before)
				})
			}
		})
	})
}

// TestValuesIntrospection: PropertyValueInput is a oneOf input, and every
// custom scalar says where it is specified.
func TestValuesIntrospection(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var out struct {
			Input   struct{ IsOneOf bool }
			Scalars struct {
				Types []struct {
					Name           string
					Kind           string
					SpecifiedByURL *string
				}
			} `json:"__schema"`
		}
		a.ok(`{ input: __type(name: "PropertyValueInput") { isOneOf } __schema { types { name kind specifiedByURL } } }`, nil, &out)
		if !out.Input.IsOneOf {
			t.Fatal("PropertyValueInput is not @oneOf")
		}
		var got []string
		for _, ty := range out.Scalars.Types {
			if ty.Kind == "SCALAR" && ty.SpecifiedByURL != nil {
				got = append(got, ty.Name+" "+*ty.SpecifiedByURL)
			}
		}
		want := "Date https://www.rfc-editor.org/rfc/rfc3339#section-5.6, DateTime https://www.rfc-editor.org/rfc/rfc3339, " +
			"JSON https://www.rfc-editor.org/rfc/rfc8259, JSONValue https://www.rfc-editor.org/rfc/rfc8259, " +
			"Upload https://github.com/jaydenseric/graphql-multipart-request-spec"
		if strings.Join(got, ", ") != want {
			t.Fatalf("specified scalars: %v", got)
		}
	})
}

// TestValuesReadPlan: a records page selecting values of every type is
// written by a read plan, the same bytes as gqlgen's executor answers.
func TestValuesReadPlan(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := typedProperties(a)
		for i := range 3 {
			a.create("contacts", map[string]any{"email": fmt.Sprintf("p%d@x.io", i), "score": fmt.Sprintf("1234567890123456789%d", i), "vip": i%2 == 0,
				"born": "1990-02-28", "seen": "2026-01-02T17:04:05.1+02:00", "tags": []string{"a", "b"}[:i%3], "tier": "silver",
				"hubspot_owner_id": ann.OwnerID})
		}
		planning := graph.NewHandler(graph.Config{DB: a.d, WorkspaceID: a.ws})
		exec := a.executorOnly().h
		q := `query($n: [String!]) { records(objectType: "contacts", first: 5) { edges { node { id properties
			values { __typename ` + valueFields + ` } named: values(names: $n) { type options ownerId name } } } } }`
		vars := map[string]any{"n": []string{"tags", "hubspot_owner_id", "email", "firstname", "tags"}}
		before := planning.PlannedFields()
		body := post(t, planning, q, vars)
		if planning.PlannedFields() != before+1 {
			t.Fatalf("the executor answered it, not a read plan:\n%s", body)
		}
		if want := post(t, exec, q, vars); !bytes.Equal(body, want) {
			t.Fatalf("read plan:\n%s\nexecutor:\n%s", body, want)
		}
		for _, part := range []string{`"options":["a"]`, `"number":12345678901234567891`, `"dateTime":"2026-01-02T15:04:05.100Z"`, `"date":"1990-02-28"`} {
			if !bytes.Contains(body, []byte(part)) {
				t.Fatalf("no %s in %s", part, body)
			}
		}
		if bytes.Contains(body, []byte(`"errors"`)) {
			t.Fatalf("not a full answer: %s", body)
		}
		// An unknown name fails the plan, and the executor reports it.
		vars["n"] = []string{"nope"}
		before = planning.PlannedFields()
		if body, want := post(t, planning, q, vars), post(t, exec, q, vars); planning.PlannedFields() != before || sortedErrors(t, body) != sortedErrors(t, want) {
			t.Fatalf("read plan:\n%s\nexecutor:\n%s", body, want)
		}
	})
}
