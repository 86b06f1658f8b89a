package introspect_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/acme/crm/graph/generated"
	"github.com/acme/crm/graph/introspect"
)

// The generic schema's introspection, answered by gqlgen's executor through
// its handler and by Field, is the same bytes for every root field.
func TestSameAsGqlgen(t *testing.T) {
	es := generated.NewExecutableSchema(generated.Config{})
	// As graph.NewHandler serves it.
	delete(es.Schema().Directives, "defer")
	srv := handler.New(es)
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})

	graphiql, err := os.ReadFile("testdata/graphiql.graphql")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"graphiql", string(graphiql), nil},
		{"record type", `
			query { __type(name: "Record") { ...T fields { name args { name defaultValue type { ...Ref } } type { ...Ref } } interfaces { name } } }
			fragment T on __Type { kind name description specifiedByURL isOneOf }
			fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`, nil},
		{"selection rules", `
			query($n: String!, $yes: Boolean!, $no: Boolean!, $dep: Boolean) {
				t: __type(name: $n) {
					__typename
					n: name
					name
					name @skip(if: $yes)
					kind @include(if: $no)
					description @include(if: $yes)
					fields(includeDeprecated: $dep) { name }
					fields(includeDeprecated: $dep) { type { name } __typename }
					... on __Type { kind ofType { name } }
					... @skip(if: $no) { possibleTypes { name } }
					... @include(if: $no) { enumValues { name } }
					...F
					...F
					...G @include(if: $no)
					...G
				}
				none: __type(name: "NoSuchType") { name }
				__schema { __typename queryType { name } }
				__schema { queryType { kind } directives { name args { name } locations } }
				s: __schema @skip(if: $yes) { types { name } }
			}
			fragment F on __Type { name interfaces { name } }
			fragment G on __Type { inputFields { name defaultValue } fields(includeDeprecated: $dep) { description } }`,
			map[string]any{"n": "Record", "yes": true, "no": false}},
		{"input, enum, oneOf and scalar", `{
			p: __type(name: "PropertyValueInput") { isOneOf inputFields(includeDeprecated: true) { name type { kind name ofType { name } } } }
			d: __type(name: "Date") { kind specifiedByURL fields { name } enumValues { name } inputFields { name } interfaces { name } possibleTypes { name } ofType { name } }
			n: __type(name: "Node") { kind possibleTypes { name } fields { name } }
		}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := gqlgenData(t, srv, c.query, c.vars)
			got := fieldData(t, es.Schema(), c.query, c.vars)
			if len(got) != len(want) {
				t.Fatalf("root keys: got %d, want %d", len(got), len(want))
			}
			for key, w := range want {
				if g := got[key]; !bytes.Equal(g, w) {
					t.Errorf("%s:\n got %s\nwant %s", key, g, w)
				}
			}
		})
	}
}

// gqlgenData is the data gqlgen's handler answers, by root response key.
func gqlgenData(t *testing.T, srv http.Handler, query string, vars map[string]any) map[string]json.RawMessage {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var resp struct {
		Data   map[string]json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
		t.Fatalf("gqlgen answered %s (%v)", rec.Body, err)
	}
	return resp.Data
}

// fieldData is what Field answers for each root field of the operation, as an
// endpoint would: the root fields collected as gqlgen collects them, each
// answer wrapped in the same JSON response gqlgen's transport writes.
func fieldData(t *testing.T, schema *ast.Schema, query string, vars map[string]any) map[string]json.RawMessage {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(schema, query)
	if errs != nil {
		t.Fatal(errs)
	}
	op := doc.Operations[0]
	coerced, gerr := validator.VariableValues(schema, op, vars)
	if gerr != nil {
		t.Fatal(gerr)
	}
	opCtx := &graphql.OperationContext{Doc: doc, Variables: coerced}
	roots := graphql.CollectFields(opCtx, op.SelectionSet, []string{"Query"})
	data := map[string]json.RawMessage{}
	for _, root := range roots {
		field := *root.Field
		field.SelectionSet = root.Selections
		var b bytes.Buffer
		if err := introspect.Field(&b, opCtx, schema, &field); err != nil {
			t.Fatal(err)
		}
		resp, err := json.Marshal(graphql.Response{Data: b.Bytes()})
		if err != nil {
			t.Fatalf("%s: %v", b.Bytes(), err)
		}
		var wrapped struct{ Data json.RawMessage }
		if err := json.Unmarshal(resp, &wrapped); err != nil {
			t.Fatal(err)
		}
		data[root.Alias] = wrapped.Data
	}
	return data
}

const shapes = `
"Shapes to draw."
schema { query: Query }
type Query { shapes(filter: ShapeFilter): [Shape!]! }
"Anything with an area."
interface Shape { area: Float! corners: [Point!]! @deprecated(reason: "Use outline.") outline: [Point!]! }
type Point { x: Int! y: Int! }
type Square implements Shape { area: Float! corners: [Point!]! @deprecated(reason: "Use outline.") outline: [Point!]! side: Int! }
type Circle implements Shape { area: Float! corners: [Point!]! @deprecated(reason: "Use outline.") outline: [Point!]! radius: Int! }
enum Color { RED GREEN BLUE @deprecated }
input ShapeFilter {
  colors: [Color!] = [RED]
  "Smallest area."
  minArea: Float = 1.5
  name: String = "any\"thing"
  old: Int @deprecated(reason: "Gone.")
}
`

// A hand-written schema answers the values its SDL says.
func TestHandWrittenSchema(t *testing.T) {
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "shapes.graphqls", Input: shapes})
	if gerr != nil {
		t.Fatal(gerr)
	}
	cases := []struct {
		name, query, want string
		vars              map[string]any
	}{
		{"schema", `{ __schema { description queryType { name } mutationType { name } } }`,
			`{"description":"Shapes to draw.","queryType":{"name":"Query"},"mutationType":null}`, nil},
		{"interface", `{ __type(name: "Shape") { kind description possibleTypes { name interfaces { name } } fields { name isDeprecated } } }`,
			`{"kind":"INTERFACE","description":"Anything with an area.","possibleTypes":[{"name":"Square","interfaces":[{"name":"Shape"}]},{"name":"Circle","interfaces":[{"name":"Shape"}]}],"fields":[{"name":"area","isDeprecated":false},{"name":"outline","isDeprecated":false}]}`, nil},
		{"deprecated field", `query($d: Boolean!) { __type(name: "Square") { fields(includeDeprecated: $d) { name isDeprecated deprecationReason } } }`,
			`{"fields":[{"name":"area","isDeprecated":false,"deprecationReason":null},{"name":"corners","isDeprecated":true,"deprecationReason":"Use outline."},{"name":"outline","isDeprecated":false,"deprecationReason":null},{"name":"side","isDeprecated":false,"deprecationReason":null}]}`,
			map[string]any{"d": true}},
		{"list of non-null", `{ __type(name: "Square") { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`,
			`{"fields":[{"name":"area","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"Float","ofType":null}}},{"name":"outline","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"LIST","name":null,"ofType":{"kind":"NON_NULL","name":null,"ofType":{"kind":"OBJECT","name":"Point"}}}}},{"name":"side","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"Int","ofType":null}}}]}`, nil},
		{"enum", `{ __type(name: "Color") { kind enumValues { name } all: enumValues(includeDeprecated: true) { name isDeprecated deprecationReason } fields { name } } }`,
			`{"kind":"ENUM","enumValues":[{"name":"RED"},{"name":"GREEN"}],"all":[{"name":"RED","isDeprecated":false,"deprecationReason":null},{"name":"GREEN","isDeprecated":false,"deprecationReason":null},{"name":"BLUE","isDeprecated":true,"deprecationReason":null}],"fields":[]}`, nil},
		{"input with defaults", `{ __type(name: "ShapeFilter") { kind inputFields { name description defaultValue } old: inputFields(includeDeprecated: true) { name deprecationReason } } }`,
			`{"kind":"INPUT_OBJECT","inputFields":[{"name":"colors","description":null,"defaultValue":"[RED]"},{"name":"minArea","description":"Smallest area.","defaultValue":"1.5"},{"name":"name","description":null,"defaultValue":"\"any\\\"thing\""}],"old":[{"name":"colors","deprecationReason":null},{"name":"minArea","deprecationReason":null},{"name":"name","deprecationReason":null},{"name":"old","deprecationReason":"Gone."}]}`, nil},
		{"argument", `{ __type(name: "Query") { fields { args { name type { name } defaultValue } } } }`,
			`{"fields":[{"args":[{"name":"filter","type":{"name":"ShapeFilter"},"defaultValue":null}]}]}`, nil},
		{"unknown type", `query($n: String!) { __type(name: $n) { name } }`, `null`, map[string]any{"n": "Triangle"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(schema, c.query)
			if errs != nil {
				t.Fatal(errs)
			}
			var b bytes.Buffer
			opCtx := &graphql.OperationContext{Doc: doc, Variables: c.vars}
			if err := introspect.Field(&b, opCtx, schema, doc.Operations[0].SelectionSet[0].(*ast.Field)); err != nil {
				t.Fatal(err)
			}
			if b.String() != c.want {
				t.Errorf("got  %s\nwant %s", &b, c.want)
			}
		})
	}
}

// A field that is not an introspection field fails and writes nothing.
func TestNotIntrospection(t *testing.T) {
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "shapes.graphqls", Input: shapes})
	if gerr != nil {
		t.Fatal(gerr)
	}
	doc, errs := gqlparser.LoadQuery(schema, `{ shapes { area } }`)
	if errs != nil {
		t.Fatal(errs)
	}
	var b bytes.Buffer
	err := introspect.Field(&b, &graphql.OperationContext{Doc: doc}, schema, doc.Operations[0].SelectionSet[0].(*ast.Field))
	if err == nil || !strings.Contains(err.Error(), "shapes is not an introspection field") || b.Len() > 0 {
		t.Fatalf("err %v, wrote %q", err, &b)
	}
}
