package graph_test

// Tests of custom object types (issue rule 6): createObjectType with its
// definitions, the standard properties and default association types it
// brings, updateObjectType, archiveObjectType, and a custom object used end
// to end through GraphQL: properties, associations with contacts, records,
// pages and upserts by its unique property.

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
)

const createObjectTypeMutation = `mutation($in: CreateObjectTypeInput!) { createObjectType(input: $in) { objectType { ` + objectTypeFields + ` } } }`

const updateObjectTypeMutation = `mutation($in: UpdateObjectTypeInput!) { updateObjectType(input: $in) { objectType { ` + objectTypeFields + ` } } }`

const archiveObjectTypeMutation = `mutation($n: String!) { archiveObjectType(input: {name: $n}) { name } }`

// createObjectType makes a custom object type and returns it as answered.
func (a *api) createObjectType(in map[string]any) objectTypeJSON {
	a.t.Helper()
	var out struct {
		CreateObjectType struct{ ObjectType objectTypeJSON } `json:"createObjectType"`
	}
	a.ok(createObjectTypeMutation, inVars(in), &out)
	return out.CreateObjectType.ObjectType
}

func (a *api) updateObjectType(in map[string]any) objectTypeJSON {
	a.t.Helper()
	var out struct {
		UpdateObjectType struct{ ObjectType objectTypeJSON } `json:"updateObjectType"`
	}
	a.ok(updateObjectTypeMutation, inVars(in), &out)
	return out.UpdateObjectType.ObjectType
}

type associationTypeJSON struct {
	ID             string  `json:"id"`
	Label          *string `json:"label"`
	Category       string  `json:"category"`
	FromObjectType struct{ Name string }
	ToObjectType   struct{ Name string }
	Inverse        *struct {
		ID             string
		Label          *string
		FromObjectType struct{ Name string }
		ToObjectType   struct{ Name string }
	}
}

func (a *api) associationTypes(from, to string) []associationTypeJSON {
	a.t.Helper()
	var out struct{ AssociationTypes []associationTypeJSON }
	a.ok(`query($f: String!, $t: String!) { associationTypes(fromObjectType: $f, toObjectType: $t) {
		id label category fromObjectType { name } toObjectType { name }
		inverse { id label fromObjectType { name } toObjectType { name } } } }`, map[string]any{"f": from, "t": to}, &out)
	return out.AssociationTypes
}

// associatedIDs lists the ids of the live records of toObjectType
// associated with r, and the totalCount the API gives.
func (a *api) associatedIDs(r recordJSON, toObjectType string) ([]string, int) {
	a.t.Helper()
	var out struct {
		Record struct {
			Associations struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
	}
	a.ok(`query($id: ID!, $t: String!) { record(id: $id) { associations(toObjectType: $t, first: 100) { totalCount edges { node { id } } } } }`,
		map[string]any{"id": r.ID, "t": toObjectType}, &out)
	var ids []string
	for _, e := range out.Record.Associations.Edges {
		ids = append(ids, e.Node.ID)
	}
	sort.Strings(ids)
	return ids, out.Record.Associations.TotalCount
}

func sortedIDs(rs ...recordJSON) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	sort.Strings(out)
	return out
}

func propertyNamesOf(ps []propertyJSON) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	sort.Strings(out)
	return out
}

// commonProperties are the properties every standard and engagement
// object type has, by name.
func (a *api) commonProperties() map[string]propertyJSON {
	a.t.Helper()
	var out struct {
		ObjectTypes []struct {
			Kind       string
			Properties []propertyJSON
		}
	}
	a.ok(`{ objectTypes { kind properties { `+propertyFields+` } } }`, nil, &out)
	var common map[string]propertyJSON
	for _, ot := range out.ObjectTypes {
		if ot.Kind == "CUSTOM" {
			continue
		}
		these := map[string]propertyJSON{}
		for _, p := range ot.Properties {
			if common == nil || common[p.Name].Name != "" {
				these[p.Name] = p
			}
		}
		common = these
	}
	return common
}

