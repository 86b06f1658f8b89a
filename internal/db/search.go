package db

import (
	"encoding/json"
	"fmt"
	"strings"

	"entgo.io/ent/dialect"
)

// Full-text search over records' search_text, whose words the server
// wrote separated by single spaces (package search). PostgreSQL reads
// them through a GIN index on array_to_tsvector(string_to_array(...)),
// which takes the words as they are; SQLite through the FTS5 table
// records_fts, kept by triggers (see the migrations). A query is bound as
// one tsquery or FTS5 query text built here from its words, which are
// letters and digits only, quoted all the same.
//
// The relevance is 1 for a record holding every word whole (the last one
// too, not only as a prefix), plus the engine's own in [0, 1): ts_rank
// divided by the log of the number of words on PostgreSQL, BM25 on
// SQLite (s/(1+s) of its score s). Whole words come first, then what
// ranks higher: fewer words besides the ones sought, more words matching
// the prefix.

// searchVector is the tsvector of the search text of the records aliased
// alias: the very expression of the index records_search_text.
func (q *SQL) searchVector(alias string) *SQL {
	q.T("array_to_tsvector(string_to_array(")
	q.column(alias, "search_text")
	return q.T(", ' '))")
}

// searchAlias names the relation SearchFrom joins to alias.
func searchAlias(alias string) string { return alias + "_search" }

// SearchFrom appends, for a FROM clause, the records table aliased alias
// kept to the records whose search text holds every one of words, the
// last as the prefix of a word when prefix, joined with what SearchRank
// reads. words are not empty.
func (q *SQL) SearchFrom(alias string, words []string, prefix bool) *SQL {
	as := searchAlias(alias)
	if q.d.Name() == dialect.Postgres {
		// A one-row relation of the two tsqueries: each bound once, and
		// the match an indexable condition of the records.
		q.T("records ").Ident(alias).T(" JOIN (SELECT CAST(").Arg(tsquery(words, prefix)).T(" AS tsquery) AS query, CAST(").
			Arg(tsquery(words, false)).T(" AS tsquery) AS whole) AS ").Ident(as).T(" ON ")
		return q.searchVector(alias).T(" @@ ").Ident(as, "query")
	}
	// FTS5 ranks its matches in one pass (bm25 reads statistics of the
	// whole index each time a query starts): CROSS JOIN keeps it the outer
	// loop, each match then finding its record by id, rather than one
	// full-text query per record of the type.
	q.T("(SELECT rowid AS id, CASE WHEN rowid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ").
		Arg(ftsQuery(words, false)).T(") THEN 1.0 ELSE 0.0 END + 1.0 - 1.0 / (1.0 - bm25(records_fts)) AS relevance" +
		" FROM records_fts WHERE records_fts MATCH ").Arg(ftsQuery(words, prefix)).T(") AS ").Ident(as).
		T(" CROSS JOIN records ").Ident(alias).T(" ON ")
	return q.Ident(alias, "id").T(" = ").Ident(as, "id")
}

// SearchRank appends the relevance of the record aliased alias to the
// query SearchFrom joined, higher first.
func (q *SQL) SearchRank(alias string) *SQL {
	as := searchAlias(alias)
	if q.d.Name() == dialect.Postgres {
		q.T("(CAST(ts_rank(")
		q.searchVector(alias).T(", ").Ident(as, "query").T(", 1) AS double precision) + CASE WHEN ")
		return q.searchVector(alias).T(" @@ ").Ident(as, "whole").T(" THEN 1 ELSE 0 END)")
	}
	return q.Ident(as, "relevance")
}

// tsquery is the tsquery text of words, all of them (&), the last a
// prefix (:*) when prefix: each word quoted as a lexeme, so that nothing
// in it is read as an operator.
func tsquery(words []string, prefix bool) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString("'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(w) + "'")
		if prefix && i == len(words)-1 {
			b.WriteString(":*")
		}
	}
	return b.String()
}

// ftsQuery is the FTS5 query text of words, all of them, the last a
// prefix (*) when prefix: each word a quoted string, so that nothing in it
// is read as an operator.
func ftsQuery(words []string, prefix bool) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + strings.ReplaceAll(w, `"`, `""`) + `"`)
		if prefix && i == len(words)-1 {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// IDTexts appends a relation of (id, text) rows, one per entry of texts,
// bound as one JSON document: for writing many rows' texts in one UPDATE
// ... FROM, whatever their number.
func (q *SQL) IDTexts(texts map[int]string) *SQL {
	pairs := make([][2]any, 0, len(texts))
	for id, t := range texts {
		pairs = append(pairs, [2]any{id, t})
	}
	doc, err := json.Marshal(pairs)
	if err != nil {
		panic(fmt.Sprintf("db: texts that do not encode: %v", err))
	}
	if q.d.Name() == dialect.Postgres {
		return q.T("(SELECT CAST(e.value->>0 AS bigint) AS id, e.value->>1 AS text FROM jsonb_array_elements(CAST(").
			Arg(string(doc)).T(" AS jsonb)) AS e(value))")
	}
	return q.T("(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS text FROM json_each(").Arg(string(doc)).T("))")
}
