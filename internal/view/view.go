// Package view is saved views: a name, a filter, a sort and the columns
// of an object type's index page, applied by records(view:) and narrowed
// further by the request's own filter.
package view

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/predicate"
	entview "github.com/acme/crm/ent/view"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/requester"
	"github.com/acme/crm/internal/search"
	"github.com/acme/crm/internal/write"
)

// MaxNameLength bounds a view's name, in characters.
const MaxNameLength = 200

// Visibility says who sees a view: SHARED, every request of the
// workspace; PRIVATE, the requests tied to the owner who made it (its API
// key's owner, package requester), and no other: to the others it is
// NOT_FOUND, as a missing view.
type Visibility string

// The visibilities.
const (
	Shared  Visibility = "SHARED"
	Private Visibility = "PRIVATE"
)

// View is a saved view.
type View struct {
	ID         int
	ObjectType *meta.ObjectType
	Name       string
	// Filter is the RecordFilter input tree as saved; nil for none.
	Filter     map[string]any
	Sort       []search.Sort
	Columns    []string
	Visibility Visibility
	// OwnerID is the owner who made the view; 0 when its request was tied
	// to none.
	OwnerID   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// visibleTo reports whether owner (0: none) sees v.
func (v *View) visibleTo(owner int) bool {
	return v.Visibility == Shared || v.OwnerID != 0 && v.OwnerID == owner
}

// GlobalID is the view's opaque id.
func (v *View) GlobalID() string { return gid.Encode(gid.View, v.ID) }

// Input is a view's fields to set: on update, nil (or FilterSet/SortSet
// false) leaves a field as it is.
type Input struct {
	Name       *string
	Filter     map[string]any
	FilterSet  bool
	Sort       []search.Sort
	SortSet    bool
	Columns    []string
	Visibility *Visibility
}

// Store reads and writes views.
type Store struct {
	db *db.DB
	w  *write.Unit
}

// New returns a store over d that writes through w.
func New(d *db.DB, w *write.Unit) *Store { return &Store{db: d, w: w} }

// check refuses a view that does not fit ot's definitions: its filter,
// sort and columns are checked as a read would check them.
func check(m *meta.Model, ot *meta.ObjectType, v *View) error {
	if v.Name == "" || utf8.RuneCountInString(v.Name) > MaxNameLength {
		return apierr.Invalid("", "a view's name is 1 to %d characters", MaxNameLength)
	}
	if v.Visibility != Shared && v.Visibility != Private {
		return apierr.Invalid("", "visibility is SHARED or PRIVATE")
	}
	if v.Visibility == Private && v.OwnerID == 0 {
		return apierr.Invalid("", "a PRIVATE view is its owner's alone: it is made by a request tied to an owner (an API key made for one)")
	}
	f, err := search.Parse(anyTree(v.Filter), "filter")
	if err != nil {
		return err
	}
	if _, err := search.Check(m, ot, f, "filter", clock.Now(), search.Me{Deferred: true}); err != nil {
		return err
	}
	if len(v.Sort) > search.MaxSortKeys {
		return apierr.New(apierr.LimitExceeded, "at most %d sort keys, got %d", search.MaxSortKeys, len(v.Sort))
	}
	if _, err := search.CheckSorts(ot, v.Sort, nil, "", "sort"); err != nil {
		return err
	}
	for i, name := range v.Columns {
		if p, ok := ot.Property(name); !ok || p.Archived {
			e := apierr.Invalid(name, "%s has no property %q", ot.Name, name)
			e.Path = fmt.Sprintf("columns[%d]", i)
			return e
		}
	}
	return nil
}

// anyTree is a saved filter as Parse takes it: nil for none.
func anyTree(f map[string]any) any {
	if f == nil {
		return nil
	}
	return f
}

// Create saves a new view of objectType, made by the owner ctx's request
// is tied to.
func (s *Store) Create(ctx context.Context, m *meta.Model, objectType string, in Input) (*View, error) {
	if _, err := m.Lookup(objectType); err != nil {
		return nil, err
	}
	var out *View
	err := s.w.Records(ctx, m, write.Options{}, func(tx *write.Tx) error {
		ot, err := tx.Model.Lookup(objectType)
		if err != nil {
			return err
		}
		v := &View{ObjectType: ot, Visibility: Shared, Columns: []string{}, Sort: []search.Sort{}, OwnerID: requester.Owner(ctx)}
		apply(v, in)
		if err := check(tx.Model, ot, v); err != nil {
			return err
		}
		c := tx.View.Create().SetWorkspaceID(tx.Model.WorkspaceID).SetObjectTypeID(ot.ID).SetName(v.Name).
			SetFilter(v.Filter).SetSort(sortJSON(v.Sort)).SetColumns(v.Columns).SetVisibility(entview.Visibility(v.Visibility))
		if v.OwnerID != 0 {
			c.SetOwnerID(v.OwnerID)
		}
		row, err := c.Save(ctx)
		if err != nil {
			return s.conflict(err, v.Name, ot)
		}
		out, err = fromRow(tx.Model, row)
		return err
	})
	return out, err
}

// Update changes a view.
func (s *Store) Update(ctx context.Context, m *meta.Model, id int, in Input) (*View, error) {
	var out *View
	err := s.w.Records(ctx, m, write.Options{}, func(tx *write.Tx) error {
		row, err := tx.View.Query().Where(entview.ID(id), entview.WorkspaceID(tx.Model.WorkspaceID)).Only(ctx)
		if ent.IsNotFound(err) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		v, err := fromRow(tx.Model, row)
		if err != nil {
			return err
		}
		if !v.visibleTo(requester.Owner(ctx)) {
			return notFound(id)
		}
		apply(v, in)
		if err := check(tx.Model, v.ObjectType, v); err != nil {
			return err
		}
		row, err = row.Update().SetName(v.Name).SetFilter(v.Filter).SetSort(sortJSON(v.Sort)).SetColumns(v.Columns).
			SetVisibility(entview.Visibility(v.Visibility)).Save(ctx)
		if err != nil {
			return s.conflict(err, v.Name, v.ObjectType)
		}
		out, err = fromRow(tx.Model, row)
		return err
	})
	return out, err
}

// Delete deletes a view.
func (s *Store) Delete(ctx context.Context, m *meta.Model, id int) error {
	return s.w.Records(ctx, m, write.Options{}, func(tx *write.Tx) error {
		n, err := tx.View.Delete().Where(entview.ID(id), entview.WorkspaceID(tx.Model.WorkspaceID), visible(ctx)).Exec(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return notFound(id)
		}
		return nil
	})
}

// Get returns a view of the workspace.
func (s *Store) Get(ctx context.Context, m *meta.Model, id int) (*View, error) {
	row, err := s.db.Client.View.Query().Where(entview.ID(id), entview.WorkspaceID(m.WorkspaceID), visible(ctx)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	return fromRow(m, row)
}

// List returns the views of an object type, by name.
func (s *Store) List(ctx context.Context, m *meta.Model, objectType string) ([]*View, error) {
	ot, err := m.Lookup(objectType)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Client.View.Query().Where(entview.WorkspaceID(m.WorkspaceID), entview.ObjectTypeID(ot.ID), visible(ctx)).
		Order(ent.Asc(entview.FieldName), ent.Asc(entview.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*View, len(rows))
	for i, row := range rows {
		if out[i], err = fromRow(m, row); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Apply narrows q by its view (q.View, which it clears): the view's filter and q's both apply;
// q's sort, when given, replaces the view's. A view whose filter, sort or
// columns name a property since archived or deleted is refused, naming
// the view and the property; restoring the property restores the view.
func (s *Store) Apply(ctx context.Context, m *meta.Model, q records.Query) (records.Query, error) {
	v, err := s.Get(ctx, m, q.View)
	if err != nil {
		return q, err
	}
	if v.ObjectType.Name != q.ObjectType {
		return q, apierr.Invalid("", "view %q is a view of %s, not of %s", v.Name, v.ObjectType.Name, q.ObjectType)
	}
	if err := check(m, v.ObjectType, v); err != nil {
		e, ok := apierr.As(err)
		if !ok {
			return q, err
		}
		out := *e
		out.Message = fmt.Sprintf("view %q no longer applies: %s", v.Name, e.Message)
		out.Path = "view"
		return q, &out
	}
	f, err := search.Parse(anyTree(v.Filter), "filter")
	if err != nil {
		return q, err
	}
	switch {
	case q.Filter == nil:
		q.Filter = f
	case f != nil:
		q.Filter = &search.Filter{And: []*search.Filter{f, q.Filter}}
	}
	if len(q.Sort) == 0 {
		q.Sort = v.Sort
	}
	q.View = 0
	return q, nil
}

func apply(v *View, in Input) {
	if in.Name != nil {
		v.Name = *in.Name
	}
	if in.FilterSet {
		v.Filter = in.Filter
	}
	if in.SortSet {
		v.Sort = in.Sort
		if v.Sort == nil {
			v.Sort = []search.Sort{}
		}
	}
	if in.Columns != nil {
		v.Columns = in.Columns
	}
	if in.Visibility != nil {
		v.Visibility = *in.Visibility
	}
}

func (s *Store) conflict(err error, name string, ot *meta.ObjectType) error {
	if s.db.Dialect.IsUniqueViolation(err) {
		return apierr.Wrap(err, apierr.Conflict, "%s already has a view named %q", ot.Name, name)
	}
	return err
}

func notFound(id int) error { return apierr.New(apierr.NotFound, "no view %d", id) }

// sortJSON is sorts as the sort column holds them.
func sortJSON(sorts []search.Sort) []map[string]any {
	out := make([]map[string]any, len(sorts))
	for i, s := range sorts {
		out[i] = map[string]any{"property": s.Property}
		if s.Desc {
			out[i]["desc"] = true
		}
		if s.Nulls != "" {
			out[i]["nulls"] = s.Nulls
		}
	}
	return out
}

func fromRow(m *meta.Model, row *ent.View) (*View, error) {
	ot, ok := m.ObjectTypeByID(row.ObjectTypeID)
	if !ok {
		return nil, errors.New("view of an unknown object type")
	}
	v := &View{ID: row.ID, ObjectType: ot, Name: row.Name, Filter: row.Filter, Columns: row.Columns,
		Visibility: Visibility(row.Visibility), CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
	if row.OwnerID != nil {
		v.OwnerID = *row.OwnerID
	}
	raw, err := json.Marshal(row.Sort)
	if err == nil {
		err = json.Unmarshal(raw, &v.Sort)
	}
	return v, err
}

// visible keeps the views ctx's request sees: the shared ones and the
// private ones of its owner (View.visibleTo).
func visible(ctx context.Context) predicate.View {
	shared := entview.VisibilityEQ(entview.VisibilitySHARED)
	owner := requester.Owner(ctx)
	if owner == 0 {
		return shared
	}
	return entview.Or(shared, entview.OwnerID(owner))
}
