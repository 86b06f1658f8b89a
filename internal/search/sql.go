package search

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/values"
)

// Where appends c as a predicate on the records aliased alias, of
// workspace workspaceID: always true or false, never NULL, so that NOT
// means what it says. A nil c appends TRUE.
func (c *Checked) Where(q *db.SQL, alias string, workspaceID int) *db.SQL {
	return c.write(q, alias, workspaceID, false)
}

// Probe appends the predicate Where appends, true of the same records,
// its association leaves written for PostgreSQL to ask of one record at a
// time: from the record's associations to each associated record by its
// id, each subquery fenced by OFFSET 0. Where's leaves PostgreSQL may
// turn into joins that start from the associated records matching the
// leaf's filter and gather every record associated with them, the
// better plan when few records match; a walk of the records in an index's
// order that stops at a page wants Probe's, the better one when many do.
func (c *Checked) Probe(q *db.SQL, alias string, workspaceID int) *db.SQL {
	return c.write(q, alias, workspaceID, true)
}

// Associates reports whether c has an association leaf, the only one
// whose Probe and Where differ.
func (c *Checked) Associates() bool { return len(c.Dependencies()) > 1 }

func (c *Checked) write(q *db.SQL, alias string, workspaceID int, probe bool) *db.SQL {
	if c == nil {
		return q.T("TRUE")
	}
	w := writer{q: q, ws: workspaceID, probe: probe}
	w.node(c.root, alias)
	return q
}

type writer struct {
	q     *db.SQL
	ws    int
	depth int
	probe bool // association leaves as Probe writes them
}

func (w *writer) node(n *node, alias string) {
	q := w.q
	switch {
	case n.and != nil, n.or != nil:
		list := n.and
		if n.or != nil {
			list = n.or
		}
		q.T("(")
		for i, k := range list {
			if i > 0 && n.or != nil {
				q.T(" OR ")
			} else if i > 0 {
				q.T(" AND ")
			}
			w.node(k, alias)
		}
		q.T(")")
	case n.not != nil:
		q.T("(NOT ")
		w.node(n.not, alias)
		q.T(")")
	case n.assoc != nil:
		w.association(n.assoc, alias)
	case n.list != nil:
		w.list(n.list, alias)
	default:
		w.leaf(n.leaf, alias)
	}
}

// association writes an association leaf as EXISTS subqueries over the
// associations of the record aliased alias: some and the default as
// EXISTS, none as NOT EXISTS, every as NOT EXISTS of one that does not
// match, counts as a correlated COUNT. For Probe, the associated record
// is an EXISTS of its own inside, and both are fenced.
func (w *writer) association(a *assocNode, alias string) {
	w.depth++
	defer func() { w.depth-- }()
	as, rs := aliases[w.depth][0], aliases[w.depth][1]
	q := w.q
	from := func(sub *node, negateSub bool) {
		q.T(" FROM associations ").Ident(as)
		if !w.probe {
			q.T(" JOIN records ").Ident(rs).T(" ON ").Ident(rs, "id").T(" = ").Ident(as, "to_record_id")
		}
		q.T(" WHERE ").Ident(as, "workspace_id").T(" = ").Arg(w.ws).
			T(" AND ").Ident(as, "from_record_id").T(" = ").Ident(alias, "id").
			T(" AND ").Ident(as, "to_object_type_id").T(" = ").Int(a.to.ID)
		if a.types != nil {
			q.T(" AND ")
			if len(a.types) == 0 {
				q.T("FALSE")
			} else {
				q.InIDs(as, "association_type_id", a.types)
			}
		}
		if w.probe {
			q.T(" AND EXISTS (SELECT 1 FROM records ").Ident(rs).T(" WHERE ").Ident(rs, "id").T(" = ").Ident(as, "to_record_id")
		}
		// Said of the record too, as a literal: the indexes of the
		// associated type's properties are partial on it.
		q.T(" AND ").Ident(rs, "object_type_id").T(" = ").Int(a.to.ID).
			T(" AND ").Ident(rs, "archived_at").T(" IS NULL")
		if sub != nil {
			q.T(" AND ")
			if negateSub {
				q.T("NOT ")
			}
			w.node(sub, rs)
		}
		if w.probe {
			q.T(" OFFSET 0)")
		}
	}
	// fence ends a subquery that Probe keeps PostgreSQL from pulling up.
	fence := func() {
		if w.probe {
			q.T(" OFFSET 0")
		}
	}
	switch {
	case a.min != nil || a.max != nil:
		q.T("(")
		for i, bound := range []*int{a.min, a.max} {
			if bound == nil {
				continue
			}
			if i == 1 && a.min != nil {
				q.T(" AND ")
			}
			q.T("(SELECT COUNT(DISTINCT ").Ident(as, "to_record_id").T(")")
			from(a.some, false)
			if i == 0 {
				q.T(") >= ")
			} else {
				q.T(") <= ")
			}
			q.Int(*bound)
		}
		q.T(")")
	case a.none != nil:
		q.T("(NOT EXISTS (SELECT 1")
		from(a.none, false)
		fence()
		q.T("))")
	case a.every != nil:
		q.T("(NOT EXISTS (SELECT 1")
		from(a.every, true)
		fence()
		q.T("))")
	default:
		q.T("(EXISTS (SELECT 1")
		from(a.some, false)
		fence()
		q.T("))")
	}
}

