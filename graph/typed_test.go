package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strings"
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
			tv, gv := maps.Clone(row.typed), maps.Clone(row.generic)
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
			{`filter: {t_tags: {eq: [b]}}`, `filter: {property: "t_tags", operator: EQ, value: ["b"]}`},
			{`filter: {t_tags: {neq: [b], includeMissing: true}}`, `filter: {property: "t_tags", operator: NEQ, value: ["b"], includeMissing: true}`},
			{`filter: {t_tags: {in: [a, c]}}`, `filter: {property: "t_tags", operator: IN, values: ["a", "c"]}`},
			{`filter: {}`, `first: 50`},
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

// sameAnswer runs a typed and a generic request and compares their
// answers after renaming the typed one's root keys (rename maps typed key
// to generic key).
func sameAnswer(t *testing.T, a *api, typedQuery, genericQuery string, rename map[string]string) (*response, *response) {
	t.Helper()
	tr, gr := a.typed().do(typedQuery, nil), a.do(genericQuery, nil)
	var td, gd map[string]any
	_ = json.Unmarshal(tr.Data, &td)
	_ = json.Unmarshal(gr.Data, &gd)
	for from, to := range rename {
		if v, ok := td[from]; ok {
			td[to] = v
			delete(td, from)
		}
	}
	for _, e := range tr.Errors {
		if len(e.Path) > 0 {
			if to, ok := rename[fmt.Sprint(e.Path[0])]; ok {
				e.Path[0] = to
			}
		}
	}
	if !reflect.DeepEqual(td, gd) || !reflect.DeepEqual(tr.Errors, gr.Errors) {
		t.Fatalf("typed and generic answers differ:\ntyped   %s %+v\ngeneric %s %+v", tr.Data, tr.Errors, gr.Data, gr.Errors)
	}
	return tr, gr
}

