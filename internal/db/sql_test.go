package db_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

func TestBuilderQuotesAndBinds(t *testing.T) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			d := dbtest.Open(t, name)
			q := db.Build(d.Dialect, "SELECT ").Ident("r", `we"ird`).T(", ").Property("r", "properties", "email").T(" FROM records r WHERE id = ").Arg(1).
				T(" AND id IN (").Args(2, 3).T(")")
			want := map[string]string{
				"postgres": `SELECT "r"."we""ird", ("r"."properties"->>'email') FROM records r WHERE id = $1 AND id IN ($2, $3)`,
				"sqlite":   `SELECT "r"."we""ird", CAST(json_extract("r"."properties", '$.email') AS TEXT) FROM records r WHERE id = ? AND id IN (?, ?)`,
			}[name]
			if q.String() != want {
				t.Fatalf("got  %s\nwant %s", q.String(), want)
			}
			// A value that looks like SQL stays a value.
			var got string
			if err := db.Build(d.Dialect, "SELECT ").Arg(`'; DROP TABLE records; --`).Row(t.Context(), d.SQL, &got); err != nil || got != `'; DROP TABLE records; --` {
				t.Fatalf("bound value came back as %q (%v)", got, err)
			}
		})
	}
}

func TestPropertyRefusesWhatIsNoPropertyName(t *testing.T) {
	for _, name := range []string{`x'--`, `A`, `a b`, `a"b`, ``, `a.b`, `$`} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Property(%q) reached SQL", name)
				}
			}()
			db.Build(nil, "SELECT ").Property("", "properties", name)
		}()
	}
}

// The domain's statements are all built by db.SQL: no package sends SQL
// text of its own (ent's generated queries aside).
func TestDomainSendsOnlyBuiltStatements(t *testing.T) {
	direct := regexp.MustCompile(`\.(ExecContext|QueryContext|QueryRowContext)\(`)
	for _, pkg := range []string{"records", "assoc", "history", "definition", "write", "meta", "catalog", "install", "tenant", "search", "view", "lists"} {
		files, err := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("package %s: %v", pkg, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(src), "\n") {
				if direct.MatchString(line) {
					t.Errorf("%s:%d sends SQL text of its own: build it with db.SQL\n\t%s", f, i+1, strings.TrimSpace(line))
				}
			}
		}
	}
}
