package values_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/values"
)

// model builds, without a database, a "deals"-like and a "contacts" object
// type the way meta.Load would hand them to the validation package.
func model(t *testing.T) *meta.Model {
	t.Helper()
	info := &meta.PropertyGroup{ID: 1, Name: "dealinformation", Label: "Deal information"}
	prop := func(id int, name string, typ propdef.Type, ft propdef.FieldType, opts ...string) *meta.Property {
		p := &meta.Property{ID: id, ObjectTypeID: 1, Name: name, Label: name, Type: typ, FieldType: ft, Group: info, DisplayOrder: id}
		for i, o := range opts {
			p.Options = append(p.Options, propdef.Option{Label: o, Value: o, DisplayOrder: i})
		}
		return p
	}
	objectID := prop(1, "hs_object_id", propdef.Number, propdef.NumberField)
	objectID.ReadOnlyValue = true
	legacy := prop(12, "legacy_code", propdef.String, propdef.Text)
	legacy.Archived = true
	deals := &meta.ObjectType{
		ID: 1, Name: "deals", Kind: "standard", PrimaryDisplayProperty: "dealname",
		// Deliberately not alphabetical: the required check follows this order.
		RequiredProperties: []string{"dealname", "pipeline", "dealstage"},
		PipelineProperty:   "pipeline",
		StageProperty:      "dealstage",
		Groups:             []*meta.PropertyGroup{info},
		Properties: []*meta.Property{
			objectID,
			prop(2, "dealname", propdef.String, propdef.Text),
			prop(3, "amount", propdef.Number, propdef.NumberField),
			prop(4, "closedate", propdef.Date, propdef.DateField),
			prop(5, "pipeline", propdef.Enumeration, propdef.Select),
			prop(6, "dealstage", propdef.Enumeration, propdef.Select),
			prop(7, "dealtype", propdef.Enumeration, propdef.Select, "newbusiness", "existingbusiness"),
			prop(8, "deal_sources", propdef.Enumeration, propdef.Checkbox, "web", "referral", "event"),
			prop(9, "is_partner", propdef.Bool, propdef.BooleanCheckbox),
			prop(10, "demo_at", propdef.DateTime, propdef.DateField),
			prop(11, "description", propdef.String, propdef.Textarea),
			legacy,
		},
		Pipelines: []*meta.Pipeline{
			{ID: 1, Key: "default", Label: "Sales pipeline", DisplayOrder: 0, Stages: []*meta.Stage{
				{ID: 1, Key: "appointmentscheduled", Label: "Appointment scheduled", DisplayOrder: 0},
				{ID: 2, Key: "closedwon", Label: "Closed won", DisplayOrder: 1, Closed: true},
				{ID: 3, Key: "oldstage", Label: "Old stage", DisplayOrder: 2, Archived: true},
			}},
			{ID: 2, Key: "renewals", Label: "Renewals", DisplayOrder: 1, Stages: []*meta.Stage{
				{ID: 4, Key: "renewal_open", Label: "Open", DisplayOrder: 0},
				{ID: 5, Key: "renewal_won", Label: "Won", DisplayOrder: 1, Closed: true},
			}},
			{ID: 3, Key: "retired", Label: "Retired", DisplayOrder: 2, Archived: true, Stages: []*meta.Stage{
				{ID: 6, Key: "retired_open", Label: "Open", DisplayOrder: 0},
			}},
		},
	}
	contacts := &meta.ObjectType{
		ID: 2, Name: "contacts", Kind: "standard", PrimaryDisplayProperty: "email",
		Properties: []*meta.Property{
			{ID: 20, ObjectTypeID: 2, Name: "email", Type: propdef.String, FieldType: propdef.Text, Unique: true},
			{ID: 21, ObjectTypeID: 2, Name: "firstname", Type: propdef.String, FieldType: propdef.Text},
		},
	}
	return meta.New(1, 1, []*meta.ObjectType{deals, contacts})
}

func objectType(t *testing.T, name string) *meta.ObjectType {
	t.Helper()
	ot, ok := model(t).ObjectType(name)
	if !ok {
		t.Fatalf("object type %q not in the model", name)
	}
	return ot
}

