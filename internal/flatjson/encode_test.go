package flatjson

import (
	"bytes"
	"encoding/json"
	"testing"
)

var encodeCases = []struct {
	props   map[string]any
	written bool // appendObject writes it itself
}{
	{nil, true},
	{map[string]any{}, true},
	{map[string]any{"email": "ada@example.com", "firstname": "Ada", "amount": json.Number("9750"), "vip": true, "gone": false, "none": nil}, true},
	{map[string]any{"b": "2", "a": "1", "B": "0", "ä": "x", "a_b": "y"}, true},
	{map[string]any{"tags": []any{"a", "c"}, "empty": []any{}}, true},
	{map[string]any{"html": `<b>&"q"</b>`, "ctl": "a\tb\nc\u0001", "back": `a\b`}, true},
	{map[string]any{"sep": "a\u2028b\u2029c", "bad": "\xff\xfe", "emoji": "😀 ünïcode"}, true},
	{map[string]any{"n": json.Number("-1.5e+300"), "zero": json.Number("")}, true},
	{map[string]any{"n": json.Number("1.")}, false},
	{map[string]any{"n": 1.5}, false},
	{map[string]any{"n": int64(3)}, false},
	{map[string]any{"list": []any{"a", json.Number("1")}}, false},
	{map[string]any{"obj": map[string]any{"x": "y"}}, false},
}

func checkEncode(t *testing.T, props map[string]any) (written bool) {
	t.Helper()
	got, ok := appendObject([]byte("prefix"), props)
	if !ok {
		return false
	}
	want, err := json.Marshal(props)
	if err != nil {
		t.Fatalf("appendObject wrote %#v, which encoding/json refuses: %v", props, err)
	}
	if !bytes.Equal(got, append([]byte("prefix"), want...)) {
		t.Fatalf("appendObject(%#v) = %s, encoding/json writes %s", props, got, want)
	}
	return true
}

func TestMarshalWritesAsEncodingJSON(t *testing.T) {
	for _, c := range encodeCases {
		if written := checkEncode(t, c.props); written != c.written {
			t.Errorf("appendObject(%#v) wrote it: %v, want %v", c.props, written, c.written)
		}
		got, gotErr := Marshal(c.props)
		want, wantErr := json.Marshal(c.props)
		if !bytes.Equal(got, want) || (gotErr != nil) != (wantErr != nil) {
			t.Errorf("Marshal(%#v) = %s, %v; encoding/json: %s, %v", c.props, got, gotErr, want, wantErr)
		}
	}
}

// FuzzMarshal writes what scan and encoding/json read from any input,
// and a string value of any bytes.
func FuzzMarshal(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.raw), "")
	}
	f.Add([]byte(`{}`), "<\u2028\xff")
	f.Fuzz(func(t *testing.T, raw []byte, s string) {
		if props, err := reference(raw); err == nil {
			checkEncode(t, props)
		}
		if props, ok := scan(raw); ok {
			checkEncode(t, props)
		}
		checkEncode(t, map[string]any{s: s, "list": []any{s}, "n": json.Number(s)})
	})
}
