package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/crm/graph/introspect"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/typed"
	"github.com/acme/crm/internal/values"
)

// reshape writes the typed answer from the generic one: the same keys
// and values, but each record's properties as its own fields (enum values
// for options, an Owner for an owner), typed type names, and null for a
// field the generic operation left out (a look-up by the id of another
// type's record). The generic answer is read as it is written, once: its
// members come in the order of the generic operation's selections, which
// are the typed ones' with a record's properties first; values the typed
// answer holds as they are are copied as bytes.
func (p *typedPlan) reshape(ctx context.Context, s *typedSchema, generic *graphql.Response) (json.RawMessage, []error) {
	r := &reshaper{schema: s.schema, opCtx: graphql.GetOperationContext(ctx)}
	if generic != nil {
		if len(generic.Data) == 0 || string(generic.Data) == "null" {
			return nil, nil
		}
		r.in = generic.Data
	}
	if err := r.object(p.root); err != nil {
		return nil, append(r.errs, err)
	}
	return r.out.Bytes(), r.errs
}

type reshaper struct {
	// in is the generic answer and at the place read; nil when there is
	// none (an operation of introspection only).
	in     []byte
	at     int
	out    bytes.Buffer
	schema *typed.Schema
	opCtx  *graphql.OperationContext
	errs   []error
}

// errGeneric is a generic answer not of the shape its operation selects.
var errGeneric = errors.New("internal error: the generic answer is not the shape of its operation")

// object writes an object of fields, reading the generic one's members.
func (r *reshaper) object(fields []*outField) error {
	var props []storedValue
	if r.in != nil {
		if !r.take('{') {
			return errGeneric
		}
		if r.atKey(keyProperties) {
			r.skipKey()
			var err error
			if props, err = r.storedValues(); err != nil {
				return err
			}
			r.take(',')
		}
	}
	r.out.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			r.out.WriteByte(',')
		}
		r.string(f.key)
		r.out.WriteByte(':')
		switch f.kind {
		case outTypename:
			r.string(f.name)
		case outIntrospection:
			if err := introspect.Field(&r.out, r.opCtx, r.schema.AST, f.intro); err != nil {
				return err
			}
		case outProperty:
			r.property(f, valueOf(props, f.field.Property.Name))
		default:
			if r.in == nil || !r.atKey(f.key) {
				r.out.WriteString("null")
				continue
			}
			if f.kind == outValue {
				raw, err := r.member()
				if err != nil {
					return err
				}
				r.out.Write(raw)
				continue
			}
			r.skipKey()
			if err := r.value(f); err != nil {
				return err
			}
			r.take(',')
		}
	}
	r.out.WriteByte('}')
	if r.in == nil {
		return nil
	}
	for !r.take('}') {
		if _, err := r.member(); err != nil {
			return err
		}
	}
	return nil
}

// value writes an object field's value: null, an object, or a list.
func (r *reshaper) value(f *outField) error {
	switch r.peek() {
	case 'n':
		if _, err := r.skip(); err != nil {
			return err
		}
		r.out.WriteString("null")
	case '{':
		return r.object(f.children)
	case '[':
		r.take('[')
		r.out.WriteByte('[')
		for i := 0; !r.take(']'); i++ {
			if i > 0 {
				r.out.WriteByte(',')
			}
			if err := r.value(f); err != nil {
				return err
			}
			r.take(',')
		}
		r.out.WriteByte(']')
	default:
		return errGeneric
	}
	return nil
}

// peek is the next byte that is not white space, 0 at the end.
func (r *reshaper) peek() byte {
	for r.at < len(r.in) {
		switch r.in[r.at] {
		case ' ', '\t', '\n', '\r':
			r.at++
		default:
			return r.in[r.at]
		}
	}
	return 0
}

// take reads c when it comes next.
func (r *reshaper) take(c byte) bool {
	if r.peek() == c {
		r.at++
		return true
	}
	return false
}

