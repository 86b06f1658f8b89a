package graph_test

// Refusals of filters and sorts (issue 13, rules 1 and 7): every one with
// its code, the property it names and the path of the node in the
// argument (extensions.argumentPath); limits refused before the
// database is asked for anything but the definitions.

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// refusal is a read of records that must fail with one error.
type refusal struct {
	name     string
	filter   map[string]any
	sort     []map[string]any
	code     string
	property string // "" when the error names none
	path     string // extensions.argumentPath
}

// bad is a filter refused with BAD_USER_INPUT at path, naming property.
func bad(name string, filter map[string]any, property, path string) refusal {
	return refusal{name: name, filter: filter, code: "BAD_USER_INPUT", property: property, path: path}
}

// misfits are leaves of every operator on every type it does not fit.
func misfits() []refusal {
	props := map[string]string{"label": kindString, "qty": kindNumber, "active": kindBool, "due": kindDate, "seen": kindDateTime,
		"tier": kindEnum, "tags": kindMulti, "createdate": kindMoment, "hs_object_id": kindNumber}
	all := []string{"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "CONTAINS_ALL", "HAS_PROPERTY",
		"NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN", "STARTS_WITH", "CONTAINS"}
	var out []refusal
	for _, prop := range slices.Sorted(maps.Keys(props)) {
		for _, op := range all {
			if slices.Contains(fitting[props[prop]], op) {
				continue
			}
			var f map[string]any
			switch op {
			case "BETWEEN":
				f = leaf(prop, op, "value", "x", "highValue", "y")
			case "IN", "NOT_IN", "CONTAINS_ALL":
				f = leaf(prop, op, "values", list("x"))
			default:
				f = leaf(prop, op, "value", "x")
			}
			out = append(out, bad(op+" on "+prop, f, prop, "filter.operator"))
		}
	}
	return out
}

