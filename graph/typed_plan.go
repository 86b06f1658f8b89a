package graph

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/typed"
)

// A typedPlan is a typed operation translated: the generic operation to
// run, how to make its variables from the typed ones, and how to write the
// typed answer from the generic one. Each typed field becomes the generic
// field of the same meaning under the same response key, so that the
// generic answer's errors have the typed paths; a record's property
// fields become one properties(names:) field under the key __p.
type typedPlan struct {
	// operation is "query" or "mutation".
	operation string
	// pieces are the generic operation's root fields; query is all of
	// them, the generic operation of a request none refuses.
	pieces []*rootPiece
	query  string
	// cacheable is false when the document uses @skip or @include: the
	// translation may then depend on the variables.
	cacheable bool
	// root is the answer's shape.
	root []*outField
}

// rootPiece is one root field of the generic operation: its text, the
// variables it declares and the typed fields whose arguments they take
// (the root field's own first).
type rootPiece struct {
	body  string
	decls []string
	args  []*typedArgs
}

// text is the generic operation of pieces.
func (p *typedPlan) text(pieces []*rootPiece) string {
	var decls []string
	var body strings.Builder
	for _, piece := range pieces {
		decls = append(decls, piece.decls...)
		body.WriteString(piece.body)
	}
	q := p.operation
	if len(decls) > 0 {
		q += "(" + strings.Join(decls, ", ") + ")"
	}
	return q + " {" + body.String() + " }"
}

// typedArgs turn one typed field's arguments into generic variables.
type typedArgs struct {
	field   *ast.Field
	convert func(raw map[string]any) (map[string]any, error)
	// vars name the generic variable of each generic argument.
	vars map[string]string
	// check, for a root field naming records by id, is the object type
	// they must be of: a write naming another's record is refused, a
	// look-up by id answers null; scope is what the field needs, without
	// which the generic field answers (FORBIDDEN) and nothing is read.
	check *typed.Object
	scope auth.Scope
	// root is true for a root field: one whose arguments are refused, or
	// that looks up another type's record, is left out of the generic
	// operation, its key answered null with its own error (key and
	// nonNull say where and how).
	root    bool
	key     string
	nonNull bool
}

// outKind is what an answer's field writes.
type outKind int

const (
	// outValue copies the generic value under the same key.
	outValue outKind = iota
	// outTypename writes the typed type's name.
	outTypename
	// outProperty writes a property's value from the record's __p.
	outProperty
	// outObject writes an object (or a list of them, or null) field by
	// field.
	outObject
	// outIntrospection answers __schema or __type from the typed schema.
	outIntrospection
)

// outField is one field of the answer.
type outField struct {
	key  string
	kind outKind
	// name is an outTypename's type name, or the name of a field of an
	// owner (answered from the definitions).
	name     string
	field    *typed.Field
	children []*outField
	intro    *ast.Field
}

// keyProperties is the response key of a record's properties in the
// generic operation. Typed response keys may not start with __ (only
// GraphQL's own fields do).
const keyProperties = "__p"

// translator writes the generic operation of one typed operation.
type translator struct {
	s       *typed.Schema
	generic *ast.Schema
	opCtx   *graphql.OperationContext
	plan    *typedPlan
	// piece is the root field being written; n counts the variables.
	piece *rootPiece
	n     int
}

func translate(s *typed.Schema, generic *ast.Schema, opCtx *graphql.OperationContext) (*typedPlan, error) {
	op := opCtx.Operation
	// @skip and @include make the translation depend on the variables:
	// such a document is translated for each request.
	cacheable := !strings.Contains(opCtx.RawQuery, "@skip") && !strings.Contains(opCtx.RawQuery, "@include")
	t := &translator{s: s, generic: generic, opCtx: opCtx, plan: &typedPlan{cacheable: cacheable, operation: string(op.Operation)}}
	root := s.AST.Query
	if op.Operation == ast.Mutation {
		root = s.AST.Mutation
	}
	for _, g := range t.collect(op.SelectionSet, root) {
		switch {
		case g.Name == "__typename":
			t.plan.root = append(t.plan.root, &outField{key: g.Alias, kind: outTypename, name: root.Name})
		case g.Name == "__schema" || g.Name == "__type":
			merged := *g.Field
			merged.SelectionSet = g.Selections
			t.plan.root = append(t.plan.root, &outField{key: g.Alias, kind: outIntrospection, intro: &merged})
		default:
			t.piece = &rootPiece{}
			var body strings.Builder
			out, err := t.rootField(&body, g, op.Operation)
			if err != nil {
				return nil, err
			}
			t.piece.body = body.String()
			t.plan.pieces = append(t.plan.pieces, t.piece)
			t.plan.root = append(t.plan.root, out)
		}
	}
	if len(t.plan.pieces) > 0 {
		t.plan.query = t.plan.text(t.plan.pieces)
	}
	return t.plan, nil
}

// collect groups a selection set's fields on type on by response key, as
// GraphQL merges them (gqlgen's CollectFields: fragments that apply,
// @skip and @include).
func (t *translator) collect(set ast.SelectionSet, on *ast.Definition) []graphql.CollectedField {
	return graphql.CollectFields(t.opCtx, set, append([]string{on.Name}, on.Interfaces...))
}

