package values

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
)

// Value is one value in the typed shape (the API's PropertyValue and
// PropertyValueInput): the field of its property's type holds it, the
// others are nil. Read, it is a stored value (Typed); written, Raw turns
// it into what the JSON map would hold, for Normalize.
type Value struct {
	// Name and Type are the property's, when read.
	Name     string
	Type     propdef.Type
	String   *string
	Number   *json.Number
	Bool     *bool
	Date     *string
	DateTime *string
	Options  []string
	OwnerID  *int
}

// Typed is a value written in the typed shape: Value as the JSON map would
// hold it, and Type, the property type of the field it was written in.
// Normalize accepts it for a property of that type only.
type Typed struct {
	Type  propdef.Type
	Value any
}

// fieldOf names the field of Value each property type fills.
var fieldOf = map[propdef.Type]string{
	propdef.String:      "string",
	propdef.Number:      "number",
	propdef.Bool:        "bool",
	propdef.Date:        "date",
	propdef.DateTime:    "dateTime",
	propdef.Enumeration: "options",
	propdef.Owner:       "ownerId",
}

// Raw is the value v, written for property name, holds as a Typed; an
// error when v sets no field or more than one. The API refuses such a
// value before this (GraphQL validation for literals, graph/oneof.go for
// variables); Raw holds the rule for whichever caller builds a Value.
func (v *Value) Raw(name string) (Typed, error) {
	var set []Typed
	add := func(ok bool, t propdef.Type, raw func() any) {
		if ok {
			set = append(set, Typed{t, raw()})
		}
	}
	add(v.String != nil, propdef.String, func() any { return *v.String })
	add(v.Number != nil, propdef.Number, func() any { return *v.Number })
	add(v.Bool != nil, propdef.Bool, func() any { return *v.Bool })
	add(v.Date != nil, propdef.Date, func() any { return *v.Date })
	add(v.DateTime != nil, propdef.DateTime, func() any { return *v.DateTime })
	add(v.Options != nil, propdef.Enumeration, func() any { return options(v.Options) })
	add(v.OwnerID != nil, propdef.Owner, func() any { return json.Number(fmt.Sprint(*v.OwnerID)) })
	if len(set) != 1 {
		return Typed{}, apierr.Invalid(name, "the value of %q sets %d fields: a PropertyValueInput sets exactly one, the one of the property's type", name, len(set))
	}
	return set[0], nil
}

// options is a list of option values as the JSON map holds one.
func options(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

// untyped checks a Typed value's field against def and answers the value
// it carries as the JSON map would: a single-select property's one option
// value bare. Any other raw value is answered as it is.
func untyped(def *meta.Property, raw any) (any, error) {
	t, ok := raw.(Typed)
	if !ok {
		return raw, nil
	}
	if t.Type != def.Type {
		return nil, apierr.Invalid(def.Name, "property %q is of type %s: its typed value goes in field %s, not %s",
			def.Name, strings.ToUpper(string(def.Type)), fieldOf[def.Type], fieldOf[t.Type])
	}
	if list, ok := t.Value.([]any); ok && len(list) == 1 && !propdef.MultiValued(def.Type, def.FieldType) {
		return list[0], nil
	}
	return t.Value, nil
}

// TypedOf answers v, a stored value of def, in the typed shape. A value
// that does not have its definition's stored form is an error: values are
// converted whenever a definition's type changes.
func TypedOf(def *meta.Property, v any) (*Value, error) {
	out := &Value{Name: def.Name, Type: def.Type}
	ok := false
	switch def.Type {
	case propdef.String:
		var s string
		if s, ok = v.(string); ok {
			out.String = &s
		}
	case propdef.Number:
		var n json.Number
		if n, ok = AsNumber(v); ok {
			out.Number = &n
		}
	case propdef.Bool:
		var b bool
		if b, ok = v.(bool); ok {
			out.Bool = &b
		}
	case propdef.Date:
		var s string
		if s, ok = v.(string); ok {
			out.Date = &s
		}
	case propdef.DateTime:
		var s string
		if s, ok = v.(string); ok {
			out.DateTime = &s
		}
	case propdef.Enumeration:
		out.Options, ok = storedOptions(v)
	case propdef.Owner:
		if n, isNumber := AsNumber(v); isNumber {
			id, err := n.Int64()
			ok = err == nil
			owner := int(id)
			out.OwnerID = &owner
		}
	}
	if !ok {
		return nil, fmt.Errorf("property %q of type %s holds %s", def.Name, def.Type, describe(v))
	}
	return out, nil
}

// storedOptions reads an enumeration's stored value: one option value, or
// a multi-select checkbox's list of them.
func storedOptions(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, len(x))
		for i, item := range x {
			s, ok := item.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}
