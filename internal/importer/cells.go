package importer

import (
	"fmt"
	"strings"
	"time"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/values"
)

// DateFormat is the order of a file's dates: YEAR_MONTH_DAY (2026-04-21),
// DAY_MONTH_YEAR (21/04/2026) or MONTH_DAY_YEAR (04/21/2026); the parts
// may be separated by "-", "/" or ".".
type DateFormat string

// The date formats.
const (
	YearMonthDay DateFormat = "YEAR_MONTH_DAY"
	DayMonthYear DateFormat = "DAY_MONTH_YEAR"
	MonthDayYear DateFormat = "MONTH_DAY_YEAR"
)

// Valid reports whether f is one of the formats.
func (f DateFormat) Valid() bool { return f == YearMonthDay || f == DayMonthYear || f == MonthDayYear }

// date reads a date cell written in format f.
func (f DateFormat) date(s string) (time.Time, bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) != 3 {
		return time.Time{}, false
	}
	y, mo, d := parts[0], parts[1], parts[2]
	switch f {
	case DayMonthYear:
		y, mo, d = parts[2], parts[1], parts[0]
	case MonthDayYear:
		y, mo, d = parts[2], parts[0], parts[1]
	}
	t, err := time.Parse("2006-1-2", y+"-"+mo+"-"+d)
	return t, err == nil && len(y) == 4
}

// cell turns a cell into the value written for prop: dates in the file's
// format, option labels to their values, a multi-select's "a;b" to its
// values; anything else as the text it is, for the values package to
// validate as a written value. ok is false for an empty cell, which writes
// nothing.
func cell(prop *meta.Property, s string, f DateFormat) (v any, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false, nil
	}
	switch prop.Type {
	case propdef.Date, propdef.DateTime:
		if t, ok := f.date(s); ok {
			if prop.Type == propdef.Date {
				return t.Format(values.DateLayout), true, nil
			}
			return t.Format(values.DateTimeLayout), true, nil
		}
		if prop.Type == propdef.Date || !strings.ContainsAny(s, "T:") {
			return nil, true, fmt.Errorf("%q is not a date in the format %s", s, f)
		}
	case propdef.Enumeration:
		if propdef.MultiValued(prop.Type, prop.FieldType) {
			parts := strings.Split(s, ";")
			out := make([]any, len(parts))
			for i, p := range parts {
				out[i] = option(prop, strings.TrimSpace(p))
			}
			return out, true, nil
		}
		return option(prop, s), true, nil
	}
	return s, true, nil
}

// option is the value of the option of prop that s is the value or the
// label of (without case), else s.
func option(prop *meta.Property, s string) string {
	for _, o := range prop.Options {
		if o.Value == s {
			return s
		}
	}
	for _, o := range prop.Options {
		if strings.EqualFold(o.Label, s) || strings.EqualFold(o.Value, s) {
			return o.Value
		}
	}
	return s
}
