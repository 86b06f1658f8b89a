package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/crm/graph/introspect"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/typed"
	"github.com/acme/crm/internal/values"
)

// reshape writes the typed answer from the generic one: the same keys
// and values, but each record's properties as its own fields (enum values
// for options, an Owner for an owner), typed type names, and null for a
// field the generic operation left out (a look-up by the id of another
// type's record).
func (p *typedPlan) reshape(ctx context.Context, s *typedSchema, generic *graphql.Response) (json.RawMessage, []error) {
	var data map[string]any
	if generic != nil {
		if len(generic.Data) == 0 || string(generic.Data) == "null" {
			return nil, nil
		}
		d := json.NewDecoder(bytes.NewReader(generic.Data))
		d.UseNumber()
		if err := d.Decode(&data); err != nil {
			return nil, []error{err}
		}
	}
	r := &reshaper{schema: s.schema, vars: graphql.GetOperationContext(ctx).Variables}
	r.object(p.root, data)
	return r.out.Bytes(), r.errs
}

type reshaper struct {
	out    bytes.Buffer
	schema *typed.Schema
	vars   map[string]any
	errs   []error
}

func (r *reshaper) object(fields []*outField, in map[string]any) {
	r.out.WriteByte('{')
	props, _ := in[keyProperties].(map[string]any)
	for i, f := range fields {
		if i > 0 {
			r.out.WriteByte(',')
		}
		r.string(f.key)
		r.out.WriteByte(':')
		switch f.kind {
		case outTypename:
			r.string(f.typename)
		case outIntrospection:
			if err := introspect.Field(&r.out, r.schema.AST, f.intro, r.vars); err != nil {
				r.errs = append(r.errs, err)
			}
		case outProperty:
			r.property(f, props[f.field.Property.Name])
		case outObject:
			r.value(f, in[f.key])
		default:
			r.copy(in[f.key])
		}
	}
	r.out.WriteByte('}')
}

// value writes an object field's value: null, an object, or a list.
func (r *reshaper) value(f *outField, v any) {
	switch v := v.(type) {
	case map[string]any:
		r.object(f.children, v)
	case []any:
		r.out.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				r.out.WriteByte(',')
			}
			r.value(f, item)
		}
		r.out.WriteByte(']')
	default:
		r.out.WriteString("null")
	}
}

// property writes one property's stored value in its typed form.
func (r *reshaper) property(f *outField, stored any) {
	if stored == nil {
		r.out.WriteString("null")
		return
	}
	v, err := values.TypedOf(f.field.Property, stored)
	if err != nil {
		r.errs = append(r.errs, err)
		r.out.WriteString("null")
		return
	}
	switch {
	case v.String != nil:
		r.string(*v.String)
	case v.Number != nil:
		r.out.WriteString(v.Number.String())
	case v.Bool != nil:
		r.out.WriteString(strconv.FormatBool(*v.Bool))
	case v.Date != nil:
		r.string(*v.Date)
	case v.DateTime != nil:
		r.string(*v.DateTime)
	case v.OwnerID != nil:
		r.owner(f, *v.OwnerID)
	case v.Options != nil:
		r.options(f.field, v.Options)
	default:
		r.out.WriteString("null")
	}
}

// options writes options as the property's enum values (its option
// values where it has no options to make an enum of).
func (r *reshaper) options(f *typed.Field, options []string) {
	name := func(o string) (string, bool) {
		if f.Enum == nil {
			return o, true
		}
		return f.Enum.NameOf(o)
	}
	if !f.Multi {
		n, ok := "", false
		if len(options) == 1 {
			n, ok = name(options[0])
		}
		if !ok {
			r.out.WriteString("null")
			return
		}
		r.string(n)
		return
	}
	r.out.WriteByte('[')
	first := true
	for _, o := range options {
		n, ok := name(o)
		if !ok {
			continue
		}
		if !first {
			r.out.WriteByte(',')
		}
		first = false
		r.string(n)
	}
	r.out.WriteByte(']')
}

// owner writes an owner's selected fields.
func (r *reshaper) owner(f *outField, id int) {
	o, ok := r.schema.Model.Owner(id)
	if !ok {
		r.out.WriteString("null")
		return
	}
	r.out.WriteByte('{')
	for i, c := range f.children {
		if i > 0 {
			r.out.WriteByte(',')
		}
		r.string(c.key)
		r.out.WriteByte(':')
		writeOwnerField(&r.out, o, c.typename)
	}
	r.out.WriteByte('}')
}

func writeOwnerField(w io.Writer, o *meta.Owner, field string) {
	switch field {
	case "__typename":
		graphql.MarshalString("Owner").MarshalGQL(w)
	case "id":
		graphql.MarshalString(o.GlobalID()).MarshalGQL(w)
	case "ownerId":
		graphql.MarshalInt(o.ID).MarshalGQL(w)
	case "email":
		graphql.MarshalString(o.Email).MarshalGQL(w)
	case "firstName":
		graphql.MarshalString(o.FirstName).MarshalGQL(w)
	case "lastName":
		graphql.MarshalString(o.LastName).MarshalGQL(w)
	case "name":
		graphql.MarshalString(o.Name()).MarshalGQL(w)
	case "archived":
		graphql.MarshalBoolean(o.Archived).MarshalGQL(w)
	default:
		io.WriteString(w, "null")
	}
}

func (r *reshaper) string(s string) { graphql.MarshalString(s).MarshalGQL(&r.out) }

// copy writes a generic scalar value as it came.
func (r *reshaper) copy(v any) {
	switch v := v.(type) {
	case nil:
		r.out.WriteString("null")
	case string:
		r.string(v)
	case json.Number:
		r.out.WriteString(v.String())
	case bool:
		r.out.WriteString(strconv.FormatBool(v))
	default:
		e := json.NewEncoder(&r.out)
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			r.errs = append(r.errs, err)
		}
		r.out.Truncate(r.out.Len() - 1)
	}
}