// refusals are values of the wrong type or out of their range, unknown
// options and properties, malformed nodes and association leaves, at
// every depth, and sorts that cannot be.
func refusals() []refusal {
	ok := leaf("qty", "GT", "value", 1)
	return []refusal{
		bad("a word for a number", leaf("qty", "EQ", "value", "abc"), "qty", "filter.value"),
		bad("a boolean for a number", leaf("qty", "LT", "value", true), "qty", "filter.value"),
		bad("a word among numbers", leaf("qty", "IN", "values", list(1, "x")), "qty", "filter.values[1]"),
		bad("a word as BETWEEN's high end", leaf("qty", "BETWEEN", "value", 1, "highValue", "x"), "qty", "filter.highValue"),
		bad("a number past a float's precision", leaf("qty", "EQ", "value", "0.10000000000000001"), "qty", "filter.value"),
		bad("yes for a boolean", leaf("active", "EQ", "value", "yes"), "active", "filter.value"),
		bad("1 for a boolean", leaf("active", "NEQ", "value", 1), "active", "filter.value"),
		bad("a word for a date", leaf("due", "EQ", "value", "yesterday"), "due", "filter.value"),
		bad("month 13", leaf("due", "GT", "value", "2024-13-01"), "due", "filter.value"),
		bad("a malformed duration", leaf("due", "LT", "value", "-P1X"), "due", "filter.value"),
		bad("an empty duration", leaf("seen", "LT", "value", "P"), "seen", "filter.value"),
		bad("a duration with a T and nothing after", leaf("seen", "LT", "value", "-P1DT"), "seen", "filter.value"),
		bad("hour 25", leaf("seen", "EQ", "value", "2024-03-01T25:00:00Z"), "seen", "filter.value"),
		bad("a list for a datetime", leaf("seen", "IN", "values", list("2024-03-01", list("2024-03-02"))), "seen", "filter.values[1]"),
		bad("a word for createdate", leaf("createdate", "GT", "value", "soon"), "createdate", "filter.value"),
		bad("a fraction for hs_object_id", leaf("hs_object_id", "EQ", "value", 1.5), "hs_object_id", "filter.value"),
		bad("an unknown option", leaf("tier", "EQ", "value", "platinum"), "tier", "filter.value"),
		bad("an option's label", leaf("tier", "NEQ", "value", "Gold"), "tier", "filter.value"),
		bad("an unknown option among others", leaf("tier", "IN", "values", list("gold", "platinum")), "tier", "filter.values[1]"),
		bad("an unknown option of a multi-select", leaf("tags", "IN", "values", list("purple")), "tags", "filter.values[0]"),
		bad("an unknown option in CONTAINS_ALL", leaf("tags", "CONTAINS_ALL", "values", list("red", "purple")), "tags", "filter.values[1]"),
		bad("an unknown option in a set", leaf("tags", "EQ", "value", list("red", "purple")), "tags", "filter.value"),
		bad("an empty set", leaf("tags", "EQ", "value", list()), "tags", "filter.value"),
		bad("a number for a string", leaf("label", "EQ", "value", 5), "label", "filter.value"),
		bad("an empty prefix", leaf("label", "STARTS_WITH", "value", ""), "label", "filter.value"),
		bad("a number to contain", leaf("label", "CONTAINS", "value", 5), "label", "filter.value"),
		bad("an empty string", leaf("label", "EQ", "value", ""), "label", "filter.value"),
		bad("a token with an underscore", leaf("notes", "CONTAINS_TOKEN", "value", "foo_bar"), "notes", "filter.value"),
		bad("a token of a wildcard only", leaf("notes", "NOT_CONTAINS_TOKEN", "value", "*"), "notes", "filter.value"),
		bad("no token", leaf("notes", "CONTAINS_TOKEN", "value", " "), "notes", "filter.value"),
		bad("a hyphenated token", leaf("notes", "CONTAINS_TOKEN", "value", "acme-corp"), "notes", "filter.value"),

		bad("no value", leaf("qty", "EQ"), "qty", "filter.value"),
		bad("value for IN", leaf("qty", "IN", "value", 1), "qty", "filter.values"),
		bad("no values", leaf("qty", "NOT_IN", "values", list()), "qty", "filter.values"),
		bad("values for EQ", leaf("qty", "EQ", "values", list(1)), "qty", "filter.value"),
		bad("BETWEEN without its high end", leaf("qty", "BETWEEN", "value", 1), "qty", "filter"),
		bad("a value for HAS_PROPERTY", leaf("qty", "HAS_PROPERTY", "value", 1), "qty", "filter"),
		bad("an unknown property", leaf("nope", "EQ", "value", 1), "nope", "filter.property"),
		bad("an archived property", leaf("retired", "EQ", "value", "x"), "retired", "filter.property"),
		bad("a property of another object", leaf("email", "EQ", "value", "x@example.com"), "email", "filter.property"),
		bad("no operator", map[string]any{"property": "label", "value": "x"}, "label", "filter.operator"),
		bad("ever with a negative operator", leaf("tier", "NEQ", "value", "gold", "ever", true), "tier", "filter.ever"),
		bad("ever on a system value", leaf("createdate", "GT", "value", "2024-01-01", "ever", true), "createdate", "filter.ever"),

		bad("a property leaf and a combinator", map[string]any{"property": "qty", "operator": "EQ", "value": 1, "and": list(ok)}, "", "filter"),
		bad("an empty node", map[string]any{}, "", "filter"),
		bad("an operator without a property", map[string]any{"operator": "EQ", "value": 1}, "", "filter"),
		bad("and of nothing", map[string]any{"and": list()}, "", "filter.and"),
		bad("a value on a combinator", map[string]any{"or": list(ok), "value": 1}, "", "filter.value"),
		bad("an empty node in a list", map[string]any{"and": list(ok, map[string]any{})}, "", "filter.and[1]"),
		bad("a bad value deep down", map[string]any{"and": list(ok, map[string]any{"or": list(ok, leaf("qty", "EQ", "value", "x"))})}, "qty", "filter.and[1].or[1].value"),
		bad("an unknown property under not", map[string]any{"not": map[string]any{"not": leaf("nope", "HAS_PROPERTY")}}, "nope", "filter.not.not.property"),

		bad("an unknown object type", map[string]any{"association": map[string]any{"toObjectType": "unicorns"}}, "", "filter.association.toObjectType"),
		bad("an object type not associated", map[string]any{"association": map[string]any{"toObjectType": "deals"}}, "", "filter.association.toObjectType"),
		bad("an unknown label", map[string]any{"association": map[string]any{"toObjectType": "contacts", "labels": list("Nobody")}}, "", "filter.association.labels"),
		bad("some and none", map[string]any{"association": map[string]any{"toObjectType": "contacts", "some": leaf("firstname", "HAS_PROPERTY"), "none": leaf("firstname", "HAS_PROPERTY")}}, "", "filter.association"),
		bad("a count with every", map[string]any{"association": map[string]any{"toObjectType": "contacts", "minCount": 1, "every": leaf("firstname", "HAS_PROPERTY")}}, "", "filter.association"),
		bad("a negative count", map[string]any{"association": map[string]any{"toObjectType": "contacts", "minCount": -1}}, "", "filter.association.minCount"),
		bad("a leaf of the wrong object", map[string]any{"association": map[string]any{"toObjectType": "contacts", "some": leaf("qty", "EQ", "value", 1)}}, "qty", "filter.association.some.property"),
		bad("a bad value two associations down", map[string]any{"and": list(ok, map[string]any{"association": map[string]any{"toObjectType": "contacts",
			"some": map[string]any{"association": map[string]any{"toObjectType": "companies", "every": leaf("numberofemployees", "GT", "value", "many")}}}})},
			"numberofemployees", "filter.and[1].association.some.association.every.value"),

		{name: "an unknown sort key", sort: []map[string]any{{"property": "nope"}}, code: "BAD_USER_INPUT", property: "nope", path: "sort[0].property"},
		{name: "a multi-select sort key", sort: []map[string]any{{"property": "qty"}, {"property": "tags", "direction": "DESC"}}, code: "BAD_USER_INPUT", property: "tags", path: "sort[1].property"},
		{name: "an archived sort key", sort: []map[string]any{{"property": "retired"}}, code: "BAD_USER_INPUT", property: "retired", path: "sort[0].property"},
		{name: "six sort keys", sort: sortKeys(6), code: "LIMIT_EXCEEDED", path: "sort"},
		{name: "a filter 7 levels deep", filter: nested(7), code: "LIMIT_EXCEEDED", path: "filter.not.not.not.not.not.not"},
		{name: "a filter of 101 leaves", filter: leaves(101), code: "LIMIT_EXCEEDED", path: "filter"},
		{name: "associations 7 levels deep", filter: nestedAssociations(7), code: "LIMIT_EXCEEDED",
			path: "filter" + strings.Repeat(".association.some", 6)},
	}
}

