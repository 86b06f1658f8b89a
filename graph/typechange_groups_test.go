package graph_test

// Property type changes and property groups.

import (
	"slices"
	"testing"
)

func TestPropertyTypeChange(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		str := func(name string) {
			a.createProperty("contacts", map[string]any{"name": name, "label": name, "type": "STRING", "fieldType": "TEXT"})
		}
		mk := func(values map[string]any) recordJSON { return a.create("contacts", values) }
		change := func(name string, fields map[string]any) map[string]any {
			in := map[string]any{"objectType": "contacts", "name": name}
			for k, v := range fields {
				in[k] = v
			}
			return in
		}
		toNumber := map[string]any{"type": "NUMBER", "fieldType": "NUMBER"}

		// Values whose text does not change ("12" -> 12) must still be
		// rewritten in the new JSON type, and counted.
		t.Run("string to number when every value is numeric", func(t *testing.T) {
			a := a.with(t)
			str("score")
			x := mk(map[string]any{"score": "12"})
			y := mk(map[string]any{"score": "3.50"})
			z := mk(map[string]any{"score": "-7"})
			w := mk(map[string]any{"score": "8"})
			a.archiveRecord(w) // archived values convert too: none is lost on restore
			none := mk(map[string]any{"firstname": "No score"})
			res := a.updateProperty(change("score", toNumber))
			if p := a.mustProperty("contacts", "score"); p.Type != "NUMBER" || p.FieldType != "NUMBER" || !equalJSON(p, res.Property) {
				t.Fatalf("definition %+v", p)
			}
			if _, has := a.stored(none)["score"]; has {
				t.Fatal("a record without a value got one")
			}
			for i, r := range []recordJSON{x, y, z, w} {
				want := []float64{12, 3.5, -7, 8}[i]
				if got := a.stored(r)["score"]; got != want {
					t.Errorf("record %s stores %#v (%T) for a NUMBER property, want the JSON number %v", r.RecordID, got, got, want)
				}
			}
			if got := a.read(x).Properties["score"]; got != float64(12) {
				t.Errorf("API shows %#v (%T), want the number 12", got, got)
			}
			if res.ConvertedValues != 4 {
				t.Errorf("convertedValues %d, want 4", res.ConvertedValues)
			}
			// Writes now follow the new type.
			a.fails(updateRecordMutation, map[string]any{"id": x.ID, "p": map[string]any{"score": "twelve"}}, "BAD_USER_INPUT", "score")
		})

		t.Run("string to number refused with the count and an example", func(t *testing.T) {
			a := a.with(t)
			str("code")
			mk(map[string]any{"code": "12"})
			mk(map[string]any{"code": "abc"})
			mk(map[string]any{"code": "7"})
			archived := mk(map[string]any{"code": "4x"})
			a.archiveRecord(archived)
			before := a.snapshot("contacts")
			defBefore := a.mustProperty("contacts", "code")
			e := a.fails(updatePropertyMutation, map[string]any{"in": change("code", toNumber)}, "CONFLICT", "code")
			wantMessage(t, e, "2 values", "abc")
			if got := a.mustProperty("contacts", "code"); !equalJSON(got, defBefore) {
				t.Fatalf("definition changed: %+v", got)
			}
			a.unchanged("contacts", before)
		})

		// The other way: numbers become JSON strings under a STRING
		// definition.
		t.Run("number to string", func(t *testing.T) {
			a := a.with(t)
			a.createProperty("contacts", map[string]any{"name": "points", "label": "Points", "type": "NUMBER", "fieldType": "NUMBER"})
			x := mk(map[string]any{"points": 5})
			y := mk(map[string]any{"points": "2.5"})
			res := a.updateProperty(change("points", map[string]any{"type": "STRING", "fieldType": "TEXT"}))
			for r, want := range map[string]string{x.RecordID: "5", y.RecordID: "2.5"} {
				if got := a.stored(recordJSON{RecordID: r})["points"]; got != want {
					t.Errorf("record %s stores %#v (%T) for a STRING property, want the JSON string %q", r, got, got, want)
				}
			}
			if res.ConvertedValues != 2 {
				t.Errorf("convertedValues %d, want 2", res.ConvertedValues)
			}
		})

		t.Run("string to date", func(t *testing.T) {
			a := a.with(t)
			str("since")
			x := mk(map[string]any{"since": "2024-01-05"})
			res := a.updateProperty(change("since", map[string]any{"type": "DATE", "fieldType": "DATE"}))
			if res.Property.Type != "DATE" || a.stored(x)["since"] != "2024-01-05" {
				t.Fatalf("%+v %v", res, a.stored(x))
			}
			str("until")
			mk(map[string]any{"until": "2024-13-01"})
			before := a.snapshot("contacts")
			e := a.fails(updatePropertyMutation, map[string]any{"in": change("until", map[string]any{"type": "DATE", "fieldType": "DATE"})}, "CONFLICT", "until")
			wantMessage(t, e, "1 values", "2024-13-01")
			a.unchanged("contacts", before)
		})

		t.Run("string to bool", func(t *testing.T) {
			a := a.with(t)
			str("vip")
			x := mk(map[string]any{"vip": "true"})
			y := mk(map[string]any{"vip": "false"})
			a.updateProperty(change("vip", map[string]any{"type": "BOOL", "fieldType": "BOOLEANCHECKBOX"}))
			if a.stored(x)["vip"] != true || a.stored(y)["vip"] != false {
				t.Fatalf("%v %v", a.stored(x), a.stored(y))
			}
		})

		t.Run("string to enumeration, with the options in the same change", func(t *testing.T) {
			a := a.with(t)
			str("colour")
			x := mk(map[string]any{"colour": "red"})
			res := a.updateProperty(change("colour", map[string]any{"type": "ENUMERATION", "fieldType": "SELECT", "options": optionsInput("red", "blue")}))
			if res.Property.Type != "ENUMERATION" || !slices.Equal(res.Property.optionValues(), []string{"red", "blue"}) || a.stored(x)["colour"] != "red" {
				t.Fatalf("%+v %v", res.Property, a.stored(x))
			}
			str("shade")
			mk(map[string]any{"shade": "red"})
			mk(map[string]any{"shade": "green"})
			before := a.snapshot("contacts")
			e := a.fails(updatePropertyMutation, map[string]any{"in": change("shade", map[string]any{"type": "ENUMERATION", "fieldType": "SELECT",
				"options": optionsInput("red", "blue")})}, "CONFLICT", "shade")
			wantMessage(t, e, "green")
			if p := a.mustProperty("contacts", "shade"); p.Type != "STRING" || len(p.Options) != 0 {
				t.Fatalf("definition changed: %+v", p)
			}
			a.unchanged("contacts", before)
		})

		t.Run("multi-select to string", func(t *testing.T) {
			a := a.with(t)
			a.createProperty("contacts", map[string]any{"name": "skills", "label": "Skills", "type": "ENUMERATION", "fieldType": "CHECKBOX",
				"options": optionsInput("go", "sql")})
			x := mk(map[string]any{"skills": "go;sql"})
			a.updateProperty(change("skills", map[string]any{"type": "STRING", "fieldType": "TEXT", "options": []any{}}))
			if got := a.stored(x)["skills"]; got != "go;sql" {
				t.Fatalf("stored %#v", got)
			}
		})

		t.Run("single select to multi-select and back", func(t *testing.T) {
			a := a.with(t)
			a.createProperty("contacts", map[string]any{"name": "team", "label": "Team", "type": "ENUMERATION", "fieldType": "SELECT",
				"options": optionsInput("red", "blue")})
			x := mk(map[string]any{"team": "red"})
			res := a.updateProperty(change("team", map[string]any{"fieldType": "CHECKBOX"}))
			if res.ConvertedValues != 1 || !equalJSON(a.stored(x)["team"], []string{"red"}) {
				t.Fatalf("converted %d, stored %#v", res.ConvertedValues, a.stored(x)["team"])
			}
			y := mk(map[string]any{"team": "red;blue"})
			before := a.snapshot("contacts")
			// Two options do not fit one: refused, nothing dropped.
			e := a.fails(updatePropertyMutation, inVars(change("team", map[string]any{"fieldType": "SELECT"})), "CONFLICT", "team")
			wantMessage(t, e, "1 values")
			a.unchanged("contacts", before)
			a.updateRecord(y, map[string]any{"team": "blue"})
			a.updateProperty(change("team", map[string]any{"fieldType": "RADIO"}))
			if a.stored(x)["team"] != "red" || a.stored(y)["team"] != "blue" {
				t.Fatalf("stored %#v %#v", a.stored(x)["team"], a.stored(y)["team"])
			}
		})

		t.Run("datetime to date only at midnight", func(t *testing.T) {
			a := a.with(t)
			a.createProperty("contacts", map[string]any{"name": "seen_at", "label": "Seen", "type": "DATETIME", "fieldType": "DATE"})
			mk(map[string]any{"seen_at": "2024-01-01T00:00:00Z"})
			mk(map[string]any{"seen_at": "2024-01-02T10:30:00Z"})
			before := a.snapshot("contacts")
			e := a.fails(updatePropertyMutation, map[string]any{"in": change("seen_at", map[string]any{"type": "DATE"})}, "CONFLICT", "seen_at")
			wantMessage(t, e, "1 values", "2024-01-02T10:30:00.000Z")
			a.unchanged("contacts", before)
		})

		t.Run("field type alone rewrites nothing", func(t *testing.T) {
			a := a.with(t)
			str("bio")
			mk(map[string]any{"bio": "Hello"})
			before := a.snapshot("contacts")
			res := a.updateProperty(change("bio", map[string]any{"fieldType": "TEXTAREA"}))
			if res.ConvertedValues != 0 || res.Property.FieldType != "TEXTAREA" || a.mustProperty("contacts", "bio").FieldType != "TEXTAREA" {
				t.Fatalf("%+v", res)
			}
			a.unchanged("contacts", before)
		})

		t.Run("one transaction: converted values roll back with a later refusal", func(t *testing.T) {
			a := a.with(t)
			str("ref")
			x := mk(map[string]any{"ref": "1"})
			mk(map[string]any{"ref": "1"})
			mk(map[string]any{"ref": "2"})
			before := a.snapshot("contacts")
			// Every value converts, but the same change asks for a unique
			// index the repeated 1 forbids: nothing of it may stay.
			a.fails(updatePropertyMutation, map[string]any{"in": change("ref", map[string]any{"type": "NUMBER", "fieldType": "NUMBER",
				"label": "Reference", "hasUniqueValue": true})}, "CONFLICT", "ref")
			p := a.mustProperty("contacts", "ref")
			if p.Type != "STRING" || p.Label != "ref" || p.HasUniqueValue {
				t.Fatalf("definition changed: %+v", p)
			}
			if got := a.stored(x)["ref"]; got != "1" {
				t.Fatalf("stored %#v, want the string \"1\"", got)
			}
			a.unchanged("contacts", before)
		})
	})
}

