package search

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
)

// Full-text search reads a record's search text: the words of the values
// of its object type's searchable properties, made here when the values
// are written (RecordText) and indexed by the database. A query's words
// (ParseTextQuery) are split by the same rule, so that both databases
// match what Go split, whatever their own parsers would do.

// MaxQueryLength is the longest full-text query, in characters.
const MaxQueryLength = 1000

// maxWordRunes cuts longer words, in records and queries alike: a
// PostgreSQL lexeme holds at most 2047 bytes.
const maxWordRunes = 100

// maxTextBytes bounds a record's search text (a tsvector holds at most
// 1 MB): words past it are not searchable.
const maxTextBytes = 256 << 10

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Words splits s into its words, lower case: runs of letters and digits,
// each cut at maxWordRunes.
func Words(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) })
	for i, w := range words {
		if utf8.RuneCountInString(w) > maxWordRunes {
			words[i] = string([]rune(w)[:maxWordRunes])
		}
	}
	return words
}

// Searchable are the properties of ot whose values search reads: its
// searchable properties that are live.
func Searchable(ot *meta.ObjectType) []string {
	var out []string
	for _, name := range ot.SearchableProperties {
		if def, ok := ot.Property(name); ok && !def.Archived {
			out = append(out, name)
		}
	}
	return out
}

// RecordText is the search text of a record holding props, whose
// searchable properties are names (Searchable): the words of their
// values, each word once, separated by single spaces. Booleans say
// nothing to search; a multi-select gives the words of its option values.
func RecordText(names []string, props map[string]any) string {
	var b strings.Builder
	seen := map[string]bool{}
	add := func(v any) {
		for _, w := range Words(valueText(v)) {
			if seen[w] || b.Len()+len(w)+1 > maxTextBytes {
				continue
			}
			seen[w] = true
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
	for _, name := range names {
		if items, ok := props[name].([]any); ok {
			for _, item := range items {
				add(item)
			}
		} else {
			add(props[name])
		}
	}
	return b.String()
}

func valueText(v any) string {
	switch v := v.(type) {
	case nil, bool:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return fmt.Sprint(v)
}

// TextQuery is a full-text query: it keeps the records whose search text
// holds every word, the last one as the prefix of a word when Prefix (the
// query ended inside it: someone is typing it).
type TextQuery struct {
	Words  []string `json:"words"`
	Prefix bool     `json:"prefix,omitempty"`
}

// ParseTextQuery reads a full-text query from its argument: a string of
// at most MaxQueryLength characters. No argument, or a string without
// words, is no query. path names the argument ("query").
func ParseTextQuery(raw any, path string) (*TextQuery, error) {
	if raw == nil {
		return nil, nil
	}
	s, ok := raw.(string)
	if !ok {
		return nil, bad(path, "a query is a string")
	}
	if n := utf8.RuneCountInString(s); n > MaxQueryLength {
		return nil, bad(path, "a query holds at most %d characters, got %d", MaxQueryLength, n)
	}
	words := Words(s)
	if len(words) == 0 {
		return nil, nil
	}
	// The last word is a prefix when the query ends inside it, unless the
	// query wants it whole already, said before.
	end, _ := utf8.DecodeLastRuneInString(s)
	t := &TextQuery{Prefix: isWordRune(end) && slices.Index(words, words[len(words)-1]) == len(words)-1}
	seen := map[string]bool{}
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			t.Words = append(t.Words, w)
		}
	}
	return t, nil
}

// From appends, for a FROM clause, the records aliased alias that match
// t, joined with what yields their Rank.
func (t *TextQuery) From(q *db.SQL, alias string) *db.SQL {
	return q.SearchFrom(alias, t.Words, t.Prefix)
}

// Rank writes the relevance to the query of the record aliased alias, as
// joined by From: the rank key of a query's order (CheckSorts).
func Rank(q *db.SQL, alias string) { q.SearchRank(alias) }
