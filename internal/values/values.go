// Package values validates and normalises property values against their
// definitions. Every path that takes values from a client — mutations,
// batches, upserts, and the definition changes that convert stored values
// — goes through Apply or Normalize, so a rule lives here once. (Merges
// move values already stored and valid.)
//
// Stored values are typed JSON: string; number (json.Number, canonical);
// bool; date "YYYY-MM-DD"; datetime RFC 3339 UTC with milliseconds;
// enumeration: the option value, or for a multi-select checkbox a list of
// them; owner: the owner's id, a number. Strings that parse exactly are accepted for numbers, bools, dates
// and datetimes, because HubSpot clients send every value as a string.
package values

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
)

// Apply validates input — property name to raw value, nil or "" clearing
// a value — against ot and returns the record's new values: current with
// input applied. current is nil when the record is being created. The
// first fault, in property name order, is an *apierr.Error naming the
// property; nothing of input is applied then.
func Apply(ot *meta.ObjectType, current, input map[string]any) (map[string]any, error) {
	names := make([]string, 0, len(input))
	for name := range input {
		names = append(names, name)
	}
	sort.Strings(names)

	next := make(map[string]any, len(current)+len(input))
	for k, v := range current {
		next[k] = v
	}
	for _, name := range names {
		def, ok := ot.Property(name)
		if !ok {
			return nil, apierr.Invalid(name, "%s has no property %q", ot.Name, name)
		}
		if def.Archived {
			return nil, apierr.Invalid(name, "property %q of %s is archived", name, ot.Name)
		}
		if def.ReadOnlyValue {
			return nil, apierr.Invalid(name, "property %q is read-only", name)
		}
		v, err := Normalize(ot, def, input[name])
		if err != nil {
			return nil, err
		}
		if v == nil {
			delete(next, name)
		} else {
			next[name] = v
		}
	}
	if err := checkRequired(ot, current == nil, input, next); err != nil {
		return nil, err
	}
	if err := checkStage(ot, input, next); err != nil {
		return nil, err
	}
	return next, nil
}

// checkRequired refuses a create that lacks a required property, and any
// write that clears one.
func checkRequired(ot *meta.ObjectType, creating bool, input, next map[string]any) error {
	for _, name := range ot.RequiredProperties {
		_, given := input[name]
		if _, has := next[name]; !has && (creating || given) {
			return apierr.Invalid(name, "property %q is required", name)
		}
	}
	return nil
}

// checkStage refuses a stage that is not in the record's pipeline.
func checkStage(ot *meta.ObjectType, input, next map[string]any) error {
	if ot.PipelineProperty == "" || ot.StageProperty == "" {
		return nil
	}
	_, pipelineGiven := input[ot.PipelineProperty]
	_, stageGiven := input[ot.StageProperty]
	if !pipelineGiven && !stageGiven {
		return nil
	}
	stage, hasStage := next[ot.StageProperty].(string)
	key, hasPipeline := next[ot.PipelineProperty].(string)
	if !hasPipeline {
		if hasStage {
			return apierr.Invalid(ot.PipelineProperty, "property %q is required with %q", ot.PipelineProperty, ot.StageProperty)
		}
		return nil
	}
	pipeline, ok := ot.Pipeline(key)
	if !ok {
		return apierr.Invalid(ot.PipelineProperty, "%q is not a pipeline of %s", key, ot.Name)
	}
	if !hasStage {
		return nil
	}
	if _, ok := pipeline.Stage(stage); !ok {
		return apierr.Invalid(ot.StageProperty, "stage %q is not in pipeline %q", stage, key)
	}
	return nil
}

// Normalize validates one value against its definition and returns it as
// stored; nil means "no value". raw is a value of the JSON map, or one
// written in the typed shape (Typed).
func Normalize(ot *meta.ObjectType, def *meta.Property, raw any) (any, error) {
	raw, err := untyped(def, raw)
	if err != nil {
		return nil, err
	}
	if isEmpty(raw) {
		return nil, nil
	}
	if err := storable(def, raw); err != nil {
		return nil, err
	}
	switch def.Type {
	case propdef.String:
		return normalizeString(ot, def, raw)
	case propdef.Number:
		return normalizeNumber(def, raw)
	case propdef.Bool:
		return normalizeBool(def, raw)
	case propdef.Date:
		return normalizeDate(def, raw)
	case propdef.DateTime:
		return normalizeDateTime(def, raw)
	case propdef.Enumeration:
		return normalizeEnumeration(def, raw)
	case propdef.Owner:
		return normalizeOwner(def, raw)
	}
	return nil, fmt.Errorf("property %q has unknown type %q", def.Name, def.Type)
}

