package graph_test

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
)

// selectionGen draws random selections from the read plans' field table:
// aliases, inline fragments and named fragments, @skip/@include with
// literals and variables, arguments as literals and as variables.
type selectionGen struct {
	r       *rand.Rand
	table   map[string]map[string]string
	vars    map[string]any
	varDefs []string
	frags   []string
	n       int
}

func (g *selectionGen) name(prefix string) string {
	g.n++
	return fmt.Sprintf("%s%d", prefix, g.n)
}

// variable declares a variable of type typ holding v and returns $name.
func (g *selectionGen) variable(typ string, v any) string {
	name := g.name("v")
	g.vars[name] = v
	g.varDefs = append(g.varDefs, "$"+name+": "+typ)
	return "$" + name
}

// value is v written as a literal or passed as a variable.
func (g *selectionGen) value(typ string, v any, literal string) string {
	if g.r.IntN(2) == 0 {
		return g.variable(typ, v)
	}
	return literal
}

func (g *selectionGen) directive() string {
	switch g.r.IntN(16) {
	case 0:
		return " @skip(if: " + g.value("Boolean!", false, "false") + ")"
	case 1:
		return " @include(if: " + g.value("Boolean!", true, "true") + ")"
	case 2:
		return " @skip(if: true)"
	}
	return ""
}

// propertyNames are names properties(names:) may ask of each object type
// (an unknown name is refused).
var propertyNames = map[string][]string{
	"contacts":  {"email", "firstname", "vip", "tags", "seen", "hs_object_id"},
	"companies": {"name", "domain", "annualrevenue", "createdate"},
	"deals":     {"amount", "dealname", "closedate", "lastmodifieddate"},
}

// args are the arguments of field of a record of object type ot, and the
// object type of the records the field leads to.
func (g *selectionGen) args(field, ot string) (string, string) {
	switch field {
	case "properties", "values":
		all := propertyNames[ot]
		if g.r.IntN(3) == 0 {
			return "", ot
		}
		names := all[:g.r.IntN(len(all))]
		quoted := make([]string, len(names))
		list := make([]any, len(names))
		for i, n := range names {
			quoted[i], list[i] = `"`+n+`"`, n
		}
		return "(names: " + g.value("[String!]", list, "["+strings.Join(quoted, ", ")+"]") + ")", ot
	case "associations":
		to := []string{"companies", "contacts", "deals"}[g.r.IntN(3)]
		// Labels that lead to contacts (an unknown label is refused).
		labels := ""
		switch g.r.IntN(4) {
		case 0:
			to, labels = "contacts", `, labels: `+g.value("[String!]", []any{"Decision maker"}, `["Decision maker"]`)
		case 1:
			to, labels = "contacts", `, labels: "Manager"`
		}
		out := `(toObjectType: ` + g.value("String!", to, `"`+to+`"`) + labels + g.criteria(to)
		n := 1 + g.r.IntN(3)
		if g.r.IntN(3) == 0 {
			out += ", last: " + g.value("Int", n, fmt.Sprint(n))
		} else {
			out += ", first: " + g.value("Int", n, fmt.Sprint(n))
		}
		return out + ")", to
	}
	return "", ot
}

// planFilters and planSorts are filters and sorts of readPlanData's
// object types that keep some records and leave others.
var (
	planFilters = map[string][]map[string]any{
		"contacts": {leaf("vip", "EQ", "value", true), leaf("email", "CONTAINS", "value", "p1"),
			leaf("tags", "IN", "values", list("a")), map[string]any{"not": leaf("seen", "LT", "value", "-P1D")},
			map[string]any{"association": map[string]any{"toObjectType": "companies", "some": leaf("name", "CONTAINS_TOKEN", "value", "acme")}}},
		"companies": {leaf("annualrevenue", "GT", "value", 1e12), leaf("name", "STARTS_WITH", "value", `acme "1`),
			map[string]any{"association": map[string]any{"toObjectType": "contacts", "labels": list("Decision maker"), "minCount": 1}}},
		"deals": {leaf("amount", "GTE", "value", int64(12345678901234568)), leaf("closedate", "EQ", "value", "2027-01-31")},
	}
	planSorts = map[string][][]map[string]any{
		"contacts":  {keys(key("vip", "DESC"), key("email")), keys(key("firstname", "FIRST"))},
		"companies": {keys(key("name", "DESC")), keys(key("annualrevenue", "DESC", "LAST"), key("createdate"))},
		"deals":     {keys(key("amount", "FIRST"), key("dealname", "DESC"))},
	}
)

// criteria are a filter and a sort of records of ot, sometimes, as
// literals or variables: ", filter: ..., sort: ..." or "".
func (g *selectionGen) criteria(ot string) string {
	out := ""
	if fs := planFilters[ot]; g.r.IntN(3) == 0 {
		f := fs[g.r.IntN(len(fs))]
		out += ", filter: " + g.value("RecordFilter", f, graphQLLiteral(f))
	}
	if ss := planSorts[ot]; g.r.IntN(3) == 0 {
		s := ss[g.r.IntN(len(ss))]
		out += ", sort: " + g.value("[RecordSort!]", s, graphQLLiteral(s))
	}
	return out
}

