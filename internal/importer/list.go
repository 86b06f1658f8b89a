package importer

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/importerror"
	"github.com/acme/crm/ent/importjob"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
)

// JobPage is a page of imports, newest first.
type JobPage struct {
	Jobs    []*ent.ImportJob
	Cursors []string
	Info    page.Info
}

// ErrorPage is a page of an import's row errors, in file and row order.
type ErrorPage struct {
	Errors  []*ent.ImportError
	Cursors []string
	Info    page.Info
}

const (
	jobOrdering   = "imports"
	errorOrdering = "import-errors"
)

// List returns a page of the workspace's imports, newest first.
func (e *Engine) List(ctx context.Context, m *meta.Model, args page.Args) (*JobPage, error) {
	if args.Last != nil || args.Before != nil {
		return nil, pageForward()
	}
	w, err := args.Resolve(jobOrdering)
	if err != nil {
		return nil, err
	}
	q := e.db.Client.ImportJob.Query().Where(importjob.WorkspaceID(m.WorkspaceID)).Order(ent.Desc(importjob.FieldID)).Limit(w.Size + 1)
	if w.After != nil {
		q.Where(importjob.IDLT(w.After.ID))
	}
	jobs, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	cursor := func(j *ent.ImportJob) string { return page.Encode(jobOrdering, page.Cursor{ID: j.ID}) }
	jobs, info := page.Trim(w, jobs, cursor)
	p := &JobPage{Jobs: jobs, Info: info}
	for _, j := range jobs {
		p.Cursors = append(p.Cursors, cursor(j))
	}
	return p, nil
}

// Errors returns a page of an import's row errors.
func (e *Engine) Errors(ctx context.Context, job *ent.ImportJob, args page.Args) (*ErrorPage, error) {
	if args.Last != nil || args.Before != nil {
		return nil, pageForward()
	}
	w, err := args.Resolve(errorOrdering)
	if err != nil {
		return nil, err
	}
	q := e.db.Client.ImportError.Query().Where(importerror.ImportID(job.ID)).Order(ent.Asc(importerror.FieldID)).Limit(w.Size + 1)
	if w.After != nil {
		q.Where(importerror.IDGT(w.After.ID))
	}
	errs, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	cursor := func(ie *ent.ImportError) string { return page.Encode(errorOrdering, page.Cursor{ID: ie.ID}) }
	errs, info := page.Trim(w, errs, cursor)
	p := &ErrorPage{Errors: errs, Info: info}
	for _, ie := range errs {
		p.Cursors = append(p.Cursors, cursor(ie))
	}
	return p, nil
}

// Unmapped are the columns of an import's files mapped to nothing, as
// "file: column".
func Unmapped(job *ent.ImportJob) ([]string, error) {
	var spec Spec
	if err := decodeSpec(job.Spec, &spec); err != nil {
		return nil, err
	}
	out := []string{}
	for _, f := range spec.Files {
		for _, c := range f.Unmapped {
			out = append(out, f.Name+": "+c)
		}
	}
	return out, nil
}

// ErrorsPath is where the server serves an import's errors as CSV.
func ErrorsPath(job *ent.ImportJob) string {
	return "/imports/" + gid.Encode(gid.Import, job.ID) + "/errors.csv"
}

// WriteErrors writes an import's errors as CSV, a page at a time.
func (e *Engine) WriteErrors(ctx context.Context, w io.Writer, job *ent.ImportJob) error {
	out := csv.NewWriter(w)
	if err := out.Write([]string{"file", "row", "column", "property", "code", "message", "warning"}); err != nil {
		return err
	}
	after := 0
	for {
		errs, err := e.db.Client.ImportError.Query().Where(importerror.ImportID(job.ID), importerror.IDGT(after)).
			Order(ent.Asc(importerror.FieldID)).Limit(1000).All(ctx)
		if err != nil {
			return err
		}
		for _, ie := range errs {
			if err := out.Write([]string{ie.File, strconv.Itoa(ie.Row), ie.Column, ie.Property, ie.Code, ie.Message, strconv.FormatBool(ie.Warning)}); err != nil {
				return err
			}
			after = ie.ID
		}
		out.Flush()
		if err := out.Error(); err != nil || len(errs) < 1000 {
			return err
		}
	}
}
