package definition

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/property"
	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// MaxUniquePerObjectType is how many unique properties one object type may
// have, as HubSpot allows.
const MaxUniquePerObjectType = 10

// PropertyInput defines a new property.
type PropertyInput struct {
	Name         string
	Label        string
	Type         propdef.Type
	FieldType    propdef.FieldType
	Description  string
	GroupName    string // "" is the object type's default group
	DisplayOrder int
	Options      []propdef.Option
	Unique       bool
	// Sortable asks for the index of sorts and range filters.
	Sortable bool
	Hidden   bool
}

// checkDefinition checks a property's type, field type and options.
func checkDefinition(t propdef.Type, f propdef.FieldType, options []propdef.Option) error {
	if !propdef.ValidPair(t, f) {
		return apierr.Invalid("fieldType", "a %s property cannot use field type %s", t, f)
	}
	if t != propdef.Enumeration {
		if len(options) > 0 {
			return apierr.Invalid("options", "only enumeration properties have options")
		}
		return nil
	}
	if len(options) > propdef.MaxOptions {
		return apierr.New(apierr.LimitExceeded, "a property has at most %d options, got %d", propdef.MaxOptions, len(options))
	}
	seen := map[string]bool{}
	for _, o := range options {
		if strings.TrimSpace(o.Value) == "" || strings.TrimSpace(o.Label) == "" {
			return apierr.Invalid("options", "every option needs a value and a label")
		}
		if strings.Contains(o.Value, ";") {
			return apierr.Invalid("options", "option value %q holds \";\", which separates multi-select values", o.Value)
		}
		if seen[o.Value] {
			return apierr.Invalid("options", "option value %q is listed twice", o.Value)
		}
		seen[o.Value] = true
	}
	return nil
}

// defaultGroup is the group an object type's properties go to when none
// is named: its first.
func defaultGroup(ot *meta.ObjectType) *meta.PropertyGroup {
	var g *meta.PropertyGroup
	for _, c := range ot.Groups {
		if g == nil || c.ID < g.ID {
			g = c
		}
	}
	return g
}

func group(ot *meta.ObjectType, name string) (*meta.PropertyGroup, error) {
	if name == "" {
		if g := defaultGroup(ot); g != nil {
			return g, nil
		}
		return nil, apierr.Invalid("groupName", "%s has no property group", ot.Name)
	}
	for _, g := range ot.Groups {
		if g.Name == name {
			return g, nil
		}
	}
	return nil, apierr.Invalid("groupName", "%s has no property group %q", ot.Name, name)
}

func checkNewProperty(ot *meta.ObjectType, in PropertyInput) error {
	if !propdef.ValidName(in.Name) {
		return apierr.Invalid("name", "%q is not a property name: lower snake case, starting with a letter", in.Name)
	}
	if _, taken := ot.Property(in.Name); taken {
		return apierr.New(apierr.Conflict, "%s already has a property %q (archived properties keep their names)", ot.Name, in.Name)
	}
	if strings.TrimSpace(in.Label) == "" {
		return apierr.Invalid("label", "a property needs a label")
	}
	if in.Unique {
		if err := checkUniqueType(in.Name, in.Type); err != nil {
			return err
		}
	}
	return checkDefinition(in.Type, in.FieldType, in.Options)
}

// CreateProperty adds a property to an object type and returns its id.
func (s *Store) CreateProperty(ctx context.Context, m *meta.Model, objectType string, in PropertyInput) (int, error) {
	ot, err := m.Lookup(objectType)
	if err != nil {
		return 0, err
	}
	if err := checkNewProperty(ot, in); err != nil {
		return 0, err
	}
	g, err := group(ot, in.GroupName)
	if err != nil {
		return 0, err
	}
	if in.Unique && uniqueCount(ot) >= MaxUniquePerObjectType {
		return 0, apierr.New(apierr.LimitExceeded, "%s has %d unique properties, the most allowed", ot.Name, MaxUniquePerObjectType)
	}
	var id int
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.CreateProperty, gid.Property, id, "created property %s.%s", ot.Name, in.Name)
	}, func(tx *write.Tx) error {
		p, err := createProperty(ctx, tx, m.WorkspaceID, ot.ID, g.ID, in)
		if err != nil {
			return err
		}
		id = p.ID
		if in.Unique {
			// A new property has no values yet: the index cannot fail.
			return records.CreateUniqueIndex(ctx, tx, s.db.Dialect, &meta.Property{ID: p.ID, ObjectTypeID: ot.ID, Name: p.Name})
		}
		return nil
	})
	return id, err
}

