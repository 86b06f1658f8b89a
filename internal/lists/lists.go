// Package lists is segments of an object type's records: MANUAL lists
// (members added and removed by hand), DYNAMIC lists (the records a filter
// matches) and SNAPSHOT lists (the records a filter matched when the list
// was made). Members are rows of list_members, so that reading them is an
// index range and never evaluates a filter.
//
// A dynamic list is kept current by every write, in the write's own
// transaction: the package registers a hook on the write unit (current.go)
// that evaluates, over the records the write changed, only the lists
// whose filters read what changed, in set-based statements. Filters with
// a relative time ("-P90D") also change as time passes: a background pass
// keeps them current (relative.go).
//
// A list's definition (name, kind, filter) is a definition like a
// property's: it lives in meta.Model, and every change of one runs as a
// change of definitions, which waits for the record writes in flight and
// makes the next ones read the new lists.
package lists

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/acme/crm/ent"
	entlist "github.com/acme/crm/ent/list"
	entview "github.com/acme/crm/ent/view"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/requester"
	"github.com/acme/crm/internal/search"
	"github.com/acme/crm/internal/write"
)

// MaxNameLength bounds a list's name, in characters.
const MaxNameLength = 200

// Store reads and writes lists and keeps their members current.
type Store struct {
	db    *db.DB
	w     *write.Unit
	defs  *meta.Cache // the definitions the relative pass reads
	plans plans
}

// New returns a store over d that writes through w, and makes every write
// of w keep dynamic lists current.
func New(d *db.DB, w *write.Unit) *Store {
	s := &Store{db: d, w: w, defs: meta.NewCache(d), plans: plans{byWorkspace: map[int]*plan{}}}
	w.BeforeCommit(s.keepCurrent)
	return s
}

// Input is a list's fields to set: on update, nil (or FilterSet false)
// leaves a field as it is.
type Input struct {
	Name      *string
	Kind      meta.ListKind
	Filter    map[string]any
	FilterSet bool
}

func notFound(id int) error { return apierr.New(apierr.NotFound, "no list %d", id) }

// Get returns a list of the workspace.
func Get(m *meta.Model, id int) (*meta.List, error) {
	l, ok := m.List(id)
	if !ok {
		return nil, notFound(id)
	}
	return l, nil
}

// OfType returns the lists of an object type ("" for every one), by
// name.
func OfType(m *meta.Model, objectType string) ([]*meta.List, error) {
	var ot *meta.ObjectType
	if objectType != "" {
		var err error
		if ot, err = m.Lookup(objectType); err != nil {
			return nil, err
		}
	}
	out := []*meta.List{}
	for _, l := range m.Lists() {
		if ot == nil || l.ObjectType == ot {
			out = append(out, l)
		}
	}
	sortByName(out)
	return out, nil
}

// checkName refuses a name out of bounds.
func checkName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > MaxNameLength {
		return apierr.Invalid("name", "a list's name is 1 to %d characters", MaxNameLength)
	}
	return nil
}

// checkFilter parses and checks a list's filter against m, and refuses one
// that would make id (0 for a new list) read itself through other lists.
func checkFilter(m *meta.Model, ot *meta.ObjectType, id int, tree map[string]any) (*search.Checked, error) {
	if tree == nil {
		return nil, nil
	}
	f, err := search.Parse(tree, "filter")
	if err != nil {
		return nil, err
	}
	c, err := search.Check(m, ot, f, "filter", clock.Now(), search.Me{})
	if err != nil {
		return nil, err
	}
	if id != 0 {
		if cycle := cycleThrough(m, id, f.ListIDs()); cycle != nil {
			names := make([]string, len(cycle))
			for i, l := range cycle {
				names[i] = fmt.Sprintf("%q", l.Name)
			}
			e := apierr.Invalid("", "lists cannot read each other in a cycle: %s", strings.Join(names, " reads "))
			e.Path = "filter"
			return nil, e
		}
	}
	return c, nil
}

// cycleThrough finds lists that read each other back to id when id's
// filter reads the lists reads: the cycle from id back to it, or nil.
func cycleThrough(m *meta.Model, id int, reads []int) []*meta.List {
	self, _ := m.List(id)
	seen := map[int]bool{}
	var walk func(ids []int, path []*meta.List) []*meta.List
	walk = func(ids []int, path []*meta.List) []*meta.List {
		for _, next := range ids {
			l, ok := m.List(next)
			if !ok {
				continue
			}
			if next == id {
				return append(path, self)
			}
			if seen[next] {
				continue
			}
			seen[next] = true
			if found := walk(readsOf(l), append(path, l)); found != nil {
				return found
			}
		}
		return nil
	}
	return walk(reads, []*meta.List{self})
}

// readsOf are the lists l's saved filter names.
func readsOf(l *meta.List) []int {
	if l.Filter == nil {
		return nil
	}
	f, err := search.Parse(l.Filter, "filter")
	if err != nil {
		return nil
	}
	return f.ListIDs()
}