// rootField writes one root field of the generic operation.
func (t *translator) rootField(w *strings.Builder, g graphql.CollectedField, op ast.Operation) (*outField, error) {
	f := g.Field
	if err := reservedKey(g.Alias); err != nil {
		return nil, err
	}
	var r *typed.Root
	if op == ast.Mutation {
		r = t.s.Mutation[f.Name]
	} else {
		r = t.s.Query[f.Name]
	}
	if r == nil {
		return nil, apierr.New(apierr.BadUserInput, "no field %s", f.Name)
	}
	o := r.Object
	fa := &typedArgs{field: f, vars: map[string]string{}}
	var genericName string
	literal := ""
	switch r.Kind {
	case typed.List:
		genericName = "records"
		literal = "objectType: " + strconv.Quote(o.Type.Name)
		fa.convert = func(raw map[string]any) (map[string]any, error) { return listArgs(o, raw) }
	case typed.Get:
		genericName = "record"
		fa.check, fa.scope = o, auth.RecordsRead
		fa.convert = func(raw map[string]any) (map[string]any, error) {
			out := map[string]any{}
			pass(out, raw, "id", "asOf")
			return out, nil
		}
	default:
		genericName = genericMutations[r.Kind]
		fa.convert = func(raw map[string]any) (map[string]any, error) { return writeArgs(r, raw) }
		switch r.Kind {
		case typed.Update, typed.Archive, typed.Restore, typed.ArchiveBatch:
			fa.check, fa.scope = o, auth.RecordsWrite
		}
	}
	def := t.generic.Query.Fields.ForName(genericName)
	if op == ast.Mutation {
		def = t.generic.Mutation.Fields.ForName(genericName)
	}
	fa.root, fa.key, fa.nonNull = true, g.Alias, f.Definition.Type.NonNull
	args := t.bind(fa, def, r.Kind >= typed.Create, literal)
	fmt.Fprintf(w, " %s: %s%s", g.Alias, genericName, args)
	out := &outField{key: g.Alias, kind: outObject}
	child := t.s.AST.Types[f.Definition.Type.Name()]
	children, err := t.selection(w, g.Selections, child)
	if err != nil {
		return nil, err
	}
	out.children = children
	return out, nil
}