var engagementTypes = []string{"notes", "calls", "emails", "meetings", "tasks"}

func machinesInput() map[string]any {
	return map[string]any{
		"name": "machines", "singularLabel": "Machine", "pluralLabel": "Machines",
		"properties": []map[string]any{
			{"name": "serial_number", "label": "Serial number", "type": "STRING", "fieldType": "TEXT", "hasUniqueValue": true},
			{"name": "model", "label": "Model", "type": "STRING", "fieldType": "TEXT"},
			{"name": "status", "label": "Status", "type": "ENUMERATION", "fieldType": "SELECT", "options": optionsInput("active", "retired")},
			{"name": "purchased", "label": "Purchased", "type": "DATE", "fieldType": "DATE"},
			{"name": "price", "label": "Price", "type": "NUMBER", "fieldType": "NUMBER"},
		},
		"primaryDisplayProperty":     "model",
		"secondaryDisplayProperties": []string{"serial_number", "status"},
		"requiredProperties":         []string{"serial_number"},
		"searchableProperties":       []string{"model", "serial_number"},
		"associatedObjects":          []string{"contacts", "companies"},
	}
}

func TestCustomObjectEndToEnd(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var machines [5]recordJSON
		var contact recordJSON

		t.Run("created with its definitions", func(t *testing.T) {
			a := a.with(t)
			got := a.createObjectType(machinesInput())
			ot := a.mustObjectType("machines")
			if !equalJSON(got, *ot) {
				t.Fatalf("answer and definitions differ:\n%+v\n%+v", got, *ot)
			}
			if ot.Name != "machines" || ot.SingularLabel != "Machine" || ot.PluralLabel != "Machines" || ot.Kind != "CUSTOM" ||
				ot.PrimaryDisplayProperty == nil || *ot.PrimaryDisplayProperty != "model" ||
				!slices.Equal(ot.SecondaryDisplayProperties, []string{"serial_number", "status"}) ||
				!slices.Equal(ot.RequiredProperties, []string{"serial_number"}) ||
				!slices.Equal(ot.SearchableProperties, []string{"model", "serial_number"}) || len(ot.Pipelines) != 0 {
				t.Fatalf("object type %+v", ot)
			}
			// The properties every object has are those every standard and
			// engagement object type has (hs_object_id, createdate,
			// lastmodifieddate at least): the new type has them, read-only
			// and typed alike, beside its own.
			everyObject := a.commonProperties()
			for _, name := range []string{"hs_object_id", "createdate", "lastmodifieddate"} {
				if _, ok := everyObject[name]; !ok {
					t.Fatalf("standard objects lack %s: %v", name, everyObject)
				}
			}
			want := []string{"model", "price", "purchased", "serial_number", "status"}
			for name := range everyObject {
				want = append(want, name)
			}
			sort.Strings(want)
			if got := propertyNamesOf(ot.Properties); !slices.Equal(got, want) {
				t.Fatalf("properties %v, want %v", got, want)
			}
			for name, std := range everyObject {
				p := ot.prop(name)
				if p.Type != std.Type || p.FieldType != std.FieldType || p.ReadOnlyValue != std.ReadOnlyValue || !p.ReadOnlyDefinition {
					t.Fatalf("%s: %+v, standard objects' %+v", name, p, std)
				}
			}
			for name, typ := range map[string]string{"hs_object_id": "NUMBER", "createdate": "DATETIME", "lastmodifieddate": "DATETIME"} {
				if p := ot.prop(name); p.Type != typ || !p.ReadOnlyValue {
					t.Fatalf("%s: %+v", name, p)
				}
			}
			if p := ot.prop("serial_number"); !p.HasUniqueValue || p.ReadOnlyDefinition || p.ReadOnlyValue {
				t.Fatalf("serial_number %+v", p)
			}
			if !a.uniqueIndexOn("serial_number") {
				t.Fatal("no unique index for serial_number")
			}
			if p := ot.prop("status"); p.Type != "ENUMERATION" || !slices.Equal(p.optionValues(), []string{"active", "retired"}) {
				t.Fatalf("status %+v", p)
			}
			if p := ot.prop("purchased"); p.Type != "DATE" || p.FieldType != "DATE" {
				t.Fatalf("purchased %+v", p)
			}
			// One default group holds them all.
			if len(ot.PropertyGroups) != 1 {
				t.Fatalf("groups %+v", ot.PropertyGroups)
			}
			for _, p := range ot.Properties {
				if p.group() != ot.PropertyGroups[0].Name {
					t.Fatalf("%s is in group %q", p.Name, p.group())
				}
			}
			var list struct{ ObjectTypes []struct{ Name, Kind string } }
			a.ok(`{ objectTypes { name kind } }`, nil, &list)
			if !slices.ContainsFunc(list.ObjectTypes, func(o struct{ Name, Kind string }) bool { return o.Name == "machines" && o.Kind == "CUSTOM" }) {
				t.Fatalf("objectTypes %+v", list.ObjectTypes)
			}
		})

		t.Run("default association types with associated and engagement objects", func(t *testing.T) {
			a := a.with(t)
			for _, other := range append([]string{"contacts", "companies"}, engagementTypes...) {
				for _, dir := range [][2]string{{"machines", other}, {other, "machines"}} {
					ats := a.associationTypes(dir[0], dir[1])
					if len(ats) != 1 {
						t.Fatalf("%s -> %s: %d association types, want the unlabeled default", dir[0], dir[1], len(ats))
					}
					at := ats[0]
					if at.Label != nil || at.Category != "STANDARD" || at.Inverse == nil || at.Inverse.Label != nil ||
						at.Inverse.FromObjectType.Name != dir[1] || at.Inverse.ToObjectType.Name != dir[0] {
						t.Fatalf("%s -> %s: %+v", dir[0], dir[1], at)
					}
				}
			}
			// Objects it was not associated with have none.
			for _, other := range []string{"deals", "tickets"} {
				if n := len(a.associationTypes("machines", other)) + len(a.associationTypes(other, "machines")); n != 0 {
					t.Fatalf("machines and %s have %d association types", other, n)
				}
			}
		})

		t.Run("given a property", func(t *testing.T) {
			a := a.with(t)
			p := a.createProperty("machines", map[string]any{"name": "location", "label": "Location", "type": "STRING", "fieldType": "TEXT"})
			ot := a.mustObjectType("machines")
			if got := ot.prop("location"); got == nil || !equalJSON(*got, p) || got.group() != ot.PropertyGroups[0].Name {
				t.Fatalf("location %+v", got)
			}
		})

		t.Run("records created", func(t *testing.T) {
			a := a.with(t)
			a.fails(createMutation, map[string]any{"t": "machines", "p": map[string]any{"model": "No serial"}}, "BAD_USER_INPUT", "serial_number")
			a.fails(createMutation, map[string]any{"t": "machines", "p": map[string]any{"serial_number": "S", "status": "broken"}}, "BAD_USER_INPUT", "status")
			a.fails(createMutation, map[string]any{"t": "machines", "p": map[string]any{"serial_number": "S", "email": "x@example.com"}}, "BAD_USER_INPUT", "email")
			if n := a.count("machines"); n != 0 {
				t.Fatalf("refused creates wrote %d records", n)
			}
			for i := range machines {
				machines[i] = a.create("machines", map[string]any{"serial_number": fmt.Sprintf("M-%d", i+1), "model": fmt.Sprintf("Lathe %d", i+1),
					"status": "active", "purchased": "2025-06-01", "price": "1999.90", "location": "Hall A"})
				if machines[i].DisplayName != fmt.Sprintf("Lathe %d", i+1) || machines[i].ObjectType.Name != "machines" {
					t.Fatalf("record %+v", machines[i])
				}
			}
			got := a.stored(machines[0])
			if got["serial_number"] != "M-1" || got["price"] != 1999.9 || got["purchased"] != "2025-06-01" || got["status"] != "active" || got["location"] != "Hall A" {
				t.Fatalf("stored %v", got)
			}
			if p := a.read(machines[0]).Properties; p["hs_object_id"] != float64(mustAtoi(t, machines[0].RecordID)) || p["createdate"] == nil {
				t.Fatalf("system values %v", p)
			}
			a.fails(createMutation, map[string]any{"t": "machines", "p": map[string]any{"serial_number": "M-1"}}, "CONFLICT", "serial_number")
			if n := a.count("machines"); n != 5 {
				t.Fatalf("%d machines", n)
			}
		})

		t.Run("associated with contacts", func(t *testing.T) {
			a := a.with(t)
			contact = a.create("contacts", map[string]any{"email": "owner@example.com"})
			// At creation, in the same request...
			var out struct {
				CreateRecord struct{ Record recordJSON }
			}
			a.ok(`mutation($p: JSON!, $to: ID!) { createRecord(input: {objectType: "machines", properties: $p, associations: [{to: $to}]}) { record { `+recordFields+` } } }`,
				map[string]any{"p": map[string]any{"serial_number": "M-6", "model": "Press"}, "to": contact.ID}, &out)
			m6 := out.CreateRecord.Record
			// ...and afterwards.
			a.associate(machines[0], contact)
			a.associate(contact, machines[1])
			if ids, n := a.associatedIDs(contact, "machines"); !slices.Equal(ids, sortedIDs(m6, machines[0], machines[1])) || n != 3 {
				t.Fatalf("contact's machines %v (%d)", ids, n)
			}
			if ids, n := a.associatedIDs(machines[0], "contacts"); !slices.Equal(ids, []string{contact.ID}) || n != 1 {
				t.Fatalf("machine's contacts %v (%d)", ids, n)
			}
			// Both directions are stored.
			rows := a.rows()
			for _, want := range []string{edge(machines[0], contact, "-"), edge(contact, machines[0], "-"), edge(m6, contact, "-"), edge(contact, m6, "-")} {
				if !slices.Contains(rows, want) {
					t.Fatalf("association rows %v lack %s", rows, want)
				}
			}
			// Engagements may be associated; objects not named may not.
			note := a.create("notes", map[string]any{"hs_timestamp": "2026-01-01T00:00:00Z", "hs_note_body": "Serviced"})
			a.associate(note, machines[0])
			if ids, _ := a.associatedIDs(machines[0], "notes"); !slices.Equal(ids, []string{note.ID}) {
				t.Fatalf("machine's notes %v", ids)
			}
			dl := a.create("deals", map[string]any{"dealname": "D", "pipeline": "default", "dealstage": "qualifiedtobuy"})
			a.fails(associateMutation, map[string]any{"from": machines[2].ID, "to": dl.ID}, "BAD_USER_INPUT", "")
		})

		t.Run("paged", func(t *testing.T) {
			a := a.with(t)
			const q = `query($after: String) { records(objectType: "machines", first: 2, after: $after) {
				totalCount edges { cursor node { id objectType { name } } } pageInfo { hasNextPage endCursor } } }`
			var seen []string
			var after any
			pages := 0
			for {
				var out struct {
					Records struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								ID         string
								ObjectType struct{ Name string }
							}
						}
						PageInfo struct {
							HasNextPage bool
							EndCursor   *string
						}
					}
				}
				a.ok(q, map[string]any{"after": after}, &out)
				pages++
				if out.Records.TotalCount != 6 {
					t.Fatalf("totalCount %d, want 6", out.Records.TotalCount)
				}
				if len(out.Records.Edges) > 2 {
					t.Fatalf("page of %d", len(out.Records.Edges))
				}
				for _, e := range out.Records.Edges {
					if e.Node.ObjectType.Name != "machines" {
						t.Fatalf("a %s in machines' pages", e.Node.ObjectType.Name)
					}
					seen = append(seen, e.Node.ID)
				}
				if !out.Records.PageInfo.HasNextPage {
					break
				}
				after = *out.Records.PageInfo.EndCursor
				if pages > 10 {
					t.Fatal("pages do not end")
				}
			}
			sort.Strings(seen)
			if pages != 3 || len(seen) != 6 || len(slices.Compact(slices.Clone(seen))) != 6 {
				t.Fatalf("%d pages, ids %v", pages, seen)
			}
			if ids := a.listIDs("machines", false); len(ids) != 6 {
				t.Fatalf("listed %v", ids)
			}
		})

		t.Run("upserted by its unique property", func(t *testing.T) {
			a := a.with(t)
			var out struct{ UpsertRecords batchJSON }
			// serial_number is the object's only unique property: no
			// idProperty needed.
			a.ok(`mutation($in: [RecordPropertiesInput!]!) { upsertRecords(input: {objectType: "machines", inputs: $in}) { `+batchFields+` } }`,
				map[string]any{"in": []map[string]any{
					{"properties": map[string]any{"serial_number": "M-1", "model": "Lathe 1 Mk II"}},
					{"properties": map[string]any{"serial_number": "M-7", "model": "Mill"}},
					{"properties": map[string]any{"model": "No key"}},
				}}, &out)
			b := out.UpsertRecords
			if b.Written != 2 || b.Failed != 1 {
				t.Fatalf("%+v", b)
			}
			if r := b.Results[0]; r.Created || r.Record == nil || r.Record.ID != machines[0].ID {
				t.Fatalf("item 0 %+v", r)
			}
			if r := b.Results[1]; !r.Created || r.Record == nil {
				t.Fatalf("item 1 %+v", r)
			}
			if e := b.Results[2].Error; e == nil || e.Property == nil || *e.Property != "serial_number" {
				t.Fatalf("item 2 %+v", b.Results[2])
			}
			got := a.stored(machines[0])
			if got["model"] != "Lathe 1 Mk II" || got["price"] != 1999.9 || got["serial_number"] != "M-1" {
				t.Fatalf("upserted record %v", got)
			}
			if r := a.read(machines[0]); r.DisplayName != "Lathe 1 Mk II" {
				t.Fatalf("displayName %q", r.DisplayName)
			}
			if n := a.count("machines"); n != 7 {
				t.Fatalf("%d machines, want 7", n)
			}
		})
	})
}

