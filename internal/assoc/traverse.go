package assoc

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/records"
)

// Edge is one associated record with every type linking it to the parent.
type Edge struct {
	Record *records.Record
	Types  []*meta.AssociationType
	sel    *records.Selection
}

// Cursor is the edge's position in its parent's associations, encoded
// when asked for.
func (e *Edge) Cursor() string { return e.sel.Cursor(e.Record) }

// Page is one parent's page of associated records.
type Page struct {
	Key   page.Key[int]
	Edges []Edge
	Info  page.Info
}

// groupKeys groups the positions of keys that share their query, in the
// order the groups first appear.
func groupKeys(keys []page.Key[int]) [][]int {
	index := map[string]int{}
	var groups [][]int
	for i, k := range keys {
		g, ok := index[k.Shape]
		if !ok {
			g = len(groups)
			index[k.Shape] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

func parentsOf(keys []page.Key[int], idx []int) []int {
	parents := make([]int, len(idx))
	for j, i := range idx {
		parents[j] = keys[i].Parent
	}
	return parents
}

// Traverse reads the pages of many keys (made by records.Query.Key): one
// statement per distinct query, however many parents share it. pages[i]
// answers keys[i]; a key whose query is refused gets its error in errs[i].
func (s *Store) Traverse(ctx context.Context, m *meta.Model, keys []page.Key[int]) (pages []*Page, errs []error) {
	pages, errs = make([]*Page, len(keys)), make([]error, len(keys))
	for _, idx := range groupKeys(keys) {
		q, err := records.QueryOf(keys[idx[0]])
		var byParent map[int]*Page
		if err == nil {
			byParent, err = s.traverse(ctx, m, q, parentsOf(keys, idx))
		}
		for _, i := range idx {
			if err != nil {
				errs[i] = err
				continue
			}
			p := byParent[keys[i].Parent]
			p.Key = keys[i]
			pages[i] = p
		}
	}
	return pages, errs
}

// target is what a query's arguments resolve to.
type target struct {
	to     *meta.ObjectType
	filter []int // type ids a pair must have one of; nil keeps all
	sel    *records.Selection
}

func resolveQuery(ctx context.Context, m *meta.Model, q records.Query) (target, error) {
	if _, ok := m.ObjectType(q.ObjectType); !ok {
		return target{}, apierr.New(apierr.NotFound, "no object type %q", q.ObjectType)
	}
	sel, err := q.Select(ctx, m)
	if err != nil {
		return target{}, err
	}
	to := sel.Type
	t := target{to: to, sel: sel}
	if len(q.Labels) > 0 {
		t.filter = []int{}
		for _, l := range q.Labels {
			found := false
			for _, at := range m.AssociationTypes {
				if at.To == to && at.Label == l {
					t.filter, found = append(t.filter, at.ID), true
				}
			}
			if !found {
				return target{}, apierr.Invalid("labels", "no association label %q leads to %s", l, to.Name)
			}
		}
	}
	return t, nil
}

// pairs appends the selection of (parent, child, type ids) for parents,
// keeping pairs that have one of the filter's types.
func pairs(q *db.SQL, m *meta.Model, t target, parents []int) *db.SQL {
	q.T("SELECT a.from_record_id AS parent, a.to_record_id AS child, ").JoinIDs("a", "association_type_id").T(" AS type_ids"+
		" FROM associations a WHERE a.workspace_id = ").Arg(m.WorkspaceID).T(" AND a.to_object_type_id = ").Arg(t.to.ID).
		T(" AND ").InIDs("a", "from_record_id", parents).T(" GROUP BY a.from_record_id, a.to_record_id")
	if t.filter != nil {
		// No type has the labels: nothing matches.
		q.T(" HAVING MAX(CASE WHEN ").InIDs("a", "association_type_id", t.filter).T(" THEN 1 ELSE 0 END) = 1")
	}
	return q
}

// traverse reads one page per parent in one statement: the pairs of each
// parent, their records, and a row number per parent, so that one parent's
// many associations never starve another of its page.
func (s *Store) traverse(ctx context.Context, m *meta.Model, q records.Query, parents []int) (map[int]*Page, error) {
	t, err := resolveQuery(ctx, m, q)
	if err != nil {
		return nil, err
	}
	w := t.sel.Window
	query := pairs(db.Build(s.db.Dialect, "WITH pairs AS ("), m, t, parents).T("), ranked AS (SELECT p.parent, p.type_ids, ")
	records.Columns(query, "r").T(", ROW_NUMBER() OVER (PARTITION BY p.parent ORDER BY ")
	t.sel.OrderBy(query, "r").T(") AS rn FROM pairs p JOIN records r ON r.id = p.child WHERE r.archived_at IS NULL")
	t.sel.Where(query, "r", m.WorkspaceID)
	if err := t.sel.Bounds(query, "r"); err != nil {
		return nil, err
	}
	records.Columns(query.T(") SELECT parent, type_ids, "), "ranked").T(" FROM ranked WHERE rn <= ").Arg(w.Size + 1).T(" ORDER BY parent, rn")
	rows, err := s.db.Read(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("traverse to %s: %w", t.to.Name, err)
	}
	defer rows.Close()
	edges := map[int][]Edge{}
	for rows.Next() {
		var parent int
		var typeIDs string
		r, err := records.Scan(rows, &parent, &typeIDs)
		if err != nil {
			return nil, err
		}
		r.Type = t.to
		edges[parent] = append(edges[parent], Edge{Record: r, Types: typesOf(m, parseIDs(typeIDs)), sel: t.sel})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[int]*Page, len(parents))
	for _, parent := range parents {
		list, info := page.Trim(w, edges[parent], func(e Edge) string { return e.Cursor() })
		out[parent] = &Page{Edges: list, Info: info}
	}
	return out, nil
}

// Count counts the associated records of many keys, one statement per
// distinct set of arguments.
func (s *Store) Count(ctx context.Context, m *meta.Model, keys []page.Key[int]) ([]int, []error) {
	counts, errs := make([]int, len(keys)), make([]error, len(keys))
	for _, idx := range groupKeys(keys) {
		q, err := records.QueryOf(keys[idx[0]])
		var byParent map[int]int
		if err == nil {
			byParent, err = s.count(ctx, m, q, parentsOf(keys, idx))
		}
		for _, i := range idx {
			counts[i], errs[i] = byParent[keys[i].Parent], err
		}
	}
	return counts, errs
}

func (s *Store) count(ctx context.Context, m *meta.Model, q records.Query, parents []int) (map[int]int, error) {
	t, err := resolveQuery(ctx, m, q)
	if err != nil {
		return nil, err
	}
	query := pairs(db.Build(s.db.Dialect, "WITH pairs AS ("), m, t, parents).
		T(") SELECT p.parent, COUNT(*) FROM pairs p JOIN records r ON r.id = p.child WHERE r.archived_at IS NULL")
	rows, err := s.db.Read(ctx, t.sel.Where(query, "r", m.WorkspaceID).T(" GROUP BY p.parent"))
	if err != nil {
		return nil, fmt.Errorf("count %s: %w", t.to.Name, err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var parent, n int
		if err := rows.Scan(&parent, &n); err != nil {
			return nil, err
		}
		out[parent] = n
	}
	return out, rows.Err()
}

func parseIDs(s string) map[int]bool {
	out := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		if id, err := strconv.Atoi(strings.TrimSpace(part)); err == nil {
			out[id] = true
		}
	}
	return out
}
