package indexes_test

import (
	stdsql "database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/indexes"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/search"
	"github.com/acme/crm/internal/write"
)

// planRows is how many contacts the plans are asked over: enough that a
// full scan costs more than an index to either planner.
const planRows = 20_000

// loadContacts writes planRows contacts straight into records, with a
// score of 0 to 999, a firstname of 500 values and a unique email and
// lastname, and has the database gather statistics.
func (f *fixture) loadContacts() {
	f.t.Helper()
	ot, _ := f.property("contacts", "email")
	now := time.Now().UTC().Truncate(time.Microsecond)
	q := db.Build(f.d.Dialect, "INSERT INTO records (workspace_id, object_type_id, properties, created_at, updated_at) SELECT ").
		Arg(f.ws).T(", ").Int(ot.ID)
	if f.d.Dialect.Name() == "postgres" {
		q.T(", jsonb_build_object('email', 'contact' || g || '@example.com', 'firstname', 'first' || (g % 500), 'lastname', 'last' || g, 'score', g % 1000), ").
			Arg(now).T(", ").Cast(now, "timestamptz").T(" + g * interval '1 second' FROM generate_series(1, ").Int(planRows).T(") g")
	} else {
		q = db.Build(f.d.Dialect, "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ").Int(planRows).
			T(") INSERT INTO records (workspace_id, object_type_id, properties, created_at, updated_at) SELECT ").Arg(f.ws).T(", ").Int(ot.ID).
			T(", json_object('email', 'contact' || n || '@example.com', 'firstname', 'first' || (n % 500), 'lastname', 'last' || n, 'score', n % 1000), ").
			Arg(now).T(", ").Arg(now).T(" FROM g")
	}
	if _, err := q.Exec(f.ctx, f.d.SQL); err != nil {
		f.t.Fatal(err)
	}
	if _, err := db.Build(f.d.Dialect, "ANALYZE").Exec(f.ctx, f.d.SQL); err != nil {
		f.t.Fatal(err)
	}
}

