package db

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"strconv"
	"strings"

	"entgo.io/ent/dialect"

	"github.com/acme/crm/internal/propdef"
)

// SQL is the one builder of the statements the domain sends. Its text
// grows only from constants written in the program: T takes a parameter of
// an unexported string type, which a string constant converts to and a
// string variable does not. Everything else reaches a statement through a
// method that makes it safe: Arg binds a value, Ident quotes an
// identifier, Int writes a number, Property writes a property name (one
// that passes the name rule) as a quoted literal of its JSON path. No
// name or value is ever spliced into SQL text.
type SQL struct {
	d    Dialect
	b    strings.Builder
	args []any
}

// text is SQL text written in the program; see SQL.
type text string

// Build starts a statement of dialect d with the text t.
func Build(d Dialect, t text) *SQL {
	q := &SQL{d: d}
	q.b.WriteString(string(t))
	return q
}

// T appends SQL text.
func (q *SQL) T(t text) *SQL {
	q.b.WriteString(string(t))
	return q
}

// Arg appends a placeholder bound to v.
func (q *SQL) Arg(v any) *SQL {
	q.args = append(q.args, v)
	if q.d.Name() == dialect.Postgres {
		q.b.WriteByte('$')
		q.b.WriteString(strconv.Itoa(len(q.args)))
	} else {
		q.b.WriteByte('?')
	}
	return q
}

// Args appends placeholders bound to vs, separated by commas.
func (q *SQL) Args(vs ...any) *SQL {
	for i, v := range vs {
		if i > 0 {
			q.b.WriteString(", ")
		}
		q.Arg(v)
	}
	return q
}

// Cast appends a placeholder bound to v, cast to a PostgreSQL type where
// the statement cannot infer it (a VALUES row); SQLite takes it as it is.
func (q *SQL) Cast(v any, pgType text) *SQL {
	q.Arg(v)
	if q.d.Name() == dialect.Postgres {
		q.b.WriteString("::")
		q.b.WriteString(string(pgType))
	}
	return q
}

// Ident appends an identifier, its parts quoted and joined by dots:
// Ident("r", "created_at") is "r"."created_at".
func (q *SQL) Ident(parts ...string) *SQL {
	for i, p := range parts {
		if i > 0 {
			q.b.WriteByte('.')
		}
		q.b.WriteByte('"')
		q.b.WriteString(strings.ReplaceAll(p, `"`, `""`))
		q.b.WriteByte('"')
	}
	return q
}

// Int appends an integer literal, where a bound value would not do: a
// partial index's predicate is matched against the statement's text.
func (q *SQL) Int(n int) *SQL {
	q.b.WriteString(strconv.Itoa(n))
	return q
}

// str appends a string literal, quoted: the JSON path of a property name,
// which an expression index must see as a literal.
func (q *SQL) str(s string) *SQL {
	q.b.WriteByte('\'')
	q.b.WriteString(strings.ReplaceAll(s, "'", "''"))
	q.b.WriteByte('\'')
	return q
}

// Property appends the value of property name in the JSON column of
// table alias ("" for none) as text, for comparing and indexing: NULL when
// the record has no value. The name is a literal of the expression, so
// that an expression index on the property matches it; a name that is not
// a property name panics rather than reach SQL.
func (q *SQL) Property(alias, column, name string) *SQL {
	if !propdef.ValidName(name) {
		panic(fmt.Sprintf("db: %q is not a property name", name))
	}
	if q.d.Name() == dialect.Postgres {
		q.b.WriteByte('(')
		q.column(alias, column)
		q.b.WriteString("->>")
		q.str(name)
		q.b.WriteByte(')')
		return q
	}
	// json_extract yields numbers as numbers; the cast makes every value
	// text, as PostgreSQL's ->> does.
	q.b.WriteString("CAST(json_extract(")
	q.column(alias, column)
	q.b.WriteString(", ")
	q.str("$." + name)
	q.b.WriteString(") AS TEXT)")
	return q
}