// TestTypedBatchesAndLabels: batches answer per item as the generic ones,
// with the same errors; association labels and label filters read the
// same; a write by the id of another object type's record is refused.
func TestTypedBatchesAndLabels(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		co := a.create("companies", map[string]any{"name": "Acme", "domain": "acme.io"})
		ann := a.create("contacts", map[string]any{"email": "ann@acme.io"})
		bob := a.create("contacts", map[string]any{"email": "bob@acme.io"})
		a.associate(ann, co, "Primary")
		a.associate(bob, co)

		// Labels on the edges and as a filter of the association field.
		for _, labels := range []string{``, `labels: ["Primary"], `} {
			sameAnswer(t, a,
				`{ companies { edges { node { contacts(`+labels+`first: 5) { totalCount edges { labels { label category } node { recordId } } } } } } }`,
				`{ records(objectType: "companies") { edges { node { contacts: associations(toObjectType: "contacts", `+labels+`first: 5) { totalCount edges { labels { label category } node { recordId } } } } } } }`,
				map[string]string{"companies": "records"})
		}

		// A batch with a bad item: per item, the same results; the good
		// items written.
		before := a.count("contacts")
		var typedOut, genericOut struct {
			Batch struct {
				Results []struct {
					Index   int
					Created bool
					Error   map[string]any
					Record  map[string]any
				}
				Written, Failed int
			}
		}
		a.typed().ok(`mutation { batch: createContacts(inputs: [{email: "t1@acme.io"}, {email: "not an email"}, {email: "ann@acme.io"}]) {
			results { index created error { code message property } record { email } } written failed } }`, nil, &typedOut)
		a.ok(`mutation { batch: createRecords(input: {objectType: "contacts", inputs: [{properties: {email: "g1@acme.io"}}, {properties: {email: "not an email"}}, {properties: {email: "ann@acme.io"}}]}) {
			results { index created error { code message property } record { properties(names: ["email"]) } } written failed } }`, nil, &genericOut)
		if len(typedOut.Batch.Results) != 3 || typedOut.Batch.Written != genericOut.Batch.Written || typedOut.Batch.Failed != genericOut.Batch.Failed {
			t.Fatalf("typed batch %+v, generic %+v", typedOut.Batch, genericOut.Batch)
		}
		for i, r := range typedOut.Batch.Results {
			g := genericOut.Batch.Results[i]
			if r.Index != g.Index || r.Created != g.Created || !reflect.DeepEqual(r.Error, g.Error) || (r.Record == nil) != (g.Record == nil) {
				t.Errorf("item %d: typed %+v, generic %+v", i, r, g)
			}
		}
		if n := a.count("contacts"); n != before+2 {
			t.Errorf("%d contacts written, want 2 (one each)", n-before)
		}

		// Upsert by the unique property: the second write of an email
		// updates.
		a.typed().ok(`mutation { upsertContactsByEmail(inputs: [{email: "ann@acme.io", firstname: "Ann"}]) { results { created } written } }`, nil, nil)
		var stored struct {
			Record struct{ Properties map[string]any }
		}
		a.ok(`query($id: ID!) { record(id: $id) { properties(names: ["firstname"]) } }`, map[string]any{"id": ann.ID}, &stored)
		if stored.Record.Properties["firstname"] != "Ann" {
			t.Fatalf("the upsert did not update ann: %v", stored.Record.Properties)
		}

		// Another object type's record: null by id, refused by a write.
		var got struct{ Contact, Company map[string]any }
		a.typed().ok(`query($id: ID!) { contact(id: $id) { email } company(id: $id) { name } }`, map[string]any{"id": co.ID}, &got)
		if got.Contact != nil || got.Company["name"] != "Acme" {
			t.Fatalf("contact and company of a company's id: %+v", got)
		}
		e := a.typed().fails(`mutation($id: ID!) { updateContact(id: $id, input: {firstname: "X"}) { record { id } } }`, map[string]any{"id": co.ID}, "NOT_FOUND", "")
		if !strings.Contains(e.Message, "another object type") {
			t.Errorf("message %q", e.Message)
		}
		a.typed().fails(`mutation($id: ID!) { archiveContacts(ids: [$id]) { written } }`, map[string]any{"id": co.ID}, "NOT_FOUND", "")
		var live struct{ Record struct{ Archived bool } }
		a.ok(`query($id: ID!) { record(id: $id) { archived } }`, map[string]any{"id": co.ID}, &live)
		if live.Record.Archived {
			t.Fatal("a refused typed archive archived the company")
		}
		// Archive and restore through the typed endpoint.
		sameAnswer(t, a, `mutation { archiveContact(id: "`+bob.ID+`") { record { archived } } }`,
			`mutation { archiveContact: archiveRecord(input: {id: "`+bob.ID+`"}) { record { archived } } }`, nil)
		a.typed().ok(`mutation { restoreContact(id: "`+bob.ID+`") { record { archived } } }`, nil, nil)
	})
}

// TestTypedRequestDefences: the typed endpoint refuses what the generic
// one refuses, with the same codes: an operation over the cost limit, a
// document over the budget, and its own refusals.
func TestTypedRequestDefences(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.typed().fails(`{ companies(first: 1000) { edges { node { contacts(first: 1000) { edges { node { deals(first: 1000) { edges { node { dealname } } } } } } } } } }`,
			nil, "LIMIT_EXCEEDED", "")
		a.fails(`{ records(objectType: "companies", first: 1000) { edges { node { associations(toObjectType: "contacts", first: 1000) { edges { node {
			associations(toObjectType: "deals", first: 1000) { edges { node { properties(names: ["dealname"]) } } } } } } } } } }`, nil, "LIMIT_EXCEEDED", "")
		a.typed().fails(`{ __p: contacts { totalCount } }`, nil, "BAD_USER_INPUT", "")
		a.typed().fails(`{ contacts(filter: {email: {eq: null}}) { totalCount } }`, nil, "BAD_USER_INPUT", "")
		// Persisted queries.
		const query = `{ contacts { totalCount } }`
		sum := sha256.Sum256([]byte(query))
		ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
		for _, withQuery := range []bool{true, false} {
			req := map[string]any{"extensions": ext}
			if withQuery {
				req["query"] = query
			}
			b, _ := json.Marshal(req)
			if resp := a.typed().raw(b); len(resp.Errors) > 0 || string(resp.Data) != `{"contacts":{"totalCount":0}}` {
				t.Fatalf("with the query %v: %s %+v", withQuery, resp.Data, resp.Errors)
			}
		}
		// Variables are typed: a value that is not an option is refused
		// by validation, before anything runs.
		resp := a.typed().do(`query($s: ContactLifecyclestage) { contacts(filter: {lifecyclestage: {eq: $s}}) { totalCount } }`, map[string]any{"s": "nope"})
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Fatalf("an unknown option: %+v", resp.Errors)
		}
	})
}

