package graph_test

// Property definitions: type x fieldType pairs, names, the lifecycle
// (create, update, archive, restore, delete) and read-only standard ones.

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestPropertyTypeFieldTypePairs(t *testing.T) {
	valid := map[string][]string{
		"BOOL":        {"BOOLEANCHECKBOX", "CALCULATION_EQUATION"},
		"ENUMERATION": {"BOOLEANCHECKBOX", "CHECKBOX", "RADIO", "SELECT", "CALCULATION_EQUATION"},
		"DATE":        {"DATE"},
		"DATETIME":    {"DATE"},
		"STRING":      {"TEXT", "TEXTAREA", "HTML", "PHONENUMBER", "FILE", "CALCULATION_EQUATION"},
		"NUMBER":      {"NUMBER", "CALCULATION_EQUATION"},
	}
	types := []string{"STRING", "NUMBER", "BOOL", "DATE", "DATETIME", "ENUMERATION"}
	fieldTypes := []string{"TEXT", "TEXTAREA", "HTML", "PHONENUMBER", "NUMBER", "DATE", "BOOLEANCHECKBOX",
		"CHECKBOX", "RADIO", "SELECT", "CALCULATION_EQUATION", "FILE"}
	// A value of each type as a client sends it, and as it must be stored.
	sample := func(typ, field string) (sent, want any) {
		switch typ {
		case "STRING":
			return "hello", "hello"
		case "NUMBER":
			return "42.50", 42.5
		case "BOOL":
			return "true", true
		case "DATE":
			return "2024-02-29", "2024-02-29"
		case "DATETIME":
			return "2024-02-29T10:00:00+01:00", "2024-02-29T09:00:00.000Z"
		}
		if field == "CHECKBOX" {
			return "yes;no", []any{"yes", "no"}
		}
		return "no", "no"
	}
	each(t, func(t *testing.T, a *api) {
		for _, typ := range types {
			for _, field := range fieldTypes {
				ok := slices.Contains(valid[typ], field)
				name := strings.ToLower("p_" + typ + "_" + field)
				t.Run(fmt.Sprintf("%s x %s valid=%v", typ, field, ok), func(t *testing.T) {
					a := a.with(t)
					def := map[string]any{"name": name, "label": name, "type": typ, "fieldType": field}
					if typ == "ENUMERATION" {
						def["options"] = optionsInput("yes", "no")
					}
					if !ok {
						a.fails(createPropertyMutation, map[string]any{"t": "contacts", "p": def}, "BAD_USER_INPUT", "fieldType")
						if p := a.property("contacts", name); p != nil {
							t.Fatalf("a refused pair was defined: %+v", p)
						}
						return
					}
					got := a.createProperty("contacts", def)
					if got.Name != name || got.Type != typ || got.FieldType != field {
						t.Fatalf("answered %+v", got)
					}
					if p := a.mustProperty("contacts", name); p.Type != typ || p.FieldType != field || p.Archived {
						t.Fatalf("stored definition %+v", p)
					}
					// The property is usable at once: a value is validated
					// against it and stored typed.
					sent, want := sample(typ, field)
					r := a.create("contacts", map[string]any{name: sent})
					if got := a.stored(r)[name]; fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprintf("%T", got) != fmt.Sprintf("%T", want) {
						t.Fatalf("stored %#v, want %#v", got, want)
					}
				})
			}
		}
		t.Run("options on a property that is not an enumeration", func(t *testing.T) {
			a := a.with(t)
			a.fails(createPropertyMutation, map[string]any{"t": "contacts", "p": map[string]any{"name": "colour", "label": "Colour",
				"type": "STRING", "fieldType": "TEXT", "options": optionsInput("red")}}, "BAD_USER_INPUT", "options")
			if a.property("contacts", "colour") != nil {
				t.Fatal("the refused property was defined")
			}
		})
		t.Run("a changed field type must pair with the type too", func(t *testing.T) {
			a := a.with(t)
			a.createProperty("contacts", map[string]any{"name": "nickname", "label": "Nickname", "type": "STRING", "fieldType": "TEXT"})
			a.fails(updatePropertyMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "nickname", "fieldType": "NUMBER"}},
				"BAD_USER_INPUT", "fieldType")
			if p := a.mustProperty("contacts", "nickname"); p.FieldType != "TEXT" || p.Type != "STRING" {
				t.Fatalf("definition changed: %+v", p)
			}
		})
	})
}

