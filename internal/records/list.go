package records

import (
	"context"
	"fmt"
	"time"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
)

// Query is everything a read of records asks, whoever asks it: the
// records field, an associations field under each of many parents, a
// read plan and the complexity limit all describe their read as one.
type Query struct {
	// ObjectType is the type of the records read: for associations, the
	// type of the associated records.
	ObjectType string `json:"type"`
	// Labels, for associations, keeps records linked under any of these
	// labels; none keeps every associated record.
	Labels []string  `json:"labels,omitempty"`
	Page   page.Args `json:"page"`
	// Archived lists the recycle bin, newest archived first, instead of the
	// live records, newest first.
	Archived bool `json:"archived,omitempty"`
	// AsOf, when set, answers the values records had at that moment,
	// leaving out the records made later.
	AsOf *time.Time `json:"asOf,omitempty"`
}

// Ordering names the order q's records come in: a cursor holds it, so that
// a cursor of one object type or order is refused by another.
func (q Query) Ordering() string {
	if q.Archived {
		return q.ObjectType + ":archived"
	}
	return CreatedOrdering(q.ObjectType)
}

// Key is q's comparable form for one parent's read, for loaders.
func (q Query) Key(parent int) page.Key[int] {
	return page.Key[int]{Parent: parent, Shape: page.Shape(q)}
}

// QueryOf reads the query a key was made from.
func QueryOf(k page.Key[int]) (Query, error) {
	var q Query
	return q, k.Decode(&q)
}

// Page is one page of records with the means to count them all.
type Page struct {
	Records []*Record
	Info    page.Info
	// Cursors are the records' cursors, by index.
	Cursors []string
	count   func(context.Context) (int, error)
}

// TotalCount counts every record the query selects. It costs a statement,
// so it runs only when a client asks for it.
func (p *Page) TotalCount(ctx context.Context) (int, error) { return p.count(ctx) }

// ordering is a keyset order: a sort column, then id, both descending,
// over the live records or the recycle bin.
type ordering struct {
	name     string
	column   string
	archived bool
}

func orderingFor(q Query) ordering {
	if q.Archived {
		return ordering{name: q.Ordering(), column: "archived_at", archived: true}
	}
	return ordering{name: q.Ordering(), column: "created_at"}
}

func (o ordering) cursor(r *Record) string {
	if o.column == "archived_at" && r.ArchivedAt != nil {
		return page.TimeCursor(o.name, *r.ArchivedAt, r.ID)
	}
	return page.TimeCursor(o.name, r.CreatedAt, r.ID)
}

// CreatedOrdering names the order of the records of an object type newest
// first, id on ties.
func CreatedOrdering(objectType string) string { return objectType + ":created" }

// CreatedCursor is r's cursor in its object type's CreatedOrdering.
func CreatedCursor(r *Record) string {
	return page.TimeCursor(CreatedOrdering(r.Type.Name), r.CreatedAt, r.ID)
}

// List returns one page of records, by keyset: one statement per page,
// however deep the page.
func (s *Store) List(ctx context.Context, m *meta.Model, q Query) (*Page, error) {
	ot, err := m.Lookup(q.ObjectType)
	if err != nil {
		return nil, err
	}
	o := orderingFor(q)
	w, err := q.Page.Resolve(o.name)
	if err != nil {
		return nil, err
	}
	// where writes the filter; the count covers every page: the filter
	// without the cursors.
	asOf := q.AsOf
	where := func(q *db.SQL) *db.SQL {
		q.T(" FROM records WHERE workspace_id = ").Arg(m.WorkspaceID).T(" AND object_type_id = ").Arg(ot.ID)
		if o.archived {
			q.T(" AND archived_at IS NOT NULL")
		} else {
			q.T(" AND archived_at IS NULL")
		}
		if asOf != nil {
			q.T(" AND created_at <= ").Arg(asOf.UTC())
		}
		return q
	}
	query := where(Columns(db.Build(s.db.Dialect, "SELECT "), ""))
	if err := w.TimeBounds(query, "", o.column, "id"); err != nil {
		return nil, err
	}
	query.T(" ORDER BY ").Ident(o.column).Desc(w.Backward).T(", id").Desc(w.Backward).T(" LIMIT ").Arg(w.Size + 1)
	recs, err := s.readRecords(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", ot.Name, err)
	}
	for _, r := range recs {
		r.Type = ot
	}
	recs, info := page.Trim(w, recs, o.cursor)
	if q.AsOf != nil {
		if recs, err = s.AsOf(ctx, m.WorkspaceID, recs, *q.AsOf); err != nil {
			return nil, err
		}
	}
	p := &Page{Records: recs, Info: info, Cursors: make([]string, len(recs))}
	for i, r := range recs {
		p.Cursors[i] = o.cursor(r)
	}
	p.count = func(ctx context.Context) (int, error) {
		var n int
		err := s.db.ReadRow(ctx, where(db.Build(s.db.Dialect, "SELECT COUNT(*)")), &n)
		if err != nil {
			return 0, fmt.Errorf("count %s: %w", ot.Name, err)
		}
		return n, nil
	}
	return p, nil
}
