package graph_test

// A plain Go evaluation of filters and sorts, written from the contract
// (graph/schema/search.graphqls and issue 13) and not from internal/search:
// the search tests check that the databases select and order what this
// selects and orders.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// evalRecord is a record as the evaluator sees it.
type evalRecord struct {
	ID       int
	Type     string
	Archived bool
	// Props are the stored values as the API answers them (numbers as
	// json.Number), without the system values.
	Props            map[string]any
	Created, Updated time.Time
	// History is every value each property was written, cleared ones left out.
	History map[string][]any
	Links   []evalLink
}

// evalLink is one associated record and the labels linking the pair ("" is
// the unlabeled association).
type evalLink struct {
	To     int
	Type   string
	Labels map[string]bool
}

// evalWorld holds the records and how each property compares.
type evalWorld struct {
	now   time.Time
	kinds map[string]map[string]string // object type -> property -> kind
	recs  map[int]*evalRecord
}

// The kinds of comparison, by property type.
const (
	kindString   = "string"
	kindNumber   = "number"
	kindBool     = "bool"
	kindDate     = "date"
	kindDateTime = "datetime"
	kindEnum     = "enum"
	kindMulti    = "multi"
	kindMoment   = "moment" // createdate and lastmodifieddate: columns of microseconds
)

func newEvalWorld() *evalWorld {
	return &evalWorld{kinds: map[string]map[string]string{}, recs: map[int]*evalRecord{}}
}

// link associates x and y both ways under labels (and the unlabeled
// association); inverse names the labels seen from y, label by label.
func (w *evalWorld) link(x, y int, labels, inverse []string) {
	add := func(from, to int, labels []string) {
		r := w.recs[from]
		for i := range r.Links {
			if r.Links[i].To == to {
				for _, l := range labels {
					r.Links[i].Labels[l] = true
				}
				return
			}
		}
		set := map[string]bool{"": true}
		for _, l := range labels {
			set[l] = true
		}
		r.Links = append(r.Links, evalLink{To: to, Type: w.recs[to].Type, Labels: set})
	}
	add(x, y, labels)
	add(y, x, inverse)
}

// value is the value of name on r, and whether r has one.
func (w *evalWorld) value(r *evalRecord, name string) (any, bool) {
	switch name {
	case "hs_object_id":
		return json.Number(strconv.Itoa(r.ID)), true
	case "createdate":
		return r.Created, true
	case "lastmodifieddate":
		return r.Updated, true
	}
	v, ok := r.Props[name]
	return v, ok
}

// selects lists the live records of objectType f matches, in the default
// order (newest first, then highest id) or by sorts.
func (w *evalWorld) selects(objectType string, f map[string]any, sorts []map[string]any) []int {
	var candidates []*evalRecord
	for _, r := range w.recs {
		if r.Type == objectType && !r.Archived {
			candidates = append(candidates, r)
		}
	}
	return w.pick(candidates, f, sorts)
}

// associated lists the live records of objectType associated with the
// record parent (under any of labels, when given) f matches, ordered as
// selects orders them.
func (w *evalWorld) associated(parent int, objectType string, labels []string, f map[string]any, sorts []map[string]any) []int {
	var candidates []*evalRecord
	for _, l := range w.recs[parent].Links {
		if t := w.recs[l.To]; l.Type == objectType && !t.Archived && (labels == nil || slices.ContainsFunc(labels, func(s string) bool { return l.Labels[s] })) {
			candidates = append(candidates, t)
		}
	}
	return w.pick(candidates, f, sorts)
}

func (w *evalWorld) pick(candidates []*evalRecord, f map[string]any, sorts []map[string]any) []int {
	var out []*evalRecord
	for _, r := range candidates {
		if f == nil || w.match(r, f) {
			out = append(out, r)
		}
	}
	w.sort(out, sorts)
	ids := make([]int, len(out))
	for i, r := range out {
		ids[i] = r.ID
	}
	return ids
}

func (w *evalWorld) match(r *evalRecord, f map[string]any) bool {
	switch {
	case f["and"] != nil:
		for _, c := range items(f["and"]) {
			if !w.match(r, c.(map[string]any)) {
				return false
			}
		}
		return true
	case f["or"] != nil:
		for _, c := range items(f["or"]) {
			if w.match(r, c.(map[string]any)) {
				return true
			}
		}
		return false
	case f["not"] != nil:
		return !w.match(r, f["not"].(map[string]any))
	case f["association"] != nil:
		return w.association(r, f["association"].(map[string]any))
	}
	return w.leaf(r, f)
}

