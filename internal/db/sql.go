package db

import (
	"context"
	stdsql "database/sql"
	"encoding/json"
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

// IDs runs the statement and returns the integers of its one column, in
// the order of its rows.
func (q *SQL) IDs(ctx context.Context, e ExecQuerier) ([]int, error) {
	rows, err := q.Query(ctx, e)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
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

// Doc is a JSON value a statement reads: property Name of the JSON column
// Column of the relation Alias ("" for none), or with Name "" the whole
// column, which holds one JSON value (a history entry's value).
type Doc struct {
	Alias, Column, Name string
}

// PropertyDoc is property name of the properties column of alias.
func PropertyDoc(alias, name string) Doc {
	if !propdef.ValidName(name) {
		panic(fmt.Sprintf("db: %q is not a property name", name))
	}
	return Doc{Alias: alias, Column: "properties", Name: name}
}

// ValueDoc is the JSON value held whole in column of alias.
func ValueDoc(alias, column string) Doc { return Doc{Alias: alias, Column: column} }

// path appends the JSON path literal of d's name: 'name' on PostgreSQL,
// '$.name' or '$' on SQLite.
func (q *SQL) path(d Doc) {
	if q.d.Name() == dialect.Postgres {
		q.str(d.Name)
		return
	}
	if d.Name == "" {
		q.str("$")
		return
	}
	q.str("$." + d.Name)
}

// Text appends d's value as text, NULL when absent: for a property, the
// very expression Property writes, so that expression indexes serve it.
func (q *SQL) Text(d Doc) *SQL {
	if d.Name != "" {
		return q.Property(d.Alias, d.Column, d.Name)
	}
	if q.d.Name() == dialect.Postgres {
		q.T("(CAST(")
		q.column(d.Alias, d.Column)
		return q.T(" AS jsonb) #>> '{}')")
	}
	q.T("CAST(json_extract(")
	q.column(d.Alias, d.Column)
	return q.T(", '$') AS TEXT)")
}

// Number appends d's value as a number, NULL when absent.
func (q *SQL) Number(d Doc) *SQL {
	if q.d.Name() == dialect.Postgres {
		q.T("CAST(")
		q.Text(d)
		return q.T(" AS numeric)")
	}
	return q.JSONOf(d)
}

// JSONOf appends d's value as the database's JSON value: jsonb on
// PostgreSQL; on SQLite, json_extract's SQL value (text, a number, 1 or 0
// for a boolean, the JSON text of a list).
func (q *SQL) JSONOf(d Doc) *SQL {
	if q.d.Name() == dialect.Postgres {
		if d.Name == "" {
			q.T("CAST(")
			q.column(d.Alias, d.Column)
			return q.T(" AS jsonb)")
		}
		q.b.WriteByte('(')
		q.column(d.Alias, d.Column)
		q.b.WriteString("->")
		q.path(d)
		q.b.WriteByte(')')
		return q
	}
	q.T("json_extract(")
	q.column(d.Alias, d.Column)
	q.T(", ")
	q.path(d)
	return q.T(")")
}

// Elements appends a relation of the items of d's list, as text in a
// column named value: "FROM <Elements>".
func (q *SQL) Elements(d Doc) *SQL {
	if q.d.Name() == dialect.Postgres {
		q.T("jsonb_array_elements_text(CASE WHEN jsonb_typeof(")
		q.JSONOf(d)
		q.T(") = 'array' THEN ")
		q.JSONOf(d)
		return q.T(" END) AS e(value)")
	}
	q.T("json_each(")
	q.column(d.Alias, d.Column)
	q.T(", ")
	q.path(d)
	return q.T(")")
}

// Scalar appends a placeholder bound to a stored scalar value v (string,
// json.Number, bool) so that it compares equal to JSONOf of the same value.
func (q *SQL) Scalar(v any) *SQL {
	if q.d.Name() == dialect.Postgres {
		b, err := json.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("db: a value that does not encode: %v", err))
		}
		return q.T("CAST(").Arg(string(b)).T(" AS jsonb)")
	}
	switch x := v.(type) {
	case json.Number:
		return q.Arg(sqliteNumber(x))
	case bool:
		if x {
			return q.Arg(1)
		}
		return q.Arg(0)
	}
	return q.Arg(v)
}

// NumberArg appends a placeholder bound to the number n, comparable with
// Number.
func (q *SQL) NumberArg(n json.Number) *SQL {
	if q.d.Name() == dialect.Postgres {
		return q.T("CAST(").Arg(n.String()).T(" AS numeric)")
	}
	return q.Arg(sqliteNumber(n))
}

// sqliteNumber is n as SQLite compares it with json_extract's numbers: an
// integer when it is one, else a float.
func sqliteNumber(n json.Number) any {
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return f
}

// Contains appends "the JSON column of alias holds doc": a containment
// served by the GIN index on PostgreSQL. Only for PostgreSQL; SQLite has
// no such operator, and callers compare values instead.
func (q *SQL) Contains(alias, column string, doc any) *SQL {
	if q.d.Name() != dialect.Postgres {
		panic("db: Contains is PostgreSQL's")
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(fmt.Sprintf("db: a document that does not encode: %v", err))
	}
	q.column(alias, column)
	return q.T(" @> CAST(").Arg(string(b)).T(" AS jsonb)")
}

// Like appends "text LIKE pattern" where pattern, bound, came from
// LikePattern; the escape character is a backslash on both databases.
func (q *SQL) Like(pattern string) *SQL {
	return q.T(" LIKE ").Arg(pattern).T(` ESCAPE '\'`)
}

// IsPostgres reports whether statements are PostgreSQL's: for the few
// plans that differ in shape, not only in spelling.
func (q *SQL) IsPostgres() bool { return q.d.Name() == dialect.Postgres }
