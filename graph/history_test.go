package graph_test

import (
	"strconv"
	"testing"
)

type changeJSON struct {
	Property   string
	Value      any
	Timestamp  string
	SourceType string
	SourceID   *string
	RecordID   string
}

// historyOf returns a record's property changes, newest first.
func (a *api) historyOf(id string, names ...string) []changeJSON {
	a.t.Helper()
	var out struct {
		Record struct {
			PropertyHistory struct {
				Edges []struct{ Node changeJSON }
			}
		}
	}
	vars := map[string]any{"id": id}
	if names != nil {
		vars["names"] = names
	}
	a.ok(`query($id: ID!, $names: [String!]) { record(id: $id) { propertyHistory(names: $names, first: 1000) { edges { node { property value timestamp sourceType sourceId recordId } } } } }`, vars, &out)
	var changes []changeJSON
	for _, e := range out.Record.PropertyHistory.Edges {
		changes = append(changes, e.Node)
	}
	return changes
}

// values lists "property=value" of changes, oldest first.
func valuesOf(changes []changeJSON) []string {
	var out []string
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		v := "<cleared>"
		if c.Value != nil {
			v = fmtValue(c.Value)
		}
		out = append(out, c.Property+"="+v+"@"+c.SourceType)
	}
	return out
}

func TestHistoryOnEveryWritePath(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		const upd = `mutation($id: ID!, $p: JSON!) { updateRecord(input: {id: $id, properties: $p}) { record { id } } }`
		c := a.create("contacts", map[string]any{"email": "h@example.com", "firstname": "Hedy"})
		a.ok(upd, map[string]any{"id": c.ID, "p": map[string]any{"firstname": "Hedwig", "lastname": "Lamarr"}}, nil)
		a.ok(upd, map[string]any{"id": c.ID, "p": map[string]any{"firstname": "Hedwig"}}, nil) // the same value again
		a.ok(upd, map[string]any{"id": c.ID, "p": map[string]any{"lastname": nil}}, nil)
		other := a.create("contacts", map[string]any{"email": "o@example.com"})
		// Two items: their history goes in together, not with each write.
		a.ok(`mutation($id: ID!, $o: ID!) { updateRecords(input: {inputs: [{id: $id, properties: {jobtitle: "Inventor"}}, {id: $o, properties: {jobtitle: "Actor"}}]}) { written } }`,
			map[string]any{"id": c.ID, "o": other.ID}, nil)
		a.ok(`mutation { upsertRecords(input: {objectType: "contacts", inputs: [{properties: {email: "h@example.com", city: "Vienna"}}]}) { written } }`, nil, nil)
		a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": c.ID}, nil)
		a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": c.ID}, nil)

		want := []string{
			"email=h@example.com@API", "firstname=Hedy@API",
			"firstname=Hedwig@API", "lastname=Lamarr@API",
			"lastname=<cleared>@API",
			"jobtitle=Inventor@API",
			"city=Vienna@API",
		}
		if got := valuesOf(a.historyOf(c.ID)); !equalStrings(got, want) {
			t.Fatalf("history:\n got %v\nwant %v", got, want)
		}
		if got := valuesOf(a.historyOf(other.ID)); !equalStrings(got, []string{"email=o@example.com@API", "jobtitle=Actor@API"}) {
			t.Fatalf("the other item of the batch: %v", got)
		}
		if got := valuesOf(a.historyOf(c.ID, "firstname")); len(got) != 2 {
			t.Fatalf("names keeps firstname only: %v", got)
		}

		t.Run("batch creates and upsert creates", func(t *testing.T) {
			var out struct {
				CreateRecords struct {
					Results []struct{ Record struct{ ID string } }
				}
				UpsertRecords struct {
					Results []struct{ Record struct{ ID string } }
				}
			}
			a.ok(`mutation {
				createRecords(input: {objectType: "contacts", inputs: [{properties: {email: "b1@example.com"}}]}) { results { record { id } } }
				upsertRecords(input: {objectType: "contacts", inputs: [{properties: {email: "u1@example.com", firstname: "U"}}]}) { results { record { id } } }
			}`, nil, &out)
			if got := valuesOf(a.historyOf(out.CreateRecords.Results[0].Record.ID)); !equalStrings(got, []string{"email=b1@example.com@API"}) {
				t.Fatalf("batch create: %v", got)
			}
			if got := valuesOf(a.historyOf(out.UpsertRecords.Results[0].Record.ID)); !equalStrings(got, []string{"email=u1@example.com@API", "firstname=U@API"}) {
				t.Fatalf("upsert create: %v", got)
			}
		})

		t.Run("a definition change that clears values", func(t *testing.T) {
			a.ok(`mutation { createProperty(input: {objectType: "contacts", property: {name: "tier", label: "Tier", type: ENUMERATION, fieldType: SELECT,
				options: [{label: "Gold", value: "gold"}, {label: "Silver", value: "silver"}]}}) { property { name } } }`, nil, nil)
			a.ok(upd, map[string]any{"id": c.ID, "p": map[string]any{"tier": "gold"}}, nil)
			a.ok(`mutation { updateProperty(input: {objectType: "contacts", name: "tier", options: [{label: "Silver", value: "silver"}], clearRemovedOptions: true}) { clearedValues } }`, nil, nil)
			got := valuesOf(a.historyOf(c.ID, "tier"))
			if !equalStrings(got, []string{"tier=gold@API", "tier=<cleared>@SYSTEM"}) {
				t.Fatalf("tier history: %v", got)
			}
		})
	})
}

