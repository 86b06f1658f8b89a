package cli_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acme/crm/internal/cli"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

// childEnv makes the test binary run crm import with the arguments in it
// (separated by ";") instead of the tests: a process of its own, to kill.
const childEnv = "CRM_TEST_IMPORT_CHILD"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		if err := cli.Import(context.Background(), strings.Split(args, ";"), os.Getenv, os.Stdout, slog.Default()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestImportKilledLeavesWholeRows: crm import killed (SIGKILL) in the
// middle of a file of contacts, each associated with its company by a
// column, leaves rows whole — each contact with its association and its
// history — and counters that say exactly what landed.
func TestImportKilledLeavesWholeRows(t *testing.T) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			url := dbtest.URL(t, name)
			dir := t.TempDir()
			var companies, contacts strings.Builder
			companies.WriteString("Company name,Company Domain Name\n")
			for i := range 50 {
				fmt.Fprintf(&companies, "Company %d,c%d.example\n", i, i)
			}
			contacts.WriteString("Email,First Name,Company Domain Name\n")
			const rows = 20000
			for i := range rows {
				fmt.Fprintf(&contacts, "p%d@c%d.example,P%d,c%d.example\n", i, i%50, i, i%50)
			}
			for file, content := range map[string]string{"companies.csv": companies.String(), "contacts.csv": contacts.String()} {
				if err := os.WriteFile(filepath.Join(dir, file), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=--database-url;"+url+";--file;"+filepath.Join(dir, "companies.csv")+";--file;"+filepath.Join(dir, "contacts.csv"))
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			d := dbtest.OpenURL(t, url)
			// Kill it once it has written a few chunks of contacts.
			deadline := time.Now().Add(2 * time.Minute)
			for {
				var read int
				err := db.Build(d.Dialect, "SELECT COALESCE(MAX(rows_read), 0) FROM import_jobs").Row(context.Background(), d.Client, &read)
				if err == nil && read >= 50+600 {
					break
				}
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatalf("the import wrote %d rows in two minutes (%v)", read, err)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			var state string
			var read, created, failed int
			if err := db.Build(d.Dialect, "SELECT state, rows_read, created, failed FROM import_jobs").Row(context.Background(), d.Client, &state, &read, &created, &failed); err != nil {
				t.Fatal(err)
			}
			var contactsIn, linked, withHistory int
			q := `SELECT COUNT(*),
				COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM associations a WHERE a.from_record_id = r.id)),
				COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM property_histories h WHERE h.record_id = r.id AND h.source_type = 'IMPORT'))
				FROM records r JOIN object_types o ON o.id = r.object_type_id WHERE o.name = 'contacts'`
			if err := d.SQL.QueryRow(q).Scan(&contactsIn, &linked, &withHistory); err != nil {
				t.Fatal(err)
			}
			if state != "PROCESSING" || failed != 0 || created != 50+contactsIn || contactsIn >= rows || contactsIn%200 != 0 {
				t.Fatalf("job %s read %d created %d failed %d; %d contacts", state, read, created, failed, contactsIn)
			}
			if linked != contactsIn || withHistory != contactsIn {
				t.Fatalf("%d contacts, %d with their company, %d with their history", contactsIn, linked, withHistory)
			}
		})
	}
}
