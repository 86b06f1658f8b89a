package db

import (
	"fmt"
	"strconv"
	"strings"

	"entgo.io/ent/dialect"
)

// Dialect is every piece of SQL that PostgreSQL and SQLite spell differently.
// Property names reach it only after validation (lower snake case), so they
// are safe to splice into SQL text.
type Dialect interface {
	// Name is ent's dialect name.
	Name() string
	// PropertyText is the expression for a property's value as text, for
	// comparing and indexing: NULL when the record has no value.
	PropertyText(column, property string) string
	// JSONArg is a bound JSON document, to read with PropertyText.
	JSONArg() string
	// ForUpdate is the clause that locks selected rows until the transaction
	// ends ("" where the whole database is locked by a write transaction).
	ForUpdate() string
	// ForShare locks selected rows against writers but not other readers.
	ForShare() string
	// IsUniqueViolation reports whether err is a unique constraint failure.
	IsUniqueViolation(err error) bool
	// Rebind turns the ? placeholders of query into the dialect's own.
	Rebind(query string) string
	// InIDs is "column IN <the ids bound to its one ?>": one bind
	// parameter however many ids, so lists never meet parameter limits.
	InIDs(column string) string
	// IDs is the argument for the ? of InIDs.
	IDs(ids []int) any
	// JoinIDs aggregates an integer column of a group into "1,2,3".
	JoinIDs(column string) string
	// WritesInWith reports whether a WITH clause may hold an UPDATE, so a
	// write and its history can go in one statement.
	WritesInWith() bool
	// HistoryRow is one typed VALUES row of a property history insert.
	HistoryRow() string
}

type postgres struct{}

func (postgres) Name() string { return dialect.Postgres }

func (postgres) PropertyText(column, property string) string {
	return fmt.Sprintf("(%s->>'%s')", column, property)
}

func (postgres) ForUpdate() string { return " FOR UPDATE" }

func (postgres) JSONArg() string { return "CAST(? AS jsonb)" }

func (postgres) ForShare() string { return " FOR SHARE" }

func (postgres) InIDs(column string) string { return column + " = ANY(?::bigint[])" }

// IDs is a PostgreSQL array literal: {1,2,3}.
func (postgres) IDs(ids []int) any { return "{" + strings.Trim(jsonInts(ids), "[]") + "}" }

func (postgres) JoinIDs(column string) string { return "string_agg(" + column + "::text, ',')" }

func (postgres) WritesInWith() bool { return true }

func (postgres) HistoryRow() string {
	return "(?::bigint, ?::bigint, ?::text, ?::text, ?::timestamptz, ?::text, ?::text)"
}

func (postgres) Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

type sqlite struct{}

func (sqlite) Name() string { return dialect.SQLite }

func (sqlite) PropertyText(column, property string) string {
	// json_extract yields numbers as numbers; the cast makes every value
	// text, as PostgreSQL's ->> does.
	return fmt.Sprintf("CAST(json_extract(%s, '$.%s') AS TEXT)", column, property)
}

func (sqlite) ForUpdate() string { return "" }

func (sqlite) JSONArg() string { return "?" }

func (sqlite) ForShare() string { return "" }

func (sqlite) InIDs(column string) string {
	return column + " IN (SELECT value FROM json_each(?))"
}

func (sqlite) IDs(ids []int) any { return jsonInts(ids) }

func (sqlite) JoinIDs(column string) string { return "group_concat(" + column + ", ',')" }

func (sqlite) WritesInWith() bool { return false }

func (sqlite) HistoryRow() string { return "(?, ?, ?, ?, ?, ?, ?)" }

func (sqlite) Rebind(query string) string { return query }

// jsonInts writes ids as a JSON array: [1,2,3].
func jsonInts(ids []int) string {
	var b strings.Builder
	b.Grow(len(ids)*8 + 2)
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(id))
	}
	b.WriteByte(']')
	return b.String()
}

// Placeholders is n bind placeholders separated by commas: "?, ?, ?".
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
