package graph

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/crm/internal/apierr"
)

// oneOfVariables holds the values of variables to the @oneOf rule:
// wherever a @oneOf input object (PropertyValueInput) stands in a
// variable's value, it has exactly one field, and that field is not null.
// GraphQL validation checks literals, and the rule that a variable used as
// the field of one is non-null; the values of variables it leaves to the
// server (the spec's CoerceVariableValues), and gqlparser does not check
// them: {"number": 3, "string": null} would decode as a number. Refused
// before any field runs: BAD_USER_INPUT naming the variable's part at
// fault, nothing written.
type oneOfVariables struct {
	schema *ast.Schema
	// holds names the input types that are, or hold at any depth, a
	// @oneOf input: the walk enters no other.
	holds map[string]bool
}

var _ graphql.OperationContextMutator = &oneOfVariables{}

func (*oneOfVariables) ExtensionName() string { return "OneOfVariables" }

func (o *oneOfVariables) Validate(s graphql.ExecutableSchema) error {
	o.schema, o.holds = s.Schema(), map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, d := range o.schema.Types {
			if d.Kind != ast.InputObject || o.holds[name] {
				continue
			}
			holds := d.Directives.ForName("oneOf") != nil || slices.ContainsFunc(d.Fields, func(f *ast.FieldDefinition) bool { return o.holds[f.Type.Name()] })
			if holds {
				o.holds[name], changed = true, true
			}
		}
	}
	return nil
}

func (o *oneOfVariables) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	for _, def := range opCtx.Operation.VariableDefinitions {
		if err := o.check(def.Type, opCtx.Variables[def.Variable], "$"+def.Variable); err != nil {
			return &gqlerror.Error{Message: err.Message, Err: err}
		}
	}
	return nil
}

// check holds v, a value of type t at path, to the rule.
func (o *oneOfVariables) check(t *ast.Type, v any, path string) *apierr.Error {
	if !o.holds[t.Name()] {
		return nil
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			return o.check(t.Elem, v, path)
		}
		for i, item := range list {
			if err := o.check(t.Elem, item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	fields, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	def := o.schema.Types[t.NamedType]
	if def.Directives.ForName("oneOf") != nil && !oneSet(fields) {
		names := slices.Sorted(maps.Keys(fields))
		err := &apierr.Error{Code: apierr.BadUserInput, Path: path}
		err.Message = fmt.Sprintf("%s is a %s, which sets exactly one field, not null; it has %d (%s)",
			path, def.Name, len(names), strings.Join(names, ", "))
		return err
	}
	for name, value := range fields {
		if f := def.Fields.ForName(name); f != nil {
			if err := o.check(f.Type, value, path+"."+name); err != nil {
				return err
			}
		}
	}
	return nil
}

// oneSet tells whether fields has exactly one field, not null.
func oneSet(fields map[string]any) bool {
	for _, v := range fields {
		return len(fields) == 1 && v != nil
	}
	return false
}