func TestCreateObjectTypeRules(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		base := func(name string) map[string]any {
			return map[string]any{"name": name, "singularLabel": "Thing", "pluralLabel": "Things",
				"properties": []map[string]any{{"name": "title", "label": "Title", "type": "STRING", "fieldType": "TEXT"}}}
		}
		for _, name := range []string{"", "1things", "_things", "things-2", "two things", "thing.s", "thingś"} {
			t.Run(fmt.Sprintf("name %q refused", name), func(t *testing.T) {
				a := a.with(t)
				a.fails(createObjectTypeMutation, inVars(base(name)), "BAD_USER_INPUT", "name")
				if name != "" && a.objectType(name) != nil {
					t.Fatal("refused object type exists")
				}
			})
		}
		// HubSpot's rule: letters, digits and underscores, starting with a
		// letter.
		for _, name := range []string{"Things", "x", "thing_2", "Car_Parts9"} {
			t.Run(fmt.Sprintf("name %q accepted", name), func(t *testing.T) {
				a := a.with(t)
				if ot := a.createObjectType(base(name)); ot.Name != name {
					t.Fatalf("answered %q", ot.Name)
				}
				r := a.create(name, map[string]any{"title": "T"})
				if r.ObjectType.Name != name || a.stored(r)["title"] != "T" {
					t.Fatalf("record %+v", r)
				}
			})
		}
		t.Run("name taken", func(t *testing.T) {
			a := a.with(t)
			a.fails(createObjectTypeMutation, inVars(base("Things")), "CONFLICT", "")
			a.fails(createObjectTypeMutation, inVars(base("contacts")), "CONFLICT", "")
			a.fails(createObjectTypeMutation, inVars(base("notes")), "CONFLICT", "")
			if ot := a.mustObjectType("contacts"); ot.Kind != "STANDARD" || ot.SingularLabel == "Thing" {
				t.Fatalf("contacts %+v", ot)
			}
		})
		bad := []struct {
			name, property string
			change         map[string]any
		}{
			{"unknown primary display property", "primaryDisplayProperty", map[string]any{"primaryDisplayProperty": "nope"}},
			{"unknown secondary display property", "secondaryDisplayProperties", map[string]any{"secondaryDisplayProperties": []string{"title", "nope"}}},
			{"unknown required property", "requiredProperties", map[string]any{"requiredProperties": []string{"nope"}}},
			{"unknown searchable property", "searchableProperties", map[string]any{"searchableProperties": []string{"nope"}}},
			{"unknown associated object", "associatedObjects", map[string]any{"associatedObjects": []string{"contacts", "unicorns"}}},
			{"invalid property pair", "fieldType", map[string]any{"properties": []map[string]any{{"name": "n", "label": "N", "type": "NUMBER", "fieldType": "TEXT"}}}},
			{"invalid property name", "name", map[string]any{"properties": []map[string]any{{"name": "Title", "label": "T", "type": "STRING", "fieldType": "TEXT"}}}},
			{"property defined twice", "properties", map[string]any{"properties": []map[string]any{
				{"name": "title", "label": "T", "type": "STRING", "fieldType": "TEXT"}, {"name": "title", "label": "T", "type": "STRING", "fieldType": "TEXT"}}}},
			{"a property every object has", "properties", map[string]any{"properties": []map[string]any{{"name": "createdate", "label": "C", "type": "STRING", "fieldType": "TEXT"}}}},
			{"no singular label", "", map[string]any{"singularLabel": " "}},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				a := a.with(t)
				in := base("gizmos")
				for k, v := range tc.change {
					in[k] = v
				}
				a.fails(createObjectTypeMutation, inVars(in), "BAD_USER_INPUT", tc.property)
				// One transaction: nothing of the refused type exists.
				if a.objectType("gizmos") != nil {
					t.Fatal("the refused object type exists")
				}
			})
		}
		// Two server processes both pass their own check of a new name:
		// the database decides, and the loser must hear CONFLICT.
		// The loser's checks ran on older definitions: the database's
		// unique index catches it, and that is a CONFLICT, not INTERNAL.
		t.Run("the same name created through two servers at once", func(t *testing.T) {
			a := a.with(t)
			b := a.secondServer()
			const n = 6
			responses := make([]*response, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := a
					if i%2 == 1 {
						s = b
					}
					responses[i] = s.do(createObjectTypeMutation, inVars(base("racers")))
				}()
			}
			wg.Wait()
			wins := 0
			for i, r := range responses {
				switch {
				case len(r.Errors) == 0:
					wins++
				case r.Errors[0].Extensions["code"] != "CONFLICT":
					t.Errorf("request %d: %+v, want CONFLICT", i, r.Errors)
				}
			}
			if wins != 1 {
				t.Fatalf("%d requests created racers", wins)
			}
			if ot := a.mustObjectType("racers"); len(ot.PropertyGroups) != 1 || ot.prop("title") == nil {
				t.Fatalf("racers %+v", ot)
			}
		})
		t.Run("the refused name is still free", func(t *testing.T) {
			a := a.with(t)
			a.createObjectType(base("gizmos"))
		})
	})
}

