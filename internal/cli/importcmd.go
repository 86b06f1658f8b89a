// Package cli holds the server binary's commands besides serving: crm
// import, crm keys, crm workspaces and crm schema.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/importjob"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/domain"
	"github.com/acme/crm/internal/importer"
	"github.com/acme/crm/internal/meta"
)

// ImportUsage is crm import's usage line.
const ImportUsage = `  crm import [--database-url URL] [--object NAME] [--operation CREATE|UPDATE|UPSERT] [--date-format F] [--create-list] FILE...
  crm import --file contacts.csv --file companies.csv ...   (each file's object is the one it is named after)
`

// files is a repeated --file flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(s string) error { *f = append(*f, s); return nil }

// Import runs crm import in the foreground: the files as one import, the
// same job the API runs, with its progress on out (a bar on a terminal,
// lines otherwise) and its errors at the end. It is audited with the
// actor CLI. It fails when the import
// does not end DONE or a row failed.
func Import(ctx context.Context, args []string, getenv func(string) string, out io.Writer, logger *slog.Logger) error {
	ctx = audit.WithActor(ctx, audit.CLI)
	fs := flag.NewFlagSet("crm import", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { fmt.Fprint(out, "usage:\n"+ImportUsage); fs.PrintDefaults() }
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "postgres://... or sqlite:FILE (env DATABASE_URL; default "+db.DefaultURL+")")
	object := fs.String("object", "", "the object of every file's rows (default: the one each file is named after)")
	operation := fs.String("operation", string(importer.Upsert), "CREATE, UPDATE or UPSERT")
	dateFormat := fs.String("date-format", string(importer.YearMonthDay), "YEAR_MONTH_DAY, DAY_MONTH_YEAR or MONTH_DAY_YEAR")
	createList := fs.Bool("create-list", false, "make a MANUAL list of the records imported")
	var named files
	fs.Var(&named, "file", "a file to import (repeatable; the file names may also follow the flags)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	paths := append(named, fs.Args()...)
	if len(paths) == 0 {
		fs.Usage()
		return errors.New("crm import: no file to import")
	}
	d, ws, err := openDefault(ctx, *databaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	m, err := meta.NewCache(d).Get(ctx, ws)
	if err != nil {
		return err
	}
	in := importer.Input{Name: "crm import " + strings.Join(paths, " "), DateFormat: importer.DateFormat(*dateFormat), CreateList: *createList}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fi := importer.FileInput{Upload: importer.Upload{Name: filepath.Base(p), Body: f}, Operation: importer.Operation(*operation)}
		if *object != "" {
			fi.ObjectTypes = []string{*object}
		}
		in.Files = append(in.Files, fi)
	}
	e := domain.New(d, "", logger).Imports
	job, err := e.Start(ctx, m, in)
	if err != nil {
		return err
	}
	total := 0
	for _, p := range paths {
		total += countLines(p)
	}
	bar := newProgress(out, total)
	if err := e.Run(ctx, ws, job.ID, bar.show); err != nil {
		return err
	}
	if job, err = e.Get(ctx, m, job.ID); err != nil {
		return err
	}
	bar.done(job)
	if unmapped, err := importer.Unmapped(job); err == nil && len(unmapped) > 0 {
		fmt.Fprintf(out, "columns mapped to nothing: %s\n", strings.Join(unmapped, "; "))
	}
	if err := printErrors(ctx, e, job, out); err != nil {
		return err
	}
	if job.State != importjob.StateDONE || job.Failed > 0 {
		return fmt.Errorf("import %d: %s, %d rows failed", job.ID, job.State, job.Failed)
	}
	return nil
}

// countLines counts a file's rows for the progress (its lines less the
// header: a quoted newline counts one more).
func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n := 0
	for {
		k, err := f.Read(buf)
		for _, b := range buf[:k] {
			if b == '\n' {
				n++
			}
		}
		if err != nil {
			return max(n-1, 0)
		}
	}
}

// progress shows an import's counters: a bar redrawn in place on a
// terminal, a line per chunk otherwise.
type progress struct {
	out   io.Writer
	total int
	tty   bool
}

func newProgress(out io.Writer, total int) *progress {
	p := &progress{out: out, total: total}
	if f, ok := out.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) line(job *ent.ImportJob) string {
	return fmt.Sprintf("%d/%d rows: %d created, %d updated, %d skipped, %d failed", job.RowsRead, p.total, job.Created, job.Updated, job.Skipped, job.Failed)
}

func (p *progress) show(job *ent.ImportJob) {
	if !p.tty {
		fmt.Fprintln(p.out, p.line(job))
		return
	}
	const width = 30
	filled := width
	if p.total > 0 {
		filled = min(width, job.RowsRead*width/p.total)
	}
	fmt.Fprintf(p.out, "\r[%s%s] %s", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), p.line(job))
}

func (p *progress) done(job *ent.ImportJob) {
	if p.tty {
		fmt.Fprintln(p.out)
	}
	fmt.Fprintf(p.out, "import %d %s: %s\n", job.ID, job.State, p.line(job))
	if job.Message != "" {
		fmt.Fprintln(p.out, job.Message)
	}
}

// printErrors writes the import's row errors as CSV.
func printErrors(ctx context.Context, e *importer.Engine, job *ent.ImportJob, out io.Writer) error {
	if job.Failed == 0 {
		return nil
	}
	fmt.Fprintln(out, "errors:")
	return e.WriteErrors(ctx, out, job)
}