// graphQLLiteral writes an input value as a GraphQL literal; the values of
// operator, direction and nulls are enum values.
func graphQLLiteral(v any) string {
	switch x := v.(type) {
	case map[string]any:
		var fields []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			value := graphQLLiteral(x[k])
			if k == "operator" || k == "direction" || k == "nulls" {
				value = x[k].(string)
			}
			fields = append(fields, k+": "+value)
		}
		return "{" + strings.Join(fields, ", ") + "}"
	case []map[string]any:
		var items []string
		for _, item := range x {
			items = append(items, graphQLLiteral(item))
		}
		return "[" + strings.Join(items, ", ") + "]"
	case []any:
		var items []string
		for _, item := range x {
			items = append(items, graphQLLiteral(item))
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	return jsonText(v) // strings, numbers and booleans are written as in JSON
}

// selection is a random selection on typeName; depth counts the
// associations levels above it, ot is the object type of its records.
func (g *selectionGen) selection(typeName string, depth int, ot string) string {
	var parts []string
	for _, f := range graph.SortedFields(g.table, typeName) {
		child := g.table[typeName][f]
		// Object fields are drawn more often, so that selections go deep.
		if (child == "" && g.r.IntN(3) == 0) || (child != "" && g.r.IntN(8) == 0) || (f == "associations" && depth >= 2) {
			continue
		}
		args, next := g.args(f, ot)
		s := f + args
		if s != f || g.r.IntN(4) == 0 {
			s = g.name("a") + ": " + s // fields with arguments need their own response key
		}
		s += g.directive()
		if child != "" {
			level := depth
			if f == "associations" {
				level++
			}
			s += " { " + g.selection(child, level, next) + " }"
		}
		switch g.r.IntN(8) {
		case 0:
			on := typeName
			if typeName == "Record" && f == "id" {
				on = "Node"
			}
			s = "... on " + on + g.directive() + " { " + s + " }"
		case 1:
			frag := g.name("F")
			g.frags = append(g.frags, "fragment "+frag+" on "+typeName+" { "+s+" }")
			s = "..." + frag
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 || g.r.IntN(5) == 0 {
		parts = append(parts, "__typename")
	}
	return strings.Join(parts, " ")
}

func (g *selectionGen) query() (string, map[string]any) {
	g.vars, g.varDefs, g.frags = map[string]any{}, nil, nil
	ot := []string{"companies", "contacts"}[g.r.IntN(2)]
	args := `objectType: "` + ot + `", first: ` + fmt.Sprint(1+g.r.IntN(4)) + g.criteria(ot)
	if g.r.IntN(5) == 0 {
		args += ", archived: true"
	}
	body := "records(" + args + ") { " + g.selection("RecordConnection", 0, ot) + " }"
	op := "query"
	if len(g.varDefs) > 0 {
		op += "(" + strings.Join(g.varDefs, ", ") + ")"
	}
	return op + " { " + body + " }\n" + strings.Join(g.frags, "\n"), g.vars
}

// TestReadPlanRandomSelections answers random selections drawn from the
// plans' field table through a read plan and through the executor: a
// plan answers every one, with the executor's bytes.
func TestReadPlanRandomSelections(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		readPlanData(a)
		exec := a.executorOnly().h
		planning := graph.NewHandler(graph.Config{DB: a.d, WorkspaceID: a.ws})
		g := &selectionGen{r: rand.New(rand.NewPCG(10, 2026)), table: graph.ReadPlanTable()}
		deep, filtered := 0, 0
		for i := range 120 {
			query, vars := g.query()
			if strings.Count(query, "associations(") >= 2 {
				deep++
			}
			if strings.Contains(query, "filter: ") || strings.Contains(query, "sort: ") {
				filtered++
			}
			before := planning.PlannedFields()
			plan := post(t, planning, query, vars)
			if planning.PlannedFields() != before+1 {
				t.Fatalf("selection %d: the executor answered it, not a read plan:\n%s\n%v\n%s", i, query, vars, plan)
			}
			if executor := post(t, exec, query, vars); !bytes.Equal(plan, executor) {
				t.Fatalf("selection %d:\n%s\n%v\nread plan:\n%s\nexecutor:\n%s", i, query, vars, plan, executor)
			}
			if bytes.Contains(plan, []byte(`"errors"`)) {
				t.Fatalf("selection %d failed:\n%s\n%v\n%s", i, query, vars, plan)
			}
		}
		if deep < 15 || filtered < 30 {
			t.Fatalf("of 120 selections, only %d went two associations deep and %d were filtered or sorted", deep, filtered)
		}
	})
}