func TestUpdateCustomObjectType(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createObjectType(map[string]any{"name": "vehicles", "singularLabel": "Vehicle", "pluralLabel": "Vehicles",
			"properties": []map[string]any{
				{"name": "plate", "label": "Plate", "type": "STRING", "fieldType": "TEXT", "hasUniqueValue": true},
				{"name": "make", "label": "Make", "type": "STRING", "fieldType": "TEXT"},
				{"name": "colour", "label": "Colour", "type": "STRING", "fieldType": "TEXT"},
				{"name": "nickname", "label": "Nickname", "type": "STRING", "fieldType": "TEXT"},
			},
			"primaryDisplayProperty": "make", "requiredProperties": []string{"plate"}, "searchableProperties": []string{"plate"}})
		v := a.create("vehicles", map[string]any{"plate": "AB-123", "make": "Volvo", "colour": "Red"})
		if v.DisplayName != "Volvo" {
			t.Fatalf("displayName %q", v.DisplayName)
		}

		t.Run("labels", func(t *testing.T) {
			a := a.with(t)
			got := a.updateObjectType(map[string]any{"name": "vehicles", "singularLabel": "Car", "pluralLabel": "Cars"})
			ot := a.mustObjectType("vehicles")
			if ot.SingularLabel != "Car" || ot.PluralLabel != "Cars" || !equalJSON(got, *ot) {
				t.Fatalf("%+v", ot)
			}
			// Fields not given stay.
			if *ot.PrimaryDisplayProperty != "make" || !slices.Equal(ot.RequiredProperties, []string{"plate"}) {
				t.Fatalf("%+v", ot)
			}
		})
		t.Run("display", func(t *testing.T) {
			a := a.with(t)
			a.updateObjectType(map[string]any{"name": "vehicles", "primaryDisplayProperty": "colour", "secondaryDisplayProperties": []string{"make", "plate"}})
			ot := a.mustObjectType("vehicles")
			if *ot.PrimaryDisplayProperty != "colour" || !slices.Equal(ot.SecondaryDisplayProperties, []string{"make", "plate"}) {
				t.Fatalf("%+v", ot)
			}
			if got := a.read(v).DisplayName; got != "Red" {
				t.Fatalf("displayName %q after the primary display property changed", got)
			}
		})
		t.Run("required", func(t *testing.T) {
			a := a.with(t)
			a.updateObjectType(map[string]any{"name": "vehicles", "requiredProperties": []string{"plate", "make"}})
			if ot := a.mustObjectType("vehicles"); !slices.Equal(ot.RequiredProperties, []string{"plate", "make"}) {
				t.Fatalf("%+v", ot.RequiredProperties)
			}
			a.fails(createMutation, map[string]any{"t": "vehicles", "p": map[string]any{"plate": "CD-1"}}, "BAD_USER_INPUT", "make")
			a.create("vehicles", map[string]any{"plate": "CD-1", "make": "Fiat"})
			a.updateObjectType(map[string]any{"name": "vehicles", "requiredProperties": []string{"plate"}})
			a.create("vehicles", map[string]any{"plate": "CD-2"})
		})
		t.Run("searchable", func(t *testing.T) {
			a := a.with(t)
			a.updateObjectType(map[string]any{"name": "vehicles", "searchableProperties": []string{"plate", "make"}})
			if ot := a.mustObjectType("vehicles"); !slices.Equal(ot.SearchableProperties, []string{"plate", "make"}) {
				t.Fatalf("%+v", ot.SearchableProperties)
			}
		})
		t.Run("refusals change nothing", func(t *testing.T) {
			a := a.with(t)
			a.ok(archivePropertyMutation, propertyRef("vehicles", "nickname"), nil)
			before := a.mustObjectType("vehicles")
			cases := []struct {
				property string
				change   map[string]any
			}{
				{"primaryDisplayProperty", map[string]any{"primaryDisplayProperty": "nope"}},
				{"primaryDisplayProperty", map[string]any{"primaryDisplayProperty": "nickname"}}, // archived
				{"secondaryDisplayProperties", map[string]any{"secondaryDisplayProperties": []string{"nope"}}},
				{"requiredProperties", map[string]any{"requiredProperties": []string{"plate", "nope"}}},
				{"searchableProperties", map[string]any{"searchableProperties": []string{"nope"}}},
				{"", map[string]any{"singularLabel": ""}},
			}
			for _, tc := range cases {
				in := map[string]any{"name": "vehicles"}
				for k, v := range tc.change {
					in[k] = v
				}
				a.fails(updateObjectTypeMutation, inVars(in), "BAD_USER_INPUT", tc.property)
			}
			if after := a.mustObjectType("vehicles"); !equalJSON(after, before) {
				t.Fatalf("definitions changed:\n%+v\n%+v", before, after)
			}
		})
		t.Run("the name is immutable", func(t *testing.T) {
			a := a.with(t)
			// The input has no field to rename with.
			a.fails(`mutation { updateObjectType(input: {name: "vehicles", newName: "cars"}) { objectType { name } } }`, nil, "BAD_USER_INPUT", "")
			a.fails(`mutation { updateObjectType(input: {name: "vehicles", name: "cars"}) { objectType { name } } }`, nil, "BAD_USER_INPUT", "")
			if a.objectType("cars") != nil || a.objectType("vehicles") == nil {
				t.Fatal("renamed")
			}
		})
		t.Run("standard object types are not changed", func(t *testing.T) {
			a := a.with(t)
			before := a.mustObjectType("contacts")
			a.fails(updateObjectTypeMutation, inVars(map[string]any{"name": "contacts", "singularLabel": "Person"}), "FORBIDDEN", "")
			a.fails(updateObjectTypeMutation, inVars(map[string]any{"name": "unicorns", "singularLabel": "Unicorn"}), "NOT_FOUND", "")
			if after := a.mustObjectType("contacts"); !equalJSON(after, before) {
				t.Fatal("contacts changed")
			}
		})
	})
}