// ArgProperty appends the value of property name of the JSON document
// bound to doc, as text, the same way Property reads a stored one.
func (q *SQL) ArgProperty(doc any, name string) *SQL {
	if !propdef.ValidName(name) {
		panic(fmt.Sprintf("db: %q is not a property name", name))
	}
	if q.d.Name() == dialect.Postgres {
		q.b.WriteString("(CAST(")
		q.Arg(doc)
		q.b.WriteString(" AS jsonb)->>")
		q.str(name)
		q.b.WriteByte(')')
		return q
	}
	q.b.WriteString("CAST(json_extract(")
	q.Arg(doc)
	q.b.WriteString(", ")
	q.str("$." + name)
	q.b.WriteString(") AS TEXT)")
	return q
}

// JSON appends a placeholder bound to a JSON document.
func (q *SQL) JSON(doc any) *SQL {
	if q.d.Name() == dialect.Postgres {
		return q.T("CAST(").Arg(doc).T(" AS jsonb)")
	}
	return q.Arg(doc)
}

func (q *SQL) column(alias, column string) {
	if alias != "" {
		q.Ident(alias, column)
	} else {
		q.Ident(column)
	}
}

// InIDs appends "column IN <ids>" with the ids bound to one parameter,
// so that lists never meet parameter limits.
func (q *SQL) InIDs(alias, column string, ids []int) *SQL {
	q.column(alias, column)
	if q.d.Name() == dialect.Postgres {
		return q.T(" = ANY(").Arg("{" + strings.Trim(jsonInts(ids), "[]") + "}").T("::bigint[])")
	}
	return q.T(" IN (SELECT value FROM json_each(").Arg(jsonInts(ids)).T("))")
}

// JoinIDs appends the aggregate of an integer column of a group as
// "1,2,3".
func (q *SQL) JoinIDs(alias, column string) *SQL {
	if q.d.Name() == dialect.Postgres {
		q.T("string_agg(")
		q.column(alias, column)
		return q.T("::text, ',')")
	}
	q.T("group_concat(")
	q.column(alias, column)
	return q.T(", ',')")
}

// ForUpdate appends the clause that locks the selected rows until the
// transaction ends (nothing on SQLite, whose write transaction locks the
// whole database).
func (q *SQL) ForUpdate() *SQL {
	if q.d.Name() == dialect.Postgres {
		q.b.WriteString(" FOR UPDATE")
	}
	return q
}

// ForShare appends the clause that locks the selected rows against
// writers but not readers (nothing on SQLite).
func (q *SQL) ForShare() *SQL {
	if q.d.Name() == dialect.Postgres {
		q.b.WriteString(" FOR SHARE")
	}
	return q
}

// Desc appends " DESC", or " ASC" when backward.
func (q *SQL) Desc(backward bool) *SQL {
	if backward {
		return q.T(" ASC")
	}
	return q.T(" DESC")
}

// String is the statement's text.
func (q *SQL) String() string { return q.b.String() }

// Exec runs the statement.
func (q *SQL) Exec(ctx context.Context, e ExecQuerier) (stdsql.Result, error) {
	return e.ExecContext(ctx, q.b.String(), q.args...)
}

// Query runs the statement for its rows.
func (q *SQL) Query(ctx context.Context, e ExecQuerier) (*stdsql.Rows, error) {
	return e.QueryContext(ctx, q.b.String(), q.args...)
}

// Row runs the statement and scans its first row into dest:
// sql.ErrNoRows when there is none.
func (q *SQL) Row(ctx context.Context, e ExecQuerier, dest ...any) error {
	rows, err := q.Query(ctx, e)
	if err != nil {
		return err
	}
	return scanOne(rows, dest)
}

// scanOne scans the first of rows into dest and closes them.
func scanOne(rows *stdsql.Rows, dest []any) error {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return stdsql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}
