package graph

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/typed"
)

// TestTypedValueShortcuts: every stored value the reshaper copies as bytes
// or reads in place answers the JSON value the general path
// (values.TypedOf) does (a copied string keeps the escapes it came with),
// and one it was not built for (a value not of its property's JSON kind)
// goes the general way.
func TestTypedValueShortcuts(t *testing.T) {
	cases := []struct {
		typ   propdef.Type
		field propdef.FieldType
		raw   string
	}{
		{propdef.String, propdef.Text, `"Ann"`},
		{propdef.String, propdef.Text, `"a\"}\\ <&> \u00e9"`},
		{propdef.Number, propdef.NumberField, `12`},
		{propdef.Number, propdef.NumberField, `-1.5e+10`},
		{propdef.Number, propdef.NumberField, `12345678901234567890`},
		{propdef.Number, propdef.NumberField, `"12"`},
		{propdef.Bool, propdef.BooleanCheckbox, `true`},
		{propdef.Bool, propdef.BooleanCheckbox, `false`},
		{propdef.Date, propdef.DateField, `"2024-05-01"`},
		{propdef.DateTime, propdef.DateField, `"2024-05-01T10:00:00.000Z"`},
		{propdef.Enumeration, propdef.Select, `"lead"`},
		{propdef.Enumeration, propdef.Select, `"a\\b"`},
		{propdef.Enumeration, propdef.Checkbox, `["a","b"]`},
		{propdef.Owner, propdef.Select, `7`},
	}
	m := meta.New(1, 1, nil)
	for _, c := range cases {
		f := &outField{field: &typed.Field{Kind: typed.Property, Property: &meta.Property{Name: "p", Type: c.typ, FieldType: c.field},
			Multi: propdef.MultiValued(c.typ, c.field)}}
		fast := &reshaper{schema: &typed.Schema{Model: m}}
		fast.property(f, []byte(c.raw))
		general := &reshaper{schema: &typed.Schema{Model: m}}
		general.typedValue(f, []byte(c.raw))
		var a, b any
		if json.Unmarshal(fast.out.Bytes(), &a) != nil || json.Unmarshal(general.out.Bytes(), &b) != nil ||
			!reflect.DeepEqual(a, b) || len(fast.errs) != len(general.errs) {
			t.Errorf("%s %s: shortcut %s %v, general %s %v", c.typ, c.raw, fast.out.String(), fast.errs, general.out.String(), general.errs)
		}
	}
}