func TestArchiveCustomObjectType(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		in := func(name string) map[string]any {
			return map[string]any{"name": name, "singularLabel": "Part", "pluralLabel": "Parts", "associatedObjects": []string{"contacts"},
				"properties": []map[string]any{{"name": "code", "label": "Code", "type": "STRING", "fieldType": "TEXT"}}}
		}
		a.createObjectType(in("parts"))
		a.createObjectType(in("spares"))
		p1 := a.create("parts", map[string]any{"code": "P1"})
		a.create("parts", map[string]any{"code": "P2"})
		p3 := a.create("parts", map[string]any{"code": "P3"})
		a.archiveRecord(p3)

		t.Run("refused while it has records, with the count", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("parts")
			defBefore := a.mustObjectType("parts")
			e := a.fails(archiveObjectTypeMutation, map[string]any{"n": "parts"}, "CONFLICT", "")
			// Two live records and one in the recycle bin.
			wantMessage(t, e, "3 records")
			if after := a.objectType("parts"); after == nil || !equalJSON(*after, *defBefore) {
				t.Fatal("parts changed or went")
			}
			a.unchanged("parts", before)
			a.create("parts", map[string]any{"code": "P4"})
			if a.read(p1).Properties["code"] != "P1" {
				t.Fatal("record unreadable")
			}
		})
		t.Run("archived when empty; its name stays taken", func(t *testing.T) {
			a := a.with(t)
			var out struct{ ArchiveObjectType struct{ Name string } }
			a.ok(archiveObjectTypeMutation, map[string]any{"n": "spares"}, &out)
			if out.ArchiveObjectType.Name != "spares" {
				t.Fatalf("answer %+v", out)
			}
			if a.objectType("spares") != nil {
				t.Fatal("objectType(spares) still answers")
			}
			var list struct{ ObjectTypes []struct{ Name string } }
			a.ok(`{ objectTypes { name } }`, nil, &list)
			for _, ot := range list.ObjectTypes {
				if ot.Name == "spares" {
					t.Fatal("objectTypes lists the archived type")
				}
			}
			a.fails(createMutation, map[string]any{"t": "spares", "p": map[string]any{"code": "S1"}}, "NOT_FOUND", "")
			a.fails(createObjectTypeMutation, inVars(in("spares")), "CONFLICT", "")
			a.fails(archiveObjectTypeMutation, map[string]any{"n": "spares"}, "NOT_FOUND", "")
			if n := a.count("spares"); n != 0 {
				t.Fatalf("%d spares", n)
			}
		})
		t.Run("standard object types cannot be archived", func(t *testing.T) {
			a := a.with(t)
			for _, name := range []string{"contacts", "notes"} {
				a.fails(archiveObjectTypeMutation, map[string]any{"n": name}, "FORBIDDEN", "")
				a.mustObjectType(name)
			}
		})
	})
}
