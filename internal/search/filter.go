// Package search is how records are found: the filter language (property
// leaves, and/or/not, association filters at any depth), sorts on any
// property with keyset cursors, and full-text queries. A filter is parsed
// from its input tree (Parse), checked against an object type's
// definitions with its values normalised by the values package (Check),
// and written into the one statement of a page (Where). Nothing here loads
// ids into memory to filter: every criterion is SQL of the page's
// statement.
package search

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/values"
)

// Limits of one filter and one sort, checked before the database is asked.
const (
	MaxDepth    = 6
	MaxLeaves   = 100
	MaxSortKeys = 5
)

// Operator is a property leaf's comparison.
type Operator string

// The operators. NEQ, NOT_IN and NOT_CONTAINS_TOKEN do not match records
// lacking the property unless the leaf sets IncludeMissing.
const (
	EQ               Operator = "EQ"
	NEQ              Operator = "NEQ"
	LT               Operator = "LT"
	LTE              Operator = "LTE"
	GT               Operator = "GT"
	GTE              Operator = "GTE"
	Between          Operator = "BETWEEN"
	In               Operator = "IN"
	NotIn            Operator = "NOT_IN"
	ContainsAll      Operator = "CONTAINS_ALL"
	HasProperty      Operator = "HAS_PROPERTY"
	NotHasProperty   Operator = "NOT_HAS_PROPERTY"
	ContainsToken    Operator = "CONTAINS_TOKEN"
	NotContainsToken Operator = "NOT_CONTAINS_TOKEN"
	StartsWith       Operator = "STARTS_WITH"
	Contains         Operator = "CONTAINS"
)

// Operators are every operator, in the schema's order.
var Operators = []Operator{EQ, NEQ, LT, LTE, GT, GTE, Between, In, NotIn, ContainsAll, HasProperty, NotHasProperty,
	ContainsToken, NotContainsToken, StartsWith, Contains}

// negative operators match what their positive one does not.
var negative = map[Operator]Operator{NEQ: EQ, NotIn: In, NotContainsToken: ContainsToken, NotHasProperty: HasProperty}

// Filter is one node of a filter: exactly one of a combinator (And, Or,
// Not), a property leaf (Property with Operator and its values), an
// Association leaf or a list leaf (InList or NotInList, a list's global
// id). Its JSON form is the input's, so that a filter saved as JSON (a
// view's) is parsed as a request's is.
type Filter struct {
	And         []*Filter          `json:"and,omitempty"`
	Or          []*Filter          `json:"or,omitempty"`
	Not         *Filter            `json:"not,omitempty"`
	Property    string             `json:"property,omitempty"`
	Operator    Operator           `json:"operator,omitempty"`
	Value       any                `json:"value,omitempty"`
	Values      []any              `json:"values,omitempty"`
	HighValue   any                `json:"highValue,omitempty"`
	Missing     bool               `json:"includeMissing,omitempty"`
	Ever        bool               `json:"ever,omitempty"`
	Me          bool               `json:"me,omitempty"`
	Association *AssociationFilter `json:"association,omitempty"`
	InList      string             `json:"inList,omitempty"`
	NotInList   string             `json:"notInList,omitempty"`
}

// AssociationFilter keeps records by their associated records of one
// object type (under any of Labels, when given): Some (or, when none of
// Some, None and Every is given, any) associated record matches; None
// does; Every does (true of a record with none). MinCount and MaxCount
// bound how many associated records match Some (all of them without it).
type AssociationFilter struct {
	ToObjectType string   `json:"toObjectType"`
	Labels       []string `json:"labels,omitempty"`
	Some         *Filter  `json:"some,omitempty"`
	None         *Filter  `json:"none,omitempty"`
	Every        *Filter  `json:"every,omitempty"`
	MinCount     *int     `json:"minCount,omitempty"`
	MaxCount     *int     `json:"maxCount,omitempty"`
}

// Error refuses a filter at one of its nodes: BAD_USER_INPUT (or
// LIMIT_EXCEEDED) with the node's path, such as filter.and[1].value.
func Error(code apierr.Code, path, property, format string, args ...any) *apierr.Error {
	e := apierr.New(code, "%s: %s", path, fmt.Sprintf(format, args...))
	e.Property, e.Path = property, path
	return e
}

func bad(path, format string, args ...any) *apierr.Error {
	return Error(apierr.BadUserInput, path, "", format, args...)
}