// plan lists records with q and returns the plan of its statement: what
// EXPLAIN (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite) says of the very
// statement and arguments the listing sent, and the page. On PostgreSQL,
// generic is the plan of the statement prepared, as the server prepares
// its reads, once PostgreSQL plans it for any arguments.
func (f *fixture) plan(c *db.Counter, q records.Query) (custom, generic string, p *records.Page) {
	f.t.Helper()
	c.Reset()
	p, err := records.New(f.d, write.New(f.d), nil).List(f.ctx, f.model(), q)
	if err != nil {
		f.t.Fatal(err)
	}
	var stmt *db.Statement
	for _, s := range c.Sent() {
		if strings.Contains(s.Text, `FROM records "r"`) {
			stmt = &s
		}
	}
	if stmt == nil {
		f.t.Fatalf("the listing sent no statement over records: %v", c.Statements())
	}
	conn, err := f.d.SQL.Conn(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Close()
	if f.d.Dialect.Name() != "postgres" {
		return f.explain(conn, "EXPLAIN QUERY PLAN "+stmt.Text, stmt.Args), "", p
	}
	custom = f.explain(conn, "EXPLAIN "+stmt.Text, stmt.Args)
	// EXECUTE takes no bound parameters: its arguments are literals.
	params := make([]string, len(stmt.Args))
	for i, a := range stmt.Args {
		if at, ok := a.(time.Time); ok {
			a = at.Format(time.RFC3339Nano)
		}
		params[i] = pq.QuoteLiteral(fmt.Sprint(a))
	}
	for _, s := range []string{"SET plan_cache_mode = force_generic_plan", "PREPARE crm_plan AS " + stmt.Text} {
		if _, err := conn.ExecContext(f.ctx, s); err != nil {
			f.t.Fatalf("%s: %v", s, err)
		}
	}
	generic = f.explain(conn, "EXPLAIN EXECUTE crm_plan("+strings.Join(params, ", ")+")", nil)
	if _, err := conn.ExecContext(f.ctx, "DEALLOCATE crm_plan; RESET plan_cache_mode"); err != nil {
		f.t.Fatal(err)
	}
	return custom, generic, p
}

// explain runs an EXPLAIN and returns the lines of its plan.
func (f *fixture) explain(conn *stdsql.Conn, query string, args []any) string {
	f.t.Helper()
	rows, err := conn.QueryContext(f.ctx, query, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		f.t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			f.t.Fatal(err)
		}
		lines = append(lines, asText(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func asText(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	s, _ := v.(string)
	return s
}

// The statements of filtered and sorted pages use the indexes kept for
// their properties: the expressions match what search writes, the object
// type is a literal the partial predicates are proven from, and no range,
// sort or prefix scans the table.
func TestPlansUseTheIndexes(t *testing.T) {
	for _, dialectName := range dbtest.Dialects {
		t.Run(dialectName, func(t *testing.T) {
			c := &db.Counter{Keep: true}
			f := setup(t, dbtest.Open(t, dialectName, db.WithCounter(c)))
			f.createProperty("contacts", definition.PropertyInput{Name: "score", Label: "Score", Type: propdef.Number,
				FieldType: propdef.NumberField, Sortable: true})
			f.updateProperty("contacts", "lastmodifieddate", definition.PropertyUpdate{Sortable: ptr(true)})
			f.loadContacts()
			pg := dialectName == "postgres"
			first := 20
			list := func(filter *search.Filter, sorts ...search.Sort) records.Query {
				return records.Query{ObjectType: "contacts", Filter: filter, Sort: sorts, Page: page.Args{First: &first}}
			}
			leaf := func(property string, op search.Operator, values ...any) *search.Filter {
				l := &search.Filter{Property: property, Operator: op, Value: values[0]}
				if len(values) > 1 {
					l.HighValue = values[1]
				}
				return l
			}
			// Every case is planned for its arguments; the sorts and an
			// equality, whose best plan hangs on no value (the statistics
			// on an expression tell any email is rare), generically too:
			// that is the plan PostgreSQL settles on for a prepared
			// statement, and a bound object type would leave it no partial
			// index. A range or a pattern it keeps planning for its values
			// while its generic plan, which guesses their selectivity,
			// costs more (plan_cache_mode auto).
			type planCase struct {
				name     string
				q        records.Query
				property string
				pgOnly   bool
				generic  bool
			}
			cases := []planCase{
				{"sort by a number", list(nil, search.Sort{Property: "score"}), "score", false, true},
				{"sort by a number, descending", list(nil, search.Sort{Property: "score", Desc: true}), "score", false, true},
				{"range sorted by it", list(leaf("score", search.GT, json.Number("990")), search.Sort{Property: "score"}), "score", false, true},
				{"between", list(leaf("score", search.Between, json.Number("10"), json.Number("12"))), "score", false, false},
				{"sort by a string", list(nil, search.Sort{Property: "firstname"}), "firstname", false, true},
				{"equality on a string", list(leaf("email", search.EQ, "Contact123@Example.com")), "email", false, true},
				{"prefix", list(leaf("lastname", search.StartsWith, "last1999")), "lastname", true, false},
				{"sort by a column", list(nil, search.Sort{Property: "lastmodifieddate", Desc: true}), "lastmodifieddate", false, true},
			}
			if f.trigram() {
				cases = append(cases, planCase{"substring", list(leaf("email", search.Contains, "t19999@")), "email", true, false})
			}
			uses := func(what, plan string, ot, prop int, property string) {
				t.Helper()
				if !strings.Contains(plan, indexes.Name(ot, prop)) {
					t.Errorf("%s: the plan does not use the index of %s:\n%s", what, property, plan)
				}
				if pg && strings.Contains(plan, "Seq Scan on records") {
					t.Errorf("%s: the plan scans records:\n%s", what, plan)
				}
			}
			for _, tc := range cases {
				if tc.pgOnly && !pg {
					continue
				}
				ot, p := f.property("contacts", tc.property)
				custom, generic, _ := f.plan(c, tc.q)
				uses(tc.name, custom, ot.ID, p.ID, tc.property)
				if pg && tc.generic {
					uses(tc.name+" (generic plan)", generic, ot.ID, p.ID, tc.property)
				}
			}

			// The next page, past a cursor, still walks the index.
			ot, p := f.property("contacts", "score")
			_, _, page1 := f.plan(c, list(nil, search.Sort{Property: "score"}))
			next := list(nil, search.Sort{Property: "score"})
			next.Page.After = page1.Info.EndCursor()
			custom, _, _ := f.plan(c, next)
			uses("the second page", custom, ot.ID, p.ID, "score")
		})
	}
}
