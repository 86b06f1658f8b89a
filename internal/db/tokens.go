package db

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"unicode"

	"entgo.io/ent/dialect"

	msqlite "modernc.org/sqlite"
)

// Words are runs of letters and digits: what CONTAINS_TOKEN matches whole.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// HasToken reports whether text holds a word matching token, where * in
// token stands for any letters and digits: the rule Token writes in SQL,
// and what SQLite runs as crm_has_token.
func HasToken(text, token string) bool {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !isWordRune(r) }) {
		if glob(token, w) {
			return true
		}
	}
	return false
}

// glob matches w against pattern, * matching any run of runes.
func glob(pattern, w string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == w
	}
	if !strings.HasPrefix(w, parts[0]) {
		return false
	}
	w = w[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(w, p)
		if i < 0 {
			return false
		}
		w = w[i+len(p):]
	}
	return strings.HasSuffix(w, last)
}

// tokenRegexp is the PostgreSQL regular expression of HasToken: the token
// between non-word characters or the ends of the text. A token is letters,
// digits and *, so nothing in it needs escaping.
func tokenRegexp(token string) string {
	return `(^|[^[:alnum:]])` + strings.ReplaceAll(token, "*", `[[:alnum:]]*`) + `($|[^[:alnum:]])`
}

func init() {
	err := msqlite.RegisterDeterministicScalarFunction("crm_has_token", 2, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		text, ok1 := args[0].(string)
		token, ok2 := args[1].(string)
		if !ok1 || !ok2 {
			return int64(0), nil
		}
		if HasToken(text, token) {
			return int64(1), nil
		}
		return int64(0), nil
	})
	if err != nil {
		panic(fmt.Sprintf("db: register crm_has_token: %v", err))
	}
	// SQLite's lower() folds ASCII letters only; PostgreSQL's, in a UTF-8
	// locale, folds every letter. crm_fold folds as Go does, so that
	// "Émile" equals "émile" on both databases.
	err = msqlite.RegisterDeterministicScalarFunction("crm_fold", 1, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
	if err != nil {
		panic(fmt.Sprintf("db: register crm_fold: %v", err))
	}
}

// Fold appends d's text folded for comparing without case, NULL when
// absent: every letter, not ASCII's only (crm_fold on SQLite). PostgreSQL
// compares it by bytes (COLLATE "C"), as SQLite does, so that both order
// strings alike.
func (q *SQL) Fold(d Doc) *SQL {
	if q.d.Name() == dialect.Postgres {
		q.T("(lower(")
		q.Text(d)
		return q.T(`) COLLATE "C")`)
	}
	q.T("crm_fold(")
	q.Text(d)
	return q.T(")")
}

// FoldArg appends a placeholder bound to s, folded as Fold folds.
func (q *SQL) FoldArg(s string) *SQL {
	if q.d.Name() == dialect.Postgres {
		return q.T("(lower(CAST(").Arg(s).T(` AS text)) COLLATE "C")`)
	}
	return q.T("crm_fold(").Arg(s).T(")")
}

// Token appends "d's text holds a word matching token" (see HasToken),
// without case. token is letters, digits and *.
func (q *SQL) Token(d Doc, token string) *SQL {
	if q.d.Name() == dialect.Postgres {
		q.T("(lower(")
		q.Text(d)
		return q.T(") ~ lower(CAST(").Arg(tokenRegexp(token)).T(" AS text)))")
	}
	q.T("(crm_has_token(crm_fold(")
	q.Text(d)
	return q.T("), crm_fold(").Arg(token).T(")) = 1)")
}