func TestAsOfReadsValuesOfTheMoment(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		const upd = `mutation($id: ID!, $p: JSON!) { updateRecord(input: {id: $id, properties: $p}) { record { id } } }`
		d := a.create("deals", map[string]any{"dealname": "Rocket", "pipeline": "default", "dealstage": "appointmentscheduled", "amount": 100})
		a.ok(upd, map[string]any{"id": d.ID, "p": map[string]any{"dealstage": "qualifiedtobuy", "amount": 250}}, nil)
		a.ok(upd, map[string]any{"id": d.ID, "p": map[string]any{"dealstage": "closedwon", "amount": nil, "closedate": "2026-06-30"}}, nil)
		changes := a.historyOf(d.ID)
		// The moments of the three writes, newest first in the history.
		moments := []string{changes[len(changes)-1].Timestamp}
		for _, c := range changes {
			if c.Property == "dealstage" && c.Value == "qualifiedtobuy" {
				moments = append(moments, c.Timestamp)
			}
		}
		moments = append(moments, changes[0].Timestamp)
		want := []map[string]any{
			{"dealname": "Rocket", "pipeline": "default", "dealstage": "appointmentscheduled", "amount": float64(100)},
			{"dealname": "Rocket", "pipeline": "default", "dealstage": "qualifiedtobuy", "amount": float64(250)},
			{"dealname": "Rocket", "pipeline": "default", "dealstage": "closedwon", "closedate": "2026-06-30"},
		}
		for i, at := range moments {
			var out struct {
				Record struct{ Properties map[string]any }
			}
			a.ok(`query($id: ID!, $at: DateTime) { record(id: $id, asOf: $at) { properties(names: ["dealname", "pipeline", "dealstage", "amount", "closedate"]) } }`,
				map[string]any{"id": d.ID, "at": at}, &out)
			if !equalMaps(out.Record.Properties, want[i]) {
				t.Fatalf("as of %s: %v, want %v", at, out.Record.Properties, want[i])
			}
			var list struct {
				Records struct {
					Edges []struct {
						Node struct{ Properties map[string]any }
					}
				}
			}
			a.ok(`query($at: DateTime) { records(objectType: "deals", asOf: $at) { edges { node { properties(names: ["dealstage"]) } } } }`,
				map[string]any{"at": at}, &list)
			if len(list.Records.Edges) != 1 || list.Records.Edges[0].Node.Properties["dealstage"] != want[i]["dealstage"] {
				t.Fatalf("records as of %s: %+v", at, list.Records.Edges)
			}
		}
		var before struct {
			Records struct{ Edges []any }
		}
		a.ok(`{ records(objectType: "deals", asOf: "2000-01-01T00:00:00Z") { edges { cursor } } }`, nil, &before)
		if len(before.Records.Edges) != 0 {
			t.Fatalf("a record listed before it existed")
		}
	})
}

// A change names its record both ways: recordId in digits, as HubSpot
// writes ids, and record, the Record itself.
func TestPropertyChangeNamesItsRecord(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "ada@example.com"})
		a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {firstname: "Ada"}}) { record { id } } }`, map[string]any{"id": c.ID}, nil)
		var out struct {
			Record struct {
				PropertyHistory struct {
					Edges []struct {
						Node struct {
							Property, RecordID string
							Record             struct{ ID, RecordID string }
						}
					}
				}
			}
		}
		a.ok(`query($id: ID!) { record(id: $id) { propertyHistory(names: ["email", "firstname"]) { edges { node { property recordId record { id recordId } } } } } }`,
			map[string]any{"id": c.ID}, &out)
		edges := out.Record.PropertyHistory.Edges
		if len(edges) != 2 {
			t.Fatalf("%d changes: %+v", len(edges), edges)
		}
		for _, e := range edges {
			if n := e.Node; n.RecordID != c.RecordID || n.Record.ID != c.ID || n.Record.RecordID != c.RecordID {
				t.Errorf("change of %s names %+v, want record %s (%s)", n.Property, n, c.ID, c.RecordID)
			}
		}
		if _, err := strconv.Atoi(c.RecordID); err != nil {
			t.Errorf("recordId %q is not digits", c.RecordID)
		}
	})
}
