package graph_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/graph/generated"
)

// TestSchemaDescribed fails on any element of the served schema without a
// description — type, field, argument, input field, enum value, directive
// and its arguments — naming each by its schema coordinate
// (Type.field(arg:)), so a new one cannot land undescribed: SDK generators
// copy the descriptions into the code users read. GraphQL's own types and
// directives (the introspection types, Int, String, @skip...) are left out.
func TestSchemaDescribed(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	c := describedCount{}
	c.check("schema", "schema", s.Description)
	for _, def := range s.Types {
		if def.BuiltIn {
			continue
		}
		c.check("types", def.Name, def.Description)
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue // __schema and __type, GraphQL's own
			}
			kind := "fields"
			if def.Kind == ast.InputObject {
				kind = "input fields"
			}
			coord := def.Name + "." + f.Name
			c.check(kind, coord, f.Description)
			for _, a := range f.Arguments {
				c.check("arguments", coord+"("+a.Name+":)", a.Description)
			}
		}
		for _, v := range def.EnumValues {
			c.check("enum values", def.Name+"."+v.Name, v.Description)
		}
	}
	for _, d := range s.Directives {
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		c.check("directives", "@"+d.Name, d.Description)
		for _, a := range d.Arguments {
			c.check("arguments", "@"+d.Name+"("+a.Name+":)", a.Description)
		}
	}
	t.Log(c.summary())
	if len(c.missing) > 0 {
		sort.Strings(c.missing)
		t.Errorf("%s\nundescribed (add a \"\"\"description\"\"\" in the schema file):\n  %s",
			c.summary(), strings.Join(c.missing, "\n  "))
	}
}

// describedCount tallies the schema's elements by kind and collects the
// coordinates of those without a description.
type describedCount struct {
	total, undescribed map[string]int
	missing            []string
}

func (c *describedCount) check(kind, coord, description string) {
	if c.total == nil {
		c.total, c.undescribed = map[string]int{}, map[string]int{}
	}
	c.total[kind]++
	if strings.TrimSpace(description) == "" {
		c.undescribed[kind]++
		c.missing = append(c.missing, coord)
	}
}

func (c *describedCount) summary() string {
	kinds := make([]string, 0, len(c.total))
	for k := range c.total {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d of %d %s", c.undescribed[k], c.total[k], k)
	}
	return strings.Join(parts, ", ") + " undescribed"
}
