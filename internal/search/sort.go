package search

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
)

// Sort is one sort key: a property, ascending unless Desc, nulls last
// ascending and first descending (PostgreSQL's default) unless Nulls says
// FIRST or LAST.
type Sort struct {
	Property string `json:"property"`
	Desc     bool   `json:"desc,omitempty"`
	Nulls    string `json:"nulls,omitempty"`
}

// NullsFirst reports whether nulls come first, the default resolved.
func (s Sort) NullsFirst() bool {
	if s.Nulls == "" {
		return s.Desc
	}
	return s.Nulls == "FIRST"
}

// ParseSorts reads sort keys from their input list (each an object of
// property, direction ASC or DESC, nulls FIRST or LAST), refusing more than
// MaxSortKeys. path names the argument ("sort").
func ParseSorts(raw any, path string) ([]Sort, error) {
	if raw == nil {
		return nil, nil
	}
	items := ListOf(raw)
	if len(items) > MaxSortKeys {
		return nil, Error(apierr.LimitExceeded, path, "", "at most %d sort keys, got %d", MaxSortKeys, len(items))
	}
	out := make([]Sort, len(items))
	for i, item := range items {
		at := fmt.Sprintf("%s[%d]", path, i)
		m, ok := item.(map[string]any)
		if !ok {
			return nil, bad(at, "a sort key is an object")
		}
		name, ok := m["property"].(string)
		if !ok {
			return nil, bad(at+".property", "a sort key names a property")
		}
		s := Sort{Property: name}
		switch m["direction"] {
		case nil, "ASC":
		case "DESC":
			s.Desc = true
		default:
			return nil, Error(apierr.BadUserInput, at+".direction", name, "direction is ASC or DESC")
		}
		switch m["nulls"] {
		case nil:
		case "FIRST", "LAST":
			s.Nulls = m["nulls"].(string)
		default:
			return nil, Error(apierr.BadUserInput, at+".nulls", name, "nulls is FIRST or LAST")
		}
		if s.NullsFirst() == s.Desc {
			s.Nulls = "" // the default, written one way
		}
		for k := range m {
			if k != "property" && k != "direction" && k != "nulls" {
				return nil, bad(at, "a sort key has no field %q", k)
			}
		}
		out[i] = s
	}
	return out, nil
}

// OrderingName names the order of sorts for cursors: a cursor of one
// order is refused by another.
func OrderingName(sorts []Sort, rank bool) string {
	var b strings.Builder
	if rank {
		b.WriteString("rank")
	}
	for i, s := range sorts {
		if i > 0 || rank {
			b.WriteByte(',')
		}
		b.WriteString(s.Property)
		if s.Desc {
			b.WriteString(" desc")
		}
		if s.Nulls != "" {
			b.WriteString(" nulls " + strings.ToLower(s.Nulls))
		}
	}
	return b.String()
}

// Order is a checked order: keys, then the record id ascending.
type Order struct {
	name string
	keys []key
}

type key struct {
	name       string
	column     string
	kind       kind
	desc       bool
	nullsFirst bool
	rank       func(q *db.SQL, alias string) // the relevance of a full-text query
}

// CheckSorts checks sorts against ot: properties that exist and can be
// ordered (not multi-selects). rank, when not nil, writes a relevance
// that comes first, highest first: a full-text query's order when no sort
// is given. ordering is the order's name, made by OrderingName.
func CheckSorts(ot *meta.ObjectType, sorts []Sort, rank func(q *db.SQL, alias string), ordering, path string) (*Order, error) {
	o := &Order{name: ordering}
	if rank != nil {
		o.keys = append(o.keys, key{name: "rank", desc: true, rank: rank})
	}
	for i, s := range sorts {
		at := fmt.Sprintf("%s[%d].property", path, i)
		def, ok := ot.Property(s.Property)
		if !ok {
			return nil, Error(apierr.BadUserInput, at, s.Property, "%s has no property %q", ot.Name, s.Property)
		}
		if def.Archived {
			return nil, Error(apierr.BadUserInput, at, s.Property, "property %q of %s is archived", s.Property, ot.Name)
		}
		k := key{name: def.Name, column: systemColumns[def.Name], kind: kindOf(def), desc: s.Desc, nullsFirst: s.NullsFirst()}
		if k.kind == kMulti {
			return nil, Error(apierr.BadUserInput, at, s.Property, "a multi-select (%q) does not sort", s.Property)
		}
		o.keys = append(o.keys, k)
	}
	return o, nil
}

