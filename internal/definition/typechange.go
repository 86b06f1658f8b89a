package definition

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// convert rewrites every stored value of p in next's type, or refuses the
// change, naming how many values do not convert and one of them.
func (s *Store) convert(ctx context.Context, tx *write.Tx, m *meta.Model, ot *meta.ObjectType, p, next *meta.Property) (int, error) {
	if p.Unique {
		return 0, apierr.Invalid("type", "property %q is unique: unmark it before changing its type", p.Name)
	}
	failed, example := 0, ""
	converted := map[int]any{}
	_, err := s.visit(ctx, tx, ot, p.Name, mapValue(p.Name, func(id int, v any) (any, bool, error) {
		out, err := values.Normalize(ot, next, asInput(v))
		if err != nil {
			if _, ok := apierr.As(err); !ok {
				return nil, false, err
			}
			failed++
			if example == "" {
				example = fmt.Sprintf("%v (record %d)", v, id)
			}
			return v, false, nil
		}
		converted[id] = out
		return v, false, nil
	}))
	if err != nil {
		return 0, err
	}
	if failed > 0 {
		return 0, &apierr.Error{Code: apierr.Conflict, Property: p.Name, Message: fmt.Sprintf(
			"%d values of %q do not convert to %s/%s, for example %s; nothing was changed", failed, p.Name, next.Type, next.FieldType, example)}
	}
	return s.visit(ctx, tx, ot, p.Name, mapValue(p.Name, func(id int, v any) (any, bool, error) {
		out, ok := converted[id]
		if !ok {
			return v, false, nil
		}
		return out, !sameValue(v, out), nil
	}))
}

// asInput turns a stored value back into what a client would send.
func asInput(v any) any {
	switch v := v.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, item := range v {
			parts[i] = fmt.Sprint(item)
		}
		return strings.Join(parts, ";")
	case bool:
		return fmt.Sprint(v)
	}
	return fmt.Sprint(v)
}

// sameValue compares stored values with their JSON types: "12" and the
// number 12 differ.
func sameValue(a, b any) bool { return reflect.DeepEqual(a, b) }