func property(t *testing.T, ot *meta.ObjectType, name string) *meta.Property {
	t.Helper()
	p, ok := ot.Property(name)
	if !ok {
		t.Fatalf("%s has no property %q", ot.Name, name)
	}
	return p
}

// wantRefusal checks that err is what a client sees for a bad value: a
// BAD_USER_INPUT that names the property at fault.
func wantRefusal(t *testing.T, err error, propertyName string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want BAD_USER_INPUT on %q", propertyName)
	}
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *apierr.Error", err, err)
	}
	if e.Code != apierr.BadUserInput {
		t.Errorf("code = %s, want %s (%v)", e.Code, apierr.BadUserInput, err)
	}
	if e.Property != propertyName {
		t.Errorf("property = %q, want %q (%v)", e.Property, propertyName, err)
	}
	if e.Message == "" {
		t.Error("empty message")
	}
}

// validDeal is a stored deal that satisfies every rule, the "current" of
// updates.
func validDeal() map[string]any {
	return map[string]any{
		"hs_object_id": json.Number("7"),
		"dealname":     "Big deal",
		"pipeline":     "default",
		"dealstage":    "appointmentscheduled",
		"amount":       json.Number("100"),
		"deal_sources": []any{"web"},
	}
}

func TestNormalizeAccepts(t *testing.T) {
	// HubSpot clients send every value as a string, GraphQL variables
	// arrive as json.Number and inline literals as int64/float64: all must
	// be stored one canonical way so that equal values compare equal.
	tests := []struct {
		name     string
		property string
		raw      any
		want     any
	}{
		// numbers
		{"number json.Number", "amount", json.Number("12"), json.Number("12")},
		{"number int64", "amount", int64(12), json.Number("12")},
		{"number int", "amount", 12, json.Number("12")},
		{"number float64", "amount", 1.5, json.Number("1.5")},
		{"number float64 integral", "amount", float64(3), json.Number("3")},
		{"number string", "amount", "12", json.Number("12")},
		{"number trailing zero dropped", "amount", "1.50", json.Number("1.5")},
		{"number json.Number trailing zero dropped", "amount", json.Number("1.50"), json.Number("1.5")},
		{"number exponent", "amount", "-3e2", json.Number("-300")},
		{"number negative exponent", "amount", "15e-1", json.Number("1.5")},
		{"number integral decimal", "amount", "2.000", json.Number("2")},
		{"number negative zero", "amount", "-0", json.Number("0")},
		{"number surrounding spaces trimmed", "amount", " 12 ", json.Number("12")},
		{"number huge integer kept exact", "amount", "123456789012345678901234567890", json.Number("123456789012345678901234567890")},
		{"number huge json.Number kept exact", "amount", json.Number("123456789012345678901234567890"), json.Number("123456789012345678901234567890")},
		{"number fraction", "amount", "0.1", json.Number("0.1")},

		// bools
		{"bool true", "is_partner", true, true},
		{"bool false", "is_partner", false, false},
		{"bool string true", "is_partner", "true", true},
		{"bool string false", "is_partner", "false", false},

		// dates: stored as YYYY-MM-DD
		{"date", "closedate", "2026-01-02", "2026-01-02"},
		{"date epoch millis at midnight, number", "closedate", json.Number("1767312000000"), "2026-01-02"},
		{"date epoch millis at midnight, int64", "closedate", int64(1767312000000), "2026-01-02"},
		{"date epoch millis at midnight, float64", "closedate", float64(1767312000000), "2026-01-02"},
		{"date epoch millis at midnight, string", "closedate", "1767312000000", "2026-01-02"},
		{"date epoch zero", "closedate", json.Number("0"), "1970-01-01"},
		{"date RFC 3339 midnight UTC", "closedate", "2026-01-02T00:00:00Z", "2026-01-02"},
		{"date RFC 3339 midnight UTC with millis", "closedate", "2026-01-02T00:00:00.000Z", "2026-01-02"},
		{"date leap day", "closedate", "2024-02-29", "2024-02-29"},

		// datetimes: stored UTC, milliseconds, fixed width
		{"datetime UTC", "demo_at", "2026-01-02T15:04:05Z", "2026-01-02T15:04:05.000Z"},
		{"datetime offset normalized to UTC", "demo_at", "2026-01-02T15:04:05+02:00", "2026-01-02T13:04:05.000Z"},
		{"datetime offset crossing midnight", "demo_at", "2026-01-02T01:00:00+02:00", "2026-01-01T23:00:00.000Z"},
		{"datetime fractional seconds cut to millis", "demo_at", "2026-01-02T15:04:05.123456789Z", "2026-01-02T15:04:05.123Z"},
		{"datetime epoch millis number", "demo_at", json.Number("1767312000123"), "2026-01-02T00:00:00.123Z"},
		{"datetime epoch millis int64", "demo_at", int64(1767312000123), "2026-01-02T00:00:00.123Z"},
		{"datetime epoch millis string", "demo_at", "1767312000123", "2026-01-02T00:00:00.123Z"},
		{"datetime date alone is midnight UTC", "demo_at", "2026-01-02", "2026-01-02T00:00:00.000Z"},

		// enumerations
		{"select option", "dealtype", "newbusiness", "newbusiness"},
		{"pipeline option comes from the pipelines", "pipeline", "renewals", "renewals"},
		{"stage option comes from the pipelines", "dealstage", "renewal_open", "renewal_open"},
		{"multi-select list", "deal_sources", []any{"web", "referral"}, []any{"web", "referral"}},
		{"multi-select keeps the order given", "deal_sources", []any{"referral", "web"}, []any{"referral", "web"}},
		{"multi-select semicolon string", "deal_sources", "web;referral", []any{"web", "referral"}},
		{"multi-select single value string", "deal_sources", "event", []any{"event"}},
		{"multi-select duplicates collapsed", "deal_sources", []any{"web", "web", "referral", "web"}, []any{"web", "referral"}},
		{"multi-select string duplicates collapsed", "deal_sources", "web;web;event", []any{"web", "event"}},
		{"multi-select empty items skipped", "deal_sources", "web;;event;", []any{"web", "event"}},

		// strings
		{"string", "dealname", "Big deal", "Big deal"},
		{"string kept verbatim", "dealname", "  Big deal  ", "  Big deal  "},
		{"string at the limit", "description", strings.Repeat("a", propdef.MaxStringLength), strings.Repeat("a", propdef.MaxStringLength)},
		// The limit is in characters, not bytes: 65,536 two-byte runes are
		// 131,072 bytes and still fit.
		{"string at the limit in multibyte runes", "description", strings.Repeat("é", propdef.MaxStringLength), strings.Repeat("é", propdef.MaxStringLength)},
		{"string at the limit in four-byte runes", "description", strings.Repeat("😀", propdef.MaxStringLength), strings.Repeat("😀", propdef.MaxStringLength)},

		// empty values mean "no value"
		{"nil is no value", "amount", nil, nil},
		{"empty string is no value", "amount", "", nil},
		{"empty string is no value for a date", "closedate", "", nil},
		{"empty list is no value", "deal_sources", []any{}, nil},
		{"only separators is no value", "deal_sources", ";", nil},
	}
	ot := objectType(t, "deals")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := values.Normalize(ot, property(t, ot, tt.property), tt.raw)
			if err != nil {
				t.Fatalf("Normalize(%s, %#v): %v", tt.property, tt.raw, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Normalize(%s, %.80v) = %#.80v (%T), want %#.80v (%T)", tt.property, tt.raw, got, got, tt.want, tt.want)
			}
		})
	}
}