// list writes a list leaf: the record aliased alias has a row among the
// list's members (archived members keep theirs, but no read reaches an
// archived record).
func (w *writer) list(l *listLeaf, alias string) {
	q := w.q
	q.T("(")
	if l.negate {
		q.T("NOT ")
	}
	q.T("EXISTS (SELECT 1 FROM list_members lm WHERE lm.workspace_id = ").Arg(w.ws).T(" AND lm.list_id = ").Int(l.list.ID).
		T(" AND lm.record_id = ").Ident(alias, "id").T("))")
}

// aliases name the relations of association subqueries by depth.
var aliases = func() [][2]string {
	out := make([][2]string, MaxDepth+2)
	for i := range out {
		out[i] = [2]string{"a" + string(rune('0'+i)), "r" + string(rune('0'+i))}
	}
	return out
}()

// operand is what a leaf compares: a stored property's value, a history
// entry's value, or a system column.
type operand struct {
	doc    db.Doc
	column string // alias.column of a system value
	alias  string
	stored bool // doc is a record's properties column (PostgreSQL's GIN serves containment)
}

func (w *writer) leaf(l *leaf, alias string) {
	q := w.q
	o := operand{alias: alias}
	if l.column != "" {
		o.column = l.column
	} else {
		o.doc, o.stored = db.PropertyDoc(alias, l.name), true
	}
	if l.op == HasProperty {
		if l.negate {
			q.T("(NOT ")
			w.present(o)
			q.T(")")
			return
		}
		w.held(l, o, alias) // with ever: has, or once had, a value
		return
	}
	switch {
	case l.negate && l.missing:
		q.T("(NOT ")
		w.present(o)
		q.T(" OR NOT ")
		w.positive(l, o)
		q.T(")")
	case l.negate:
		q.T("(")
		w.present(o)
		q.T(" AND NOT ")
		w.positive(l, o)
		q.T(")")
	case l.missing:
		q.T("(NOT ")
		w.present(o)
		q.T(" OR ")
		w.held(l, o, alias)
		q.T(")")
	default:
		w.held(l, o, alias)
	}
}

// held writes "o matches l's positive operator" and, for an ever leaf,
// "or a value it held did" (ever goes with positive operators only).
func (w *writer) held(l *leaf, o operand, alias string) {
	if !l.ever {
		w.positive(l, o)
		return
	}
	q := w.q
	q.T("(")
	w.positive(l, o)
	q.T(" OR EXISTS (SELECT 1 FROM property_histories h WHERE h.record_id = ").Ident(alias, "id").
		T(" AND h.property = ").Arg(l.name).T(" AND h.value IS NOT NULL AND ")
	w.positive(l, operand{doc: db.ValueDoc("h", "value"), alias: "h"})
	q.T("))")
}

func (w *writer) present(o operand) {
	if o.column != "" {
		w.q.T("TRUE")
		return
	}
	w.q.T("(").Text(o.doc).T(" IS NOT NULL)")
}