// bind declares the generic variables of a field's arguments: every
// argument the typed field gives (a write's always its input), and the
// literal ones.
func (t *translator) bind(fa *typedArgs, def *ast.FieldDefinition, write bool, literal string) string {
	var parts []string
	if literal != "" {
		parts = append(parts, literal)
	}
	given := map[string]bool{}
	for _, a := range fa.field.Arguments {
		given[a.Name] = true
	}
	for _, arg := range def.Arguments {
		if !write && !given[arg.Name] {
			continue
		}
		if write && arg.Name != "input" {
			continue
		}
		name := fmt.Sprintf("v%d", t.n)
		t.n++
		t.piece.decls = append(t.piece.decls, "$"+name+": "+arg.Type.String())
		fa.vars[arg.Name] = name
		parts = append(parts, arg.Name+": $"+name)
	}
	t.piece.args = append(t.piece.args, fa)
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// selection writes a typed selection set on type on as the generic one,
// and answers how to write its answer. A record's selection gets its
// properties under __p.
func (t *translator) selection(w *strings.Builder, set ast.SelectionSet, on *ast.Definition) ([]*outField, error) {
	if len(set) == 0 {
		return nil, nil
	}
	o := t.s.Objects[on.Name]
	var out []*outField
	var props []string
	var body strings.Builder
	for _, g := range t.collect(set, on) {
		f := g.Field
		if err := reservedKey(g.Alias); err != nil {
			return nil, err
		}
		if f.Name == "__typename" {
			out = append(out, &outField{key: g.Alias, kind: outTypename, name: on.Name})
			continue
		}
		var field *typed.Field
		if o != nil {
			field = o.Fields[f.Name]
		}
		switch {
		case field != nil && field.Kind == typed.Property:
			of := &outField{key: g.Alias, kind: outProperty, field: field}
			if field.Property.Type == "owner" {
				of.children = t.ownerFields(g.Selections)
			}
			out = append(out, of)
			props = append(props, field.Property.Name)
		case field != nil && field.Kind == typed.Association:
			target := field.Target
			fa := &typedArgs{field: f, vars: map[string]string{},
				convert: func(raw map[string]any) (map[string]any, error) { return associationArgs(target, raw) }}
			def := t.generic.Types["Record"].Fields.ForName("associations")
			args := t.bind(fa, def, false, "toObjectType: "+strconv.Quote(target.Type.Name))
			fmt.Fprintf(&body, " %s: associations%s", g.Alias, args)
			children, err := t.selection(&body, g.Selections, t.s.AST.Types[f.Definition.Type.Name()])
			if err != nil {
				return nil, err
			}
			out = append(out, &outField{key: g.Alias, kind: outObject, children: children})
		default:
			fmt.Fprintf(&body, " %s: %s", g.Alias, f.Name)
			if len(f.SelectionSet) == 0 {
				out = append(out, &outField{key: g.Alias, kind: outValue})
				continue
			}
			children, err := t.selection(&body, g.Selections, t.s.AST.Types[f.Definition.Type.Name()])
			if err != nil {
				return nil, err
			}
			out = append(out, &outField{key: g.Alias, kind: outObject, children: children})
		}
	}
	w.WriteString(" {")
	if len(props) > 0 {
		quoted := make([]string, len(props))
		for i, p := range props {
			quoted[i] = strconv.Quote(p)
		}
		fmt.Fprintf(w, " %s: properties(names: [%s])", keyProperties, strings.Join(quoted, ", "))
	}
	w.WriteString(body.String())
	if body.Len() == 0 && len(props) == 0 {
		w.WriteString(" __typename")
	}
	w.WriteString(" }")
	return out, nil
}

// ownerFields are an Owner selection's fields, answered from the
// definitions (an owner is one of them).
func (t *translator) ownerFields(set ast.SelectionSet) []*outField {
	var out []*outField
	for _, g := range t.collect(set, t.s.AST.Types["Owner"]) {
		out = append(out, &outField{key: g.Alias, kind: outValue, name: g.Name})
	}
	return out
}

func reservedKey(key string) error {
	if strings.HasPrefix(key, "__") && key != "__typename" {
		return apierr.New(apierr.BadUserInput, "the response key %q starts with __, which only GraphQL's own fields may", key)
	}
	return nil
}

// variables makes the generic operation and its variables from the typed
// one's. A root field whose arguments are refused, or that names a record
// of another object type, is left out with its error (its path its key);
// an error below the root fails the operation. data is false when the
// answer's data is null: a non-null root field refused.
func (p *typedPlan) variables(ctx context.Context, s *typedSchema, typedVars map[string]any) (query string, vars map[string]any, refused []*gqlerror.Error, data bool, err error) {
	vars = map[string]any{}
	included := make([]*rootPiece, 0, len(p.pieces))
	for _, piece := range p.pieces {
		var pieceErr error
		for _, fa := range piece.args {
			g, err := fa.convert(fa.field.ArgumentMap(typedVars))
			if err == nil && fa.check != nil && sessionOf(ctx).viewer.Allows(fa.scope) {
				err = checkType(ctx, fa, g)
			}
			if errors.Is(err, errOtherType) {
				pieceErr = err
				break
			}
			if err != nil && !fa.root {
				return "", nil, nil, false, err
			}
			if err != nil {
				e := s.present(ctx, err)
				e.Path = ast.Path{ast.PathName(fa.key)}
				refused = append(refused, e)
				if fa.nonNull {
					return "", nil, refused, false, nil
				}
				pieceErr = err
				break
			}
			for arg, name := range fa.vars {
				if v, ok := g[arg]; ok {
					vars[name] = v
				}
			}
		}
		if pieceErr == nil {
			included = append(included, piece)
		}
	}
	switch len(included) {
	case len(p.pieces):
		return p.query, vars, refused, true, nil
	case 0:
		return "", vars, refused, true, nil
	}
	return p.text(included), vars, refused, true, nil
}

// errOtherType is a look-up by the id of another object type's record:
// the field answers null, without an error.
var errOtherType = errors.New("another object type's record")

// checkType refuses a root field naming by id a record of another object
// type than its own: a write with NOT_FOUND, a look-up with errOtherType.
func checkType(ctx context.Context, fa *typedArgs, args map[string]any) error {
	if in, ok := args["input"].(map[string]any); ok {
		args = in
	}
	other, err := otherType(ctx, fa.check, args)
	switch {
	case err != nil || !other:
		return err
	case fa.scope == auth.RecordsRead:
		return errOtherType
	}
	return apierr.New(apierr.NotFound, "no %s has the id given: it is another object type's record", strings.ToLower(fa.check.Type.SingularLabel))
}

// otherType reports whether a record named by id or ids in args is of
// another object type than o's, reading them in one batch through the
// request's loader (one statement more than the generic field sends). A
// record that does not exist is left to the generic field, which answers
// as it does for a generic request.
func otherType(ctx context.Context, o *typed.Object, args map[string]any) (bool, error) {
	var ids []any
	if id, ok := args["id"]; ok {
		ids = append(ids, id)
	}
	if list, ok := args["ids"].([]any); ok {
		ids = append(ids, list...)
	}
	var loads []func() (*records.Record, error)
	for _, raw := range ids {
		str, _ := raw.(string)
		if kind, id, err := gid.Decode(str); err == nil && kind == gid.Record {
			loads = append(loads, loadersOf(ctx).records.Load(ctx, id))
		}
	}
	other := false
	for _, load := range loads {
		rec, err := load()
		if apierr.CodeOf(err) == apierr.NotFound {
			continue
		}
		if err != nil {
			return false, err
		}
		other = other || rec.ObjectTypeID != o.Type.ID
	}
	return other, nil
}