func TestNormalizeRefuses(t *testing.T) {
	// Every refusal is BAD_USER_INPUT naming the property, so a client can
	// point at the field in its form.
	tests := []struct {
		name     string
		property string
		raw      any
	}{
		// wrong JSON type
		{"number given a bool", "amount", true},
		{"number given a list", "amount", []any{"1"}},
		{"number given an object", "amount", map[string]any{"v": 1}},
		{"string given a number", "dealname", json.Number("12")},
		{"string given a float64", "dealname", 12.5},
		{"string given a bool", "dealname", false},
		{"string given a list", "dealname", []any{"a"}},
		{"string given an object", "dealname", map[string]any{"a": "b"}},
		{"bool given a number", "is_partner", json.Number("1")},
		{"bool given a list", "is_partner", []any{true}},
		{"date given a bool", "closedate", true},
		{"date given a list", "closedate", []any{"2026-01-02"}},
		{"date given a fractional number", "closedate", json.Number("1.5")},
		{"datetime given a bool", "demo_at", true},
		{"single select given a list", "dealtype", []any{"newbusiness"}},
		{"single select given a number", "dealtype", json.Number("1")},
		{"multi-select given a number", "deal_sources", json.Number("1")},
		{"multi-select given a bool", "deal_sources", true},
		{"multi-select list holding a number", "deal_sources", []any{"web", json.Number("1")}},

		// text neither database stores alike
		{"string holding NUL", "dealname", "a\x00b"},
		{"string holding invalid UTF-8", "dealname", "a\xffb"},
		{"number string holding NUL", "amount", "1\x00"},
		{"multi-select item holding NUL", "deal_sources", []any{"web", "x\x00"}},

		// numbers
		{"number below a float64's range", "amount", json.Number("1e-400")},
		{"number below a float64's range as text", "amount", "1e-400"},
		{"decimal beyond a float64's precision", "amount", json.Number("0.12345678901234567891")},
		{"decimal with a huge exponent", "amount", json.Number("1e-999999999")},
		{"decimal too long to hold", "amount", json.Number("0." + strings.Repeat("1", 500))},
		{"number word", "amount", "ten"},
		{"number decimal comma", "amount", "1,5"},
		{"number NaN string", "amount", "NaN"},
		{"number Inf string", "amount", "Inf"},
		{"number Infinity string", "amount", "Infinity"},
		{"number NaN float64", "amount", math.NaN()},
		{"number +Inf float64", "amount", math.Inf(1)},
		{"number -Inf float64", "amount", math.Inf(-1)},
		{"number hex string", "amount", "0x10"},
		{"number fraction string", "amount", "1/3"},
		{"number thousands separator", "amount", "1 000"},
		{"number currency", "amount", "$12"},
		{"number exponent too large", "amount", "1e1000001"},
		{"number past float64", "amount", "1e400"},
		{"number huge exponent", "amount", "1e999999"},
		{"number json.Number fraction", "amount", json.Number("1/3")},
		{"number json.Number hex", "amount", json.Number("0x10")},
		{"number of 301 digits", "amount", "1" + strings.Repeat("0", 300)},
		{"datetime millis past year 9999", "demo_at", "253402300800000"},

		// bools: only the JSON literals and their exact spelling as strings
		{"bool yes", "is_partner", "yes"},
		{"bool upper case", "is_partner", "TRUE"},
		{"bool one", "is_partner", "1"},

		// dates
		{"date not ISO", "closedate", "31/31/1990"},
		{"date US order", "closedate", "01/02/2026"},
		{"date impossible day", "closedate", "2026-02-30"},
		{"date not a leap year", "closedate", "2025-02-29"},
		{"date month 13", "closedate", "2026-13-01"},
		{"date single digit month", "closedate", "2026-1-02"},
		{"date epoch millis not midnight, number", "closedate", json.Number("1767312000001")},
		{"date epoch millis not midnight, string", "closedate", "1767315600000"},
		{"date RFC 3339 not midnight", "closedate", "2026-01-02T10:00:00Z"},
		// Midnight in Paris is 23:00 UTC the day before: storing either day
		// would silently shift the date.
		{"date RFC 3339 midnight with offset", "closedate", "2026-01-02T00:00:00+01:00"},
		{"date garbage", "closedate", "someday"},

		// datetimes
		{"datetime garbage", "demo_at", "tomorrow"},
		{"datetime without zone", "demo_at", "2026-01-02T15:04:05"},
		{"datetime with a space", "demo_at", "2026-01-02 15:04:05Z"},
		{"datetime impossible day", "demo_at", "2026-02-30T10:00:00Z"},
		{"datetime fractional epoch", "demo_at", json.Number("1767312000000.5")},

		// enumerations
		{"select unknown option", "dealtype", "other"},
		{"select option is case sensitive", "dealtype", "NewBusiness"},
		{"select option label-like spacing", "dealtype", " newbusiness"},
		{"pipeline unknown", "pipeline", "nope"},
		{"stage unknown", "dealstage", "nope"},
		{"multi-select unknown in list", "deal_sources", []any{"web", "tv"}},
		{"multi-select unknown in string", "deal_sources", "web;tv"},
		// Spaces around the separator are not trimmed: " referral" is not
		// an option.
		{"multi-select spaced string", "deal_sources", "web; referral"},

		// strings
		{"string one over the limit", "description", strings.Repeat("a", propdef.MaxStringLength+1)},
		{"string one multibyte rune over the limit", "description", strings.Repeat("é", propdef.MaxStringLength+1)},
	}
	ot := objectType(t, "deals")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := values.Normalize(ot, property(t, ot, tt.property), tt.raw)
			if err == nil {
				t.Fatalf("Normalize(%s, %.80v) = %#.80v, want a refusal", tt.property, tt.raw, got)
			}
			wantRefusal(t, err, tt.property)
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	// contacts.email is the contact's identity: stored lower-case so that
	// the unique index sees Ann@x.io and ann@x.io as one contact.
	contacts := objectType(t, "contacts")
	email := property(t, contacts, "email")
	accepted := []struct{ name, raw, want string }{
		{"lower case kept", "ann@example.io", "ann@example.io"},
		{"mixed case lowered", "Ann@Example.IO", "ann@example.io"},
		{"surrounding spaces trimmed", "  ann@example.io ", "ann@example.io"},
		{"plus addressing", "ann+crm@example.io", "ann+crm@example.io"},
	}
	for _, tt := range accepted {
		t.Run("accepts "+tt.name, func(t *testing.T) {
			got, err := values.Normalize(contacts, email, tt.raw)
			if err != nil {
				t.Fatalf("Normalize(email, %q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("Normalize(email, %q) = %#v, want %q", tt.raw, got, tt.want)
			}
		})
	}
	refused := []struct{ name, raw string }{
		{"prose", "not an email"},
		{"no at", "ann.example.io"},
		{"two ats", "ann@b@example.io"},
		{"no local part", "@example.io"},
		{"no domain", "ann@"},
		{"dotless domain", "ann@localhost"},
		{"domain ends with dot", "ann@example."},
		{"two addresses", "ann@example.io,bob@example.io"},
		{"display name form", "Ann <ann@example.io>"},
		{"only spaces", "   "},
	}
	for _, tt := range refused {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			got, err := values.Normalize(contacts, email, tt.raw)
			if err == nil {
				t.Fatalf("Normalize(email, %q) = %#v, want a refusal", tt.raw, got)
			}
			wantRefusal(t, err, "email")
		})
	}
	t.Run("other strings keep their case", func(t *testing.T) {
		// Only contacts.email has the email format: a first name is free text.
		got, err := values.Normalize(contacts, property(t, contacts, "firstname"), "Ann@Example.IO")
		if err != nil || got != "Ann@Example.IO" {
			t.Errorf("Normalize(firstname) = %#v, %v; want it verbatim", got, err)
		}
	})
	t.Run("contacts email through Apply", func(t *testing.T) {
		got, err := values.Apply(contacts, nil, map[string]any{"email": "Ann@Example.IO"})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]any{"email": "ann@example.io"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Apply = %#v, want %#v", got, want)
		}
	})
}