// atKey reports whether the next member is called key (the keys of a
// GraphQL answer are names: no escapes).
func (r *reshaper) atKey(key string) bool {
	if r.peek() != '"' {
		return false
	}
	end := r.at + 1 + len(key)
	return end < len(r.in) && string(r.in[r.at+1:end]) == key && r.in[end] == '"'
}

// skipKey reads a member's key and its colon.
func (r *reshaper) skipKey() {
	if _, err := r.skip(); err == nil {
		r.take(':')
	}
}

// member reads a member and answers its value as it is written.
func (r *reshaper) member() ([]byte, error) {
	r.skipKey()
	raw, err := r.skip()
	r.take(',')
	return raw, err
}

// skip reads one value and answers it as it is written.
func (r *reshaper) skip() ([]byte, error) {
	r.peek()
	start, depth := r.at, 0
	for r.at < len(r.in) {
		switch c := r.in[r.at]; c {
		case '"':
			r.at++
			for r.at < len(r.in) && r.in[r.at] != '"' {
				if r.in[r.at] == '\\' {
					r.at++
				}
				r.at++
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return r.span(start)
			}
			depth--
		case ',', ':':
			if depth == 0 {
				return r.span(start)
			}
		}
		r.at++
		if depth == 0 && r.at > start && (r.in[start] == '"' || r.in[start] == '{' || r.in[start] == '[') {
			return r.in[start:r.at], nil
		}
	}
	return r.span(start)
}

// span is what was read since start; none is an error.
func (r *reshaper) span(start int) ([]byte, error) {
	if r.at == start {
		return nil, errGeneric
	}
	return r.in[start:r.at], nil
}

// storedValue is one value of a record's properties as the generic
// answer writes it.
type storedValue struct {
	name string
	raw  []byte
}

// storedValues reads a record's properties object (property names are
// names: no escapes).
func (r *reshaper) storedValues() ([]storedValue, error) {
	if !r.take('{') {
		return nil, errGeneric
	}
	var out []storedValue
	for !r.take('}') {
		key, err := r.skip()
		if err != nil || len(key) < 2 {
			return nil, errGeneric
		}
		r.take(':')
		raw, err := r.skip()
		if err != nil {
			return nil, err
		}
		out = append(out, storedValue{string(key[1 : len(key)-1]), raw})
		r.take(',')
	}
	return out, nil
}

func valueOf(values []storedValue, name string) []byte {
	for _, v := range values {
		if v.name == name {
			return v.raw
		}
	}
	return nil
}

// property writes one property's stored value in its typed form. A text,
// date, number or bool value written as its type's JSON is copied as it
// is, one option or an owner's number read as it is; any other goes
// through values.TypedOf, the rule of typed values.
func (r *reshaper) property(f *outField, raw []byte) {
	if len(raw) == 0 || string(raw) == "null" {
		r.out.WriteString("null")
		return
	}
	switch f.field.Property.Type {
	case propdef.String, propdef.Date, propdef.DateTime:
		if raw[0] == '"' {
			r.out.Write(raw)
			return
		}
	case propdef.Number:
		if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
			r.out.Write(raw)
			return
		}
	case propdef.Bool:
		if string(raw) == "true" || string(raw) == "false" {
			r.out.Write(raw)
			return
		}
	case propdef.Enumeration:
		if raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
			r.options(f.field, []string{string(raw[1 : len(raw)-1])})
			return
		}
	case propdef.Owner:
		if id, err := strconv.Atoi(string(raw)); err == nil {
			r.owner(f, id)
			return
		}
	}
	r.typedValue(f, raw)
}

// typedValue writes a stored value through values.TypedOf, the general
// path property's shortcuts answer as.
func (r *reshaper) typedValue(f *outField, raw []byte) {
	var stored any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&stored); err != nil {
		r.errs = append(r.errs, err)
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
	case v.OwnerID != nil:
		r.owner(f, *v.OwnerID)
	case v.Options != nil:
		r.options(f.field, v.Options)
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
		writeOwnerField(&r.out, o, c.name)
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