// Parse reads a filter from its input tree — a GraphQL input object's
// argument map, or decoded JSON — refusing a node that is not exactly one
// of its three kinds, and filters past MaxDepth or MaxLeaves. path names
// the argument ("filter"). A nil tree is no filter.
func Parse(raw any, path string) (*Filter, error) {
	if raw == nil {
		return nil, nil
	}
	p := parser{}
	f, err := p.node(raw, path, 1)
	if err != nil {
		return nil, err
	}
	if p.leaves > MaxLeaves {
		return nil, Error(apierr.LimitExceeded, path, "", "a filter has at most %d leaves, this one has %d", MaxLeaves, p.leaves)
	}
	return f, nil
}

type parser struct{ leaves int }

var nodeKeys = map[string]bool{"and": true, "or": true, "not": true, "property": true, "operator": true, "value": true,
	"values": true, "highValue": true, "includeMissing": true, "ever": true, "me": true, "association": true, "inList": true, "notInList": true}

func (p *parser) node(raw any, path string, depth int) (*Filter, error) {
	if depth > MaxDepth {
		return nil, Error(apierr.LimitExceeded, path, "", "a filter nests at most %d levels", MaxDepth)
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, bad(path, "a filter is an object")
	}
	var kinds []string
	for _, k := range sortedKeys(m) {
		if !nodeKeys[k] {
			return nil, bad(path, "a filter has no field %q", k)
		}
		if m[k] == nil {
			continue
		}
		switch k {
		case "and", "or", "not", "property", "association", "inList", "notInList":
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		return nil, bad(path, "a filter node is exactly one of and, or, not, a property leaf (property, operator, values), association, inList or notInList; this one has %s",
			describeKinds(kinds))
	}
	f := &Filter{}
	var err error
	switch kinds[0] {
	case "and", "or":
		list, err := p.nodes(m[kinds[0]], path+"."+kinds[0], depth)
		if err != nil {
			return nil, err
		}
		if kinds[0] == "and" {
			f.And = list
		} else {
			f.Or = list
		}
	case "not":
		f.Not, err = p.node(m["not"], path+".not", depth+1)
	case "association":
		f.Association, err = p.association(m["association"], path+".association", depth)
	case "property":
		err = p.leaf(f, m, path)
	case "inList":
		f.InList, err = p.list(m["inList"], path+".inList")
	case "notInList":
		f.NotInList, err = p.list(m["notInList"], path+".notInList")
	}
	if err != nil {
		return nil, err
	}
	if kinds[0] != "property" {
		for _, k := range []string{"operator", "value", "values", "highValue", "includeMissing", "ever"} {
			if m[k] != nil {
				return nil, bad(path+"."+k, "%s belongs to a property leaf", k)
			}
		}
	}
	return f, nil
}

func describeKinds(kinds []string) string {
	if len(kinds) == 0 {
		return "none of them"
	}
	return strings.Join(kinds, " and ")
}

// list reads a list leaf's value: the global id of a list.
func (p *parser) list(raw any, path string) (string, error) {
	p.leaves++
	s, ok := raw.(string)
	if !ok {
		return "", bad(path, "a list leaf names a list by its id")
	}
	if _, err := gid.DecodeKind(s, gid.List); err != nil {
		return "", bad(path, "%q is not the id of a list", s)
	}
	return s, nil
}

func (p *parser) nodes(raw any, path string, depth int) ([]*Filter, error) {
	items := ListOf(raw)
	if len(items) == 0 {
		return nil, bad(path, "lists at least one filter")
	}
	out := make([]*Filter, len(items))
	for i, item := range items {
		f, err := p.node(item, fmt.Sprintf("%s[%d]", path, i), depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

func (p *parser) leaf(f *Filter, m map[string]any, path string) error {
	p.leaves++
	name, ok := m["property"].(string)
	if !ok {
		return bad(path+".property", "property is a property name")
	}
	op, ok := m["operator"].(string)
	if !ok {
		return Error(apierr.BadUserInput, path+".operator", name, "a property leaf needs an operator")
	}
	f.Property, f.Operator = name, Operator(op)
	if !validOperator(f.Operator) {
		return Error(apierr.BadUserInput, path+".operator", name, "%q is not an operator", op)
	}
	f.Value, f.HighValue = number(m["value"]), number(m["highValue"])
	if m["values"] != nil {
		items := ListOf(m["values"])
		f.Values = make([]any, len(items))
		for i, v := range items {
			f.Values[i] = number(v)
		}
	}
	for _, flag := range []struct {
		key string
		to  *bool
	}{{"includeMissing", &f.Missing}, {"ever", &f.Ever}, {"me", &f.Me}} {
		switch v := m[flag.key].(type) {
		case nil:
		case bool:
			*flag.to = v
		default:
			return Error(apierr.BadUserInput, path+"."+flag.key, name, "%s is a boolean", flag.key)
		}
	}
	return nil
}

func (p *parser) association(raw any, path string, depth int) (*AssociationFilter, error) {
	p.leaves++
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, bad(path, "association is an object")
	}
	a := &AssociationFilter{}
	for _, k := range sortedKeys(m) {
		v := m[k]
		if v == nil {
			continue
		}
		var err error
		switch k {
		case "toObjectType":
			s, ok := v.(string)
			if !ok {
				return nil, bad(path+".toObjectType", "toObjectType is an object type's name")
			}
			a.ToObjectType = s
		case "labels":
			items := ListOf(v)
			for _, item := range items {
				s, ok := item.(string)
				if !ok {
					return nil, bad(path+".labels", "labels are strings")
				}
				a.Labels = append(a.Labels, s)
			}
			sort.Strings(a.Labels)
		case "some":
			a.Some, err = p.node(v, path+".some", depth+1)
		case "none":
			a.None, err = p.node(v, path+".none", depth+1)
		case "every":
			a.Every, err = p.node(v, path+".every", depth+1)
		case "minCount", "maxCount":
			n, ok := integer(v)
			if !ok || n < 0 {
				return nil, bad(path+"."+k, "%s is a count, 0 or more", k)
			}
			if k == "minCount" {
				a.MinCount = &n
			} else {
				a.MaxCount = &n
			}
		default:
			return nil, bad(path, "an association filter has no field %q", k)
		}
		if err != nil {
			return nil, err
		}
	}
	if a.ToObjectType == "" {
		return nil, bad(path+".toObjectType", "an association filter names toObjectType")
	}
	given := 0
	for _, f := range []*Filter{a.Some, a.None, a.Every} {
		if f != nil {
			given++
		}
	}
	if given > 1 {
		return nil, bad(path, "an association filter takes one of some, none and every")
	}
	if (a.MinCount != nil || a.MaxCount != nil) && (a.None != nil || a.Every != nil) {
		return nil, bad(path, "minCount and maxCount count the records matching some; they do not go with none or every")
	}
	return a, nil
}

// ListOf reads a list input as GraphQL hands it over: a list as []any;
// a lone literal alone; a variable's lone value coerced to a list of one
// of its own type ([]map[string]any, []string, []json.Number — gqlparser
// builds the slice by reflection). Each is a list of any.
func ListOf(v any) []any {
	if items, ok := v.([]any); ok {
		return items
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
		items := make([]any, rv.Len())
		for i := range items {
			items[i] = rv.Index(i).Interface()
		}
		return items
	}
	return []any{v} // GraphQL coerces a lone value to a list of one
}

func validOperator(op Operator) bool {
	for _, o := range Operators {
		if o == op {
			return true
		}
	}
	return false
}

// number makes the numbers of a tree one type: json.Number, as variables
// bring them; literals come as int64 or float64.
func number(v any) any {
	if n, ok := values.AsNumber(v); ok {
		return n
	}
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = number(item)
		}
		return out
	}
	return v
}

func integer(v any) (int, bool) {
	switch x := number(v).(type) {
	case json.Number:
		n, err := x.Int64()
		if err != nil || n > 1<<31-1 {
			return 0, false
		}
		return int(n), true
	}
	return 0, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Leaves counts f's leaves, property and association ones, for the cost
// of a request.
func (f *Filter) Leaves() int {
	if f == nil {
		return 0
	}
	n := 0
	if f.Property != "" || f.InList != "" || f.NotInList != "" {
		n++
	}
	for _, c := range append(append([]*Filter{f.Not}, f.And...), f.Or...) {
		n += c.Leaves()
	}
	if a := f.Association; a != nil {
		n += 1 + a.Some.Leaves() + a.None.Leaves() + a.Every.Leaves()
	}
	return n
}

// ResolveMe returns a filter input tree with me (the requesting owner)
// replaced by owner's id as the value, for a filter saved to be evaluated
// whoever writes later (a list's). With owner 0 the tree stays as it is,
// for Check to refuse me.
func ResolveMe(tree map[string]any, owner int) map[string]any {
	if tree == nil || owner == 0 {
		return tree
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, item := range x {
				out[k] = walk(item)
			}
			if out["me"] == true && out["property"] != nil {
				delete(out, "me")
				out["value"] = json.Number(strconv.Itoa(owner))
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, item := range x {
				out[i] = walk(item)
			}
			return out
		}
		return v
	}
	return walk(tree).(map[string]any)
}
