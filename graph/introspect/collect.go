package introspect

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// collected is one response key of an object: its first field, and the
// selections of every field merged under the key.
type collected struct {
	*ast.Field
	sel ast.SelectionSet
}

// collect appends to fields the fields of sel that apply to an object of type
// typeName, as graphql.CollectFields does but reading fragments through the
// validated spreads, not the operation's document: @skip and @include are
// honoured, fragments enter only when their type condition names typeName, a
// named fragment is spread once per object (a repeat adds nothing), and a
// repeated response key adds its selections to the first field's.
func (e walker) collect(fields *[]collected, sel ast.SelectionSet, typeName string, spread map[string]bool) error {
	for _, s := range sel {
		var directives ast.DirectiveList
		switch s := s.(type) {
		case *ast.Field:
			directives = s.Directives
		case *ast.InlineFragment:
			directives = s.Directives
		case *ast.FragmentSpread:
			directives = s.Directives
		default:
			return fmt.Errorf("unsupported selection %T", s)
		}
		if ok, err := e.included(directives); err != nil {
			return err
		} else if !ok {
			continue
		}
		switch s := s.(type) {
		case *ast.Field:
			add(fields, s)
		case *ast.InlineFragment:
			if s.TypeCondition != "" && s.TypeCondition != typeName {
				continue
			}
			if err := e.collect(fields, s.SelectionSet, typeName, spread); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if spread[s.Name] {
				continue
			}
			spread[s.Name] = true
			if s.Definition == nil {
				return fmt.Errorf("fragment %s is not defined", s.Name)
			}
			if s.Definition.TypeCondition != typeName {
				continue
			}
			if err := e.collect(fields, s.Definition.SelectionSet, typeName, spread); err != nil {
				return err
			}
		}
	}
	return nil
}

// add merges f into the field of its response key, or appends it.
func add(fields *[]collected, f *ast.Field) {
	for i := range *fields {
		if (*fields)[i].Alias == f.Alias {
			(*fields)[i].sel = append((*fields)[i].sel, f.SelectionSet...)
			return
		}
	}
	*fields = append(*fields, collected{Field: f, sel: append(ast.SelectionSet(nil), f.SelectionSet...)})
}

// included is whether @skip and @include let a selection in.
func (e walker) included(directives ast.DirectiveList) (bool, error) {
	skip, err := e.condition(directives, "skip", false)
	if err != nil {
		return false, err
	}
	include, err := e.condition(directives, "include", true)
	return include && !skip, err
}

// condition is the if: of the named directive, or otherwise when it is absent.
func (e walker) condition(directives ast.DirectiveList, name string, otherwise bool) (bool, error) {
	d := directives.ForName(name)
	if d == nil {
		return otherwise, nil
	}
	arg := d.Arguments.ForName("if")
	if arg == nil {
		return false, fmt.Errorf("@%s has no if argument", name)
	}
	v, err := arg.Value.Value(e.vars)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("@%s(if:) is not a Boolean", name)
	}
	return b, nil
}