// positive writes "o has a value and it matches l's positive operator".
func (w *writer) positive(l *leaf, o operand) {
	q := w.q
	if l.op == HasProperty {
		w.present(o)
		return
	}
	q.T("(")
	if !w.contains(l, o) {
		w.present(o)
		q.T(" AND ")
	}
	switch l.kind {
	case kString:
		w.str(l, o)
	case kNumber, kOwner:
		w.number(l, o)
	case kBool:
		w.scalars(l, o, []any{l.bools[0]})
	case kEnum:
		list := make([]any, len(l.strs))
		for i, s := range l.strs {
			list[i] = s
		}
		w.scalars(l, o, list)
	case kMulti:
		w.multi(l, o)
	case kDate, kDateTime:
		w.temporal(l, o)
	}
	q.T(")")
}

// contains reports whether l is written as containment in the stored
// properties (PostgreSQL): true only where the property has a value, and
// never NULL, so a presence test before it adds nothing but a misleading
// estimate (PostgreSQL multiplies the two, taking an option held by 3% of
// companies for one held by a few of them, and plans for that).
func (w *writer) contains(l *leaf, o operand) bool {
	if !o.stored || !w.q.IsPostgres() {
		return false
	}
	switch l.kind {
	case kBool, kMulti:
		return true
	case kEnum:
		return !l.indexed
	case kNumber, kOwner:
		return l.op == EQ || l.op == In
	}
	return false
}

// any writes one alternative per item, ORed: IN as EQs.
func (w *writer) any(n int, one func(i int)) {
	if n > 1 {
		w.q.T("(")
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			w.q.T(" OR ")
		}
		one(i)
	}
	if n > 1 {
		w.q.T(")")
	}
}

func (w *writer) str(l *leaf, o operand) {
	q := w.q
	switch l.op {
	case EQ, In:
		w.any(len(l.strs), func(i int) { q.Fold(o.doc).T(" = ").FoldArg(l.strs[i]) })
	case LT, LTE, GT, GTE:
		q.Fold(o.doc)
		compare(q, l.op)
		q.FoldArg(l.strs[0])
	case Between:
		q.Fold(o.doc).T(" >= ").FoldArg(l.strs[0]).T(" AND ").Fold(o.doc).T(" <= ").FoldArg(l.strs[1])
	case StartsWith:
		q.Fold(o.doc).T(" LIKE ").FoldArg(likeEscape(l.strs[0]) + "%").T(` ESCAPE '\'`)
	case Contains:
		q.Fold(o.doc).T(" LIKE ").FoldArg("%" + likeEscape(l.strs[0]) + "%").T(` ESCAPE '\'`)
	case ContainsToken:
		for i, t := range l.strs {
			if i > 0 {
				q.T(" AND ")
			}
			q.Token(o.doc, t)
		}
	}
}