// sortKeys are n sort keys.
func sortKeys(n int) []map[string]any {
	names := []string{"label", "qty", "due", "seen", "tier", "active", "createdate"}
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"property": names[i%len(names)]}
	}
	return out
}

// nested is a filter of depth levels: nots around a leaf.
func nested(depth int) map[string]any {
	f := leaf("qty", "HAS_PROPERTY")
	for range depth - 1 {
		f = map[string]any{"not": f}
	}
	return f
}

// nestedAssociations is a filter of depth levels: association leaves
// between gadgets and contacts, each with some.
func nestedAssociations(depth int) map[string]any {
	types := []string{"gadgets", "contacts"}
	f := leaf("hs_object_id", "HAS_PROPERTY")
	for i := depth - 1; i >= 1; i-- {
		f = map[string]any{"association": map[string]any{"toObjectType": types[i%2], "some": f}}
	}
	return f
}

// leaves is a filter of n leaves, and of ors of 10.
func leaves(n int) map[string]any {
	var groups []any
	for start := 0; start < n; start += 10 {
		var group []any
		for i := start; i < min(n, start+10); i++ {
			group = append(group, leaf("qty", "EQ", "value", i))
		}
		groups = append(groups, map[string]any{"or": group})
	}
	return map[string]any{"and": groups}
}

