package values_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/values"
)

func ptr[T any](v T) *T { return &v }

// TestTypedRoundTrip writes a value of every type in the typed shape and
// reads the stored value back in it: the same value, in the field of the
// property's type.
func TestTypedRoundTrip(t *testing.T) {
	deals := objectType(t, "deals")
	for _, c := range []struct {
		property string
		in       values.Value
		stored   any
	}{
		{"dealname", values.Value{String: ptr("Big")}, "Big"},
		{"amount", values.Value{Number: ptr(json.Number("12345678901234567890"))}, json.Number("12345678901234567890")},
		{"amount", values.Value{Number: ptr(json.Number("1.50"))}, json.Number("1.5")},
		{"is_partner", values.Value{Bool: ptr(false)}, false},
		{"closedate", values.Value{Date: ptr("2027-01-31")}, "2027-01-31"},
		{"demo_at", values.Value{DateTime: ptr("2026-01-02T17:04:05.123456+02:00")}, "2026-01-02T15:04:05.123Z"},
		{"dealtype", values.Value{Options: []string{"newbusiness"}}, "newbusiness"},
		{"deal_sources", values.Value{Options: []string{"event", "web"}}, []any{"event", "web"}},
	} {
		t.Run(c.property, func(t *testing.T) {
			def := property(t, deals, c.property)
			raw, err := c.in.Raw(c.property)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := values.Normalize(deals, def, raw)
			if err != nil || !reflect.DeepEqual(stored, c.stored) {
				t.Fatalf("stored %#v, %v; want %#v", stored, err, c.stored)
			}
			out, err := values.TypedOf(def, stored)
			if err != nil {
				t.Fatal(err)
			}
			if out.Name != c.property || out.Type != def.Type {
				t.Fatalf("read as %s %s", out.Name, out.Type)
			}
			back, err := out.Raw(c.property)
			if err != nil || back.Type != def.Type {
				t.Fatalf("read back in field of %s (%v), want %s", back.Type, err, def.Type)
			}
		})
	}
}

// TestTypedRefusals: a typed value sets exactly one field, the one of its
// property's type, even where the JSON map would convert the value.
func TestTypedRefusals(t *testing.T) {
	deals := objectType(t, "deals")
	for _, c := range []struct {
		name, property string
		in             values.Value
	}{
		{"no field", "amount", values.Value{}},
		{"two fields", "amount", values.Value{Number: ptr(json.Number("1")), String: ptr("1")}},
		{"digits for a number", "amount", values.Value{String: ptr("1")}},
		{"a bool for a number", "amount", values.Value{Bool: ptr(true)}},
		{"a string for an enumeration", "dealtype", values.Value{String: ptr("newbusiness")}},
		{"a date for a datetime", "demo_at", values.Value{Date: ptr("2026-01-02")}},
		{"an owner for a number", "amount", values.Value{OwnerID: ptr(1)}},
		{"two options for a single select", "dealtype", values.Value{Options: []string{"newbusiness", "existingbusiness"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw, err := c.in.Raw(c.property)
			if err == nil {
				_, err = values.Normalize(deals, property(t, deals, c.property), raw)
			}
			wantRefusal(t, err, c.property)
		})
	}
}

// TestTypedOfRefusesStrayValues: a stored value that does not have its
// definition's form is an error, never a value in the wrong field.
func TestTypedOfRefusesStrayValues(t *testing.T) {
	deals := objectType(t, "deals")
	for name, v := range map[string]any{"amount": "12", "is_partner": "true", "deal_sources": []any{1.0}, "dealname": 3.0} {
		if out, err := values.TypedOf(property(t, deals, name), v); err == nil {
			t.Errorf("%s = %#v read as %+v", name, v, out)
		}
	}
	owner := &meta.Property{Name: "hubspot_owner_id", Type: propdef.Owner, FieldType: propdef.Select}
	if out, err := values.TypedOf(owner, json.Number("7")); err != nil || *out.OwnerID != 7 {
		t.Fatalf("owner: %+v, %v", out, err)
	}
}