// storable refuses text neither database can store alike: PostgreSQL
// refuses a NUL character in text and JSON, and both hold text as UTF-8.
func storable(def *meta.Property, raw any) error {
	switch v := raw.(type) {
	case string:
		if !propdef.StorableText(v) {
			return apierr.Invalid(def.Name, "property %q holds a NUL character or invalid UTF-8, which cannot be stored", def.Name)
		}
	case []any:
		for _, item := range v {
			if err := storable(def, item); err != nil {
				return err
			}
		}
	}
	return nil
}

func isEmpty(raw any) bool {
	switch v := raw.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	}
	return false
}

// describe names a raw value's JSON type for error messages.
func describe(raw any) string {
	switch raw.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	if _, ok := AsNumber(raw); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", raw)
}

func wrongType(def *meta.Property, want string, raw any) error {
	return apierr.Invalid(def.Name, "property %q expects %s, got %s", def.Name, want, describe(raw))
}

// AsNumber returns a JSON number however the transport decoded it:
// json.Number from variables, int64 or float64 from inline literals.
func AsNumber(raw any) (json.Number, bool) {
	switch v := raw.(type) {
	case json.Number:
		return v, true
	case int:
		return json.Number(fmt.Sprint(v)), true
	case int32:
		return json.Number(fmt.Sprint(v)), true
	case int64:
		return json.Number(fmt.Sprint(v)), true
	case float32:
		return json.Number(fmt.Sprint(v)), true
	case float64:
		return json.Number(formatFloat(v)), true
	}
	return "", false
}

func normalizeString(ot *meta.ObjectType, def *meta.Property, raw any) (any, error) {
	s, ok := raw.(string)
	if !ok {
		return nil, wrongType(def, "a string", raw)
	}
	if n := len([]rune(s)); n > propdef.MaxStringLength {
		return nil, apierr.Invalid(def.Name, "property %q is %d characters long; at most %d are allowed", def.Name, n, propdef.MaxStringLength)
	}
	if def.Unique && len(s) > propdef.MaxUniqueBytes {
		return nil, apierr.Invalid(def.Name, "property %q is unique: its values are at most %d bytes, this one has %d", def.Name, propdef.MaxUniqueBytes, len(s))
	}
	if check := formats[ot.Name+"."+def.Name]; check != nil {
		return check(def, s)
	}
	return s, nil
}

// formats are the standard properties with a format of their own.
var formats = map[string]func(*meta.Property, string) (any, error){
	"contacts.email":   email,
	"companies.domain": domain,
}

// email accepts one address and stores it in lower case, as HubSpot does,
// so that its unique index treats Ann@x.io and ann@x.io as one contact.
func email(def *meta.Property, s string) (any, error) {
	e, ok := Email(s)
	if !ok {
		return nil, apierr.Invalid(def.Name, "%q is not an email address", strings.TrimSpace(s))
	}
	return e, nil
}

// Email reads one email address, in lower case; false when s is none.
// Contacts' and owners' emails follow this rule.
func Email(s string) (string, bool) {
	s = strings.TrimSpace(s)
	local, host, ok := strings.Cut(s, "@")
	if !ok || local == "" || host == "" || strings.ContainsAny(s, " \t\r\n,;<>()[]\\\"") ||
		strings.Count(s, "@") != 1 || !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return "", false
	}
	return strings.ToLower(s), true
}

// domain stores a company domain bare and in lower case.
func domain(def *meta.Property, s string) (any, error) {
	d := strings.ToLower(strings.TrimSpace(s))
	d = strings.TrimPrefix(strings.TrimPrefix(d, "https://"), "http://")
	d = strings.TrimPrefix(d, "www.")
	d = strings.TrimSuffix(d, "/")
	if d == "" || strings.ContainsAny(d, " /@\t\r\n") || !strings.Contains(d, ".") {
		return nil, apierr.Invalid(def.Name, "%q is not a domain name", s)
	}
	return d, nil
}
