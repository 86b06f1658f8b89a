// Package schematype holds the Go types the GraphQL schema binds to that
// have no home in a domain package: the String, JSON, JSONValue, Date and
// DateTime scalars, the Float of stored numbers, and the Node interface.
package schematype

import (
	"encoding/json"
	"io"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/flatjson"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/values"
)

// MarshalJSON writes a JSON object.
func MarshalJSON(v map[string]any) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if v == nil {
			v = map[string]any{}
		}
		b, err := flatjson.Marshal(v)
		if err != nil {
			// Values come from the database as decoded JSON: they always
			// encode. Answer an empty object rather than broken JSON.
			b = []byte("{}")
		}
		_, _ = w.Write(b)
	})
}

// UnmarshalJSON reads a JSON object. Numbers stay as the transport decoded
// them (json.Number from variables, int64 or float64 from literals):
// package values reads them all.
func UnmarshalJSON(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, apierr.New(apierr.BadUserInput, "expected a JSON object keyed by property name")
	}
	return m, nil
}

// Text refuses a string neither database stores alike: PostgreSQL refuses
// NUL in text, and both keep text as UTF-8. Every String a request sends
// goes through it; property values are checked per item by package values.
func Text(s string) error {
	if !propdef.StorableText(s) {
		return apierr.New(apierr.BadUserInput, "a string holds a NUL character or invalid UTF-8, which cannot be stored")
	}
	return nil
}

// MarshalString writes a String.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads a String as gqlgen does, refusing what Text
// refuses.
func UnmarshalString(v any) (string, error) {
	s, err := graphql.UnmarshalString(v)
	if err != nil {
		return "", apierr.New(apierr.BadUserInput, "expected a string")
	}
	return s, Text(s)
}

// Node is any value the Node interface resolves to; the schema's
// implementations (Record, ObjectType...) are domain types that know
// nothing of GraphQL.
type Node any

// MarshalJSONValue writes any JSON value.
func MarshalJSONValue(v any) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte("null")
		}
		_, _ = w.Write(b)
	})
}

// UnmarshalJSONValue reads any JSON value.
func UnmarshalJSONValue(v any) (any, error) { return v, nil }

// MarshalDateTime writes a moment as RFC 3339 in UTC.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.MarshalTime(t.UTC())
}

// UnmarshalDateTime reads an RFC 3339 moment; anything else is the
// client's mistake (BAD_USER_INPUT), not an internal error.
func UnmarshalDateTime(v any) (time.Time, error) {
	t, err := graphql.UnmarshalTime(v)
	if err != nil {
		return time.Time{}, apierr.New(apierr.BadUserInput, "%v is not a date-time: use RFC 3339, e.g. 2026-01-02T15:04:05Z", v)
	}
	return t.UTC(), nil
}

// MarshalNumber writes a number as stored: json.Number's text, which
// package values keeps canonical and, for integers, exact.
func MarshalNumber(n json.Number) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, n.String()) })
}

// UnmarshalNumber reads a Float as the transport decoded it (json.Number
// from variables, int64 or float64 from literals) without rounding it
// through a float64, as the JSON scalar leaves numbers to package values.
func UnmarshalNumber(v any) (json.Number, error) {
	n, ok := values.AsNumber(v)
	if !ok {
		return "", apierr.New(apierr.BadUserInput, "%v is not a number", v)
	}
	return n, nil
}

// MarshalDate writes a date, YYYY-MM-DD.
func MarshalDate(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalDate reads a date: YYYY-MM-DD exactly, a day that exists.
func UnmarshalDate(v any) (string, error) {
	s, _ := v.(string)
	if t, err := time.Parse(values.DateLayout, s); err != nil || t.Format(values.DateLayout) != s {
		return "", apierr.New(apierr.BadUserInput, "%v is not a date: use YYYY-MM-DD, e.g. 2026-01-02", v)
	}
	return s, nil
}

// MarshalDateTimeText writes a moment kept as text (a DATETIME property's
// stored value) as it is.
func MarshalDateTimeText(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalDateTimeText reads an RFC 3339 moment as the client wrote it,
// for package values to store.
func UnmarshalDateTimeText(v any) (string, error) {
	if _, err := UnmarshalDateTime(v); err != nil {
		return "", err
	}
	s, _ := v.(string)
	return s, nil
}
