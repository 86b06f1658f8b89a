package graph_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// typedProps are the custom contact properties of every type the typed
// tests write and read, with hostile option values for the naming rule.
const typedProps = `
  t_text: createProperty(input: {objectType: "contacts", property: {name: "t_text", label: "Text", type: STRING, fieldType: TEXT}}) { property { name } }
  t_number: createProperty(input: {objectType: "contacts", property: {name: "t_number", label: "Number", type: NUMBER, fieldType: NUMBER}}) { property { name } }
  t_bool: createProperty(input: {objectType: "contacts", property: {name: "t_bool", label: "Bool", type: BOOL, fieldType: BOOLEANCHECKBOX}}) { property { name } }
  t_date: createProperty(input: {objectType: "contacts", property: {name: "t_date", label: "Date", type: DATE, fieldType: DATE}}) { property { name } }
  t_datetime: createProperty(input: {objectType: "contacts", property: {name: "t_datetime", label: "Datetime", type: DATETIME, fieldType: DATE}}) { property { name } }
  t_tier: createProperty(input: {objectType: "contacts", property: {name: "t_tier", label: "Tier", type: ENUMERATION, fieldType: SELECT,
    options: [{label: "Big", value: "Big customer"}, {label: "Small", value: "1-10"}, {label: "Yes", value: "true"}, {label: "Big too", value: "Big-customer"}]}}) { property { name } }
  t_tags: createProperty(input: {objectType: "contacts", property: {name: "t_tags", label: "Tags", type: ENUMERATION, fieldType: CHECKBOX,
    options: [{label: "A", value: "a"}, {label: "B", value: "b"}, {label: "C", value: "c"}]}}) { property { name } }
`

// typedSelection and genericSelection read the same values of a contact.
const (
	typedSelection   = `id email t_text t_number t_bool t_date t_datetime t_tier t_tags hubspot_owner_id { ownerId }`
	genericSelection = `id properties(names: ["email", "t_text", "t_number", "t_bool", "t_date", "t_datetime", "t_tier", "t_tags", "hubspot_owner_id"])`
)

// tierOptions are the enum values of t_tier and the options they stand for.
var tierOptions = map[string]string{"Big_customer": "Big customer", "_1_10": "1-10", "true_": "true", "Big_customer_2": "Big-customer"}

// typedNode is a typed contact as the generic read answers it: its
// properties keyed by name, options by value, the owner by number.
func typedNode(t *testing.T, raw map[string]any) map[string]any {
	t.Helper()
	props := map[string]any{}
	for k, v := range raw {
		switch {
		case k == "id" || v == nil:
		case k == "t_tier":
			props[k] = tierOptions[v.(string)]
		case k == "hubspot_owner_id":
			props[k] = v.(map[string]any)["ownerId"]
		default:
			props[k] = v
		}
	}
	return map[string]any{"id": raw["id"], "properties": props}
}

type typedPage struct {
	TotalCount int `json:"totalCount"`
	Edges      []struct {
		Node map[string]any `json:"node"`
	} `json:"edges"`
}

// sameRead checks that a typed root list read and a generic records read
// answer the same records, in the same order, with the same values.
func sameRead(t *testing.T, a *api, typedArgs, genericArgs string) []map[string]any {
	t.Helper()
	var typedOut struct{ Contacts typedPage }
	a.typed().ok(fmt.Sprintf(`{ contacts(%s) { totalCount edges { node { %s } } } }`, typedArgs, typedSelection), nil, &typedOut)
	var genericOut struct{ Records typedPage }
	a.ok(fmt.Sprintf(`{ records(objectType: "contacts", %s) { totalCount edges { node { %s } } } }`, genericArgs, genericSelection), nil, &genericOut)
	var got, want []map[string]any
	for _, e := range typedOut.Contacts.Edges {
		got = append(got, typedNode(t, e.Node))
	}
	for _, e := range genericOut.Records.Edges {
		want = append(want, e.Node)
	}
	if !reflect.DeepEqual(got, want) || typedOut.Contacts.TotalCount != genericOut.Records.TotalCount {
		t.Fatalf("typed (%s) and generic (%s) reads differ:\ntyped   %d %v\ngeneric %d %v", typedArgs, genericArgs,
			typedOut.Contacts.TotalCount, got, genericOut.Records.TotalCount, want)
	}
	return want
}

