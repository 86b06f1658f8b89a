package graph

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/crm/graph/model"
	"github.com/acme/crm/graph/schematype"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/export"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/search"
	"github.com/acme/crm/internal/timeline"
	"github.com/acme/crm/internal/view"
)

// The one decoder of reads' arguments. Resolvers, the prefetch, read plans
// and the complexity limit all turn a field's arguments into a domain
// query here, from the argument map as the request wrote it (literals,
// variables, the schema's defaults), so that they cannot disagree about
// what a read asks.

// args are a field's arguments as gqlparser maps them: literals as int64,
// float64, string, bool, []any; variables as the client sent them.
type args map[string]any

// fieldArgs are the arguments of the field being resolved.
func fieldArgs(ctx context.Context) args {
	return args(graphql.GetFieldContext(ctx).Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables))
}

// collectedArgs are the arguments of a field collected from a selection.
func collectedArgs(opCtx *graphql.OperationContext, f graphql.CollectedField) args {
	return args(f.ArgumentMap(opCtx.Variables))
}

func badArg(name, format string, v ...any) error { return apierr.Invalid(name, format, v...) }

func (a args) string(name string) (string, error) {
	s, ok := a[name].(string)
	if !ok {
		return "", badArg(name, "%s must be a string", name)
	}
	return s, schematype.Text(s)
}

func (a args) optString(name string) (*string, error) {
	if a[name] == nil {
		return nil, nil
	}
	s, err := a.string(name)
	return &s, err
}

