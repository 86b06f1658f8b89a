package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/records"
)

// Write writes the CSV of spec's records to w: RFC 4180, UTF-8, a header
// row, then one row per record, read a keyset page at a time and written
// as it comes, so that memory stays flat whatever the count. Nothing is
// written when the spec is refused; an error after the first byte leaves
// the file cut short.
//
// Cells: strings as stored, numbers as JSON writes them, booleans true or
// false, dates YYYY-MM-DD, datetimes RFC 3339, enumerations their option
// values (or labels, when the spec asks), a multi-select's values joined
// by ";", and the associated records' ids and names joined by ";".
func (s *Store) Write(ctx context.Context, m *meta.Model, spec Spec, w io.Writer) error {
	p, err := s.prepare(ctx, m, spec)
	if err != nil {
		return err
	}
	return s.write(ctx, m, p, w)
}

func (s *Store) write(ctx context.Context, m *meta.Model, p *plan, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	out := csv.NewWriter(bw)
	out.UseCRLF = true
	row := make([]string, len(p.columns))
	for i, c := range p.columns {
		row[i] = c.header
	}
	if err := out.Write(row); err != nil {
		return err
	}
	cells := newCells(p)
	ctx, cancel := context.WithCancel(ctx)
	batches := s.read(ctx, m, p)
	defer func() {
		cancel()
		for range batches { // the reader is gone when Write returns
		}
	}()
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		for _, r := range b.records {
			for i, c := range p.columns {
				row[i] = cells.of(c, i, r, b.linked)
			}
			if err := out.Write(row); err != nil {
				return err
			}
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// batch is a page of records and their associated records, or the error
// that ended the reading.
type batch struct {
	records []*records.Record
	linked  map[*meta.ObjectType]map[int][]*records.Record
	err     error
}

// read reads the plan's records a page at a time in a goroutine of its
// own, one page ahead of the writer: the database reads the next page
// while the last one is written. At most three pages are in memory (one
// read, one waiting, one written). The channel closes after the last page,
// an error, or ctx's end.
func (s *Store) read(ctx context.Context, m *meta.Model, p *plan) <-chan batch {
	out := make(chan batch, 1)
	go func() {
		defer close(out)
		q := p.query
		for {
			recs, info, err := s.page(ctx, m, p, q)
			b := batch{records: recs, err: err}
			if err == nil {
				b.linked, b.err = s.linked(ctx, m, p, recs)
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
			if b.err != nil || !info.HasNextPage {
				return
			}
			q.Page.After = info.EndCursor()
		}
	}()
	return out
}

// page reads one page of the plan's records: of its list, or of its
// object type.
func (s *Store) page(ctx context.Context, m *meta.Model, p *plan, q records.Query) ([]*records.Record, page.Info, error) {
	if p.list == nil {
		pg, err := s.records.List(ctx, m, q)
		if err != nil {
			return nil, page.Info{}, err
		}
		return pg.Records, pg.Info, nil
	}
	pg, err := s.lists.Members(ctx, m, p.list, q)
	if err != nil {
		return nil, page.Info{}, err
	}
	recs := make([]*records.Record, len(pg.Edges))
	for i, e := range pg.Edges {
		recs[i] = e.Node
	}
	return recs, pg.Info, nil
}

// linked reads the associated records of a page, one statement per
// associated object type.
func (s *Store) linked(ctx context.Context, m *meta.Model, p *plan, recs []*records.Record) (map[*meta.ObjectType]map[int][]*records.Record, error) {
	if len(p.linked) == 0 || len(recs) == 0 {
		return nil, nil
	}
	ids := make([]int, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	out := make(map[*meta.ObjectType]map[int][]*records.Record, len(p.linked))
	for _, to := range p.linked {
		byRecord, err := s.assoc.Linked(ctx, m, ids, to)
		if err != nil {
			return nil, err
		}
		out[to] = byRecord
	}
	return out, nil
}

// cells writes the cells of a plan's columns.
type cells struct {
	// labels, by column index, map option values to labels when the spec
	// asks for labels.
	labels map[int]map[string]string
	parts  []string
}

func newCells(p *plan) *cells {
	c := &cells{labels: map[int]map[string]string{}}
	if p.spec.Enumerations != OptionLabels {
		return c
	}
	for i, col := range p.columns {
		if col.property != nil && col.property.Type == propdef.Enumeration {
			labels := make(map[string]string, len(col.property.Options))
			for _, o := range col.property.Options {
				labels[o.Value] = o.Label
			}
			c.labels[i] = labels
		}
	}
	return c
}

// of is the cell of column col (at index i) for r.
func (c *cells) of(col column, i int, r *records.Record, linked map[*meta.ObjectType]map[int][]*records.Record) string {
	if col.assoc != nil {
		c.parts = c.parts[:0]
		for _, other := range linked[col.assoc][r.ID] {
			if col.names {
				c.parts = append(c.parts, other.DisplayName())
			} else {
				c.parts = append(c.parts, strconv.Itoa(other.ID))
			}
		}
		return strings.Join(c.parts, ";")
	}
	v, ok := r.Value(col.property.Name)
	if !ok {
		return ""
	}
	labels := c.labels[i]
	if items, ok := v.([]any); ok {
		c.parts = c.parts[:0]
		for _, item := range items {
			c.parts = append(c.parts, scalar(item, labels))
		}
		return strings.Join(c.parts, ";")
	}
	return scalar(v, labels)
}

// scalar writes one stored value: values are stored normalised (dates
// YYYY-MM-DD, datetimes RFC 3339 UTC), so a string is written as it is,
// or as its option's label when labels has one.
func scalar(v any, labels map[string]string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if label, ok := labels[x]; ok {
			return label
		}
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}