// TestTypedAnswersAsGeneric writes contacts with a value of every property
// type through both endpoints and checks that they store the same values
// and history, refuse the same bad values with the same errors, and that
// typed filters and sorts keep and order what the generic ones do.
func TestTypedAnswersAsGeneric(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.ok(`mutation {`+typedProps+`}`, nil, nil)
		var owner struct {
			CreateOwner struct{ Owner struct{ OwnerID int } }
		}
		a.ok(`mutation { createOwner(input: {email: "olga@acme.io"}) { owner { ownerId } } }`, nil, &owner)
		ownerID := owner.CreateOwner.Owner.OwnerID

		// The same values written through both: one by one and in a batch.
		rows := []struct{ typed, generic map[string]any }{
			{map[string]any{"t_text": "Ann", "t_number": 12.5, "t_bool": true, "t_date": "2024-05-01", "t_datetime": "2024-05-01T10:00:00.000Z",
				"t_tier": "Big_customer", "t_tags": []any{"a", "c"}, "hubspot_owner_id": ownerID},
				map[string]any{"t_text": "Ann", "t_number": 12.5, "t_bool": true, "t_date": "2024-05-01", "t_datetime": "2024-05-01T10:00:00.000Z",
					"t_tier": "Big customer", "t_tags": []any{"a", "c"}, "hubspot_owner_id": ownerID}},
			{map[string]any{"t_text": "Bob", "t_number": -3, "t_bool": false, "t_tier": "_1_10", "t_tags": []any{"b"}},
				map[string]any{"t_text": "Bob", "t_number": -3, "t_bool": false, "t_tier": "1-10", "t_tags": []any{"b"}}},
			{map[string]any{"t_text": "Cy", "t_number": 100, "t_tier": "true_", "t_datetime": "2023-01-01T00:00:00Z"},
				map[string]any{"t_text": "Cy", "t_number": 100, "t_tier": "true", "t_datetime": "2023-01-01T00:00:00Z"}},
			{map[string]any{"t_text": "Di", "t_tier": "Big_customer_2"}, map[string]any{"t_text": "Di", "t_tier": "Big-customer"}},
		}
		var typedIDs, genericIDs []string
		for i, row := range rows {
			tv, gv := copyMap(row.typed), copyMap(row.generic)
			tv["email"], gv["email"] = fmt.Sprintf("typed%d@acme.io", i), fmt.Sprintf("generic%d@acme.io", i)
			var tout struct {
				CreateContact struct{ Record map[string]any }
			}
			a.typed().ok(`mutation($in: ContactInput!) { createContact(input: $in) { record { id } } }`, map[string]any{"in": tv}, &tout)
			var gout struct {
				CreateRecord struct{ Record map[string]any }
			}
			a.ok(`mutation($p: JSON) { createRecord(input: {objectType: "contacts", properties: $p}) { record { id } } }`, map[string]any{"p": gv}, &gout)
			typedIDs = append(typedIDs, tout.CreateContact.Record["id"].(string))
			genericIDs = append(genericIDs, gout.CreateRecord.Record["id"].(string))
		}
		// An update of each, through its own endpoint.
		a.typed().ok(`mutation($id: ID!) { updateContact(id: $id, input: {t_number: 13, t_tags: [b], t_text: null}) { record { id } } }`, map[string]any{"id": typedIDs[0]}, nil)
		a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {t_number: 13, t_tags: ["b"], t_text: null}}) { record { id } } }`, map[string]any{"id": genericIDs[0]}, nil)
		for i := range rows {
			tv, gv := storedOf(t, a, typedIDs[i]), storedOf(t, a, genericIDs[i])
			if !reflect.DeepEqual(tv, gv) {
				t.Errorf("row %d stored differently:\ntyped   %v\ngeneric %v", i, tv, gv)
			}
		}
		if th, gh := historyOf(t, a, typedIDs[0]), historyOf(t, a, genericIDs[0]); !reflect.DeepEqual(th, gh) {
			t.Errorf("history differs:\ntyped   %v\ngeneric %v", th, gh)
		}

		// Bad values: the same refusal, and nothing written.
		before := a.count("contacts")
		for _, bad := range []struct{ name, typedInput, genericProps string }{
			{"a taken email", `{email: "typed0@acme.io"}`, `{email: "typed0@acme.io"}`},
			{"an invalid email", `{email: "not an email"}`, `{email: "not an email"}`},
			{"an impossible date", `{t_date: "2024-13-45"}`, `{t_date: "2024-13-45"}`},
			{"an unknown owner", `{hubspot_owner_id: 999999}`, `{hubspot_owner_id: 999999}`},
		} {
			tr := a.typed().do(`mutation { createContact(input: `+bad.typedInput+`) { record { id } } }`, nil)
			gr := a.do(`mutation { createRecord(input: {objectType: "contacts", properties: `+bad.genericProps+`}) { record { id } } }`, nil)
			if len(tr.Errors) != 1 || len(gr.Errors) != 1 {
				t.Fatalf("%s: want one error each, got typed %+v, generic %+v", bad.name, tr.Errors, gr.Errors)
			}
			te, ge := tr.Errors[0], gr.Errors[0]
			if te.Message != ge.Message || !reflect.DeepEqual(te.Extensions, ge.Extensions) {
				t.Errorf("%s: typed %+v, generic %+v", bad.name, te, ge)
			}
			if fmt.Sprint(te.Path) != "[createContact]" {
				t.Errorf("%s: typed error path %v", bad.name, te.Path)
			}
		}
		if n := a.count("contacts"); n != before {
			t.Errorf("refused writes wrote %d contacts", n-before)
		}

		// Reads: filters of every type, and sorts.
		for _, c := range []struct{ typed, generic string }{
			{`first: 100`, `first: 100`},
			{`filter: {t_text: {eq: "ann"}}`, `filter: {property: "t_text", operator: EQ, value: "ann"}`},
			{`filter: {t_text: {startsWith: "B", hasProperty: true}}`, `filter: {and: [{property: "t_text", operator: STARTS_WITH, value: "B"}, {property: "t_text", operator: HAS_PROPERTY}]}`},
			{`filter: {t_number: {gt: 0}}`, `filter: {property: "t_number", operator: GT, value: 0}`},
			{`filter: {t_number: {between: {low: -5, high: 20}}}`, `filter: {property: "t_number", operator: BETWEEN, value: -5, highValue: 20}`},
			{`filter: {t_bool: {eq: false}}`, `filter: {property: "t_bool", operator: EQ, value: false}`},
			{`filter: {t_date: {gte: "2024-01-01"}}`, `filter: {property: "t_date", operator: GTE, value: "2024-01-01"}`},
			{`filter: {t_datetime: {lt: "2024-01-01T00:00:00Z"}}`, `filter: {property: "t_datetime", operator: LT, value: "2024-01-01T00:00:00Z"}`},
			{`filter: {t_tier: {in: [Big_customer, _1_10]}}`, `filter: {property: "t_tier", operator: IN, values: ["Big customer", "1-10"]}`},
			{`filter: {t_tier: {neq: true_, includeMissing: true}}`, `filter: {property: "t_tier", operator: NEQ, value: "true", includeMissing: true}`},
			{`filter: {t_tags: {containsAll: [b]}}`, `filter: {property: "t_tags", operator: CONTAINS_ALL, values: ["b"]}`},
			{`filter: {hubspot_owner_id: {eq: ` + fmt.Sprint(ownerID) + `}}`, `filter: {property: "hubspot_owner_id", operator: EQ, value: ` + fmt.Sprint(ownerID) + `}`},
			{`filter: {or: [{t_number: {lt: 0}}, {not: {t_text: {hasProperty: true}}}]}`,
				`filter: {or: [{property: "t_number", operator: LT, value: 0}, {not: {property: "t_text", operator: HAS_PROPERTY}}]}`},
			{`sort: [{field: t_number, direction: DESC}]`, `sort: [{property: "t_number", direction: DESC}]`},
			{`sort: [{field: t_tier, nulls: FIRST}, {field: email}], first: 3`, `sort: [{property: "t_tier", nulls: FIRST}, {property: "email"}], first: 3`},
			{`query: "typed1"`, `query: "typed1"`},
		} {
			sameRead(t, a, c.typed, c.generic)
		}
	})
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// storedOf is a record's values through the generic endpoint, without
// those that differ between any two records (ids, times, email).
func storedOf(t *testing.T, a *api, id string) map[string]any {
	t.Helper()
	var out struct {
		Record struct{ Properties map[string]any }
	}
	a.ok(`query($id: ID!) { record(id: $id) { properties } }`, map[string]any{"id": id}, &out)
	for _, k := range []string{"hs_object_id", "createdate", "lastmodifieddate", "email", "hs_searchable_text"} {
		delete(out.Record.Properties, k)
	}
	return out.Record.Properties
}

// historyOf is a record's property history without times and ids.
func historyOf(t *testing.T, a *api, id string) []string {
	t.Helper()
	var out struct {
		Record struct {
			PropertyHistory struct {
				Edges []struct{ Node map[string]any }
			}
		}
	}
	a.ok(`query($id: ID!) { record(id: $id) { propertyHistory(first: 1000) { edges { node { property value sourceType } } } } }`, map[string]any{"id": id}, &out)
	var lines []string
	for _, e := range out.Record.PropertyHistory.Edges {
		if p := e.Node["property"].(string); p == "email" || p == "hs_object_id" || p == "createdate" || p == "lastmodifieddate" {
			continue
		}
		b, _ := json.Marshal(e.Node)
		lines = append(lines, string(b))
	}
	return lines
}
