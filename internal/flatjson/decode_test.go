package flatjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// decodeCases are stored objects as PostgreSQL (jsonb's spacing) and SQLite
// (encoding/json's) give them back, and what scan must leave to
// encoding/json.
var decodeCases = []struct {
	raw     string
	scanned bool // scan reads it itself
}{
	{`{}`, true},
	{` { } `, true},
	{`{"email": "ada@example.com", "lastname": "Lovelace", "firstname": "Ada"}`, true},
	{`{"amount":9750,"dealname":"Deal 1","closedate":"2027-01-31","pipeline":"default"}`, true},
	{`{"n": 0, "m": -1.5, "e": 1e300, "E": 2E-7, "big": 123456789012345678901234567890, "f": 0.1}`, true},
	{`{"vip": true, "gone": false, "none": null}`, true},
	{`{"tags": ["a", "c"], "empty": [], "one":["b"]}`, true},
	{`{"name": "ünïcode ✓ 😀", "x": "<&>"}`, true},
	{"{\n\t\"a\" :\r\n \"b\"\n}", true},
	{`{"a": "1", "a": "2"}`, true},
	{`{"q": "say \"hi\""}`, false},
	{`{"u": "\u00e9"}`, false},
	{`{"obj": {"nested": 1}}`, false},
	{`{"list": [1, 2]}`, false},
	{`{"list": ["a", 1]}`, false},
	{"{\"bad\": \"\xff\"}", false},
	{"{\"ctl\": \"a\tb\"}", false},
	{`{"n": 01}`, false},
	{`{"n": 1.}`, false},
	{`{"n": .5}`, false},
	{`{"n": -}`, false},
	{`{"n": 1e}`, false},
	{`{"n": 1x}`, false},
	{`{"t": tru}`, false},
	{`{"a": 1,}`, false},
	{`{"a" 1}`, false},
	{`{"a": 1`, false},
	{`{"a": 1} trailing`, false},
	{`null`, false},
	{`[]`, false},
	{``, false},
}

// reference is what encoding/json reads.
func reference(raw []byte) (map[string]any, error) {
	props := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&props)
	return props, err
}

func checkDecode(t *testing.T, raw []byte) (scanned bool) {
	t.Helper()
	got, ok := scan(raw)
	if !ok {
		return false
	}
	want, err := reference(raw)
	if err != nil {
		t.Fatalf("scan read %q, which encoding/json refuses: %v", raw, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("scan(%q) = %#v, encoding/json reads %#v", raw, got, want)
	}
	return true
}

func TestUnmarshalReadsAsEncodingJSON(t *testing.T) {
	for _, c := range decodeCases {
		if scanned := checkDecode(t, []byte(c.raw)); scanned != c.scanned {
			t.Errorf("scan(%q) read it: %v, want %v", c.raw, scanned, c.scanned)
		}
		got, gotErr := Unmarshal([]byte(c.raw))
		want, wantErr := reference([]byte(c.raw))
		if (gotErr != nil) != (wantErr != nil) || (wantErr == nil && !reflect.DeepEqual(got, want)) {
			t.Errorf("Unmarshal(%q) = %#v, %v; encoding/json: %#v, %v", c.raw, got, gotErr, want, wantErr)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkDecode(t, raw) })
}