// ---------------------------------------------------------------------------
// Rule 1: properties on any object type.

func TestPropertyOnEveryObjectType(t *testing.T) {
	// What each object type requires before a record of it can be made.
	base := map[string]map[string]any{
		"deals":   {"dealname": "D", "pipeline": "default", "dealstage": "qualifiedtobuy"},
		"tickets": {"subject": "S", "hs_pipeline": "0", "hs_pipeline_stage": "1"},
	}
	for _, e := range []string{"notes", "calls", "emails", "meetings", "tasks"} {
		base[e] = map[string]any{"hs_timestamp": "2026-01-02T03:04:05Z"}
	}
	each(t, func(t *testing.T, a *api) {
		a.createObjectType(map[string]any{"name": "gadgets", "singularLabel": "Gadget", "pluralLabel": "Gadgets",
			"properties": []map[string]any{{"name": "title", "label": "Title", "type": "STRING", "fieldType": "TEXT"}}})
		var list struct {
			ObjectTypes []struct{ Name, Kind string }
		}
		a.ok(`{ objectTypes { name kind } }`, nil, &list)
		kinds := map[string]bool{}
		for _, ot := range list.ObjectTypes {
			kinds[ot.Kind] = true
			t.Run(ot.Name, func(t *testing.T) {
				a := a.with(t)
				p := a.createProperty(ot.Name, map[string]any{"name": "rating", "label": "Rating", "type": "NUMBER", "fieldType": "NUMBER"})
				def := a.mustObjectType(ot.Name)
				if got := def.prop("rating"); got == nil || got.ID != p.ID || got.Type != "NUMBER" || got.ReadOnlyDefinition {
					t.Fatalf("definitions of %s: rating is %+v", ot.Name, got)
				}
				props := map[string]any{"rating": "4"}
				for k, v := range base[ot.Name] {
					props[k] = v
				}
				r := a.create(ot.Name, props)
				if got := a.stored(r)["rating"]; got != float64(4) {
					t.Fatalf("stored rating %#v", got)
				}
			})
		}
		if !kinds["STANDARD"] || !kinds["ENGAGEMENT"] || !kinds["CUSTOM"] {
			t.Fatalf("object types cover kinds %v, want all three", kinds)
		}
	})
}

// ---------------------------------------------------------------------------
// Rule 1: names.