// association: some (or any, alone) associated record matches, none does,
// every one does; minCount and maxCount bound those matching some.
func (w *evalWorld) association(r *evalRecord, a map[string]any) bool {
	to := a["toObjectType"].(string)
	var targets []*evalRecord
	for _, l := range r.Links {
		t := w.recs[l.To]
		if l.Type != to || t.Archived {
			continue
		}
		if a["labels"] != nil {
			found := false
			for _, label := range items(a["labels"]) {
				found = found || l.Labels[label.(string)]
			}
			if !found {
				continue
			}
		}
		targets = append(targets, t)
	}
	count := func(f any) int {
		n := 0
		for _, t := range targets {
			if f == nil || w.match(t, f.(map[string]any)) {
				n++
			}
		}
		return n
	}
	if a["minCount"] != nil || a["maxCount"] != nil {
		n := count(a["some"])
		if lo := a["minCount"]; lo != nil && n < intOf(lo) {
			return false
		}
		if hi := a["maxCount"]; hi != nil && n > intOf(hi) {
			return false
		}
		return true
	}
	switch {
	case a["none"] != nil:
		return count(a["none"]) == 0
	case a["every"] != nil:
		return count(a["every"]) == len(targets)
	}
	return count(a["some"]) > 0
}

var positiveOf = map[string]string{"NEQ": "EQ", "NOT_IN": "IN", "NOT_CONTAINS_TOKEN": "CONTAINS_TOKEN"}

// leaf: presence operators test presence; a negative operator never
// matches a record lacking the property unless includeMissing; ever looks
// through every value the property held.
func (w *evalWorld) leaf(r *evalRecord, f map[string]any) bool {
	name, op := f["property"].(string), f["operator"].(string)
	kind := w.kinds[r.Type][name]
	if kind == "" {
		panic(fmt.Sprintf("evaluator: no kind for %s.%s", r.Type, name))
	}
	v, present := w.value(r, name)
	missing, _ := f["includeMissing"].(bool)
	ever, _ := f["ever"].(bool)
	switch op {
	case "HAS_PROPERTY":
		return present || (ever && len(r.History[name]) > 0)
	case "NOT_HAS_PROPERTY":
		return !present
	}
	if pos, ok := positiveOf[op]; ok {
		if !present {
			return missing
		}
		return !w.positive(kind, pos, v, f)
	}
	if !present && missing {
		return true
	}
	if present && w.positive(kind, op, v, f) {
		return true
	}
	if ever {
		for _, h := range r.History[name] {
			if w.positive(kind, op, h, f) {
				return true
			}
		}
	}
	return false
}

