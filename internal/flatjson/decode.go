// Package flatjson reads and writes the JSON objects records keep their
// values in: flat objects of strings, numbers, booleans, nulls and lists
// of option values. It does what encoding/json does for them, byte for
// byte, at a fraction of the cost, and leaves to encoding/json anything
// else (escaped strings, nested values): every record of a page is read
// from and written back to JSON once per request.
package flatjson

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Unmarshal reads a JSON object as encoding/json with UseNumber reads it
// into a map: numbers stay json.Number, so long integers keep every digit.
func Unmarshal(raw []byte) (map[string]any, error) {
	if props, ok := scan(raw); ok {
		return props, nil
	}
	props := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&props); err != nil {
		return nil, err
	}
	return props, nil
}

// scan reads a JSON object whose values are strings, numbers, booleans,
// nulls or lists of strings, none of them escaped, as encoding/json with
// UseNumber reads it; ok is false for anything else (escapes, nested
// objects, malformed JSON).
func scan(b []byte) (props map[string]any, ok bool) {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return nil, false
	}
	props = make(map[string]any, 8)
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return props, skipSpace(b, i+1) == len(b)
	}
	for {
		var key string
		if key, i, ok = plainString(b, i); !ok {
			return nil, false
		}
		if i = skipSpace(b, i); i == len(b) || b[i] != ':' {
			return nil, false
		}
		var v any
		if v, i, ok = flatValue(b, skipSpace(b, i+1)); !ok {
			return nil, false
		}
		props[key] = v
		if i = skipSpace(b, i); i == len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return props, skipSpace(b, i+1) == len(b)
		default:
			return nil, false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// flatValue reads the value at b[i:] and returns it with the index after it.
func flatValue(b []byte, i int) (v any, next int, ok bool) {
	if i == len(b) {
		return nil, i, false
	}
	switch c := b[i]; {
	case c == '"':
		return plainString(b, i)
	case c == '[':
		return stringList(b, i)
	case c == 't':
		return literal(b, i, "true", true)
	case c == 'f':
		return literal(b, i, "false", false)
	case c == 'n':
		return literal(b, i, "null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		end, ok := numberEnd(b, i)
		return json.Number(b[i:end]), end, ok
	}
	return nil, i, false
}

// plainString reads a string without escapes or control characters, in
// valid UTF-8 (encoding/json would replace invalid bytes).
func plainString(b []byte, i int) (s string, next int, ok bool) {
	if i == len(b) || b[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			if !utf8.Valid(b[i+1 : j]) {
				return "", i, false
			}
			return string(b[i+1 : j]), j + 1, true
		case c == '\\' || c < 0x20:
			return "", i, false
		}
	}
	return "", i, false
}

func stringList(b []byte, i int) (v any, next int, ok bool) {
	list := []any{}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return list, i + 1, true
	}
	for {
		var s string
		if s, i, ok = plainString(b, i); !ok {
			return nil, i, false
		}
		list = append(list, s)
		if i = skipSpace(b, i); i == len(b) {
			return nil, i, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return list, i + 1, true
		default:
			return nil, i, false
		}
	}
}

func literal(b []byte, i int, word string, v any) (any, int, bool) {
	end := i + len(word)
	if end > len(b) || string(b[i:end]) != word {
		return nil, i, false
	}
	return v, end, true
}

// numberEnd is the index after the JSON number at b[i:]; ok is false when
// it is not one: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(b []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return i, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return i, false
		}
		i = j
	}
	return i, true
}
