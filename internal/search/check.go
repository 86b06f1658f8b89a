package search

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/values"
)

// kind is how a leaf compares: by the property's type, a multi-select
// checkbox apart.
type kind int

const (
	kString kind = iota
	kNumber
	kBool
	kDate
	kDateTime
	kEnum
	kMulti
	// kOwner compares owners by id, as numbers.
	kOwner
)

// allowed are the positive operators of each kind; a negative operator is
// allowed where its positive one is.
var allowed = map[kind][]Operator{
	kString:   {EQ, LT, LTE, GT, GTE, Between, In, HasProperty, ContainsToken, StartsWith, Contains},
	kNumber:   {EQ, LT, LTE, GT, GTE, Between, In, HasProperty},
	kBool:     {EQ, HasProperty},
	kDate:     {EQ, LT, LTE, GT, GTE, Between, In, HasProperty},
	kDateTime: {EQ, LT, LTE, GT, GTE, Between, In, HasProperty},
	kEnum:     {EQ, In, HasProperty},
	kMulti:    {EQ, In, ContainsAll, HasProperty},
	kOwner:    {EQ, In, HasProperty},
}

// systemColumns are the values every record keeps in a column.
var systemColumns = map[string]string{"hs_object_id": "id", "createdate": "created_at", "lastmodifieddate": "updated_at"}

// Checked is a filter checked against an object type, its values
// normalised: what Where writes.
type Checked struct {
	m    *meta.Model
	root *node
	// relative says a value was a duration from the moment of the check.
	relative bool
}

type node struct {
	and, or []*node
	not     *node
	leaf    *leaf
	assoc   *assocNode
	list    *listLeaf
}

// listLeaf keeps the members of a list, or (negate) the records that are
// not members.
type listLeaf struct {
	list   *meta.List
	negate bool
}

// leaf is a property leaf: op is positive, negate says the leaf asks the
// opposite (NEQ, NOT_IN, NOT_CONTAINS_TOKEN, NOT_HAS_PROPERTY).
type leaf struct {
	name    string
	column  string // a system value's column; "" for a stored property
	kind    kind
	op      Operator
	negate  bool
	missing bool
	ever    bool
	indexed bool          // the server keeps an index of the value (meta.ObjectType.Indexed)
	strs    []string      // strings, options, tokens, patterns
	nums    []json.Number // numbers
	bools   []bool
	spans   []span // dates and datetimes: [start, end) each
}

// span is a date or datetime value as the moments it covers: a date is
// its UTC day, a datetime its millisecond. A stored value is a span too,
// and comparisons compare spans: EQ when they overlap, LT when the
// record's ends before the value's starts, and so on (see temporal).
type span struct{ start, end time.Time }

type assocNode struct {
	to                *meta.ObjectType
	types             []int // association type ids; nil keeps every one
	some, none, every *node
	min, max          *int
}

// Me is whom a filter's me (an owner leaf's "the requesting owner") names.
type Me struct {
	// Owner is the requesting owner's id; 0 when the request is tied to
	// none, and me is refused.
	Owner int
	// Deferred accepts me unresolved, in a filter saved to be read later
	// (a view's): each read resolves it to its own requester.
	Deferred bool
}

// Check checks f against ot: every property is one of ot's (or a value
// every record has), every operator fits its property's type, every value
// is valid for its property (normalised by the values package, as writes
// are, but for an archived owner, which a filter may name); relative
// dates ("-P90D") are resolved against now, me against me. A nil f is
// nil.
func Check(m *meta.Model, ot *meta.ObjectType, f *Filter, path string, now time.Time, me Me) (*Checked, error) {
	if f == nil {
		return nil, nil
	}
	c := &checker{m: m, now: now, me: me}
	root, err := c.node(ot, f, path)
	if err != nil {
		return nil, err
	}
	return &Checked{m: m, root: root, relative: c.relative}, nil
}

type checker struct {
	m        *meta.Model
	now      time.Time
	me       Me
	relative bool
}