func createProperty(ctx context.Context, tx *write.Tx, workspaceID, objectTypeID, groupID int, in PropertyInput) (*ent.Property, error) {
	opts := in.Options
	if opts == nil {
		opts = []propdef.Option{}
	}
	return tx.Property.Create().SetWorkspaceID(workspaceID).SetObjectTypeID(objectTypeID).SetGroupID(groupID).
		SetName(in.Name).SetLabel(strings.TrimSpace(in.Label)).SetType(in.Type).SetFieldType(in.FieldType).
		SetDescription(in.Description).SetDisplayOrder(in.DisplayOrder).SetOptions(opts).
		SetHasUniqueValue(in.Unique).SetSortable(in.Sortable).SetHidden(in.Hidden).Save(ctx)
}

// PropertyUpdate changes a property; nil fields stay as they are.
type PropertyUpdate struct {
	Label        *string
	Description  *string
	GroupName    *string
	DisplayOrder *int
	Hidden       *bool
	// Options replace the list: add, relabel, reorder and hide by sending
	// the list as it should be.
	Options []propdef.Option
	// ClearRemovedOptions allows removing options records hold: their
	// values are cleared.
	ClearRemovedOptions bool
	Unique              *bool
	// Sortable builds or drops the index of sorts and range filters; a
	// standard property takes this change too.
	Sortable  *bool
	Type      *propdef.Type
	FieldType *propdef.FieldType
}

// UpdateResult says what an update did to stored values.
type UpdateResult struct {
	// ClearedValues counts records whose removed option was cleared.
	ClearedValues int
	// ConvertedValues counts records whose value was rewritten in the new type.
	ConvertedValues int
}

// UpdateProperty changes a property. A standard property only takes new
// options; its other options stay as they are.
func (s *Store) UpdateProperty(ctx context.Context, m *meta.Model, objectType, name string, u PropertyUpdate) (UpdateResult, error) {
	var res UpdateResult
	ot, p, err := lookupProperty(m, objectType, name)
	if err != nil {
		return res, err
	}
	if p.ReadOnlyDefinition {
		if err := onlyExtendsOptions(p, u); err != nil {
			return res, err
		}
	}
	if name == ot.PipelineProperty || name == ot.StageProperty {
		if u.Options != nil || u.Type != nil || u.FieldType != nil {
			return res, apierr.Invalid("options", "the options of %q are its pipelines and stages: change those instead", name)
		}
	}
	next := *p
	if u.Type != nil {
		next.Type = *u.Type
	}
	if u.FieldType != nil {
		next.FieldType = *u.FieldType
	}
	if u.Options != nil {
		next.Options = u.Options
	} else if next.Type != propdef.Enumeration {
		next.Options = nil // a type without options leaves them behind
	}
	if err := checkDefinition(next.Type, next.FieldType, next.Options); err != nil {
		return res, err
	}
	var g *meta.PropertyGroup
	if u.GroupName != nil {
		if g, err = group(ot, *u.GroupName); err != nil {
			return res, err
		}
	}
	if u.Label != nil && strings.TrimSpace(*u.Label) == "" {
		return res, apierr.Invalid("label", "a property needs a label")
	}
	makeUnique := u.Unique != nil && *u.Unique && !p.Unique
	dropUnique := u.Unique != nil && !*u.Unique && p.Unique
	if makeUnique {
		if err := checkUniqueType(p.Name, next.Type); err != nil {
			return res, err
		}
	}
	if makeUnique && uniqueCount(ot) >= MaxUniquePerObjectType {
		return res, apierr.New(apierr.LimitExceeded, "%s has %d unique properties, the most allowed", ot.Name, MaxUniquePerObjectType)
	}
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.UpdateProperty, gid.Property, p.ID, "updated property %s.%s", ot.Name, p.Name)
	}, func(tx *write.Tx) error {
		if next.Type != p.Type || next.FieldType != p.FieldType {
			n, err := s.convert(ctx, tx, m, ot, p, &next)
			if err != nil {
				return err
			}
			res.ConvertedValues = n
		} else if u.Options != nil {
			n, err := s.removeOptions(ctx, tx, m, ot, p, &next, u.ClearRemovedOptions)
			if err != nil {
				return err
			}
			res.ClearedValues = n
		}
		upd := tx.Property.UpdateOneID(p.ID).SetType(next.Type).SetFieldType(next.FieldType).SetOptions(nonNil(next.Options))
		if u.Label != nil {
			upd.SetLabel(strings.TrimSpace(*u.Label))
		}
		if u.Description != nil {
			upd.SetDescription(*u.Description)
		}
		if g != nil {
			upd.SetGroupID(g.ID)
		}
		if u.DisplayOrder != nil {
			upd.SetDisplayOrder(*u.DisplayOrder)
		}
		if u.Hidden != nil {
			upd.SetHidden(*u.Hidden)
		}
		if u.Unique != nil {
			upd.SetHasUniqueValue(*u.Unique)
		}
		if u.Sortable != nil {
			upd.SetSortable(*u.Sortable)
		}
		if err := upd.Exec(ctx); err != nil {
			return err
		}
		switch {
		case makeUnique:
			return s.makeUnique(ctx, tx, m, ot, p)
		case dropUnique:
			return records.DropUniqueIndex(ctx, tx, s.db.Dialect, p)
		}
		return nil
	})
	return res, err
}

