package cli_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/crm/internal/cli"
	"github.com/acme/crm/internal/dbtest"
)

func fixture(name string) string {
	return filepath.Join("..", "importer", "testdata", "fixtures", name)
}

// TestImportCommand: crm import writes the joined fixture files, says its
// progress in lines off a terminal, and fails, listing the errors, on a
// file with bad rows.
func TestImportCommand(t *testing.T) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			url := dbtest.URL(t, name)
			getenv := databaseEnv(url)
			var out bytes.Buffer
			err := cli.Import(context.Background(), []string{"--file", fixture("deals.csv"), "--file", fixture("companies.csv"), fixture("contacts.csv")},
				getenv, &out, slog.Default())
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if last := lines[len(lines)-1]; last != "import 1 DONE: 1500/1500 rows: 1500 created, 0 updated, 0 skipped, 0 failed" || len(lines) < 8 {
				t.Fatalf("output:\n%s", out.String())
			}
			out.Reset()
			err = cli.Import(context.Background(), []string{"--object", "contacts", fixture("contacts_bad_rows.csv")}, getenv, &out, slog.Default())
			if err == nil || !strings.Contains(err.Error(), "3 rows failed") {
				t.Fatalf("bad rows: %v\n%s", err, out.String())
			}
			for _, want := range []string{
				"import 2 DONE: 8/8 rows: 5 created, 0 updated, 0 skipped, 3 failed",
				"columns mapped to nothing: contacts_bad_rows.csv: Number of Employees; contacts_bad_rows.csv: Date of birth",
				"contacts_bad_rows.csv,7,Email,email,BAD_USER_INPUT,\"\"\"not an email\"\" is not an email address\",false",
			} {
				if !strings.Contains(out.String(), want) {
					t.Fatalf("no %q in:\n%s", want, out.String())
				}
			}
		})
	}
}