// strings reads a [String!]: nil when left out or null, a lone string as a
// list of one (GraphQL's input coercion), whatever slice type a variable
// arrives as.
func (a args) strings(name string) ([]string, error) {
	if a[name] == nil {
		return nil, nil
	}
	items := search.ListOf(a[name])
	out := make([]string, len(items))
	for i, item := range items {
		s, ok := item.(string)
		if !ok {
			return nil, badArg(name, "%s must be a list of strings", name)
		}
		if err := schematype.Text(s); err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// count is the length of a list argument (a lone value counts one).
func (a args) count(name string) int {
	switch v := a[name].(type) {
	case nil:
		return 0
	case []any:
		return len(v)
	}
	return 1
}

// id reads an optional ID of kind: 0 when left out.
func (a args) id(name, kind string) (int, error) {
	s, err := a.optString(name)
	if s == nil || err != nil {
		return 0, err
	}
	id, err := gid.DecodeKind(*s, kind)
	if e, ok := apierr.As(err); ok && e.Path == "" {
		out := *e
		out.Path = name
		return 0, &out
	}
	return id, err
}

// filter decodes the filter argument; nil when there is none.
func (a args) filter() (*search.Filter, error) {
	if err := a.text("filter"); err != nil {
		return nil, err
	}
	return search.Parse(a["filter"], "filter")
}

// savedFilter reads the filter an input saves (a view's, a list's) as the
// tree it keeps: set says the input holds filter, null or not.
func (a args) savedFilter() (tree map[string]any, set bool, err error) {
	if _, set = a["filter"]; !set {
		return nil, false, nil
	}
	if _, err = a.filter(); err != nil {
		return nil, true, err
	}
	tree, _ = a["filter"].(map[string]any)
	return tree, true, nil
}

// viewInput decodes the input of createView and updateView.
func viewInput(a args) (in view.Input, err error) {
	input, _ := a["input"].(map[string]any)
	b := args(input)
	if in.Name, err = b.optString("name"); err != nil {
		return in, err
	}
	if in.Filter, in.FilterSet, err = b.savedFilter(); err != nil {
		return in, err
	}
	if _, in.SortSet = input["sort"]; in.SortSet {
		if in.Sort, err = search.ParseSorts(input["sort"], "sort"); err != nil {
			return in, err
		}
	}
	if in.Columns, err = b.strings("columns"); err != nil {
		return in, err
	}
	v, err := b.optString("visibility")
	if v != nil {
		vis := view.Visibility(*v)
		in.Visibility = &vis
	}
	return in, err
}

// listInput decodes the input of createList and updateList.
func listInput(a args) (in lists.Input, err error) {
	b := args(a.object("input"))
	if in.Name, err = b.optString("name"); err != nil {
		return in, err
	}
	kind, err := b.optString("kind")
	if kind != nil {
		in.Kind = meta.ListKind(*kind)
	}
	if err != nil {
		return in, err
	}
	in.Filter, in.FilterSet, err = b.savedFilter()
	return in, err
}

// exportSpec decodes the input of exportRecords.
func exportSpec(a args) (s export.Spec, err error) {
	b := args(a.object("input"))
	if s.ObjectType, err = b.string("objectType"); err != nil {
		return s, err
	}
	var q records.Query
	if err = b.criteria(&q); err != nil {
		return s, err
	}
	s.Filter, s.Sort = q.Filter, q.Sort
	if s.View, err = b.inputID("view", gid.View); err != nil {
		return s, err
	}
	if s.List, err = b.inputID("list", gid.List); err != nil {
		return s, err
	}
	if s.Properties, err = b.strings("properties"); err != nil {
		return s, err
	}
	if s.Associations, err = b.strings("associations"); err != nil {
		return s, err
	}
	opts := args(b.object("options"))
	headers, err := opts.optString("headers")
	if headers != nil {
		s.Headers = export.Headers(*headers)
	}
	if err != nil {
		return s, err
	}
	enumerations, err := opts.optString("enumerations")
	if enumerations != nil {
		s.Enumerations = export.Enumerations(*enumerations)
	}
	return s, err
}

// inputID reads an optional ID of kind that an input refers to: an id of
// another kind names nothing the input could mean, BAD_USER_INPUT.
func (a args) inputID(name, kind string) (int, error) {
	id, err := a.id(name, kind)
	if e, ok := apierr.As(err); ok && e.Code == apierr.NotFound {
		out := *e
		out.Code = apierr.BadUserInput
		return 0, &out
	}
	return id, err
}

// listRecordsQuery decodes List.records(filter, sort, first, after, last,
// before); the list is the parent.
func listRecordsQuery(a args) (q records.Query, err error) {
	if err = a.criteria(&q); err != nil {
		return q, err
	}
	q.Page, err = a.page()
	return q, err
}

// object reads an input object argument: nil when left out.
func (a args) object(name string) map[string]any {
	m, _ := a[name].(map[string]any)
	return m
}

// int reads an Int however it arrived: int64 from a literal, json.Number
// from a variable.
func (a args) int(name string) (*int, error) {
	var n int64
	switch v := a[name].(type) {
	case nil:
		return nil, nil
	case int64:
		n = v
	case json.Number:
		var err error
		if n, err = v.Int64(); err != nil {
			return nil, badArg(name, "%s must be an integer", name)
		}
	default:
		return nil, badArg(name, "%s must be an integer", name)
	}
	if n > math.MaxInt32 || n < math.MinInt32 {
		return nil, badArg(name, "%s is out of range", name)
	}
	i := int(n)
	return &i, nil
}

func (a args) bool(name string) (bool, error) {
	switch v := a[name].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	}
	return false, badArg(name, "%s must be a boolean", name)
}

func (a args) time(name string) (*time.Time, error) {
	if a[name] == nil {
		return nil, nil
	}
	t, err := schematype.UnmarshalDateTime(a[name])
	if err != nil {
		return nil, badArg(name, "%s: %v", name, err)
	}
	return &t, nil
}

// page reads first, after, last and before. An empty cursor means none:
// generated clients (genqlient) send after: "" for a first page.
func (a args) page() (p page.Args, err error) {
	if p.First, err = a.int("first"); err != nil {
		return p, err
	}
	if p.Last, err = a.int("last"); err != nil {
		return p, err
	}
	if p.After, err = a.cursor("after"); err != nil {
		return p, err
	}
	p.Before, err = a.cursor("before")
	return p, err
}

// cursor reads an optional cursor: nil when left out, null or "".
func (a args) cursor(name string) (*string, error) {
	c, err := a.optString(name)
	if c != nil && *c == "" {
		return nil, err
	}
	return c, err
}

// criteria decodes filter and sort, shared by records and associations.
func (a args) criteria(q *records.Query) (err error) {
	if q.Filter, err = a.filter(); err != nil {
		return err
	}
	if err = a.text("sort"); err != nil {
		return err
	}
	q.Sort, err = search.ParseSorts(a["sort"], "sort")
	return err
}

// text checks every string in an input tree as the String scalar does.
func (a args) text(name string) error {
	var walk func(v any) error
	walk = func(v any) error {
		switch x := v.(type) {
		case string:
			return schematype.Text(x)
		case map[string]any:
			for _, item := range x {
				if err := walk(item); err != nil {
					return err
				}
			}
		default:
			if v != nil && reflect.ValueOf(v).Kind() == reflect.Slice {
				for _, item := range search.ListOf(v) {
					if err := walk(item); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	return walk(a[name])
}

// recordsQuery decodes records(objectType, filter, sort, query, archived,
// asOf, first, after, last, before).
func recordsQuery(a args) (q records.Query, err error) {
	if q.ObjectType, err = a.string("objectType"); err != nil {
		return q, err
	}
	if q.View, err = a.id("view", gid.View); err != nil {
		return q, err
	}
	if err = a.criteria(&q); err != nil {
		return q, err
	}
	if err = a.text("query"); err != nil {
		return q, err
	}
	if q.Text, err = search.ParseTextQuery(a["query"], "query"); err != nil {
		return q, err
	}
	if q.Archived, err = a.bool("archived"); err != nil {
		return q, err
	}
	if q.AsOf, err = a.time("asOf"); err != nil {
		return q, err
	}
	q.Page, err = a.page()
	return q, err
}

// associationsQuery decodes Record.associations(toObjectType, labels,
// filter, sort, first, after, last, before); the parent is the key's.
// Labels are a set: sorted, so that the same set read twice is one read.
func associationsQuery(a args) (q records.Query, err error) {
	if q.ObjectType, err = a.string("toObjectType"); err != nil {
		return q, err
	}
	if err = a.criteria(&q); err != nil {
		return q, err
	}
	if q.Labels, err = a.strings("labels"); err != nil {
		return q, err
	}
	q.Labels = slices.Compact(slices.Sorted(slices.Values(q.Labels)))
	q.Page, err = a.page()
	return q, err
}

// historyQuery decodes Record.propertyHistory(names, first, after).
func historyQuery(a args) (q records.HistoryQuery, err error) {
	if q.Names, err = a.strings("names"); err != nil {
		return q, err
	}
	q.Page, err = a.page()
	return q, err
}

// timelineQuery decodes Record.timeline(first, after, last, before,
// types, from, to).
func timelineQuery(a args) (q records.TimelineQuery, err error) {
	names, err := a.strings("types")
	if err != nil {
		return q, err
	}
	for _, n := range names {
		t := timeline.Type(n)
		if !t.Valid() {
			return q, badArg("types", "%q is not a timeline event type", n)
		}
		q.Types = append(q.Types, t)
	}
	if q.From, err = a.time("from"); err != nil {
		return q, err
	}
	if q.To, err = a.time("to"); err != nil {
		return q, err
	}
	q.Page, err = a.page()
	return q, err
}

// pageSize is how many items a connection read may answer, for the
// complexity limit: its first or last, else the default.
func pageSize(p page.Args) int {
	n := page.DefaultSize
	for _, v := range []*int{p.First, p.Last} {
		if v != nil && *v > 0 {
			n = *v
		}
	}
	return n
}

// auditQuery decodes auditLog(first, after, actor, action, from, to).
func auditQuery(a args) (q audit.Query, err error) {
	if q.Page, err = a.page(); err != nil {
		return q, err
	}
	if q.Actor, err = a.optString("actor"); err != nil {
		return q, err
	}
	action, err := a.optString("action")
	if err != nil {
		return q, err
	}
	if action != nil {
		act := audit.Action(*action)
		if !act.Valid() {
			return q, badArg("action", "%q is not an audited action", *action)
		}
		q.Action = &act
	}
	if q.From, err = a.time("from"); err != nil {
		return q, err
	}
	q.To, err = a.time("to")
	return q, err
}

// writeValues decodes the values of a write, the JSON map properties and
// the typed list typed, into the one map package values validates: each
// typed value as a values.Typed, which it checks against the property's
// type. A typed value that sets other than one field, and a property
// named twice (in both, or twice in typed), are refused.
func writeValues(properties map[string]any, typed []*model.PropertyInput) (map[string]any, error) {
	if len(typed) == 0 {
		return properties, nil
	}
	out := make(map[string]any, len(properties)+len(typed))
	maps.Copy(out, properties)
	for _, in := range typed {
		if _, twice := out[in.Name]; twice {
			return nil, apierr.Invalid(in.Name, "property %q is given twice: name it once, in properties or in values", in.Name)
		}
		out[in.Name] = nil
		if in.Value == nil {
			continue
		}
		v, err := in.Value.Raw(in.Name)
		if err != nil {
			return nil, err
		}
		out[in.Name] = v
	}
	return out, nil
}