func (c *checker) node(ot *meta.ObjectType, f *Filter, path string) (*node, error) {
	n := &node{}
	var err error
	switch {
	case f.And != nil:
		n.and, err = c.nodes(ot, f.And, path+".and")
	case f.Or != nil:
		n.or, err = c.nodes(ot, f.Or, path+".or")
	case f.Not != nil:
		n.not, err = c.node(ot, f.Not, path+".not")
	case f.Association != nil:
		n.assoc, err = c.association(ot, f.Association, path+".association")
	case f.InList != "":
		n.list, err = c.list(ot, f.InList, false, path+".inList")
	case f.NotInList != "":
		n.list, err = c.list(ot, f.NotInList, true, path+".notInList")
	default:
		n.leaf, err = c.leaf(ot, f, path)
	}
	return n, err
}

func (c *checker) nodes(ot *meta.ObjectType, fs []*Filter, path string) ([]*node, error) {
	out := make([]*node, len(fs))
	for i, f := range fs {
		n, err := c.node(ot, f, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// list checks a list leaf: the list exists and holds records of ot.
func (c *checker) list(ot *meta.ObjectType, id string, negate bool, path string) (*listLeaf, error) {
	n, err := gid.DecodeKind(id, gid.List)
	if err != nil {
		return nil, Error(apierr.BadUserInput, path, "", "%q is not the id of a list", id)
	}
	l, ok := c.m.List(n)
	if !ok {
		return nil, Error(apierr.BadUserInput, path, "", "no list %s", id)
	}
	if l.ObjectType.ID != ot.ID {
		return nil, Error(apierr.BadUserInput, path, "", "list %q holds %s, not %s", l.Name, l.ObjectType.Name, ot.Name)
	}
	return &listLeaf{list: l, negate: negate}, nil
}

func (c *checker) association(ot *meta.ObjectType, a *AssociationFilter, path string) (*assocNode, error) {
	to, ok := c.m.ObjectType(a.ToObjectType)
	if !ok {
		return nil, Error(apierr.BadUserInput, path+".toObjectType", "", "no object type %q", a.ToObjectType)
	}
	between := c.m.AssociationTypesBetween(ot, to)
	if len(between) == 0 {
		return nil, Error(apierr.BadUserInput, path+".toObjectType", "", "%s records are not associated with %s", ot.Name, to.Name)
	}
	n := &assocNode{to: to, min: a.MinCount, max: a.MaxCount}
	if a.Labels != nil {
		n.types = []int{}
		for _, l := range a.Labels {
			found := false
			for _, at := range between {
				if at.Label == l {
					n.types, found = append(n.types, at.ID), true
				}
			}
			if !found {
				return nil, Error(apierr.BadUserInput, path+".labels", "", "no association label %q leads from %s to %s", l, ot.Name, to.Name)
			}
		}
	}
	var err error
	for _, sub := range []struct {
		f    *Filter
		to   **node
		name string
	}{{a.Some, &n.some, "some"}, {a.None, &n.none, "none"}, {a.Every, &n.every, "every"}} {
		if sub.f == nil {
			continue
		}
		if *sub.to, err = c.node(to, sub.f, path+"."+sub.name); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// kindOf is how values of def compare.
func kindOf(def *meta.Property) kind {
	switch def.Type {
	case propdef.Number:
		return kNumber
	case propdef.Bool:
		return kBool
	case propdef.Date:
		return kDate
	case propdef.DateTime:
		return kDateTime
	case propdef.Enumeration:
		if propdef.MultiValued(def.Type, def.FieldType) {
			return kMulti
		}
		return kEnum
	case propdef.Owner:
		return kOwner
	}
	return kString
}

func (c *checker) leaf(ot *meta.ObjectType, f *Filter, path string) (*leaf, error) {
	def, ok := ot.Property(f.Property)
	if !ok {
		return nil, Error(apierr.BadUserInput, path+".property", f.Property, "%s has no property %q", ot.Name, f.Property)
	}
	if def.Archived {
		return nil, Error(apierr.BadUserInput, path+".property", f.Property, "property %q of %s is archived", f.Property, ot.Name)
	}
	l := &leaf{name: def.Name, column: systemColumns[def.Name], kind: kindOf(def), op: f.Operator, missing: f.Missing, ever: f.Ever,
		indexed: ot.Indexed(def)}
	if pos, ok := negative[f.Operator]; ok {
		l.op, l.negate = pos, true
	}
	fail := func(at, format string, args ...any) error {
		return Error(apierr.BadUserInput, path+at, def.Name, format, args...)
	}
	if !operatorFits(l.kind, l.op) {
		return nil, fail(".operator", "%s does not apply to property %q (%s)", f.Operator, def.Name, describeKind(def))
	}
	if l.ever && (l.negate || l.column != "") {
		return nil, fail(".ever", "ever applies to a stored property with a positive operator")
	}
	if f.Me {
		if err := c.me.bind(l, f, fail); err != nil {
			return nil, err
		}
		return l, nil
	}
	// The values each operator takes.
	var raws []any
	var at []string
	switch l.op {
	case HasProperty:
		if f.Value != nil || f.Values != nil || f.HighValue != nil {
			return nil, fail("", "%s takes no value", f.Operator)
		}
	case Between:
		if f.Value == nil || f.HighValue == nil || f.Values != nil {
			return nil, fail("", "BETWEEN takes value and highValue")
		}
		raws, at = []any{f.Value, f.HighValue}, []string{".value", ".highValue"}
	case In, ContainsAll:
		if f.Values == nil || f.Value != nil || f.HighValue != nil {
			return nil, fail(".values", "%s takes values", f.Operator)
		}
		if len(f.Values) == 0 {
			return nil, fail(".values", "%s takes at least one value", f.Operator)
		}
		for i, v := range f.Values {
			raws, at = append(raws, v), append(at, fmt.Sprintf(".values[%d]", i))
		}
	default:
		if f.Value == nil || f.Values != nil || f.HighValue != nil {
			return nil, fail(".value", "%s takes value", f.Operator)
		}
		raws, at = []any{f.Value}, []string{".value"}
	}
	for i, raw := range raws {
		if err := c.value(ot, def, l, raw); err != nil {
			e, _ := apierr.As(err)
			msg := err.Error()
			if e != nil {
				msg = e.Message
			}
			return nil, fail(at[i], "%s", msg)
		}
	}
	return l, nil
}

func operatorFits(k kind, op Operator) bool {
	for _, o := range allowed[k] {
		if o == op {
			return true
		}
	}
	return false
}

func describeKind(def *meta.Property) string {
	if kindOf(def) == kMulti {
		return "a multi-select enumeration"
	}
	return string(def.Type)
}

// value normalises one value of l and appends it.
func (c *checker) value(ot *meta.ObjectType, def *meta.Property, l *leaf, raw any) error {
	switch l.op {
	case Contains, StartsWith:
		s, ok := raw.(string)
		if !ok || s == "" || !propdef.StorableText(s) {
			return fmt.Errorf("%s takes a non-empty string", l.op)
		}
		l.strs = append(l.strs, s)
		return nil
	case ContainsToken:
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("CONTAINS_TOKEN takes a word")
		}
		tokens := strings.Fields(s)
		if len(tokens) == 0 {
			return fmt.Errorf("CONTAINS_TOKEN takes a word")
		}
		for _, t := range tokens {
			if strings.Trim(t, "*") == "" || strings.IndexFunc(t, func(r rune) bool { return r != '*' && !IsWordRune(r) }) >= 0 {
				return fmt.Errorf("%q is not a word: a token is letters and digits, with * for any", t)
			}
		}
		l.strs = append(l.strs, tokens...)
		return nil
	}
	switch l.kind {
	case kOwner:
		o, err := values.OwnerOf(def, raw)
		if err != nil {
			return err
		}
		l.nums = append(l.nums, json.Number(o.Value))
		return nil
	case kDate, kDateTime:
		s, err := c.span(ot, def, raw)
		if err != nil {
			return err
		}
		l.spans = append(l.spans, s)
		return nil
	case kMulti:
		if l.op == EQ {
			// The set as a write takes it: a list of options, or one
			// string of them separated by ";".
			v, err := values.Normalize(ot, def, raw)
			if err != nil {
				return err
			}
			if v == nil {
				return fmt.Errorf("EQ takes the set of options, at least one")
			}
			for _, item := range v.([]any) {
				l.strs = append(l.strs, item.(string))
			}
			return nil
		}
		v, err := values.Normalize(ot, def, []any{raw})
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("an option value is required")
		}
		l.strs = append(l.strs, v.([]any)[0].(string))
		return nil
	}
	if l.column == "id" {
		// A number as any number property takes it, "12" included.
		v, err := values.Normalize(ot, def, raw)
		n, ok := v.(json.Number)
		if _, intErr := n.Int64(); err != nil || !ok || intErr != nil {
			return fmt.Errorf("hs_object_id is compared with a whole number")
		}
		l.nums = append(l.nums, n)
		return nil
	}
	v, err := values.Normalize(ot, def, raw)
	if err != nil {
		return err
	}
	if v == nil {
		return fmt.Errorf("a value is required")
	}
	switch x := v.(type) {
	case json.Number:
		l.nums = append(l.nums, x)
	case bool:
		l.bools = append(l.bools, x)
	case string:
		l.strs = append(l.strs, x)
	default:
		return fmt.Errorf("a value of %T cannot be compared", v)
	}
	return nil
}

// span reads a date or datetime leaf value: a date (its day), a datetime
// (its millisecond), or a signed ISO 8601 duration from now ("-P90D").
// Either kind of value compares with either kind of property.
func (c *checker) span(ot *meta.ObjectType, def *meta.Property, raw any) (span, error) {
	if s, ok := raw.(string); ok && IsDuration(s) {
		d, err := ParseDuration(s)
		if err != nil {
			return span{}, err
		}
		c.relative = true
		t := d.From(c.now).Truncate(time.Millisecond)
		return span{t, t.Add(time.Millisecond)}, nil
	}
	// Only a value written as a day is a day: a datetime at midnight
	// ("2024-05-01T00:00:00Z", or its epoch milliseconds) is that
	// millisecond, though a date property would take it as the day.
	if s, ok := raw.(string); ok {
		if t, err := time.Parse(values.DateLayout, s); err == nil {
			return span{t, t.AddDate(0, 0, 1)}, nil
		}
	}
	asTime := &meta.Property{Name: def.Name, Type: propdef.DateTime, FieldType: propdef.DateField}
	v, err := values.Normalize(ot, asTime, raw)
	if err != nil {
		return span{}, fmt.Errorf("property %q is compared with a date, a datetime or a duration such as -P90D", def.Name)
	}
	if v == nil {
		return span{}, fmt.Errorf("a value is required")
	}
	t, err := time.Parse(values.DateTimeLayout, v.(string))
	if err != nil {
		return span{}, err
	}
	return span{t, t.Add(time.Millisecond)}, nil
}

// IsWordRune reports whether r is part of a word for CONTAINS_TOKEN: a
// letter or a digit.
func IsWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// bind makes l, a leaf whose value is me, compare with the requesting
// owner: EQ ("is me") or NEQ ("is not me") on an owner property.
func (me Me) bind(l *leaf, f *Filter, fail func(at, format string, args ...any) error) error {
	switch {
	case l.kind != kOwner:
		return fail(".me", "me applies to an owner property")
	case l.op != EQ || f.Value != nil || f.Values != nil || f.HighValue != nil:
		return fail(".me", "me goes with EQ or NEQ and no value")
	case me.Owner == 0 && !me.Deferred:
		return fail(".me", "me is the requesting owner, and this request is tied to none: use an API key made for an owner (createApiKey ownerId)")
	}
	l.nums = []json.Number{json.Number(strconv.Itoa(me.Owner))}
	return nil
}
