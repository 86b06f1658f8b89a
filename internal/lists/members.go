package lists

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/records"
)

// Reading members: an index range of list_members joined to the live
// records, never an evaluation of the list's filter. Archived members
// keep their rows and are left out until they come back.

// Member is one record of a list, since AddedAt.
type Member struct {
	Cursor  string
	Node    *records.Record
	AddedAt time.Time
}

// Page is one page of a list's members.
type Page struct {
	Edges []*Member
	Info  page.Info
	count func(context.Context) (int, error)
}

// TotalCount counts every member the read selects; it costs a statement.
func (p *Page) TotalCount(ctx context.Context) (int, error) { return p.count(ctx) }

// addedOrdering names the default order of l's members: most recently
// added first, then by record id.
func addedOrdering(l *meta.List) string { return "list:" + strconv.Itoa(l.ID) + ":added" }

// Members reads a page of l's live members, most recently added first, or
// in q's sort; q's filter narrows them.
func (s *Store) Members(ctx context.Context, m *meta.Model, l *meta.List, q records.Query) (*Page, error) {
	q.ObjectType = l.ObjectType.Name
	byAdded := len(q.Sort) == 0
	args := q.Page
	if byAdded {
		q.Page = page.Args{} // resolved against the list's own order below
	}
	sel, err := q.Select(ctx, m)
	if err != nil {
		return nil, err
	}
	window := sel.Window
	if byAdded {
		if window, err = args.Resolve(addedOrdering(l)); err != nil {
			return nil, err
		}
	}
	from := func(sq *db.SQL) *db.SQL {
		sq.T(" FROM list_members m JOIN records r ON r.id = m.record_id WHERE m.workspace_id = ").Arg(m.WorkspaceID).
			T(" AND m.list_id = ").Arg(l.ID).T(" AND r.archived_at IS NULL")
		return sel.Where(sq, "r", m.WorkspaceID)
	}
	query := from(records.Columns(db.Build(s.db.Dialect, "SELECT m.added_at, "), "r"))
	if byAdded {
		if err := window.TimeBounds(query, "m", "added_at", "record_id"); err != nil {
			return nil, err
		}
		query.T(" ORDER BY m.added_at").Desc(window.Backward).T(", m.record_id").Desc(window.Backward)
	} else {
		if err := sel.Bounds(query, "r"); err != nil {
			return nil, err
		}
		sel.OrderBy(query.T(" ORDER BY "), "r")
	}
	query.T(" LIMIT ").Arg(window.Size + 1)
	rows, err := s.db.Read(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("read the members of list %d: %w", l.ID, err)
	}
	defer rows.Close()
	var members []*Member
	for rows.Next() {
		var added time.Time
		r, err := records.Scan(rows, &added)
		if err != nil {
			return nil, err
		}
		r.Type = l.ObjectType
		members = append(members, &Member{Node: r, AddedAt: added.UTC()})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the members of list %d: %w", l.ID, err)
	}
	cursor := func(mb *Member) string {
		if byAdded {
			return page.TimeCursor(addedOrdering(l), mb.AddedAt, mb.Node.ID)
		}
		return sel.Cursor(mb.Node)
	}
	members, info := page.Trim(window, members, cursor)
	for _, mb := range members {
		mb.Cursor = cursor(mb)
	}
	return &Page{Edges: members, Info: info, count: func(ctx context.Context) (int, error) {
		var n int
		if err := s.db.ReadRow(ctx, from(db.Build(s.db.Dialect, "SELECT COUNT(*)")), &n); err != nil {
			return 0, fmt.Errorf("count the members of list %d: %w", l.ID, err)
		}
		return n, nil
	}}, nil
}

// Sizes counts the live members of lists, in one statement.
func (s *Store) Sizes(ctx context.Context, m *meta.Model, ids []int) (map[int]int, error) {
	out := make(map[int]int, len(ids))
	rows, err := s.db.Read(ctx, db.Build(s.db.Dialect, "SELECT m.list_id, COUNT(*) FROM list_members m JOIN records r ON r.id = m.record_id WHERE m.workspace_id = ").
		Arg(m.WorkspaceID).T(" AND ").InIDs("m", "list_id", ids).T(" AND r.archived_at IS NULL GROUP BY m.list_id"))
	if err != nil {
		return nil, fmt.Errorf("count members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Of returns the lists each record is a member of, by name, in one
// statement. An archived record keeps its memberships, hidden: a caller
// asks for live records only.
func (s *Store) Of(ctx context.Context, m *meta.Model, ids []int) (map[int][]*meta.List, error) {
	out := make(map[int][]*meta.List, len(ids))
	rows, err := s.db.Read(ctx, db.Build(s.db.Dialect, "SELECT m.record_id, m.list_id FROM list_members m WHERE m.workspace_id = ").
		Arg(m.WorkspaceID).T(" AND ").InIDs("m", "record_id", ids))
	if err != nil {
		return nil, fmt.Errorf("read the lists of records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rec, id int
		if err := rows.Scan(&rec, &id); err != nil {
			return nil, err
		}
		if l, ok := m.List(id); ok {
			out[rec] = append(out[rec], l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, ls := range out {
		sortByName(ls)
	}
	return out, nil
}

// MaxBatch is the most records one addToList or removeFromList takes.
const MaxBatch = 1000

// manual returns the list id of the workspace, which takes members by
// hand: a DYNAMIC one is refused.
func manual(m *meta.Model, id int) (*meta.List, error) {
	l, err := Get(m, id)
	if err != nil {
		return nil, err
	}
	if l.Kind == meta.Dynamic {
		return nil, apierr.Invalid("", "list %q is DYNAMIC: its filter decides its members (convertListToManual makes it MANUAL)", l.Name)
	}
	return l, nil
}
