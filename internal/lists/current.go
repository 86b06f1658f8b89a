package lists

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/search"
	"github.com/acme/crm/internal/write"
)

// Keeping dynamic lists current. A write notes what it changed
// (write.Changes); before it commits, keepCurrent finds the dynamic lists
// whose filters read what changed (search.Dependency) and evaluates each
// over the records whose membership may have changed, level by level so
// that a list reading another sees it current:
//
//   - a record whose values a filter reads changed: that record;
//   - a record reached through an association leaf changed, or an
//     association along the leaf's path was made or removed, or a record
//     along it was archived or restored: the records of the list's type
//     associated with it, walked back along the path;
//   - a list a filter reads changed members: those records.
//
// Evaluating a list over a set of records is two set-based statements, an
// INSERT of the records that match and are not members and a DELETE of
// the members that no longer match; on PostgreSQL every list of a level
// goes in one statement.
//
// On PostgreSQL several writes run at once. The records a write changed
// are locked by it; the records it evaluates beyond them (reached through
// associations) are locked before their evaluation, which then reads them
// afresh. Every write that can change a record's membership so locks it
// before evaluating it: two writes that both matter to a record evaluate
// it one after the other, the later seeing what the earlier committed.

// seeds are what may have changed membership: a write's changes and the
// members of lists that changed.
type seeds struct {
	records map[int]*write.RecordChange
	links   []write.Link
	lists   map[int]*set
}

// set is records of one object type: every one, or these ids.
type set struct {
	all bool
	ids map[int]bool
}

func everyRecord() *set { return &set{all: true} }

func idSet(ids ...int) *set {
	s := &set{ids: map[int]bool{}}
	s.add(ids...)
	return s
}

func (s *set) add(ids ...int) {
	if s.ids == nil {
		s.ids = map[int]bool{}
	}
	for _, id := range ids {
		s.ids[id] = true
	}
}

func (s *set) empty() bool { return !s.all && len(s.ids) == 0 }

func (s *set) sorted() []int { return slices.Sorted(maps.Keys(s.ids)) }

// restrict appends " AND <column in s>" on the relation aliased alias.
func (s *set) restrict(q *db.SQL, alias, column string) {
	if !s.all {
		q.T(" AND ").InIDs(alias, column, s.sorted())
	}
}

// keepCurrent is the write unit's hook.
func (s *Store) keepCurrent(ctx context.Context, tx *write.Tx) error {
	ch := tx.Changes()
	if tx.Exclusive() {
		return s.afterDefinitions(ctx, tx)
	}
	if ch.Empty() {
		return nil
	}
	return s.follow(ctx, tx, s.plans.get(tx.Model), seedsOf(ch))
}

func seedsOf(ch *write.Changes) *seeds {
	return &seeds{records: ch.Records, links: ch.Links, lists: map[int]*set{}}
}

// afterDefinitions keeps lists current after a change of definitions: the
// values it rewrote, against the definitions it made; and a list whose
// filter checks again (its property restored) is evaluated anew.
func (s *Store) afterDefinitions(ctx context.Context, tx *write.Tx) error {
	ch := tx.Changes()
	old := s.plans.get(tx.Model)
	if ch.Empty() && len(old.broken) == 0 {
		return nil
	}
	m, err := meta.Load(ctx, tx.Client(), tx.Model.WorkspaceID, tx.Model.Version+1)
	if err != nil {
		return err
	}
	p := newPlan(m)
	sd := seedsOf(ch)
	var again []target
	for _, gs := range p.levels {
		for _, g := range gs {
			if !old.broken[g.list.ID] {
				continue
			}
			c, err := g.filterNow(m)
			if err != nil {
				return err
			}
			again = append(again, target{list: g.list, filter: c, set: everyRecord()})
		}
	}
	if len(again) > 0 {
		changed, err := s.evaluate(ctx, tx, again)
		if err != nil {
			return err
		}
		maps.Copy(sd.lists, changed)
	}
	return s.follow(ctx, tx, p, sd)
}

// follow evaluates the dynamic lists of p that sd may have changed, level
// by level, each level seeing the lists of the levels before it changed.
func (s *Store) follow(ctx context.Context, tx *write.Tx, p *plan, sd *seeds) error {
	if len(tx.Changes().Merges) > 0 {
		if err := s.moveMerged(ctx, tx, tx.Changes().Merges, sd); err != nil {
			return err
		}
	}
	for _, gs := range p.levels {
		targets, err := s.targets(ctx, tx, gs, sd)
		if err != nil {
			return err
		}
		changed, err := s.evaluate(ctx, tx, targets)
		if err != nil {
			return err
		}
		maps.Copy(sd.lists, changed)
	}
	return nil
}