// items is a list input: a list, or one value for a list of one (GraphQL's
// input coercion).
func items(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// leafValues are the values op compares with.
func leafValues(op string, f map[string]any) []any {
	switch op {
	case "IN", "CONTAINS_ALL":
		return items(f["values"])
	case "BETWEEN":
		return []any{f["value"], f["highValue"]}
	}
	return []any{f["value"]}
}

// positive reports whether the value v matches the positive operator op.
func (w *evalWorld) positive(kind, op string, v any, f map[string]any) bool {
	vals := leafValues(op, f)
	switch kind {
	case kindString:
		return matchString(op, fold(v.(string)), vals)
	case kindNumber:
		n := rat(v)
		return ordered(op, func(x any) int { return n.Cmp(rat(x)) }, vals)
	case kindBool:
		return v.(bool) == boolOf(vals[0])
	case kindEnum:
		return slices.ContainsFunc(vals, func(x any) bool { return x == v })
	case kindMulti:
		set := optionSet(v)
		switch op {
		case "IN":
			return slices.ContainsFunc(vals, func(x any) bool { return set[x.(string)] })
		case "CONTAINS_ALL":
			return !slices.ContainsFunc(vals, func(x any) bool { return !set[x.(string)] })
		case "EQ":
			want := optionSet(vals[0])
			if len(want) != len(set) {
				return false
			}
			for x := range want {
				if !set[x] {
					return false
				}
			}
			return true
		}
	case kindDate, kindDateTime, kindMoment:
		return w.temporal(op, recordSpan(kind, v), vals)
	}
	panic(fmt.Sprintf("evaluator: %s on %s", op, kind))
}

// optionSet reads a multi-select's value: a list of options, or one
// option, or HubSpot's "a;b".
func optionSet(v any) map[string]bool {
	set := map[string]bool{}
	if l, ok := v.([]any); ok {
		for _, x := range l {
			set[x.(string)] = true
		}
		return set
	}
	for _, x := range strings.Split(v.(string), ";") {
		if x != "" {
			set[x] = true
		}
	}
	return set
}

// ordered applies a comparison operator, c(x) comparing the record's value
// with x.
func ordered(op string, c func(x any) int, vals []any) bool {
	switch op {
	case "EQ":
		return c(vals[0]) == 0
	case "IN":
		return slices.ContainsFunc(vals, func(x any) bool { return c(x) == 0 })
	case "LT":
		return c(vals[0]) < 0
	case "LTE":
		return c(vals[0]) <= 0
	case "GT":
		return c(vals[0]) > 0
	case "GTE":
		return c(vals[0]) >= 0
	case "BETWEEN":
		return c(vals[0]) >= 0 && c(vals[1]) <= 0
	}
	panic("evaluator: not an ordering operator: " + op)
}

// fold is how strings compare: without case, then byte by byte.
func fold(s string) string { return strings.ToLower(s) }

func matchString(op, s string, vals []any) bool {
	switch op {
	case "STARTS_WITH":
		return strings.HasPrefix(s, fold(vals[0].(string)))
	case "CONTAINS":
		return strings.Contains(s, fold(vals[0].(string)))
	case "CONTAINS_TOKEN":
		for _, token := range strings.Fields(vals[0].(string)) {
			if !holdsWord(s, fold(token)) {
				return false
			}
		}
		return true
	}
	return ordered(op, func(x any) int { return strings.Compare(s, fold(x.(string))) }, vals)
}

// holdsWord: some whole word of s (a run of letters and digits) matches
// token, * standing for any letters and digits.
func holdsWord(s, token string) bool {
	re, ok := wordRules[token]
	if !ok {
		parts := strings.Split(token, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		re = regexp.MustCompile(`(?:^|[^\pL\pN])` + strings.Join(parts, `[\pL\pN]*`) + `(?:$|[^\pL\pN])`)
		wordRules[token] = re
	}
	return re.MatchString(s)
}

// wordRules are the rules of holdsWord by token (tests do not run in
// parallel).
var wordRules = map[string]*regexp.Regexp{}

func rat(v any) *big.Rat {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			panic(err)
		}
		s = string(b)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(fmt.Sprintf("evaluator: %v is not a number", v))
	}
	return r
}

func intOf(v any) int {
	n, err := strconv.Atoi(fmt.Sprint(v))
	if err != nil {
		panic(fmt.Sprintf("evaluator: %v is not a count", v))
	}
	return n
}

func boolOf(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	panic(fmt.Sprintf("evaluator: %v is not a boolean", v))
}

// sort orders rs by sorts, then by id; without sorts, newest first, then
// highest id first.
func (w *evalWorld) sort(rs []*evalRecord, sorts []map[string]any) {
	if len(sorts) == 0 {
		slices.SortFunc(rs, func(a, b *evalRecord) int {
			return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.ID, a.ID))
		})
		return
	}
	slices.SortFunc(rs, func(a, b *evalRecord) int {
		for _, s := range sorts {
			if c := w.compareBy(s, a, b); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// compareBy compares two records by one sort key: nulls last ascending and
// first descending unless nulls says otherwise.
func (w *evalWorld) compareBy(s map[string]any, a, b *evalRecord) int {
	name := s["property"].(string)
	desc := s["direction"] == "DESC"
	nullsFirst := desc
	if n, ok := s["nulls"].(string); ok {
		nullsFirst = n == "FIRST"
	}
	va, okA := w.value(a, name)
	vb, okB := w.value(b, name)
	switch {
	case !okA && !okB:
		return 0
	case !okA || !okB:
		c := 1 // a is null: after b
		if okA {
			c = -1
		}
		if nullsFirst {
			c = -c
		}
		return c
	}
	var c int
	switch w.kinds[a.Type][name] {
	case kindString:
		c = strings.Compare(fold(va.(string)), fold(vb.(string)))
	case kindNumber:
		c = rat(va).Cmp(rat(vb))
	case kindBool:
		c = cmp.Compare(fmt.Sprint(va), fmt.Sprint(vb)) // false < true
	case kindMoment:
		c = va.(time.Time).Compare(vb.(time.Time))
	default: // dates, datetimes and options by their stored text
		c = strings.Compare(va.(string), vb.(string))
	}
	if desc {
		c = -c
	}
	return c
}