func TestApplyRefuses(t *testing.T) {
	tests := []struct {
		name     string
		current  map[string]any // nil: a create
		input    map[string]any
		property string
	}{
		{"unknown property", validDeal(), map[string]any{"no_such_property": "x"}, "no_such_property"},
		{"unknown property even when clearing", validDeal(), map[string]any{"no_such_property": nil}, "no_such_property"},
		{"archived property", validDeal(), map[string]any{"legacy_code": "A1"}, "legacy_code"},
		{"read-only property", validDeal(), map[string]any{"hs_object_id": json.Number("8")}, "hs_object_id"},
		{"read-only property cannot be cleared either", validDeal(), map[string]any{"hs_object_id": nil}, "hs_object_id"},
		{"bad value on update", validDeal(), map[string]any{"amount": "ten"}, "amount"},

		// Required properties, in the object type's RequiredProperties order
		// (dealname, pipeline, dealstage), not alphabetical order.
		{"create with nothing names the first required", nil, map[string]any{}, "dealname"},
		{"create missing pipeline and stage names pipeline", nil,
			map[string]any{"dealname": "D"}, "pipeline"},
		{"create missing only the stage", nil,
			map[string]any{"dealname": "D", "pipeline": "default"}, "dealstage"},
		{"create with an empty required value", nil,
			map[string]any{"dealname": "", "pipeline": "default", "dealstage": "closedwon"}, "dealname"},
		// A bad value is reported before a missing required property: it is
		// checked first, property by property.
		{"create bad value before missing required", nil, map[string]any{"amount": "ten"}, "amount"},
		{"update clearing a required property with nil", validDeal(), map[string]any{"dealname": nil}, "dealname"},
		{"update clearing a required property with empty string", validDeal(), map[string]any{"dealstage": ""}, "dealstage"},

		// Stages belong to one pipeline.
		{"create with a stage of another pipeline", nil,
			map[string]any{"dealname": "D", "pipeline": "default", "dealstage": "renewal_open"}, "dealstage"},
		{"update stage only, to one of another pipeline", validDeal(),
			map[string]any{"dealstage": "renewal_won"}, "dealstage"},
		// The stored stage (appointmentscheduled) is not in "renewals": the
		// fault is reported on the stage, which must change with it.
		{"update pipeline only, existing stage no longer fits", validDeal(),
			map[string]any{"pipeline": "renewals"}, "dealstage"},
		{"archived stage", validDeal(), map[string]any{"dealstage": "oldstage"}, "dealstage"},
		{"archived pipeline", validDeal(),
			map[string]any{"pipeline": "retired", "dealstage": "retired_open"}, "pipeline"},
		{"stage without any pipeline", map[string]any{"dealname": "Legacy deal"},
			map[string]any{"dealstage": "closedwon"}, "pipeline"},

		// The first fault in property-name order is the one reported.
		{"two bad values: first by name", validDeal(),
			map[string]any{"dealtype": "bogus", "amount": "ten"}, "amount"},
		{"unknown and bad value: first by name", validDeal(),
			map[string]any{"zz_unknown": "x", "closedate": "someday"}, "closedate"},
		{"read-only and bad value: first by name", validDeal(),
			map[string]any{"hs_object_id": json.Number("1"), "amount": "ten"}, "amount"},
	}
	ot := objectType(t, "deals")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := values.Apply(ot, tt.current, tt.input)
			if err == nil {
				t.Fatalf("Apply(%v) = %v, want a refusal", tt.input, got)
			}
			if got != nil {
				t.Errorf("Apply returned values %v beside its error", got)
			}
			wantRefusal(t, err, tt.property)
		})
	}
}