// Name is the order's name, for cursors.
func (o *Order) Name() string { return o.name }

// Ranked reports whether the order starts with a relevance, which a
// statement must select (as rank) for cursors.
func (o *Order) Ranked() bool { return len(o.keys) > 0 && o.keys[0].rank != nil }

// expr writes k's sort value of the record aliased alias.
func (k key) expr(q *db.SQL, alias string) {
	switch {
	case k.rank != nil:
		k.rank(q, alias)
	case k.column != "":
		q.Ident(alias, k.column)
	default:
		value(q, k.kind, db.PropertyDoc(alias, k.name))
	}
}

// value writes a stored property's value as sorts order it and range
// filters compare it: strings folded, numbers as numbers, the rest as
// stored text (booleans as JSON).
func value(q *db.SQL, k kind, d db.Doc) {
	switch k {
	case kString:
		q.Fold(d)
	case kNumber, kOwner:
		q.Number(d)
	case kBool:
		q.JSONOf(d)
	default:
		q.Text(d)
	}
}

// Column is the column of records that holds the values of the property
// called name (createdate, lastmodifieddate, hs_object_id), "" for one
// stored in the properties column.
func Column(name string) string { return systemColumns[name] }

// Ordered returns what writes the value of stored property def of the
// records aliased alias ("" for the table's own columns, as in an index)
// exactly as sorts order it and range filters, STARTS_WITH and CONTAINS
// compare it: what an expression index must hold to serve them. It
// reports false for a multi-select, which does not sort.
func Ordered(def *meta.Property) (write func(q *db.SQL, alias string), ok bool) {
	k := kindOf(def)
	if k == kMulti {
		return nil, false
	}
	return func(q *db.SQL, alias string) { value(q, k, db.PropertyDoc(alias, def.Name)) }, true
}

// arg writes a cursor's value v of k, as expr compares with it.
func (k key) arg(q *db.SQL, v any) {
	switch {
	case k.rank != nil:
		f, _ := v.(float64)
		q.Arg(f)
	case k.column == "id":
		n, _ := v.(float64)
		q.Arg(int(n))
	case k.column != "":
		t, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(v))
		q.Arg(t.UTC())
	case k.kind == kString:
		q.FoldArg(fmt.Sprint(v))
	case k.kind == kNumber, k.kind == kOwner:
		q.NumberArg(json.Number(fmt.Sprint(v)))
	case k.kind == kBool:
		b, _ := v.(bool)
		q.Scalar(b)
	default:
		q.Arg(fmt.Sprint(v))
	}
}

// OrderBy writes the terms of an ORDER BY (without the keywords) of the
// records aliased alias, reversed for a backward page.
func (o *Order) OrderBy(q *db.SQL, alias string, backward bool) *db.SQL {
	for _, k := range o.keys {
		k.expr(q, alias)
		if k.desc != backward {
			q.T(" DESC")
		} else {
			q.T(" ASC")
		}
		if k.nullsFirst != backward {
			q.T(" NULLS FIRST, ")
		} else {
			q.T(" NULLS LAST, ")
		}
	}
	q.Ident(alias, "id")
	if backward {
		return q.T(" DESC")
	}
	return q.T(" ASC")
}

// Row is what a cursor is made of: a record's values and, for a ranked
// order, its relevance.
type Row struct {
	ID         int
	Properties map[string]any
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Rank       float64
}