func TestPropertyNames(t *testing.T) {
	def := func(name string) map[string]any {
		return map[string]any{"name": name, "label": "L", "type": "STRING", "fieldType": "TEXT"}
	}
	each(t, func(t *testing.T, a *api) {
		for _, name := range []string{"", "Tier", "camelCase", "1tier", "_tier", "tier-level", "tier level", "tier.level", "tièr", "TIER"} {
			t.Run(fmt.Sprintf("refused %q", name), func(t *testing.T) {
				a := a.with(t)
				a.fails(createPropertyMutation, map[string]any{"t": "contacts", "p": def(name)}, "BAD_USER_INPUT", "name")
				for _, p := range a.mustObjectType("contacts").AllProperties {
					if p.Name == name {
						t.Fatalf("refused name %q was defined", name)
					}
				}
			})
		}
		for _, name := range []string{"t", "tier2", "tier_level_2", "x_"} {
			t.Run(fmt.Sprintf("accepted %q", name), func(t *testing.T) {
				a := a.with(t)
				if p := a.createProperty("contacts", def(name)); p.Name != name {
					t.Fatalf("answered %+v", p)
				}
				a.mustProperty("contacts", name)
			})
		}
		t.Run("unique per object type", func(t *testing.T) {
			a := a.with(t)
			a.createProperty("contacts", def("region"))
			a.fails(createPropertyMutation, map[string]any{"t": "contacts", "p": def("region")}, "CONFLICT", "")
			// The standard catalog's names are taken too.
			a.fails(createPropertyMutation, map[string]any{"t": "contacts", "p": def("email")}, "CONFLICT", "")
			a.fails(createPropertyMutation, map[string]any{"t": "contacts", "p": def("hs_object_id")}, "CONFLICT", "")
			n := 0
			for _, p := range a.mustObjectType("contacts").AllProperties {
				if p.Name == "region" {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d definitions named region", n)
			}
			// Another object type may use the same name.
			if p := a.createProperty("companies", def("region")); p.Name != "region" {
				t.Fatalf("answered %+v", p)
			}
		})
		t.Run("never reused while archived", func(t *testing.T) {
			a := a.with(t)
			a.createProperty("contacts", def("legacy_code"))
			r := a.create("contacts", map[string]any{"legacy_code": "L-1"})
			a.ok(archivePropertyMutation, propertyRef("contacts", "legacy_code"), nil)
			e := a.fails(createPropertyMutation, map[string]any{"t": "contacts", "p": map[string]any{
				"name": "legacy_code", "label": "New", "type": "NUMBER", "fieldType": "NUMBER"}}, "CONFLICT", "")
			wantMessage(t, e, "legacy_code")
			p := a.mustProperty("contacts", "legacy_code")
			if !p.Archived || p.Type != "STRING" || p.Label != "L" {
				t.Fatalf("the archived definition changed: %+v", p)
			}
			if got := a.stored(r)["legacy_code"]; got != "L-1" {
				t.Fatalf("archived value %#v", got)
			}
			// Once deleted, the name is free again, and the old values
			// do not come back under it.
			a.ok(deletePropertyMutation, propertyRef("contacts", "legacy_code"), nil)
			if p := a.createProperty("contacts", map[string]any{"name": "legacy_code", "label": "New", "type": "NUMBER", "fieldType": "NUMBER"}); p.Type != "NUMBER" {
				t.Fatalf("answered %+v", p)
			}
			if _, has := a.stored(r)["legacy_code"]; has {
				t.Fatalf("deleted value came back: %v", a.stored(r))
			}
			if _, has := a.read(r).Properties["legacy_code"]; has {
				t.Fatal("deleted value shows under the new definition")
			}
		})
	})
}

// ---------------------------------------------------------------------------
// Rule 1: create, update, archive, restore, delete.

func TestPropertyLifecycle(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.ok(`mutation { createPropertyGroup(input: {objectType: "contacts", name: "loyalty", label: "Loyalty", displayOrder: 3}) { propertyGroup { name } } }`, nil, nil)
		var c1, c2, c3, c4 recordJSON

		t.Run("create", func(t *testing.T) {
			a := a.with(t)
			got := a.createProperty("contacts", map[string]any{"name": "loyalty_tier", "label": " Loyalty tier ", "type": "ENUMERATION",
				"fieldType": "SELECT", "description": "How loyal", "displayOrder": 5, "options": optionsInput("gold", "silver")})
			p := a.mustObjectType("contacts").prop("loyalty_tier")
			if p == nil || !equalJSON(*p, got) {
				t.Fatalf("definitions %+v, answer %+v", p, got)
			}
			if p.Label != "Loyalty tier" || p.Description != "How loyal" || p.DisplayOrder != 5 || p.group() != "contactinformation" ||
				p.Hidden || p.Archived || p.HasUniqueValue || p.ReadOnlyDefinition || p.ReadOnlyValue ||
				!slices.Equal(p.optionValues(), []string{"gold", "silver"}) {
				t.Fatalf("definition %+v", p)
			}
			c1 = a.create("contacts", map[string]any{"email": "c1@example.com", "loyalty_tier": "gold"})
			c2 = a.create("contacts", map[string]any{"email": "c2@example.com", "loyalty_tier": "silver"})
			c3 = a.create("contacts", map[string]any{"email": "c3@example.com"})
			c4 = a.create("contacts", map[string]any{"email": "c4@example.com", "loyalty_tier": "gold"})
			a.archiveRecord(c4)
			if a.stored(c1)["loyalty_tier"] != "gold" || a.stored(c2)["loyalty_tier"] != "silver" {
				t.Fatalf("stored %v %v", a.stored(c1), a.stored(c2))
			}
		})

		t.Run("update label, description, group, order, options, hidden", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("contacts")
			res := a.updateProperty(map[string]any{"objectType": "contacts", "name": "loyalty_tier", "label": "Tier",
				"description": "Loyalty programme tier", "groupName": "loyalty", "displayOrder": 9, "hidden": true,
				"options": optionsInput("gold", "silver", "bronze")})
			p := a.mustObjectType("contacts").prop("loyalty_tier")
			if p == nil || !equalJSON(*p, res.Property) {
				t.Fatalf("definitions %+v, answer %+v", p, res.Property)
			}
			if p.Label != "Tier" || p.Description != "Loyalty programme tier" || p.group() != "loyalty" || p.DisplayOrder != 9 ||
				!p.Hidden || p.Type != "ENUMERATION" || !slices.Equal(p.optionValues(), []string{"gold", "silver", "bronze"}) {
				t.Fatalf("definition %+v", p)
			}
			if res.ClearedValues != 0 || res.ConvertedValues != 0 {
				t.Fatalf("counts %+v", res)
			}
			// A change of presentation rewrites no value.
			a.unchanged("contacts", before)
			// Fields not given stay as they are.
			res = a.updateProperty(map[string]any{"objectType": "contacts", "name": "loyalty_tier", "hidden": false})
			if got := res.Property; got.Label != "Tier" || got.group() != "loyalty" || got.DisplayOrder != 9 || got.Hidden || len(got.Options) != 3 {
				t.Fatalf("partial update changed other fields: %+v", got)
			}
			a.fails(updatePropertyMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "loyalty_tier", "label": "  "}}, "BAD_USER_INPUT", "label")
			a.fails(updatePropertyMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "loyalty_tier", "groupName": "nope"}}, "BAD_USER_INPUT", "groupName")
			a.fails(updatePropertyMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "no_such", "label": "X"}}, "NOT_FOUND", "")
			if p := a.mustProperty("contacts", "loyalty_tier"); p.Label != "Tier" || p.group() != "loyalty" {
				t.Fatalf("refused updates changed the definition: %+v", p)
			}
		})

		t.Run("delete refused while live", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("contacts")
			a.fails(deletePropertyMutation, propertyRef("contacts", "loyalty_tier"), "CONFLICT", "")
			if p := a.mustProperty("contacts", "loyalty_tier"); p.Archived {
				t.Fatalf("definition %+v", p)
			}
			a.unchanged("contacts", before)
		})

		t.Run("archive keeps values, hides them, refuses writes", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("contacts")
			var out struct {
				ArchiveProperty struct{ Property propertyJSON }
			}
			a.ok(archivePropertyMutation, propertyRef("contacts", "loyalty_tier"), &out)
			if !out.ArchiveProperty.Property.Archived {
				t.Fatalf("answer %+v", out.ArchiveProperty.Property)
			}
			ot := a.mustObjectType("contacts")
			if ot.prop("loyalty_tier") != nil {
				t.Fatal("archived property listed among live properties")
			}
			if p := ot.anyProp("loyalty_tier"); p == nil || !p.Archived || p.Label != "Tier" || len(p.Options) != 3 {
				t.Fatalf("includeArchived lists %+v", p)
			}
			// Values kept in the database...
			a.unchanged("contacts", before)
			// ...hidden from records, named or not.
			if _, shown := a.read(c1).Properties["loyalty_tier"]; shown {
				t.Fatalf("record shows the archived value: %v", a.read(c1).Properties)
			}
			var named struct {
				Record struct{ Properties map[string]any }
			}
			a.ok(`query($id: ID!) { record(id: $id) { properties(names: ["loyalty_tier", "email"]) } }`, map[string]any{"id": c1.ID}, &named)
			if _, shown := named.Record.Properties["loyalty_tier"]; shown || named.Record.Properties["email"] != "c1@example.com" {
				t.Fatalf("named properties %v", named.Record.Properties)
			}
			var list struct {
				Records struct {
					Edges []struct {
						Node struct{ Properties map[string]any }
					}
				}
			}
			a.ok(`{ records(objectType: "contacts", first: 100) { edges { node { properties } } } }`, nil, &list)
			for _, e := range list.Records.Edges {
				if _, shown := e.Node.Properties["loyalty_tier"]; shown {
					t.Fatalf("list shows the archived value: %v", e.Node.Properties)
				}
			}
			// Every write path refuses it, naming it, and writes nothing.
			count := a.count("contacts")
			a.fails(createMutation, map[string]any{"t": "contacts", "p": map[string]any{"email": "c5@example.com", "loyalty_tier": "gold"}}, "BAD_USER_INPUT", "loyalty_tier")
			a.fails(updateRecordMutation, map[string]any{"id": c2.ID, "p": map[string]any{"loyalty_tier": "gold"}}, "BAD_USER_INPUT", "loyalty_tier")
			a.fails(updateRecordMutation, map[string]any{"id": c2.ID, "p": map[string]any{"loyalty_tier": nil}}, "BAD_USER_INPUT", "loyalty_tier")
			var batch struct{ CreateRecords batchJSON }
			a.ok(`mutation { createRecords(input: {objectType: "contacts", inputs: [{properties: {email: "c6@example.com", loyalty_tier: "gold"}}]}) { `+batchFields+` } }`, nil, &batch)
			if r := batch.CreateRecords.Results[0]; r.Error == nil || r.Error.Code != "BAD_USER_INPUT" || r.Error.Property == nil || *r.Error.Property != "loyalty_tier" {
				t.Fatalf("batch item %+v", r)
			}
			var upsert struct{ UpsertRecords batchJSON }
			a.ok(`mutation { upsertRecords(input: {objectType: "contacts", idProperty: "email", inputs: [{properties: {email: "c2@example.com", loyalty_tier: "gold"}}]}) { `+batchFields+` } }`, nil, &upsert)
			if r := upsert.UpsertRecords.Results[0]; r.Error == nil || r.Error.Property == nil || *r.Error.Property != "loyalty_tier" {
				t.Fatalf("upsert item %+v", r)
			}
			if n := a.count("contacts"); n != count {
				t.Fatalf("%d contacts, had %d", n, count)
			}
			a.unchanged("contacts", before)
			// Writing other properties keeps the archived value.
			a.updateRecord(c1, map[string]any{"firstname": "Ann"})
			if got := a.stored(c1); got["loyalty_tier"] != "gold" || got["firstname"] != "Ann" {
				t.Fatalf("stored %v", got)
			}
		})

		t.Run("restore brings values back", func(t *testing.T) {
			a := a.with(t)
			var out struct {
				RestoreProperty struct{ Property propertyJSON }
			}
			a.ok(restorePropertyMutation, propertyRef("contacts", "loyalty_tier"), &out)
			if out.RestoreProperty.Property.Archived {
				t.Fatalf("answer %+v", out.RestoreProperty.Property)
			}
			p := a.mustObjectType("contacts").prop("loyalty_tier")
			if p == nil || p.Archived || p.Label != "Tier" || p.group() != "loyalty" || len(p.Options) != 3 {
				t.Fatalf("restored definition %+v", p)
			}
			if got := a.read(c1).Properties["loyalty_tier"]; got != "gold" {
				t.Fatalf("restored value %#v", got)
			}
			a.updateRecord(c3, map[string]any{"loyalty_tier": "bronze"})
			if got := a.stored(c3)["loyalty_tier"]; got != "bronze" {
				t.Fatalf("stored %#v", got)
			}
		})

		t.Run("delete when archived removes its values", func(t *testing.T) {
			a := a.with(t)
			a.ok(archivePropertyMutation, propertyRef("contacts", "loyalty_tier"), nil)
			holding := a.recordsHolding("contacts", "loyalty_tier") // c1, c2, c3 and the archived c4
			if holding != 4 {
				t.Fatalf("%d records hold a value before the delete", holding)
			}
			var out struct {
				DeleteProperty struct{ RemovedValues int }
			}
			a.ok(deletePropertyMutation, propertyRef("contacts", "loyalty_tier"), &out)
			if out.DeleteProperty.RemovedValues != 4 {
				t.Fatalf("removedValues %d, want 4", out.DeleteProperty.RemovedValues)
			}
			if n := a.recordsHolding("contacts", "loyalty_tier"); n != 0 {
				t.Fatalf("%d records still hold a value", n)
			}
			if a.property("contacts", "loyalty_tier") != nil || a.mustObjectType("contacts").anyProp("loyalty_tier") != nil {
				t.Fatal("the definition survived its delete")
			}
			// Other values of those records are untouched.
			if got := a.stored(c1); got["email"] != "c1@example.com" || got["firstname"] != "Ann" {
				t.Fatalf("stored %v", got)
			}
			a.fails(createMutation, map[string]any{"t": "contacts", "p": map[string]any{"loyalty_tier": "gold"}}, "BAD_USER_INPUT", "loyalty_tier")
			a.fails(deletePropertyMutation, propertyRef("contacts", "loyalty_tier"), "NOT_FOUND", "")
		})
	})
}