func TestApplyAccepts(t *testing.T) {
	tests := []struct {
		name    string
		current map[string]any
		input   map[string]any
		want    map[string]any
	}{
		{"create a complete deal", nil,
			map[string]any{
				"dealname": "D", "pipeline": "default", "dealstage": "closedwon",
				"amount": "1.50", "closedate": "2026-01-02T00:00:00Z", "is_partner": "true",
				"deal_sources": "web;event", "demo_at": "2026-01-02T15:04:05+02:00", "dealtype": "newbusiness",
			},
			map[string]any{
				"dealname": "D", "pipeline": "default", "dealstage": "closedwon",
				"amount": json.Number("1.5"), "closedate": "2026-01-02", "is_partner": true,
				"deal_sources": []any{"web", "event"}, "demo_at": "2026-01-02T13:04:05.000Z", "dealtype": "newbusiness",
			}},
		// An empty value on create simply leaves the property unset.
		{"create with empty optional values", nil,
			map[string]any{"dealname": "D", "pipeline": "renewals", "dealstage": "renewal_open", "amount": "", "closedate": nil},
			map[string]any{"dealname": "D", "pipeline": "renewals", "dealstage": "renewal_open"}},
		{"update keeps what is not sent", validDeal(),
			map[string]any{"amount": json.Number("250")},
			map[string]any{"hs_object_id": json.Number("7"), "dealname": "Big deal", "pipeline": "default",
				"dealstage": "appointmentscheduled", "amount": json.Number("250"), "deal_sources": []any{"web"}}},
		{"update nil clears a value", validDeal(),
			map[string]any{"amount": nil},
			map[string]any{"hs_object_id": json.Number("7"), "dealname": "Big deal", "pipeline": "default",
				"dealstage": "appointmentscheduled", "deal_sources": []any{"web"}}},
		{"update empty string clears a value", validDeal(),
			map[string]any{"amount": ""},
			map[string]any{"hs_object_id": json.Number("7"), "dealname": "Big deal", "pipeline": "default",
				"dealstage": "appointmentscheduled", "deal_sources": []any{"web"}}},
		{"update empty list clears a multi-select", validDeal(),
			map[string]any{"deal_sources": []any{}},
			map[string]any{"hs_object_id": json.Number("7"), "dealname": "Big deal", "pipeline": "default",
				"dealstage": "appointmentscheduled", "amount": json.Number("100")}},
		{"update clearing a value that was never set", validDeal(),
			map[string]any{"closedate": nil},
			validDeal()},
		{"update moves pipeline and stage together", validDeal(),
			map[string]any{"pipeline": "renewals", "dealstage": "renewal_won"},
			map[string]any{"hs_object_id": json.Number("7"), "dealname": "Big deal", "pipeline": "renewals",
				"dealstage": "renewal_won", "amount": json.Number("100"), "deal_sources": []any{"web"}}},
		{"update stage within the pipeline", validDeal(),
			map[string]any{"dealstage": "closedwon"},
			map[string]any{"hs_object_id": json.Number("7"), "dealname": "Big deal", "pipeline": "default",
				"dealstage": "closedwon", "amount": json.Number("100"), "deal_sources": []any{"web"}}},
		// A record saved before a property became required is not blocked
		// from other edits; only clearing a required value is refused.
		{"update of a record already missing a required property", map[string]any{"dealname": "Legacy"},
			map[string]any{"amount": json.Number("1")},
			map[string]any{"dealname": "Legacy", "amount": json.Number("1")}},
		{"empty input changes nothing", validDeal(), map[string]any{}, validDeal()},
	}
	ot := objectType(t, "deals")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := values.Apply(ot, tt.current, tt.input)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Apply =\n %#v\nwant\n %#v", got, tt.want)
			}
		})
	}
}

func TestApplyLeavesCurrentAlone(t *testing.T) {
	// Callers keep the stored values to compare, log history or retry: Apply
	// must build a new map whether it accepts or refuses.
	ot := objectType(t, "deals")
	inputs := []struct {
		name  string
		input map[string]any
	}{
		{"accepted change", map[string]any{"amount": "5", "dealname": "Renamed", "deal_sources": nil}},
		{"refused change", map[string]any{"amount": "5", "dealtype": "bogus"}},
		{"refused clear of a required property", map[string]any{"dealname": nil}},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			current := validDeal()
			_, _ = values.Apply(ot, current, in.input)
			if !reflect.DeepEqual(current, validDeal()) {
				t.Errorf("current changed to %#v", current)
			}
		})
	}
	t.Run("result is a distinct map", func(t *testing.T) {
		current := validDeal()
		got, err := values.Apply(ot, current, map[string]any{"amount": "5"})
		if err != nil {
			t.Fatal(err)
		}
		got["dealname"] = "changed through the result"
		if current["dealname"] != "Big deal" {
			t.Errorf("writing to the result changed current: %#v", current)
		}
	})
}