// TestTypedDocuments: what clients write beside plain fields reads as
// GraphQL says: aliases, the same field twice (merged), named and inline
// fragments (on the type and on its interfaces), @skip and @include with
// variables (the translation then made per request), introspection beside
// data; a look-up by an id no record has answers null; a refused root
// field fails alone, at its path, and an empty comparison is refused.
func TestTypedDocuments(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := a.create("contacts", map[string]any{"email": "ann@acme.io", "firstname": "Ann"})
		co := a.create("companies", map[string]any{"name": "Acme"})
		a.associate(ann, co)
		const doc = `query($skip: Boolean!, $with: Boolean!) {
			__type(name: "Contact") { name }
			list: contacts(first: 5) { edges { node { ...Names ... on CrmRecord { recordId } ... on Node { id }
				e1: email email firstname @skip(if: $skip) companies @include(if: $with) { edges { node { name } } } } } }
			list: contacts(first: 5) { edges { node { lastname } } }
		}
		fragment Names on Contact { firstname email __typename }`
		var out map[string]any
		a.typed().ok(doc, map[string]any{"skip": false, "with": true}, &out)
		node := out["list"].(map[string]any)["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)
		want := map[string]any{"firstname": "Ann", "email": "ann@acme.io", "__typename": "Contact", "recordId": ann.RecordID, "id": ann.ID,
			"e1": "ann@acme.io", "companies": map[string]any{"edges": []any{map[string]any{"node": map[string]any{"name": "Acme"}}}}, "lastname": nil}
		if !reflect.DeepEqual(node, want) || out["__type"].(map[string]any)["name"] != "Contact" {
			t.Fatalf("got %v, __type %v", node, out["__type"])
		}
		resp := a.typed().do(doc, map[string]any{"skip": true, "with": false})
		var again map[string]any
		_ = json.Unmarshal(resp.Data, &again)
		node = again["list"].(map[string]any)["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)
		if _, ok := node["companies"]; ok || len(resp.Errors) > 0 {
			t.Fatalf("@include(if: false) kept companies: %v %+v", node, resp.Errors)
		}
		if node["firstname"] != "Ann" { // still selected by the fragment
			t.Fatalf("firstname: %v", node)
		}

		// A look-up by an id no record has: null, as at /graphql.
		var none struct{ Contact map[string]any }
		a.typed().ok(`{ contact(id: "UmVjb3JkOjk5OTk5") { email } }`, nil, &none)
		if none.Contact != nil {
			t.Fatalf("contact of an unknown id: %v", none.Contact)
		}

		// One refused root field of a mutation: its error at its path, the
		// others written.
		before := a.count("contacts")
		resp = a.typed().do(`mutation($co: ID!) { a: updateContact(id: $co, input: {firstname: "X"}) { record { id } }
			b: createContact(input: {email: "bob@acme.io"}) { record { email } } }`, map[string]any{"co": co.ID})
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "NOT_FOUND" || fmt.Sprint(resp.Errors[0].Path) != "[a]" ||
			!strings.Contains(string(resp.Data), `"a":null`) || !strings.Contains(string(resp.Data), `bob@acme.io`) || a.count("contacts") != before+1 {
			t.Fatalf("got %s %+v", resp.Data, resp.Errors)
		}

		// Comparisons: an empty one is refused; {} keeps everything.
		for _, f := range []string{`{email: {}}`, `{email: {includeMissing: true}}`, `{not: {}}`, `{and: [{}]}`} {
			e := a.typed().fails(`{ contacts(filter: `+f+`) { totalCount } }`, nil, "BAD_USER_INPUT", "")
			if !strings.HasPrefix(e.Message, "filter.") || fmt.Sprint(e.Path) != "[contacts]" {
				t.Errorf("%s: %q at %v", f, e.Message, e.Path)
			}
		}
	})
}
