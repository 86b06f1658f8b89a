// Package typed builds a workspace's typed GraphQL schema from its
// definitions: a GraphQL type per object type, a field per property, a
// connection per association, typed filters, sorts and writes (issue 20).
// The schema only describes; graph/typed.go answers it through the same
// engine as the generic contract.
package typed

import (
	"strconv"
	"strings"
	"unicode"
)

// The naming rule. GraphQL names are /[_A-Za-z][_0-9A-Za-z]*/; definitions
// are freer (labels hold spaces and punctuation, option values anything).
// A name is made from its source as follows:
//
//   - an object type's type name joins the words of its singular label
//     (runs of ASCII letters and digits) each with its first letter
//     upper-cased: "Line item" -> LineItem; the enum of a property's
//     options is the type name and the property name so joined:
//     Contact + hs_lead_status -> ContactHsLeadStatus;
//   - field names are property and object type API names, which are
//     valid GraphQL names already; a property's field is also a value of
//     its type's SortField enum, so it follows the enum values' rule for
//     true, false and null (below); an association field is named as the
//     associated type's root list field (contacts);
//   - batch mutations join the root list field's words: createContacts,
//     upsertContactsByEmail (createPetBatch where that is the type's name);
//   - enum values are option values with every run of other characters
//     than ASCII letters, digits and _ replaced by one _: "Big customer" ->
//     Big_customer, "1-10" -> _1_10;
//   - a name that would start with a digit gets a leading _; an empty one
//     is _ (a type is then named from its API name: "日本" -> the type
//     of nihon is Nihon);
//   - enum values true, false and null get a trailing _;
//   - names are claimed in a fixed order (the fixed names first, then the
//     definitions in the model's order: options in their display order); a
//     name already taken gets _2, _3... ("_" gets _2, not __2), so that
//     reordering options that sanitize alike swaps their suffixes. A name
//     starting with __ is never made (GraphQL keeps those).

// words splits s into its runs of ASCII letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	})
}

// pascal is s as a type name: its words, each capitalised, joined.
func pascal(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		b.WriteString(strings.ToUpper(w[:1]))
		b.WriteString(w[1:])
	}
	return leading(b.String())
}

// enumValue is an option value as an enum value name.
func enumValue(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range s {
		if r <= unicode.MaxASCII && (r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if gap {
				b.WriteByte('_')
				gap = false
			}
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	if gap {
		b.WriteByte('_')
	}
	name := leading(b.String())
	switch name {
	case "true", "false", "null":
		name += "_"
	}
	return name
}

// leading makes name start as a GraphQL name must, and not with __.
func leading(name string) string {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		name = "_" + name
	}
	for strings.HasPrefix(name, "__") {
		name = name[1:]
	}
	return name
}

// names is one namespace: the names claimed so far.
type names map[string]bool

// claim takes name, or name_2, name_3... when it is taken, and answers
// the one taken.
func (n names) claim(name string) string {
	got := name
	for i := 2; n[got]; i++ {
		got = leading(name + "_" + strconv.Itoa(i))
	}
	n[got] = true
	return got
}

// free reports whether none of list is taken.
func (n names) free(list ...string) bool {
	for _, s := range list {
		if n[s] {
			return false
		}
	}
	return true
}