// nonNil stores an empty list rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// onlyExtendsOptions refuses any change to a standard property but new
// options appended to its own, which stay as they are, and sortable, which
// changes an index, not the definition.
func onlyExtendsOptions(p *meta.Property, u PropertyUpdate) error {
	if u.Label != nil || u.Description != nil || u.GroupName != nil || u.DisplayOrder != nil || u.Hidden != nil ||
		u.Unique != nil || u.Type != nil || u.FieldType != nil {
		return readOnly(p)
	}
	if u.Options == nil {
		return nil
	}
	given := map[string]propdef.Option{}
	for _, o := range u.Options {
		given[o.Value] = o
	}
	for _, o := range p.Options {
		if g, ok := given[o.Value]; !ok || g != o {
			return apierr.New(apierr.Forbidden, "property %q belongs to the standard catalog: its options can be added to, not changed (option %q)", p.Name, o.Value)
		}
	}
	return nil
}

// removeOptions refuses, or with clear performs, the clearing of values
// that hold options next no longer has. It returns how many records it
// cleared.
func (s *Store) removeOptions(ctx context.Context, tx *write.Tx, m *meta.Model, ot *meta.ObjectType, p, next *meta.Property, clear bool) (int, error) {
	kept := map[string]bool{}
	for _, o := range next.Options {
		kept[o.Value] = true
	}
	var removed []string
	for _, o := range p.Options {
		if !kept[o.Value] {
			removed = append(removed, o.Value)
		}
	}
	if len(removed) == 0 {
		return 0, nil
	}
	strip := func(_ int, v any) (any, bool, error) {
		switch v := v.(type) {
		case string:
			if kept[v] {
				return v, false, nil
			}
			return nil, true, nil
		case []any:
			var out []any
			for _, item := range v {
				if s, ok := item.(string); ok && kept[s] {
					out = append(out, item)
				}
			}
			if len(out) == len(v) {
				return v, false, nil
			}
			if len(out) == 0 {
				return nil, true, nil
			}
			return out, true, nil
		}
		return v, false, nil
	}
	if clear {
		return s.visit(ctx, tx, ot, p.Name, mapValue(p.Name, strip))
	}
	holding := 0
	_, err := s.visit(ctx, tx, ot, p.Name, mapValue(p.Name, func(id int, v any) (any, bool, error) {
		if _, changed, _ := strip(id, v); changed {
			holding++
		}
		return v, false, nil
	}))
	if err != nil {
		return 0, err
	}
	if holding > 0 {
		return 0, &apierr.Error{Code: apierr.Conflict, Property: p.Name, Message: fmt.Sprintf(
			"%d records hold options being removed (%s): pass clearRemovedOptions to clear those values", holding, strings.Join(removed, ", "))}
	}
	return 0, nil
}