// Create makes a list of objectType. A DYNAMIC or SNAPSHOT list's members
// are evaluated in the same transaction; a MANUAL one starts empty. The
// filter's me is saved as the owner ctx's request is tied to: the members
// are kept current by every write, whoever writes.
func (s *Store) Create(ctx context.Context, m *meta.Model, objectType string, in Input) (*meta.List, error) {
	if _, err := m.Lookup(objectType); err != nil {
		return nil, err
	}
	var out *meta.List
	in.Filter = search.ResolveMe(in.Filter, requester.Owner(ctx))
	err := s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		ot, err := tx.Model.Lookup(objectType)
		if err != nil {
			return err
		}
		name := ""
		if in.Name != nil {
			name = *in.Name
		}
		if err := checkName(name); err != nil {
			return err
		}
		var c *search.Checked
		switch in.Kind {
		case meta.Manual:
			if in.Filter != nil {
				return apierr.Invalid("", "a MANUAL list takes no filter: its members are added by hand")
			}
		case meta.Dynamic, meta.Snapshot:
			if c, err = checkFilter(tx.Model, ot, 0, in.Filter); err != nil {
				return err
			}
		default:
			return apierr.Invalid("", "kind is MANUAL, DYNAMIC or SNAPSHOT")
		}
		row, err := tx.List.Create().SetWorkspaceID(tx.Model.WorkspaceID).SetObjectTypeID(ot.ID).SetName(name).
			SetKind(entlist.Kind(in.Kind)).SetFilter(in.Filter).Save(ctx)
		if err != nil {
			return s.conflict(err, name, ot)
		}
		out = fromRow(ot, row)
		if in.Kind == meta.Manual {
			return nil
		}
		_, err = s.evaluate(ctx, tx, []target{{list: out, filter: c, set: everyRecord()}})
		return err
	})
	return out, err
}

// Update renames a list or changes a dynamic list's filter; a new filter
// re-evaluates the members in the same transaction (members that still
// match keep their addedAt), and the lists that read this one follow.
func (s *Store) Update(ctx context.Context, m *meta.Model, id int, in Input) (*meta.List, error) {
	var out *meta.List
	in.Filter = search.ResolveMe(in.Filter, requester.Owner(ctx))
	err := s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		l, err := Get(tx.Model, id)
		if err != nil {
			return err
		}
		next := *l
		if in.Name != nil {
			if err := checkName(*in.Name); err != nil {
				return err
			}
			next.Name = *in.Name
		}
		var c *search.Checked
		if in.FilterSet {
			if l.Kind != meta.Dynamic {
				return apierr.Invalid("", "only a DYNAMIC list's filter changes: list %q is %s", l.Name, l.Kind)
			}
			if c, err = checkFilter(tx.Model, l.ObjectType, id, in.Filter); err != nil {
				return err
			}
			next.Filter = in.Filter
		}
		row, err := tx.List.UpdateOneID(id).SetName(next.Name).SetFilter(next.Filter).Save(ctx)
		if err != nil {
			return s.conflict(err, next.Name, l.ObjectType)
		}
		out = fromRow(l.ObjectType, row)
		if !in.FilterSet {
			return nil
		}
		changed, err := s.evaluate(ctx, tx, []target{{list: out, filter: c, set: everyRecord()}})
		if err != nil || len(changed) == 0 {
			return err
		}
		// The lists that read this one, as they are: this one's old filter
		// is no part of what they read.
		return s.follow(ctx, tx, s.plans.get(tx.Model), &seeds{lists: changed})
	})
	return out, err
}

// ConvertToManual makes a dynamic or snapshot list MANUAL: it keeps the
// members it has, and from then on they change by hand only.
func (s *Store) ConvertToManual(ctx context.Context, m *meta.Model, id int) (*meta.List, error) {
	var out *meta.List
	err := s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		l, err := Get(tx.Model, id)
		if err != nil {
			return err
		}
		if l.Kind == meta.Manual {
			out = l
			return nil
		}
		row, err := tx.List.UpdateOneID(id).SetKind(entlist.KindMANUAL).ClearFilter().Save(ctx)
		if err != nil {
			return err
		}
		out = fromRow(l.ObjectType, row)
		return nil
	})
	return out, err
}

// Delete deletes a list and its members. A list that another list's
// filter or a view's reads is refused with CONFLICT naming them.
func (s *Store) Delete(ctx context.Context, m *meta.Model, id int) error {
	return s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		l, err := Get(tx.Model, id)
		if err != nil {
			return err
		}
		users, err := usersOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return apierr.New(apierr.Conflict, "list %q is read by %s: change or delete them first", l.Name, strings.Join(users, ", "))
		}
		return tx.List.DeleteOneID(id).Exec(ctx)
	})
}

// usersOf names the lists and views whose filters read list id.
func usersOf(ctx context.Context, tx *write.Tx, id int) ([]string, error) {
	var out []string
	for _, l := range tx.Model.Lists() {
		if l.ID != id && containsID(readsOf(l), id) {
			out = append(out, fmt.Sprintf("list %q", l.Name))
		}
	}
	views, err := tx.View.Query().Where(entview.WorkspaceID(tx.Model.WorkspaceID), entview.FilterNotNil()).
		Order(ent.Asc(entview.FieldName)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		f, err := search.Parse(v.Filter, "filter")
		if err == nil && containsID(f.ListIDs(), id) {
			out = append(out, fmt.Sprintf("view %q", v.Name))
		}
	}
	return out, nil
}

func containsID(ids []int, id int) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (s *Store) conflict(err error, name string, ot *meta.ObjectType) error {
	if s.db.Dialect.IsUniqueViolation(err) || ent.IsConstraintError(err) {
		return apierr.Wrap(err, apierr.Conflict, "%s already has a list named %q", ot.Name, name)
	}
	return err
}

func fromRow(ot *meta.ObjectType, row *ent.List) *meta.List {
	return &meta.List{ID: row.ID, ObjectType: ot, Name: row.Name, Kind: meta.ListKind(row.Kind), Filter: row.Filter,
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
}
