package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/graph/generated"
)

// executorFields are the fields of planned types that plans leave to the
// executor on purpose: a selection of any of them is answered field by
// field.
var executorFields = map[string]bool{
	"Record.objectType":      true,
	"Record.propertyHistory": true,
	"Record.lists":           true,
	"Record.timeline":        true,
	"Record.pinnedActivity":  true,
}

// TestReadPlanTable checks the plan's field table against the parsed
// schema: every field it knows exists with the selection type it says,
// reads only arguments the schema declares and is plannable; every other
// field of a planned type is named in executorFields.
func TestReadPlanTable(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
	if !plannable(s.Query.Fields.ForName("records"), recordsArgNames) {
		t.Errorf("Query.records declares arguments or directives plans do not read: teach planRecords or leave it to the executor")
	}
	for typeName, fields := range readSchema {
		def := s.Types[typeName]
		if def == nil || def.Kind != ast.Object {
			t.Errorf("%s: not an object type of the schema", typeName)
			continue
		}
		for name, spec := range fields {
			fd := def.Fields.ForName(name)
			if fd == nil {
				t.Errorf("%s.%s: not in the schema", typeName, name)
				continue
			}
			named := fd.Type.Name()
			switch kind := s.Types[named].Kind; {
			case spec.child != "" && (named != spec.child || readSchema[spec.child] == nil):
				t.Errorf("%s.%s: the plan selects it as %s, the schema types it %s", typeName, name, spec.child, named)
			case spec.child == "" && kind != ast.Scalar && kind != ast.Enum:
				t.Errorf("%s.%s: the plan writes it as a leaf, the schema types it %s (%s)", typeName, name, named, kind)
			}
			for _, a := range spec.args {
				if fd.Arguments.ForName(a) == nil {
					t.Errorf("%s.%s: the plan reads argument %q the schema does not declare", typeName, name, a)
				}
			}
			if !plannable(fd, spec.args) {
				t.Errorf("%s.%s: declares arguments or directives the plan does not read: it would never be planned", typeName, name)
			}
		}
		for _, fd := range def.Fields {
			if _, ok := fields[fd.Name]; !ok && !strings.HasPrefix(fd.Name, "__") && !executorFields[typeName+"."+fd.Name] {
				t.Errorf("%s.%s: new in the schema: add it to readSchema, or to executorFields to leave it to the executor", typeName, fd.Name)
			}
		}
	}
}

// TestPlanRefusesUndeclaredArguments: a field whose schema definition
// declares an argument the plan does not read is never planned, whatever
// the request writes.
func TestPlanRefusesUndeclaredArguments(t *testing.T) {
	def := &ast.FieldDefinition{Name: "records", Arguments: ast.ArgumentDefinitionList{{Name: "objectType"}, {Name: "near"}}}
	if plannable(def, recordsArgNames) {
		t.Fatal("a records field with an unknown argument was plannable")
	}
	def.Arguments = def.Arguments[:1]
	if !plannable(def, recordsArgNames) {
		t.Fatal("a records field with known arguments was not plannable")
	}
	def.Directives = ast.DirectiveList{{Name: "auth"}}
	if plannable(def, recordsArgNames) {
		t.Fatal("a field with a directive was plannable")
	}
}