// ---------------------------------------------------------------------------
// Rule 1: standard definitions are read-only; their options may be extended.

func TestStandardPropertiesAreReadOnly(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createObjectType(map[string]any{"name": "gadgets", "singularLabel": "Gadget", "pluralLabel": "Gadgets"})
		c := a.create("contacts", map[string]any{"email": "std@example.com", "firstname": "Std", "lifecyclestage": "lead"})
		changes := []struct {
			name, objectType, property string
			change                     map[string]any
		}{
			{"label", "contacts", "firstname", map[string]any{"label": "Given name"}},
			{"description", "contacts", "firstname", map[string]any{"description": "x"}},
			{"group", "contacts", "firstname", map[string]any{"groupName": "contactinformation"}},
			{"display order", "contacts", "firstname", map[string]any{"displayOrder": 99}},
			{"hidden", "contacts", "firstname", map[string]any{"hidden": true}},
			{"type", "contacts", "firstname", map[string]any{"type": "NUMBER", "fieldType": "NUMBER"}},
			{"field type", "contacts", "firstname", map[string]any{"fieldType": "TEXTAREA"}},
			{"unique flag", "contacts", "email", map[string]any{"hasUniqueValue": false}},
			{"relabel an option", "contacts", "lifecyclestage", nil}, // options built below
			{"remove an option", "contacts", "lifecyclestage", nil},
			{"common property of a custom object", "gadgets", "hs_object_id", map[string]any{"label": "Id"}},
			{"createdate of a custom object", "gadgets", "createdate", map[string]any{"type": "DATE"}},
		}
		for _, tc := range changes {
			t.Run(tc.name, func(t *testing.T) {
				a := a.with(t)
				before := a.mustProperty(tc.objectType, tc.property)
				if !before.ReadOnlyDefinition {
					t.Fatalf("%s.%s is not marked readOnlyDefinition", tc.objectType, tc.property)
				}
				in := map[string]any{"objectType": tc.objectType, "name": tc.property}
				for k, v := range tc.change {
					in[k] = v
				}
				switch tc.name {
				case "relabel an option":
					opts := asOptionsInput(before.Options)
					opts[0]["label"] = "Renamed"
					in["options"] = opts
				case "remove an option":
					in["options"] = asOptionsInput(before.Options[1:])
					in["clearRemovedOptions"] = true
				}
				a.fails(updatePropertyMutation, map[string]any{"in": in}, "FORBIDDEN", "")
				if after := a.mustProperty(tc.objectType, tc.property); !equalJSON(after, before) {
					t.Fatalf("definition changed:\n was %+v\n now %+v", before, after)
				}
			})
		}
		t.Run("archive and delete", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("contacts")
			a.fails(archivePropertyMutation, propertyRef("contacts", "firstname"), "FORBIDDEN", "")
			a.fails(deletePropertyMutation, propertyRef("contacts", "firstname"), "FORBIDDEN", "")
			a.fails(archivePropertyMutation, propertyRef("gadgets", "createdate"), "FORBIDDEN", "")
			if p := a.mustProperty("contacts", "firstname"); p.Archived {
				t.Fatal("firstname archived")
			}
			a.unchanged("contacts", before)
		})
		t.Run("options may be extended", func(t *testing.T) {
			a := a.with(t)
			before := a.mustProperty("contacts", "lifecyclestage")
			opts := asOptionsInput(before.Options)
			opts = append(opts, map[string]any{"value": "partner", "label": "Partner", "displayOrder": len(opts)})
			res := a.updateProperty(map[string]any{"objectType": "contacts", "name": "lifecyclestage", "options": opts})
			after := a.mustProperty("contacts", "lifecyclestage")
			if !equalJSON(after, res.Property) {
				t.Fatalf("answer %+v, definitions %+v", res.Property, after)
			}
			if len(after.Options) != len(before.Options)+1 || after.option("partner") == nil {
				t.Fatalf("options %v", after.optionValues())
			}
			for _, o := range before.Options {
				if got := after.option(o.Value); got == nil || !equalJSON(*got, o) {
					t.Fatalf("option %q changed: %+v -> %+v", o.Value, o, got)
				}
			}
			if after.Label != before.Label || after.Type != before.Type || !after.ReadOnlyDefinition {
				t.Fatalf("definition %+v", after)
			}
			// The new option is a value records may hold; the old ones stay.
			a.updateRecord(c, map[string]any{"lifecyclestage": "partner"})
			if got := a.stored(c)["lifecyclestage"]; got != "partner" {
				t.Fatalf("stored %#v", got)
			}
		})
	})
}

// equalJSON compares two values by their JSON encoding.