// ---------------------------------------------------------------------------
// Rule 5: property groups.

const (
	createGroupMutation = `mutation($in: PropertyGroupInput!) { createPropertyGroup(input: $in) { propertyGroup { id name label displayOrder } } }`
	updateGroupMutation = `mutation($in: UpdatePropertyGroupInput!) { updatePropertyGroup(input: $in) { propertyGroup { id name label displayOrder } } }`
	deleteGroupMutation = `mutation($in: PropertyGroupRefInput!) { deletePropertyGroup(input: $in) { movedProperties objectType { propertyGroups { name } } } }`
)

func TestPropertyGroups(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var c recordJSON
		t.Run("create", func(t *testing.T) {
			a := a.with(t)
			var out struct {
				CreatePropertyGroup struct{ PropertyGroup groupJSON }
			}
			a.ok(createGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "billing", "label": "Billing", "displayOrder": 2}}, &out)
			a.ok(createGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "social", "label": "Social", "displayOrder": 1}}, nil)
			if g := out.CreatePropertyGroup.PropertyGroup; g.Name != "billing" || g.Label != "Billing" || g.DisplayOrder != 2 || g.ID == "" {
				t.Fatalf("answer %+v", g)
			}
			if got := a.mustObjectType("contacts").groupNames(); !slices.Equal(got, []string{"contactinformation", "social", "billing"}) {
				t.Fatalf("groups %v", got)
			}
			a.fails(createGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "Billing Info", "label": "B"}}, "BAD_USER_INPUT", "name")
			a.fails(createGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "billing", "label": "Again"}}, "CONFLICT", "")
			if got := a.mustObjectType("contacts").groupNames(); len(got) != 3 {
				t.Fatalf("groups %v", got)
			}
			// Properties go into it, and values into them.
			for _, n := range []string{"billing_email", "billing_code"} {
				if p := a.createProperty("contacts", map[string]any{"name": n, "label": n, "type": "STRING", "fieldType": "TEXT", "groupName": "billing"}); p.group() != "billing" {
					t.Fatalf("property %+v", p)
				}
			}
			a.createProperty("contacts", map[string]any{"name": "twitter", "label": "Twitter", "type": "STRING", "fieldType": "TEXT", "groupName": "social"})
			a.fails(createPropertyMutation, map[string]any{"t": "contacts", "p": map[string]any{"name": "x1", "label": "X", "type": "STRING", "fieldType": "TEXT", "groupName": "nope"}}, "BAD_USER_INPUT", "groupName")
			c = a.create("contacts", map[string]any{"email": "g@example.com", "billing_email": "pay@example.com", "billing_code": "B7", "twitter": "@g"})
		})
		t.Run("rename", func(t *testing.T) {
			a := a.with(t)
			var out struct {
				UpdatePropertyGroup struct{ PropertyGroup groupJSON }
			}
			a.ok(updateGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "billing", "label": "Billing & invoices"}}, &out)
			g := out.UpdatePropertyGroup.PropertyGroup
			if g.Name != "billing" || g.Label != "Billing & invoices" || g.DisplayOrder != 2 {
				t.Fatalf("answer %+v", g)
			}
			if got := a.mustObjectType("contacts").PropertyGroups[2]; got != g {
				t.Fatalf("definitions %+v", got)
			}
			a.fails(updateGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "billing", "label": " "}}, "BAD_USER_INPUT", "label")
			a.fails(updateGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "nope", "label": "X"}}, "NOT_FOUND", "")
		})
		t.Run("reorder", func(t *testing.T) {
			a := a.with(t)
			a.ok(updateGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "billing", "displayOrder": -1}}, nil)
			ot := a.mustObjectType("contacts")
			if got := ot.groupNames(); !slices.Equal(got, []string{"billing", "contactinformation", "social"}) {
				t.Fatalf("groups %v", got)
			}
			if ot.PropertyGroups[0].Label != "Billing & invoices" {
				t.Fatalf("reorder changed the label: %+v", ot.PropertyGroups[0])
			}
		})
		t.Run("delete moves its properties to the default group", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("contacts")
			var out struct {
				DeletePropertyGroup struct {
					MovedProperties int
					ObjectType      struct{ PropertyGroups []groupJSON }
				}
			}
			a.ok(deleteGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "billing"}}, &out)
			if out.DeletePropertyGroup.MovedProperties != 2 {
				t.Fatalf("movedProperties %d", out.DeletePropertyGroup.MovedProperties)
			}
			ot := a.mustObjectType("contacts")
			if got := ot.groupNames(); !slices.Equal(got, []string{"contactinformation", "social"}) {
				t.Fatalf("groups %v", got)
			}
			for _, n := range []string{"billing_email", "billing_code"} {
				if p := ot.prop(n); p == nil || p.group() != "contactinformation" {
					t.Fatalf("%s: %+v", n, p)
				}
			}
			if p := ot.prop("twitter"); p == nil || p.group() != "social" {
				t.Fatalf("a property of another group moved: %+v", p)
			}
			// Moving definitions touches no value.
			a.unchanged("contacts", before)
			if got := a.read(c).Properties; got["billing_code"] != "B7" || got["billing_email"] != "pay@example.com" {
				t.Fatalf("record %v", got)
			}
			a.fails(deleteGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "billing"}}, "NOT_FOUND", "")
		})
		t.Run("the default group stays", func(t *testing.T) {
			a := a.with(t)
			a.fails(deleteGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "contactinformation"}}, "CONFLICT", "")
			if got := a.mustObjectType("contacts").groupNames(); !slices.Contains(got, "contactinformation") {
				t.Fatalf("groups %v", got)
			}
		})
	})
}

// ---------------------------------------------------------------------------
// Rule 8: every definition change is seen by the next request of every
// server process. b is a second handler over the same database with its own
// definitions cache; each case first warms b's cache, then changes through
// one server and uses the change through the other at once.
