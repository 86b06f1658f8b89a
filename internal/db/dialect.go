package db

import (
	"strconv"
	"strings"

	"entgo.io/ent/dialect"
)

// Dialect is what PostgreSQL and SQLite do differently beyond spelling
// SQL, which the builder (SQL) does.
type Dialect interface {
	// Name is ent's dialect name.
	Name() string
	// IsUniqueViolation reports whether err is a unique constraint failure.
	IsUniqueViolation(err error) bool
	// Rebind turns the ? placeholders of a hand-written query into the
	// dialect's own, for tests and the benchmark's baseline; the domain's
	// statements are built by SQL.
	Rebind(query string) string
	// WritesInWith reports whether a WITH clause may hold an UPDATE, so a
	// write and its history can go in one statement.
	WritesInWith() bool
}

type postgres struct{}

func (postgres) Name() string { return dialect.Postgres }

func (postgres) WritesInWith() bool { return true }

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

func (sqlite) WritesInWith() bool { return false }

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