// target is one list to evaluate over a set of its object type's records.
type target struct {
	list   *meta.List
	filter *search.Checked
	set    *set
}

// walk is records reached at the end of a path of association leaves,
// whose records of the path's start may have changed membership.
type walk struct {
	root *meta.ObjectType
	path []*meta.ObjectType
	from *set
	to   []int
}

// targets are the lists of one level that sd may have changed, each with
// the records to evaluate it over.
func (s *Store) targets(ctx context.Context, tx *write.Tx, gs []*segment, sd *seeds) ([]target, error) {
	walks := map[string]*walk{}
	direct := make([]*set, len(gs))
	uses := make([][]string, len(gs))
	for i, g := range gs {
		direct[i] = &set{}
		root := g.list.ObjectType
		// at adds records at the end of path, or every record there.
		at := func(path []*meta.ObjectType, every bool, ids ...int) {
			switch {
			case len(path) == 0:
				direct[i].all = direct[i].all || every
				direct[i].add(ids...)
				return
			case every:
				// Every record at the end of a path: every record of the
				// list's type may have changed.
				direct[i].all = true
				return
			}
			k := root.Name + ":" + pathKey(path)
			if walks[k] == nil {
				walks[k] = &walk{root: root, path: path, from: &set{}}
			}
			walks[k].from.add(ids...)
			if !slices.Contains(uses[i], k) {
				uses[i] = append(uses[i], k)
			}
		}
		for _, d := range g.deps {
			types := append([]*meta.ObjectType{root}, d.Path...)
			end := types[len(types)-1]
			for id, rc := range sd.records {
				if rc.ObjectTypeID == end.ID && (rc.All || reads(rc.Properties, d.Properties)) {
					at(d.Path, false, id)
				}
				// Archived or restored along the path.
				for j := 1; j < len(types)-1; j++ {
					if rc.All && rc.ObjectTypeID == types[j].ID {
						at(d.Path[:j], false, id)
					}
				}
			}
			for _, l := range d.Lists {
				if changed := sd.lists[l.ID]; changed != nil {
					at(d.Path, changed.all, changed.sorted()...)
				}
			}
			for _, l := range sd.links {
				for j := 0; j+1 < len(types); j++ {
					switch {
					case l.FromType == types[j].ID && l.ToType == types[j+1].ID:
						at(d.Path[:j], false, l.From)
					case l.ToType == types[j].ID && l.FromType == types[j+1].ID:
						at(d.Path[:j], false, l.To)
					}
				}
			}
		}
	}
	for k := range walks {
		w := walks[k]
		var err error
		if w.to, err = walkBack(ctx, tx, w); err != nil {
			return nil, err
		}
	}
	var out []target
	for i, g := range gs {
		for _, k := range uses[i] {
			direct[i].add(walks[k].to...)
		}
		if direct[i].empty() {
			continue
		}
		c, err := g.filterNow(tx.Model)
		if err != nil {
			continue // broken since the plan was made: see plan.broken
		}
		out = append(out, target{list: g.list, filter: c, set: direct[i]})
	}
	return out, nil
}

// reads reports whether a filter reading names reads any of changed.
func reads(changed map[string]bool, names []string) bool {
	for _, n := range names {
		if changed[n] {
			return true
		}
	}
	return false
}

// walkBack finds the records of the path's start associated, hop by hop,
// with the records w.from at its end, locking each hop's records before
// the next hop reads their associations (see the top of this file).
func walkBack(ctx context.Context, tx *write.Tx, w *walk) ([]int, error) {
	ids := w.from.sorted()
	for j := len(w.path); j >= 1 && len(ids) > 0; j-- {
		from, to := w.path[j-1], w.root
		if j > 1 {
			to = w.path[j-2]
		}
		ws := tx.Model.WorkspaceID
		q := db.Build(tx.Dialect, "SELECT r.id FROM records r WHERE r.workspace_id = ").Arg(ws).
			T(" AND r.id IN (SELECT a.to_record_id FROM associations a WHERE a.workspace_id = ").Arg(ws).
			T(" AND a.from_object_type_id = ").Arg(from.ID).T(" AND a.to_object_type_id = ").Arg(to.ID).
			T(" AND ").InIDs("a", "from_record_id", ids).T(") ORDER BY r.id")
		if !tx.Exclusive() {
			q.ForUpdate()
		}
		var err error
		if ids, err = q.IDs(ctx, tx); err != nil {
			return nil, fmt.Errorf("records associated with changed %s: %w", from.Name, err)
		}
	}
	return ids, nil
}
