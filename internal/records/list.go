package records

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/requester"
	"github.com/acme/crm/internal/search"
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
	Labels []string `json:"labels,omitempty"`
	// View is a saved view to read through. The view package applies it
	// (merging its filter and sort into the query) before the read; a
	// store refuses a query whose view was not applied.
	View int `json:"view,omitempty"`
	// Filter keeps the records it matches.
	Filter *search.Filter `json:"filter,omitempty"`
	// Sort orders the records by these keys, then by id; without keys,
	// records come newest first, or by relevance to Text.
	Sort []search.Sort `json:"sort,omitempty"`
	// Text, of a list of records (associations take none), keeps the
	// records whose searchable properties hold its words.
	Text *search.TextQuery `json:"query,omitempty"`
	Page page.Args         `json:"page"`
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
	name := q.ObjectType
	if q.Archived {
		name += ":archived"
	}
	if len(q.Sort) > 0 {
		return name + ":" + search.OrderingName(q.Sort, false)
	}
	if q.Text != nil {
		return name + ":" + search.OrderingName(nil, true)
	}
	if q.Archived {
		return name
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

// Selection is a query checked against the definitions: what the
// statement of a page writes, whoever writes it (a listing, a traversal
// under many parents).
type Selection struct {
	Type   *meta.ObjectType
	Window page.Window
	filter *search.Checked
	text   *search.TextQuery
	order  *search.Order // nil: the default order
	dflt   ordering
}

// Select checks q against m: its object type, filter, sort and page.
// Relative dates in the filter are read against the clock, me as the
// owner ctx's request is tied to.
func (q Query) Select(ctx context.Context, m *meta.Model) (*Selection, error) {
	if q.View != 0 {
		return nil, errors.New("records: a read through a view the view package did not apply")
	}
	ot, err := m.Lookup(q.ObjectType)
	if err != nil {
		return nil, err
	}
	if q.AsOf != nil && (q.Filter != nil || len(q.Sort) > 0 || q.Text != nil) {
		return nil, apierr.New(apierr.BadUserInput, "asOf reads are not filtered, searched or sorted: they answer past values of the records as they are now")
	}
	s := &Selection{Type: ot, text: q.Text, dflt: orderingFor(q)}
	if s.filter, err = search.Check(m, ot, q.Filter, "filter", clock.Now(), search.Me{Owner: requester.Owner(ctx)}); err != nil {
		return nil, err
	}
	switch {
	case len(q.Sort) > 0:
		s.order, err = search.CheckSorts(ot, q.Sort, nil, q.Ordering(), "sort")
	case q.Text != nil:
		// Without a sort, a full-text query orders by relevance.
		s.order, err = search.CheckSorts(ot, nil, search.Rank, q.Ordering(), "sort")
	}
	if err != nil {
		return nil, err
	}
	if s.Window, err = q.Page.Resolve(q.Ordering()); err != nil {
		return nil, err
	}
	return s, nil
}

// From appends the records table aliased alias, kept to those the
// full-text query matches.
func (s *Selection) From(q *db.SQL, alias string) *db.SQL {
	if s.text != nil {
		return s.text.From(q, alias)
	}
	return q.T("records ").Ident(alias)
}

// Ranked reports whether the records come by relevance: a statement then
// selects Rank before Columns, for their cursors.
func (s *Selection) Ranked() bool { return s.order != nil && s.order.Ranked() }

// Where appends " AND <the filter>" on the records aliased alias.
func (s *Selection) Where(q *db.SQL, alias string, workspaceID int) *db.SQL {
	if s.filter == nil {
		return q
	}
	return s.filter.Where(q.T(" AND "), alias, workspaceID)
}

// Bounds appends what keeps the records aliased alias inside the window's
// cursors.
func (s *Selection) Bounds(q *db.SQL, alias string) error {
	if s.order != nil {
		return s.order.Bounds(q, alias, s.Window)
	}
	return s.Window.TimeBounds(q, alias, s.dflt.column, "id")
}

// OrderBy appends the terms of the order (without ORDER BY), walking it
// backwards for a last: page.
func (s *Selection) OrderBy(q *db.SQL, alias string) *db.SQL {
	if s.order != nil {
		return s.order.OrderBy(q, alias, s.Window.Backward)
	}
	return q.Ident(alias, s.dflt.column).Desc(s.Window.Backward).T(", ").Ident(alias, "id").Desc(s.Window.Backward)
}

// Cursor is r's cursor in the selection's order.
func (s *Selection) Cursor(r *Record) string {
	if s.order != nil {
		return s.order.Cursor(search.Row{ID: r.ID, Properties: r.Properties, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Rank: r.rank})
	}
	return s.dflt.cursor(r)
}

// page writes the statement of a page after its "SELECT ": the records
// where writes, in the window, in order.
func (s *Selection) page(q *db.SQL, where func(*db.SQL) *db.SQL) error {
	if s.Ranked() {
		search.Rank(q, "r")
		q.T(" AS rank, ")
	}
	where(Columns(q, "r"))
	if err := s.Bounds(q, "r"); err != nil {
		return err
	}
	s.OrderBy(q.T(" ORDER BY "), "r").T(" LIMIT ").Arg(s.Window.Size + 1)
	return nil
}

// WalkRows is how many records, at most, the statement of a page walks
// probing each with its filter (walk) before the filter's joins find the
// rest. Tests lower it to have both halves answer.
var WalkRows = 1000

// walks reports whether the page is read by walk: on PostgreSQL, in the
// default order (an index walks it), of a filter with an association leaf.
func (s *Selection) walks(q *db.SQL) bool {
	return q.IsPostgres() && s.order == nil && s.filter.Associates()
}

// walk writes the statement of a page whose filter asks for associated
// records. PostgreSQL plans an association leaf as a join that starts from
// the associated records the leaf matches and gathers every record
// associated with them before it orders them: best when few match, slow
// when many do (every contact of 3% of the companies, sorted, for a page
// of 20). So the statement first walks the records of the window in
// order, at most WalkRows of them, probing each (search's Probe) until a
// page matches; only when fewer do the joins (Where) find the rest, past
// the walked records:
//
//	WITH hits AS MATERIALIZED (SELECT * FROM (<the first WalkRows records>) r WHERE <probe> LIMIT <page>)
//	SELECT * FROM (SELECT * FROM hits UNION ALL SELECT * FROM (
//		SELECT <records> WHERE <filter> AND r.id NOT IN (<the first WalkRows>) ORDER BY <order> LIMIT <page>
//	) rest WHERE (SELECT COUNT(*) FROM hits) < <page>) r ORDER BY <order> LIMIT <page>
//
// The count is a condition of no column, which PostgreSQL tests once,
// above the joins' plan (their LIMIT keeps it there): when the walk has a
// page, their plan does not start, parallel workers and all. Their own
// LIMIT keeps their plan the one of a page, as cheap as it is without the
// walk.
func (s *Selection) walk(q *db.SQL, scope func(*db.SQL) *db.SQL, workspaceID int) error {
	walked := func(columns func(q *db.SQL, alias string) *db.SQL) error {
		scope(columns(q.T("SELECT "), "r"))
		if err := s.Bounds(q, "r"); err != nil {
			return err
		}
		s.OrderBy(q.T(" ORDER BY "), "r").T(" LIMIT ").Int(WalkRows)
		return nil
	}
	limit := s.Window.Size + 1
	q.T("WITH hits AS MATERIALIZED (SELECT * FROM (")
	if err := walked(Columns); err != nil {
		return err
	}
	s.filter.Probe(q.T(") r WHERE "), "r", workspaceID).T(" LIMIT ").Arg(limit).
		T(") SELECT * FROM (SELECT * FROM hits UNION ALL SELECT * FROM (SELECT ")
	s.Where(scope(Columns(q, "r")), "r", workspaceID)
	if err := s.Bounds(q, "r"); err != nil {
		return err
	}
	q.T(" AND r.id NOT IN (")
	if err := walked(func(q *db.SQL, alias string) *db.SQL { return q.Ident(alias, "id") }); err != nil {
		return err
	}
	s.OrderBy(q.T(") ORDER BY "), "r").T(" LIMIT ").Arg(limit).
		T(") rest WHERE (SELECT COUNT(*) FROM hits) < ").Arg(limit)
	s.OrderBy(q.T(") r ORDER BY "), "r").T(" LIMIT ").Arg(limit)
	return nil
}

// Page is one page of records with the means to count them all.
type Page struct {
	Records []*Record
	Info    page.Info
	cursor  func(*Record) string
	count   func(context.Context) (int, error)
}

// Cursor is the cursor of the record at index i, encoded when asked for:
// a reader that pages through every record (an export) needs only the
// last one's.
func (p *Page) Cursor(i int) string { return p.cursor(p.Records[i]) }

// TotalCount counts every record the query selects. It costs a statement,
// so it runs only when a client asks for it.
func (p *Page) TotalCount(ctx context.Context) (int, error) { return p.count(ctx) }

// ordering is the default keyset order: a sort column, then id, both
// descending, over the live records or the recycle bin.
type ordering struct {
	name   string
	column string
}

func orderingFor(q Query) ordering {
	if q.Archived {
		return ordering{name: q.Ordering(), column: "archived_at"}
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

// List returns one page of records, by keyset: one statement per page,
// however deep the page, whatever the filter.
func (s *Store) List(ctx context.Context, m *meta.Model, q Query) (*Page, error) {
	sel, err := q.Select(ctx, m)
	if err != nil {
		return nil, err
	}
	ot := sel.Type
	// where writes the filter; the count covers every page: the filter
	// without the cursors. The object type is a literal, not bound: the
	// indexes of search are partial on it, and PostgreSQL's generic plan of
	// a prepared statement cannot prove a partial index's predicate from a
	// bound value.
	asOf := q.AsOf
	scope := func(sq *db.SQL) *db.SQL {
		sel.From(sq.T(" FROM "), "r").T(" WHERE r.workspace_id = ").Arg(m.WorkspaceID).T(" AND r.object_type_id = ").Int(ot.ID)
		if q.Archived {
			sq.T(" AND r.archived_at IS NOT NULL")
		} else {
			sq.T(" AND r.archived_at IS NULL")
		}
		if asOf != nil {
			sq.T(" AND r.created_at <= ").Arg(asOf.UTC())
		}
		return sq
	}
	where := func(sq *db.SQL) *db.SQL { return sel.Where(scope(sq), "r", m.WorkspaceID) }
	query := db.Build(s.db.Dialect, "")
	if sel.walks(query) {
		err = sel.walk(query, scope, m.WorkspaceID)
	} else {
		err = sel.page(query.T("SELECT "), where)
	}
	if err != nil {
		return nil, err
	}
	recs, err := s.readRecords(ctx, query, sel.Ranked())
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", ot.Name, err)
	}
	for _, r := range recs {
		r.Type = ot
	}
	recs, info := page.Trim(sel.Window, recs, sel.Cursor)
	if q.AsOf != nil {
		if recs, err = s.AsOf(ctx, m.WorkspaceID, recs, *q.AsOf); err != nil {
			return nil, err
		}
	}
	p := &Page{Records: recs, Info: info, cursor: sel.Cursor}
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