// checkRefusals reads records with each refusal's filter and sort, many to
// a request, each failing on its own with its code, property and path.
func (a *api) checkRefusals(objectType string, rs []refusal) {
	a.t.Helper()
	for start := 0; start < len(rs); start += 40 {
		batch := rs[start:min(len(rs), start+40)]
		var defs, fields []string
		vars := map[string]any{"t": objectType}
		for i, r := range batch {
			defs = append(defs, fmt.Sprintf("$f%d: RecordFilter, $s%d: [RecordSort!]", i, i))
			vars[fmt.Sprint("f", i)], vars[fmt.Sprint("s", i)] = r.filter, r.sort
			fields = append(fields, fmt.Sprintf(`r%d: records(objectType: $t, filter: $f%d, sort: $s%d, first: 1) { edges { node { id } } }`, i, i, i))
		}
		resp := a.do("query($t: String!, "+strings.Join(defs, ", ")+") { "+strings.Join(fields, "\n")+" }", vars)
		got := map[string][]gqlError{}
		for _, e := range resp.Errors {
			if len(e.Path) == 0 {
				a.t.Fatalf("an error of the whole request: %s %v", e.Message, e.Extensions)
			}
			key := fmt.Sprint(e.Path[0])
			got[key] = append(got[key], e)
		}
		for i, r := range batch {
			errs := got[fmt.Sprint("r", i)]
			if len(errs) != 1 {
				a.t.Errorf("%s: %s %s: want one error, got %+v", r.name, jsonText(r.filter), jsonText(r.sort), errs)
				continue
			}
			e := errs[0]
			property, _ := e.Extensions["property"].(string)
			if e.Extensions["code"] != r.code || property != r.property || e.Extensions["argumentPath"] != r.path {
				a.t.Errorf("%s: %s %s:\n got %v property %q path %v: %s\nwant %s property %q path %s", r.name, jsonText(r.filter), jsonText(r.sort),
					e.Extensions["code"], property, e.Extensions["argumentPath"], e.Message, r.code, r.property, r.path)
			}
		}
	}
}

func TestSearchRefusals(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createObjectType(gadgetsInput())
		a.createProperty("gadgets", map[string]any{"name": "retired", "label": "Retired", "type": "STRING", "fieldType": "TEXT"})
		a.ok(archivePropertyMutation, propertyRef("gadgets", "retired"), nil)
		a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "gadgets", toObjectType: "contacts", label: "Owner"}) { associationType { id } } }`, nil, nil)
		a.create("gadgets", map[string]any{"label": "One"})

		t.Run("operators on types they do not fit", func(t *testing.T) {
			rs := misfits()
			if len(rs) < 40 {
				t.Fatalf("only %d misfits", len(rs))
			}
			a.with(t).checkRefusals("gadgets", rs)
		})
		t.Run("values, properties, nodes, associations, sorts and limits", func(t *testing.T) {
			a.with(t).checkRefusals("gadgets", refusals())
		})
		t.Run("on associations as on records", func(t *testing.T) {
			a := a.with(t)
			a.create("contacts", map[string]any{"email": "refused@example.com"})
			for _, r := range refusals() {
				switch r.name {
				case "an unknown property", "a bad value deep down", "an unknown label", "six sort keys", "a filter 7 levels deep":
				default:
					continue
				}
				e := a.fails(`query($f: RecordFilter, $s: [RecordSort!]) { records(objectType: "contacts", first: 1) { edges { node {
					associations(toObjectType: "gadgets", filter: $f, sort: $s) { edges { node { id } } } } } } }`,
					map[string]any{"f": r.filter, "s": r.sort}, r.code, r.property)
				if e.Extensions["argumentPath"] != r.path {
					t.Errorf("%s: path %v, want %s", r.name, e.Extensions["argumentPath"], r.path)
				}
			}
		})
		t.Run("asOf reads are not filtered", func(t *testing.T) {
			a.with(t).fails(`{ records(objectType: "gadgets", asOf: "2030-01-01T00:00:00Z", filter: {property: "qty", operator: HAS_PROPERTY}) { edges { node { id } } } }`,
				nil, "BAD_USER_INPUT", "")
		})
	})
}
