package search

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestDurations(t *testing.T) {
	now := time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"-P90D", time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)},
		{"P7D", time.Date(2024, 4, 7, 12, 0, 0, 0, time.UTC)},
		{"+P1W", time.Date(2024, 4, 7, 12, 0, 0, 0, time.UTC)},
		{"-PT1H", time.Date(2024, 3, 31, 11, 0, 0, 0, time.UTC)},
		{"-PT1H30M15S", time.Date(2024, 3, 31, 10, 29, 45, 0, time.UTC)},
		{"P1Y2M3DT4H", time.Date(2025, 6, 3, 16, 0, 0, 0, time.UTC)},
		{"-P1M", time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)}, // February 31st is March 2nd, as AddDate normalises
		{"P0D", now},
	} {
		d, err := ParseDuration(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := d.From(now); !got.Equal(c.want) {
			t.Errorf("%s from %s: %s, want %s", c.in, now, got, c.want)
		}
	}
	for _, in := range []string{"P", "-P", "+P", "PT", "-P1DT", "P1.5D", "P1X", "-1D", "P-1D", "PT1D", "P1H", "P999999D", "p1d"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("%q: parsed, want refused", in)
		}
	}
}

// A list input comes as GraphQL hands it over: []any, a lone value, or a
// variable's lone value coerced to a slice of its own type.
func TestListOf(t *testing.T) {
	for _, c := range []struct {
		in   any
		want []any
	}{
		{[]any{"a", "b"}, []any{"a", "b"}},
		{"a", []any{"a"}},
		{[]string{"a"}, []any{"a"}},
		{[]json.Number{"1", "2"}, []any{json.Number("1"), json.Number("2")}},
		{[]map[string]any{{"property": "x"}}, []any{map[string]any{"property": "x"}}},
		{map[string]any{"property": "x"}, []any{map[string]any{"property": "x"}}},
	} {
		if got := ListOf(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ListOf(%#v) = %#v, want %#v", c.in, got, c.want)
		}
	}
}