// compare writes the comparison of a range operator.
func compare(q *db.SQL, op Operator) {
	switch op {
	case LT:
		q.T(" < ")
	case LTE:
		q.T(" <= ")
	case GT:
		q.T(" > ")
	case GTE:
		q.T(" >= ")
	}
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (w *writer) number(l *leaf, o operand) {
	q := w.q
	value := func() { q.Number(o.doc) }
	if o.column != "" {
		value = func() { q.Ident(o.alias, o.column) }
	}
	arg := func(n json.Number) {
		if o.column != "" {
			i, _ := n.Int64()
			q.Arg(i)
			return
		}
		q.NumberArg(n)
	}
	switch l.op {
	case EQ, In:
		w.any(len(l.nums), func(i int) {
			if o.stored && q.IsPostgres() {
				q.Contains(o.alias, "properties", map[string]any{l.name: l.nums[i]})
				return
			}
			value()
			q.T(" = ")
			arg(l.nums[i])
		})
	case LT, LTE, GT, GTE:
		value()
		compare(q, l.op)
		arg(l.nums[0])
	case Between:
		value()
		q.T(" >= ")
		arg(l.nums[0])
		q.T(" AND ")
		value()
		q.T(" <= ")
		arg(l.nums[1])
	}
}

// scalars writes EQ or IN of booleans and single options: containment on
// PostgreSQL's stored properties (the GIN index serves it), a comparison
// of JSON values elsewhere.
func (w *writer) scalars(l *leaf, o operand, list []any) {
	q := w.q
	w.any(len(list), func(i int) {
		if s, ok := list[i].(string); ok && o.stored && l.indexed {
			// An option of an indexed property compares as the index's
			// text, whose statistics PostgreSQL keeps: it has none of
			// what containment matches, and misjudges joins by it.
			q.Text(o.doc).T(" = ").Arg(s)
			return
		}
		if o.stored && q.IsPostgres() {
			q.Contains(o.alias, "properties", map[string]any{l.name: list[i]})
			return
		}
		q.JSONOf(o.doc).T(" = ").Scalar(list[i])
	})
}

// multi writes the set operators of a multi-select: IN (any listed value
// is present), CONTAINS_ALL (all are), EQ (exactly these).
func (w *writer) multi(l *leaf, o operand) {
	q := w.q
	args := make([]any, len(l.strs))
	for i, s := range l.strs {
		args[i] = s
	}
	switch l.op {
	case In:
		if o.stored && q.IsPostgres() {
			w.any(len(l.strs), func(i int) {
				q.Contains(o.alias, "properties", map[string]any{l.name: []string{l.strs[i]}})
			})
			return
		}
		q.T("EXISTS (SELECT 1 FROM ").Elements(o.doc).T(" WHERE value IN (").Args(args...).T("))")
	case ContainsAll, EQ:
		if o.stored && q.IsPostgres() {
			q.Contains(o.alias, "properties", map[string]any{l.name: l.strs})
		} else {
			q.T("(SELECT COUNT(DISTINCT value) FROM ").Elements(o.doc).T(" WHERE value IN (").Args(args...).T(")) = ").Int(len(distinct(l.strs)))
		}
		if l.op == EQ {
			q.T(" AND (SELECT COUNT(*) FROM ").Elements(o.doc).T(") = ").Int(len(distinct(l.strs)))
		}
	}
}

func distinct(list []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range list {
		out[s] = true
	}
	return out
}

// temporal writes date and datetime comparisons as comparisons of spans:
// with r the record's span and v the value's, EQ is r.start < v.end and
// r.end > v.start (they overlap), LT is r.end <= v.start, LTE r.start <
// v.end, GT r.start >= v.end, GTE r.end > v.start. A stored datetime's
// span is its millisecond, a stored date's its UTC day, a system
// column's its microsecond.
func (w *writer) temporal(l *leaf, o operand) {
	q := w.q
	switch l.op {
	case EQ, In:
		w.any(len(l.spans), func(i int) {
			v := l.spans[i]
			w.startsBefore(l, o, v.end)
			q.T(" AND NOT ")
			w.endsBy(l, o, v.start)
		})
	case LT:
		w.endsBy(l, o, l.spans[0].start)
	case LTE:
		w.startsBefore(l, o, l.spans[0].end)
	case GT:
		q.T("NOT ")
		w.startsBefore(l, o, l.spans[0].end)
	case GTE:
		q.T("NOT ")
		w.endsBy(l, o, l.spans[0].start)
	case Between:
		q.T("NOT ")
		w.endsBy(l, o, l.spans[0].start)
		q.T(" AND ")
		w.startsBefore(l, o, l.spans[1].end)
	}
}

// startsBefore writes "the record's span starts before t".
func (w *writer) startsBefore(l *leaf, o operand, t time.Time) {
	q := w.q
	switch {
	case o.column != "":
		q.T("(").Ident(o.alias, o.column).T(" < ").Arg(t).T(")")
	case l.kind == kDate:
		// A day starts before t when it is before t's day, or is t's day
		// and t is past its midnight.
		q.T("(").Text(o.doc).T(" < ").Arg(ceilDate(t)).T(")")
	default:
		q.T("(").Text(o.doc).T(" < ").Arg(t.UTC().Format(values.DateTimeLayout)).T(")")
	}
}

// endsBy writes "the record's span ends at or before t".
func (w *writer) endsBy(l *leaf, o operand, t time.Time) {
	q := w.q
	switch {
	case o.column != "":
		// A microsecond ends by t, a whole millisecond, when it starts
		// before t.
		q.T("(").Ident(o.alias, o.column).T(" < ").Arg(t).T(")")
	case l.kind == kDate:
		q.T("(").Text(o.doc).T(" < ").Arg(t.UTC().Format(values.DateLayout)).T(")")
	default:
		q.T("(").Text(o.doc).T(" < ").Arg(t.UTC().Format(values.DateTimeLayout)).T(")")
	}
}

// ceilDate is the first day that starts at or after t.
func ceilDate(t time.Time) string {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if day.Before(t) {
		day = day.AddDate(0, 0, 1)
	}
	return day.Format(values.DateLayout)
}
