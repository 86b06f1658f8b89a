package flatjson

import (
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// Marshal writes props as encoding/json marshals them: keys sorted,
// HTML-safe escapes.
func Marshal(props map[string]any) ([]byte, error) {
	if b, ok := appendObject(nil, props); ok {
		return b, nil
	}
	return json.Marshal(props)
}

// appendObject appends props as encoding/json marshals them when every
// value is a string, a json.Number, a bool, nil or a list of strings; ok
// is false for any other value.
func appendObject(dst []byte, props map[string]any) (out []byte, ok bool) {
	if props == nil {
		return append(dst, "null"...), true
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		if dst, ok = appendValue(dst, props[k]); !ok {
			return nil, false
		}
	}
	return append(dst, '}'), true
}

func appendValue(dst []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendString(dst, v), true
	case bool:
		if v {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	case json.Number:
		if v == "" {
			return append(dst, '0'), true // as encoding/json writes it
		}
		if end, ok := numberEnd([]byte(v), 0); !ok || end != len(v) {
			return nil, false
		}
		return append(dst, v...), true
	case []any:
		dst = append(dst, '[')
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, false
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']'), true
	}
	return nil, false
}

// appendString quotes s as encoding/json does: a string it would escape
// nothing of is copied, any other is given to encoding/json.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendEscaped(dst, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return appendEscaped(dst, s)
		}
		i += size
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

func appendEscaped(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}
