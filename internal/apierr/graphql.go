package apierr

import (
	"fmt"
	"io"
	"strconv"
)

// PropertyOrNull is the property at fault; nil when none is.
func (e *Error) PropertyOrNull() *string {
	if e.Property == "" {
		return nil
	}
	return &e.Property
}

// MarshalGQL writes the code as the String the API answers (ItemError.code).
func (c Code) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(c))) }

// UnmarshalGQL reads a code from a String.
func (c *Code) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%v is not an error code", v)
	}
	*c = Code(s)
	return nil
}