// Cursor is row's cursor in o.
func (o *Order) Cursor(row Row) string {
	vals := make([]any, len(o.keys))
	for i, k := range o.keys {
		switch {
		case k.rank != nil:
			vals[i] = row.Rank
		case k.column == "id":
			vals[i] = row.ID
		case k.column == "created_at":
			vals[i] = row.CreatedAt.UTC().Format(time.RFC3339Nano)
		case k.column == "updated_at":
			vals[i] = row.UpdatedAt.UTC().Format(time.RFC3339Nano)
		default:
			v := row.Properties[k.name]
			if n, ok := v.(json.Number); ok {
				v = n.String()
			}
			vals[i] = v
		}
	}
	return page.Encode(o.name, page.Cursor{Value: vals, ID: row.ID})
}

// Bounds writes " AND <after the window's after cursor> AND <before its
// before cursor>" for the records aliased alias.
func (o *Order) Bounds(q *db.SQL, alias string, w page.Window) error {
	for _, bound := range []struct {
		c      *page.Cursor
		before bool
	}{{w.After, false}, {w.Before, true}} {
		if bound.c == nil {
			continue
		}
		vals, ok := bound.c.Value.([]any)
		if !ok || len(vals) != len(o.keys) {
			return apierr.New(apierr.BadUserInput, "cursor holds no valid position")
		}
		for i, k := range o.keys {
			if err := k.check(vals[i]); err != nil {
				return err
			}
		}
		q.T(" AND (")
		o.beyond(q, alias, vals, bound.c.ID, bound.before)
		q.T(")")
	}
	return nil
}

// check refuses a cursor value k could not have made.
func (k key) check(v any) error {
	ok := true
	switch {
	case v == nil:
		ok = k.rank == nil && k.column == ""
	case k.rank != nil, k.column == "id":
		_, ok = v.(float64)
	case k.column != "":
		s, isString := v.(string)
		_, err := time.Parse(time.RFC3339Nano, s)
		ok = isString && err == nil
	case k.kind == kBool:
		_, ok = v.(bool)
	case k.kind == kNumber, k.kind == kOwner:
		s, isString := v.(string)
		_, err := json.Number(s).Float64()
		ok = isString && err == nil
	default:
		_, ok = v.(string)
	}
	if !ok {
		return apierr.New(apierr.BadUserInput, "cursor holds no valid position")
	}
	return nil
}

// beyond writes "the row comes strictly after (before, for before) the
// position vals, id": for some key, the row equals the position on every
// earlier key and is beyond it on this one; or it equals it on every key
// and its id is beyond.
func (o *Order) beyond(q *db.SQL, alias string, vals []any, id int, before bool) {
	for i := 0; i <= len(o.keys); i++ {
		if i > 0 {
			q.T(" OR ")
		}
		q.T("(")
		for j := 0; j < i; j++ {
			o.keys[j].equal(q, alias, vals[j])
			q.T(" AND ")
		}
		if i < len(o.keys) {
			o.keys[i].past(q, alias, vals[i], before)
		} else {
			q.Ident(alias, "id")
			if before {
				q.T(" < ")
			} else {
				q.T(" > ")
			}
			q.Arg(id)
		}
		q.T(")")
	}
}

func (k key) equal(q *db.SQL, alias string, v any) {
	k.expr(q, alias)
	if v == nil {
		q.T(" IS NULL")
		return
	}
	q.T(" = ")
	k.arg(q, v)
}

// past writes "the row's value of k comes after v" (before v, for
// before) in k's order, nulls placed as k places them.
func (k key) past(q *db.SQL, alias string, v any, before bool) {
	// Walking backwards is walking the reversed order forwards.
	desc, nullsFirst := k.desc, k.nullsFirst
	if before {
		desc, nullsFirst = !desc, !nullsFirst
	}
	if v == nil {
		if nullsFirst {
			k.expr(q, alias)
			q.T(" IS NOT NULL")
		} else {
			q.T("FALSE")
		}
		return
	}
	if !nullsFirst {
		q.T("(")
		k.expr(q, alias)
		q.T(" IS NULL OR ")
	}
	k.expr(q, alias)
	if desc {
		q.T(" < ")
	} else {
		q.T(" > ")
	}
	k.arg(q, v)
	if !nullsFirst {
		q.T(")")
	}
}
