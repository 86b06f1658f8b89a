package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/write"
)

// importColumns are the header of the measured file: the search data
// set's ten values of a contact, headed by their property names.
var importColumns = []string{"email", "firstname", "lastname", "phone", "jobtitle", "city", "country", "lifecyclestage", "annualrevenue", "last_contacted"}

// Goals of the import, and the size of its file by default.
const (
	defaultImportRows = 1_000_000
	minImportRatio    = 0.5
	maxImportSeconds  = 60.0 // a million rows
	maxImportRSSMB    = 200
)

// benchImport writes cfg.importRows contacts of the search data set to a
// CSV file, imports it into a fresh schema with crm import, the server
// binary built once and run as a child process, and copies the same rows
// with COPY into a table shaped like records with the same indexes, in
// the same run. It prints seconds, rows/s, the ratio and the child's peak
// resident memory (its rusage maxrss).
func benchImport(ctx context.Context, cfg config, out io.Writer) (err error) {
	fmt.Fprintf(out, "\n== import: %d contacts, %d columns, through crm import beside COPY\n", cfg.importRows, len(importColumns))
	schemaURL, d, m, done, err := freshWorkspace(ctx, cfg.databaseURL)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, done()) }()
	defs := definition.New(d, write.New(d))
	for _, in := range []definition.PropertyInput{
		{Name: "annualrevenue", Label: "Annual revenue", Type: propdef.Number, FieldType: propdef.NumberField},
		{Name: "last_contacted", Label: "Last contacted", Type: propdef.Date, FieldType: propdef.DateField},
	} {
		if _, err := defs.CreateProperty(ctx, m, "contacts", in); err != nil {
			return fmt.Errorf("create contacts.%s: %w", in.Name, err)
		}
		if m, err = meta.NewCache(d).Get(ctx, m.WorkspaceID); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "crm-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "contacts.csv")
	start := time.Now()
	size, err := writeImportFile(file, m, cfg.importRows)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "file: %s, %.1f MB, written in %.1fs\n", file, float64(size)/(1<<20), time.Since(start).Seconds())

	base, err := copyImportBaseline(ctx, d.SQL, m, cfg.importRows)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	bin, err := buildServer(ctx, dir)
	if err != nil {
		return err
	}
	api, err := runImport(ctx, bin, schemaURL, file)
	if err != nil {
		return err
	}
	contacts, _ := m.ObjectType("contacts")
	var n int
	if err := d.SQL.QueryRowContext(ctx, "SELECT count(*) FROM records WHERE object_type_id = $1", contacts.ID).Scan(&n); err != nil {
		return err
	}
	if n != cfg.importRows {
		return fmt.Errorf("the import left %d contacts, want %d", n, cfg.importRows)
	}
	rate := func(s float64) float64 { return float64(cfg.importRows) / s }
	fmt.Fprintf(out, "%-40s %8s %12s %14s\n", "", "seconds", "rows/s", "peak RSS MB")
	fmt.Fprintf(out, "%-40s %8.2f %12.0f %14s\n", "COPY into a copy of records (baseline)", base.Seconds(), rate(base.Seconds()), "-")
	fmt.Fprintf(out, "%-40s %8.2f %12.0f %14.1f\n", "crm import --object contacts", api.seconds, rate(api.seconds), api.peakMB)
	ratio := base.Seconds() / api.seconds
	fmt.Fprintf(out, "ratio: the import runs at %.2fx the baseline's rows/s\n", ratio)
	var missed []string
	if ratio < minImportRatio {
		missed = append(missed, fmt.Sprintf(">= %.1fx the baseline", minImportRatio))
	}
	if api.seconds > maxImportSeconds*float64(cfg.importRows)/1e6 {
		missed = append(missed, fmt.Sprintf("under %.0f s a million rows", maxImportSeconds))
	}
	if api.peakMB > maxImportRSSMB {
		missed = append(missed, fmt.Sprintf("peak RSS under %d MB", maxImportRSSMB))
	}
	if len(missed) > 0 {
		fmt.Fprintf(out, "MISSED: goal %v\n", missed)
	} else {
		fmt.Fprintln(out, "goal met: >= 0.5x the baseline, under 60 s a million rows, under 200 MB")
	}
	return nil
}

// writeImportFile writes the header and n contacts of the search data
// set, drawn as its load draws them, and answers the file's size.
func writeImportFile(path string, m *meta.Model, n int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	if err := w.Write(importColumns); err != nil {
		return 0, err
	}
	dr, err := importDrawer(m)
	if err != nil {
		return 0, err
	}
	for i := 0; i < n; i++ {
		c := dr.contact(i)
		if err := w.Write([]string{c.Email, c.Firstname, c.Lastname, c.Phone, c.Jobtitle, c.City, c.Country,
			c.Lifecyclestage, string(c.Annualrevenue), c.LastContacted}); err != nil {
			return 0, err
		}
	}
	w.Flush()
	if err := errors.Join(w.Error(), bw.Flush()); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), f.Close()
}

// importDrawer draws contacts as the search data set does, from its seed.
func importDrawer(m *meta.Model) (*drawer, error) {
	s, err := newSearchSet(m, 1)
	if err != nil {
		return nil, err
	}
	return newDrawer(s), nil
}

// copyImportBaseline copies n contacts, the same values as the file's,
// into a table made LIKE records INCLUDING ALL (its columns, defaults and
// every index the schema's records has, the unique email expression index
// and the GIN indexes among them), in one transaction, and answers how
// long that took; the table goes after.
func copyImportBaseline(ctx context.Context, sqlDB *sql.DB, m *meta.Model, n int) (time.Duration, error) {
	contacts, _ := m.ObjectType("contacts")
	if _, err := sqlDB.ExecContext(ctx, "CREATE TABLE bench_import_copy (LIKE records INCLUDING ALL)"); err != nil {
		return 0, err
	}
	defer sqlDB.ExecContext(context.WithoutCancel(ctx), "DROP TABLE bench_import_copy")
	dr, err := importDrawer(m)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	_, err = copyRows(ctx, tx, "bench_import_copy", recordColumns, func(emit func(...any) error) error {
		record := recordEmitter(emit, m.WorkspaceID, contacts)
		now := time.Now()
		for i := 0; i < n; i++ {
			if err := record(i+1, contacts.ID, dr.contact(i), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// buildServer builds the server binary into dir and answers its path.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "crm")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/acme/crm")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build the server: %w", err)
	}
	return bin, nil
}

// importRun is the measured child: its wall time and peak resident
// memory.
type importRun struct {
	seconds float64
	peakMB  float64
}

// runImport runs crm import of file into the schema as a child process.
// Its output is kept and shown when it fails.
func runImport(ctx context.Context, bin, schemaURL, file string) (importRun, error) {
	cmd := exec.CommandContext(ctx, bin, "import", "--database-url", schemaURL, "--object", "contacts", file)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return importRun{}, fmt.Errorf("crm import: %w\n%s", err, tail(output.Bytes(), 2000))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return importRun{}, errors.New("no rusage of the child (Linux only)")
	}
	return importRun{seconds: elapsed.Seconds(), peakMB: float64(ru.Maxrss) / 1024}, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
