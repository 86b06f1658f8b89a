package search

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/acme/crm/internal/apierr"
)

func TestParseTextQuery(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want *TextQuery
	}{
		{nil, nil},
		{"", nil},
		{" \t,;-* ", nil},
		{"Ada", &TextQuery{Words: []string{"ada"}, Prefix: true}},
		{"Ada ", &TextQuery{Words: []string{"ada"}}},
		{"ada lov", &TextQuery{Words: []string{"ada", "lov"}, Prefix: true}},
		{"ada lov.", &TextQuery{Words: []string{"ada", "lov"}}},
		{"ada@example.com", &TextQuery{Words: []string{"ada", "example", "com"}, Prefix: true}},
		{"O'Brien-Smith 2nd", &TextQuery{Words: []string{"o", "brien", "smith", "2nd"}, Prefix: true}},
		{"José ÅSTRÖM", &TextQuery{Words: []string{"josé", "åström"}, Prefix: true}},
		// Each word once; a last word wanted whole already is no prefix.
		{"ada ada lov", &TextQuery{Words: []string{"ada", "lov"}, Prefix: true}},
		{"ada lov ada", &TextQuery{Words: []string{"ada", "lov"}}},
		{"ada ada", &TextQuery{Words: []string{"ada"}}},
		// Operators of tsquery and FTS5 are not words.
		{`'a' & b:* | !c "d" OR e*`, &TextQuery{Words: []string{"a", "b", "c", "d", "or", "e"}}},
		{strings.Repeat("x", 150), &TextQuery{Words: []string{strings.Repeat("x", maxWordRunes)}, Prefix: true}},
	} {
		got, err := ParseTextQuery(tc.in, "query")
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseTextQuery(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []any{strings.Repeat("a", MaxQueryLength+1), strings.Repeat("ü", MaxQueryLength+1), 42} {
		_, err := ParseTextQuery(in, "query")
		if e, ok := apierr.As(err); !ok || e.Code != apierr.BadUserInput || e.Path != "query" {
			t.Errorf("ParseTextQuery(%.20v...) = %v, want BAD_USER_INPUT at query", in, err)
		}
	}
}

func TestRecordText(t *testing.T) {
	props := map[string]any{
		"name":    "Acme Corp — ACME  Labs",
		"email":   "info@acme.example",
		"size":    json.Number("250"),
		"active":  true,
		"regions": []any{"emea", "north_america"},
		"other":   "not searched",
	}
	got := RecordText([]string{"name", "email", "size", "active", "regions", "missing"}, props)
	if want := "acme corp labs info example 250 emea north america"; got != want {
		t.Fatalf("RecordText = %q, want %q", got, want)
	}
	if got := RecordText(nil, props); got != "" {
		t.Fatalf("RecordText without searchable properties = %q", got)
	}
	long := RecordText([]string{"name"}, map[string]any{"name": strings.Repeat("word ", maxTextBytes)})
	if long != "word" {
		t.Fatalf("a word repeated is kept once, got %d bytes", len(long))
	}
	var many strings.Builder
	for i := 0; many.Len() < 2*maxTextBytes; i++ {
		many.WriteString(" w" + strconv.Itoa(i))
	}
	if got := RecordText([]string{"name"}, map[string]any{"name": many.String()}); len(got) > maxTextBytes || !strings.HasPrefix(got, "w0 w1 ") {
		t.Fatalf("search text of %d bytes (%.12q...), the most is %d", len(got), got, maxTextBytes)
	}
}
