// Package propdef owns the vocabulary of property definitions: the value
// types, the field types that render them, which pairs are valid, enumeration
// options and the naming rule. It depends on nothing, so the ent schema, the
// validation package and the API can all share it.
package propdef

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Type is the type of a property's stored value.
type Type string

// The value types, named as HubSpot names them.
const (
	String      Type = "string"
	Number      Type = "number"
	Bool        Type = "bool"
	Date        Type = "date"
	DateTime    Type = "datetime"
	Enumeration Type = "enumeration"
	// Owner values are owners of the workspace, by id: HubSpot's
	// "enumeration of owners" (hubspot_owner_id), typed apart so that the
	// options are the owners themselves.
	Owner Type = "owner"
)

// Values lists the types for ent's enum column.
func (Type) Values() []string {
	return []string{string(String), string(Number), string(Bool), string(Date), string(DateTime), string(Enumeration), string(Owner)}
}

// FieldType is how a property is edited and rendered.
type FieldType string

// The field types.
const (
	Text                FieldType = "text"
	Textarea            FieldType = "textarea"
	HTML                FieldType = "html"
	PhoneNumber         FieldType = "phonenumber"
	NumberField         FieldType = "number"
	DateField           FieldType = "date"
	BooleanCheckbox     FieldType = "booleancheckbox"
	Checkbox            FieldType = "checkbox"
	Radio               FieldType = "radio"
	Select              FieldType = "select"
	CalculationEquation FieldType = "calculation_equation"
	File                FieldType = "file"
)

// Values lists the field types for ent's enum column.
func (FieldType) Values() []string {
	return []string{string(Text), string(Textarea), string(HTML), string(PhoneNumber), string(NumberField),
		string(DateField), string(BooleanCheckbox), string(Checkbox), string(Radio), string(Select),
		string(CalculationEquation), string(File)}
}

// validPairs is the type x fieldType table of the reference catalog.
var validPairs = map[Type][]FieldType{
	Bool:        {BooleanCheckbox, CalculationEquation},
	Enumeration: {BooleanCheckbox, Checkbox, Radio, Select, CalculationEquation},
	Date:        {DateField},
	DateTime:    {DateField},
	String:      {Text, Textarea, HTML, PhoneNumber, File, CalculationEquation},
	Number:      {NumberField, CalculationEquation},
	Owner:       {Select},
}

// ValidPair reports whether a property of type t may use field type f.
func ValidPair(t Type, f FieldType) bool {
	for _, v := range validPairs[t] {
		if v == f {
			return true
		}
	}
	return false
}

// MultiValued reports whether values of this definition are sets of options
// (a multi-select checkbox) rather than a single option.
func MultiValued(t Type, f FieldType) bool {
	return t == Enumeration && f == Checkbox
}

// Option is one choice of an enumeration property.
type Option struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden,omitempty"`
}

// Limits of the definitions, as HubSpot users know them.
const (
	MaxStringLength = 65536
	MaxOptions      = 5000
	// MaxUniqueBytes bounds the values of a unique property: they live in a
	// B-tree index, whose entries PostgreSQL caps at about 2.7 kB.
	MaxUniqueBytes = 2000
)

var nameRule = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// StorableText reports whether both databases store s alike: PostgreSQL
// refuses a NUL character in text and JSON, and both keep text as UTF-8.
func StorableText(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// ValidName reports whether name is lower snake case starting with a letter.
func ValidName(name string) bool {
	return len(name) <= 100 && nameRule.MatchString(name)
}