// ArchiveProperty hides a property: its values stay, writes to it are
// refused. A required property, or one that names pipelines, cannot go.
func (s *Store) ArchiveProperty(ctx context.Context, m *meta.Model, objectType, name string) error {
	ot, p, err := lookupProperty(m, objectType, name)
	if err != nil {
		return err
	}
	if err := readOnly(p); err != nil {
		return err
	}
	if ot.Required(name) {
		return apierr.Invalid("name", "property %q is required: remove it from the required properties first", name)
	}
	return s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.ArchiveProperty, gid.Property, p.ID, "archived property %s.%s", ot.Name, p.Name)
	}, func(tx *write.Tx) error {
		if err := tx.Property.UpdateOneID(p.ID).SetArchivedAt(schema.Now()).Exec(ctx); err != nil {
			return err
		}
		if p.Archived {
			return nil
		}
		return s.searchableChanged(ctx, tx, ot, name, false)
	})
}

// RestoreProperty brings an archived property back with its values.
func (s *Store) RestoreProperty(ctx context.Context, m *meta.Model, objectType, name string) error {
	ot, p, err := lookupProperty(m, objectType, name)
	if err != nil {
		return err
	}
	return s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.RestoreProperty, gid.Property, p.ID, "restored property %s.%s", ot.Name, p.Name)
	}, func(tx *write.Tx) error {
		if err := tx.Property.UpdateOneID(p.ID).ClearArchivedAt().Exec(ctx); err != nil {
			return err
		}
		if !p.Archived {
			return nil
		}
		return s.searchableChanged(ctx, tx, ot, name, true)
	})
}

// searchableChanged rewrites the search text of ot's records when property
// name, now archived (live false) or live again, is a searchable one: its
// values are searched only while it is live.
func (s *Store) searchableChanged(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, name string, live bool) error {
	if !slices.Contains(ot.SearchableProperties, name) {
		return nil
	}
	var names []string
	for _, n := range ot.SearchableProperties {
		if def, ok := ot.Property(n); ok && (n == name && live || n != name && !def.Archived) {
			names = append(names, n)
		}
	}
	return records.RebuildSearchText(ctx, tx, s.db.Dialect, tx.Model.WorkspaceID, ot, names)
}

// DeleteProperty removes an archived property and its values, and returns
// how many records held one.
func (s *Store) DeleteProperty(ctx context.Context, m *meta.Model, objectType, name string) (int, error) {
	ot, p, err := lookupProperty(m, objectType, name)
	if err != nil {
		return 0, err
	}
	if err := readOnly(p); err != nil {
		return 0, err
	}
	if !p.Archived {
		return 0, apierr.New(apierr.Conflict, "property %q is live: archive it before deleting it", name)
	}
	var removed int
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.DeleteProperty, gid.Property, p.ID, "deleted property %s.%s and its values in %d records", ot.Name, p.Name, removed)
	}, func(tx *write.Tx) error {
		if p.Unique {
			if err := records.DropUniqueIndex(ctx, tx, s.db.Dialect, p); err != nil {
				return err
			}
		}
		if removed, err = s.visit(ctx, tx, ot, p.Name, mapValue(p.Name, func(int, any) (any, bool, error) { return nil, true, nil })); err != nil {
			return err
		}
		// Deleted means gone: its past values too, so a property made later
		// with the same name starts with no history.
		if _, err := db.Build(s.db.Dialect, "DELETE FROM property_histories WHERE workspace_id = ").Arg(m.WorkspaceID).
			T(" AND property = ").Arg(p.Name).T(" AND record_id IN (SELECT id FROM records WHERE object_type_id = ").Arg(ot.ID).T(")").
			Exec(ctx, tx); err != nil {
			return fmt.Errorf("delete history of %s.%s: %w", ot.Name, p.Name, err)
		}
		_, err := tx.Property.Delete().Where(property.ID(p.ID)).Exec(ctx)
		return err
	})
	return removed, err
}
