package propdef

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The API's enums PropertyType and FieldType are these names upper-cased
// (STRING, CALCULATION_EQUATION): a definition's type and field type are
// written as the API answers them without a conversion of their own.

// MarshalGQL writes the type as its GraphQL enum value.
func (t Type) MarshalGQL(w io.Writer) { writeEnum(w, string(t)) }

// UnmarshalGQL reads the type from its GraphQL enum value.
func (t *Type) UnmarshalGQL(v any) error {
	name, err := readEnum(v, Type("").Values(), "property type")
	if err != nil {
		return err
	}
	*t = Type(name)
	return nil
}

// MarshalGQL writes the field type as its GraphQL enum value.
func (f FieldType) MarshalGQL(w io.Writer) { writeEnum(w, string(f)) }

// UnmarshalGQL reads the field type from its GraphQL enum value.
func (f *FieldType) UnmarshalGQL(v any) error {
	name, err := readEnum(v, FieldType("").Values(), "field type")
	if err != nil {
		return err
	}
	*f = FieldType(name)
	return nil
}

func writeEnum(w io.Writer, name string) {
	_, _ = io.WriteString(w, strconv.Quote(strings.ToUpper(name)))
}

func readEnum(v any, names []string, what string) (string, error) {
	s, _ := v.(string)
	for _, name := range names {
		if strings.ToUpper(name) == s {
			return name, nil
		}
	}
	return "", fmt.Errorf("%v is not a %s", v, what)
}
