package values

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
)

// DateTimeLayout is how datetimes are stored: UTC, milliseconds, fixed width,
// so that text order is time order.
const DateTimeLayout = "2006-01-02T15:04:05.000Z"

// DateLayout is how dates are stored.
const DateLayout = "2006-01-02"

var decimal = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

func normalizeNumber(def *meta.Property, raw any) (any, error) {
	var s string
	if n, ok := AsNumber(raw); ok {
		s = n.String()
	} else if str, ok := raw.(string); ok {
		s = strings.TrimSpace(str)
	} else {
		return nil, wrongType(def, "a number", raw)
	}
	if !decimal.MatchString(s) {
		return nil, apierr.Invalid(def.Name, "property %q expects a number, got %q", def.Name, s)
	}
	n, err := canonicalNumber(s)
	if errors.Is(err, errPrecision) {
		return nil, apierr.Invalid(def.Name, "property %q holds %q, which a 64-bit float cannot hold as written (at most 15 to 17 significant digits, exponents within ±308)", def.Name, s)
	}
	if err != nil {
		return nil, apierr.Invalid(def.Name, "property %q expects a finite number of at most %d digits, got %q", def.Name, maxIntegerDigits, s)
	}
	return n, nil
}

// errPrecision refuses a decimal a float64 cannot hold as written.
var errPrecision = errors.New("beyond a float64's precision")

// A float64 holds no decimal longer than this, nor an exponent past it.
const (
	maxDecimalLength = 400
	maxExponent      = 400
)

// maxIntegerDigits bounds the integers kept exactly: past a float64's
// range they would not be numbers any client could read.
const maxIntegerDigits = 300

// canonicalNumber writes a number one way whatever way it came ("1.50",
// "15e-1" -> 1.5), keeping integers exact however long, so that equal
// numbers are equal in the unique indexes. s matches decimal.
func canonicalNumber(s string) (json.Number, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return "", strconv.ErrRange
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if strings.ContainsAny(s, "eE") || strings.Trim(frac, "0") != "" {
		// A decimal is kept as a float64: refused when that would change
		// it (1e-400 would be 0; 0.12345678901234567891 would lose digits).
		// Checked on short numbers with small exponents only, so that the
		// exact comparison stays cheap.
		if len(s) > maxDecimalLength {
			return "", errPrecision
		}
		if _, exp, ok := strings.Cut(strings.ToLower(s), "e"); ok {
			if n, err := strconv.Atoi(exp); err != nil || n > maxExponent || n < -maxExponent {
				return "", errPrecision
			}
		}
		out := formatFloat(f)
		exact, _ := new(big.Rat).SetString(s)
		kept, _ := new(big.Rat).SetString(out)
		if exact == nil || kept == nil || exact.Cmp(kept) != 0 {
			return "", errPrecision
		}
		return json.Number(out), nil
	}
	neg := strings.HasPrefix(intPart, "-")
	digits := strings.TrimLeft(strings.TrimPrefix(intPart, "-"), "0")
	if digits == "" {
		return "0", nil
	}
	if len(digits) > maxIntegerDigits {
		return "", strconv.ErrRange
	}
	if neg {
		digits = "-" + digits
	}
	return json.Number(digits), nil
}

func normalizeBool(def *meta.Property, raw any) (any, error) {
	switch v := raw.(type) {
	case bool:
		return v, nil
	case string:
		switch v {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, apierr.Invalid(def.Name, "property %q expects true or false, got %q", def.Name, v)
	}
	return nil, wrongType(def, "a boolean", raw)
}

// epochMillis reads a datetime sent as milliseconds since the epoch, as a
// JSON number or a string of digits.
func epochMillis(raw any) (time.Time, bool) {
	var s string
	if n, ok := AsNumber(raw); ok {
		s = n.String()
	} else if str, ok := raw.(string); ok {
		s = str
	}
	if s == "" || strings.TrimLeft(strings.TrimPrefix(s, "-"), "0123456789") != "" {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	t := time.UnixMilli(ms).UTC()
	return t, inLayoutRange(t)
}

// inLayoutRange reports whether t's year has four digits, so that the
// stored text is valid and sorts as time does.
func inLayoutRange(t time.Time) bool { return t.Year() >= 1 && t.Year() <= 9999 }

func normalizeDate(def *meta.Property, raw any) (any, error) {
	if t, ok := epochMillis(raw); ok {
		return midnight(def, t, raw)
	}
	s, ok := raw.(string)
	if !ok {
		return nil, wrongType(def, "a date (YYYY-MM-DD)", raw)
	}
	if t, err := time.Parse(DateLayout, s); err == nil {
		return t.Format(DateLayout), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return midnight(def, t.UTC(), raw)
	}
	return nil, apierr.Invalid(def.Name, "property %q expects a date (YYYY-MM-DD), got %q", def.Name, s)
}

// midnight accepts a date given as a moment only when that moment is
// midnight UTC, as HubSpot does: any other would silently shift the day.
func midnight(def *meta.Property, t time.Time, raw any) (any, error) {
	if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
		return nil, apierr.Invalid(def.Name, "property %q expects a date; %v is not midnight UTC", def.Name, raw)
	}
	return t.Format(DateLayout), nil
}

func normalizeDateTime(def *meta.Property, raw any) (any, error) {
	if t, ok := epochMillis(raw); ok {
		return t.Format(DateTimeLayout), nil
	}
	s, ok := raw.(string)
	if !ok {
		return nil, wrongType(def, "a datetime (RFC 3339)", raw)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(DateTimeLayout), nil
	}
	if t, err := time.Parse(DateLayout, s); err == nil {
		return t.Format(DateTimeLayout), nil
	}
	return nil, apierr.Invalid(def.Name, "property %q expects a datetime (RFC 3339), got %q", def.Name, s)
}

func normalizeEnumeration(def *meta.Property, raw any) (any, error) {
	if propdef.MultiValued(def.Type, def.FieldType) {
		return normalizeMulti(def, raw)
	}
	var s string
	switch v := raw.(type) {
	case string:
		s = v
	case bool:
		s = strconv.FormatBool(v) // booleancheckbox options are "true"/"false"
	default:
		return nil, wrongType(def, "an option value", raw)
	}
	if !hasOption(def, s) {
		return nil, apierr.Invalid(def.Name, "%q is not an option of property %q", s, def.Name)
	}
	return s, nil
}

// normalizeMulti accepts a list of option values, or HubSpot's "a;b" string.
func normalizeMulti(def *meta.Property, raw any) (any, error) {
	var in []string
	switch v := raw.(type) {
	case string:
		in = strings.Split(v, ";")
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, wrongType(def, "a list of option values", raw)
			}
			in = append(in, s)
		}
	default:
		return nil, wrongType(def, "a list of option values", raw)
	}
	seen := map[string]bool{}
	out := []any{}
	for _, s := range in {
		if s == "" || seen[s] {
			continue
		}
		if !hasOption(def, s) {
			return nil, apierr.Invalid(def.Name, "%q is not an option of property %q", s, def.Name)
		}
		seen[s] = true
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func hasOption(def *meta.Property, value string) bool {
	for _, o := range def.Options {
		if o.Value == value {
			return true
		}
	}
	return false
}

func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
