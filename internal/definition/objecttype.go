package definition

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/acme/crm/ent/associationtype"
	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/catalog"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// objectTypeName is HubSpot's rule for custom object names.
var objectTypeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,99}$`)

// ObjectTypeInput defines a custom object type.
type ObjectTypeInput struct {
	Name                       string
	SingularLabel, PluralLabel string
	PrimaryDisplayProperty     string
	SecondaryDisplayProperties []string
	RequiredProperties         []string
	SearchableProperties       []string
	Properties                 []PropertyInput
	// AssociatedObjects are the object types its records may be associated
	// with; the engagement objects always may.
	AssociatedObjects []string
}

// checkPropertyList refuses names in list that are not among props.
func checkPropertyList(field string, list []string, props map[string]bool) error {
	for _, name := range list {
		if !props[name] {
			return apierr.Invalid(field, "%q is not a property of the object type", name)
		}
	}
	return nil
}

// CreateObjectType makes a custom object type with its properties, the
// properties every object has, a default property group, and unlabeled
// association types with its associated objects and the engagements.
func (s *Store) CreateObjectType(ctx context.Context, m *meta.Model, in ObjectTypeInput) (int, error) {
	if !objectTypeName.MatchString(in.Name) {
		return 0, apierr.Invalid("name", "%q is not an object type name: letters, digits and _, starting with a letter", in.Name)
	}
	for _, ot := range m.ObjectTypes {
		if strings.EqualFold(ot.Name, in.Name) {
			return 0, apierr.New(apierr.Conflict, "an object type %q exists already (archived ones keep their names)", ot.Name)
		}
	}
	if strings.TrimSpace(in.SingularLabel) == "" || strings.TrimSpace(in.PluralLabel) == "" {
		return 0, apierr.Invalid("singularLabel", "an object type needs singular and plural labels")
	}
	common := catalog.Standard().CommonProperties
	names := map[string]bool{}
	for _, p := range common {
		names[p.Name] = true
	}
	unique := 0
	for _, p := range in.Properties {
		if names[p.Name] {
			return 0, apierr.Invalid("properties", "property %q is defined twice or is one every object has", p.Name)
		}
		if err := checkNewProperty(&meta.ObjectType{}, p); err != nil {
			return 0, err
		}
		if p.GroupName != "" {
			return 0, apierr.Invalid("properties", "property %q names group %q: a new object type has only its default group", p.Name, p.GroupName)
		}
		if p.Unique {
			unique++
		}
		names[p.Name] = true
	}
	if unique > MaxUniquePerObjectType {
		return 0, apierr.New(apierr.LimitExceeded, "an object type has at most %d unique properties", MaxUniquePerObjectType)
	}
	if in.PrimaryDisplayProperty != "" && !names[in.PrimaryDisplayProperty] {
		return 0, apierr.Invalid("primaryDisplayProperty", "%q is not a property of the object type", in.PrimaryDisplayProperty)
	}
	for field, list := range map[string][]string{"secondaryDisplayProperties": in.SecondaryDisplayProperties,
		"requiredProperties": in.RequiredProperties, "searchableProperties": in.SearchableProperties} {
		if err := checkPropertyList(field, list, names); err != nil {
			return 0, err
		}
	}
	linked, err := associatedTypes(m, in.AssociatedObjects)
	if err != nil {
		return 0, err
	}

	var id int
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.CreateObjectType, gid.ObjectType, id, "created object type %s", in.Name)
	}, func(tx *write.Tx) error {
		ot, err := tx.ObjectType.Create().SetWorkspaceID(m.WorkspaceID).SetName(in.Name).
			SetSingularLabel(strings.TrimSpace(in.SingularLabel)).SetPluralLabel(strings.TrimSpace(in.PluralLabel)).
			SetKind(objecttype.KindCustom).SetPrimaryDisplayProperty(in.PrimaryDisplayProperty).
			SetSecondaryDisplayProperties(nonNil(in.SecondaryDisplayProperties)).
			SetRequiredProperties(nonNil(in.RequiredProperties)).
			SetSearchableProperties(nonNil(in.SearchableProperties)).Save(ctx)
		if err != nil {
			return err
		}
		id = ot.ID
		g, err := tx.PropertyGroup.Create().SetWorkspaceID(m.WorkspaceID).SetObjectTypeID(ot.ID).
			SetName(strings.ToLower(in.Name) + "information").SetLabel(strings.TrimSpace(in.SingularLabel) + " information").Save(ctx)
		if err != nil {
			return err
		}
		for i, p := range in.Properties {
			if p.DisplayOrder == 0 {
				p.DisplayOrder = i
			}
			created, err := createProperty(ctx, tx, m.WorkspaceID, ot.ID, g.ID, p)
			if err != nil {
				return err
			}
			if p.Unique {
				if err := records.CreateUniqueIndex(ctx, tx, s.db.Dialect, &meta.Property{ID: created.ID, ObjectTypeID: ot.ID, Name: p.Name}); err != nil {
					return err
				}
			}
		}
		for i, p := range common {
			err := tx.Property.Create().SetWorkspaceID(m.WorkspaceID).SetObjectTypeID(ot.ID).SetGroupID(g.ID).
				SetName(p.Name).SetLabel(p.Label).SetType(p.Type).SetFieldType(p.FieldType).SetDescription(p.Description).
				SetDisplayOrder(len(in.Properties) + i).SetOptions(nonNil(p.Options)).SetReadOnlyValue(p.ReadOnlyValue).
				SetReadOnlyDefinition(true).Exec(ctx)
			if err != nil {
				return err
			}
		}
		for _, other := range linked {
			if err := createDefaultAssociation(ctx, tx, m.WorkspaceID, ot.ID, other.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// associatedTypes returns the object types named and every engagement
// object type, once each.
func associatedTypes(m *meta.Model, names []string) ([]*meta.ObjectType, error) {
	var out []*meta.ObjectType
	seen := map[int]bool{}
	for _, n := range names {
		ot, err := m.Lookup(n)
		if err != nil {
			return nil, apierr.Invalid("associatedObjects", "no object type %q", n)
		}
		if !seen[ot.ID] {
			seen[ot.ID] = true
			out = append(out, ot)
		}
	}
	for _, ot := range m.ObjectTypes {
		if ot.Kind == "engagement" && !ot.Archived && !seen[ot.ID] {
			seen[ot.ID] = true
			out = append(out, ot)
		}
	}
	return out, nil
}

// createDefaultAssociation makes the unlabeled association types between
// two object types, each the other's inverse.
func createDefaultAssociation(ctx context.Context, tx *write.Tx, workspaceID, a, b int) error {
	there, err := tx.AssociationType.Create().SetWorkspaceID(workspaceID).SetFromObjectTypeID(a).SetToObjectTypeID(b).
		SetCategory(associationtype.CategoryStandard).Save(ctx)
	if err != nil {
		return err
	}
	// The inverse edge is a two-way one-to-one: ent links both rows.
	return tx.AssociationType.Create().SetWorkspaceID(workspaceID).SetFromObjectTypeID(b).SetToObjectTypeID(a).
		SetCategory(associationtype.CategoryStandard).SetInverseID(there.ID).Exec(ctx)
}

// ObjectTypeUpdate changes a custom object type; nil fields stay.
type ObjectTypeUpdate struct {
	SingularLabel, PluralLabel *string
	PrimaryDisplayProperty     *string
	SecondaryDisplayProperties []string
	RequiredProperties         []string
	SearchableProperties       []string
}

func customType(m *meta.Model, name string) (*meta.ObjectType, error) {
	ot, err := m.Lookup(name)
	if err != nil {
		return nil, err
	}
	if ot.Kind != "custom" {
		return nil, apierr.New(apierr.Forbidden, "%s is a standard object type: only custom ones change", name)
	}
	return ot, nil
}

// UpdateObjectType changes the labels, display and the required and
// searchable properties of a custom object type.
func (s *Store) UpdateObjectType(ctx context.Context, m *meta.Model, name string, u ObjectTypeUpdate) error {
	ot, err := customType(m, name)
	if err != nil {
		return err
	}
	live := map[string]bool{}
	for _, p := range ot.Properties {
		if !p.Archived {
			live[p.Name] = true
		}
	}
	if u.PrimaryDisplayProperty != nil && *u.PrimaryDisplayProperty != "" && !live[*u.PrimaryDisplayProperty] {
		return apierr.Invalid("primaryDisplayProperty", "%q is not a live property of %s", *u.PrimaryDisplayProperty, name)
	}
	for field, list := range map[string][]string{"secondaryDisplayProperties": u.SecondaryDisplayProperties,
		"requiredProperties": u.RequiredProperties, "searchableProperties": u.SearchableProperties} {
		if err := checkPropertyList(field, list, live); err != nil {
			return err
		}
	}
	for _, l := range []*string{u.SingularLabel, u.PluralLabel} {
		if l != nil && strings.TrimSpace(*l) == "" {
			return apierr.Invalid("singularLabel", "labels must not be empty")
		}
	}
	return s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.UpdateObjectType, gid.ObjectType, ot.ID, "updated object type %s", ot.Name)
	}, func(tx *write.Tx) error {
		upd := tx.ObjectType.UpdateOneID(ot.ID)
		if u.SingularLabel != nil {
			upd.SetSingularLabel(strings.TrimSpace(*u.SingularLabel))
		}
		if u.PluralLabel != nil {
			upd.SetPluralLabel(strings.TrimSpace(*u.PluralLabel))
		}
		if u.PrimaryDisplayProperty != nil {
			upd.SetPrimaryDisplayProperty(*u.PrimaryDisplayProperty)
		}
		if u.SecondaryDisplayProperties != nil {
			upd.SetSecondaryDisplayProperties(u.SecondaryDisplayProperties)
		}
		if u.RequiredProperties != nil {
			upd.SetRequiredProperties(u.RequiredProperties)
		}
		if u.SearchableProperties != nil {
			upd.SetSearchableProperties(u.SearchableProperties)
		}
		if err := upd.Exec(ctx); err != nil {
			return err
		}
		if u.SearchableProperties == nil || sameSet(u.SearchableProperties, ot.SearchableProperties) {
			return nil
		}
		// What search reads changed: every record's search text, in this
		// transaction, so that the next query reads the new properties.
		return records.RebuildSearchText(ctx, tx, s.db.Dialect, m.WorkspaceID, ot, u.SearchableProperties)
	})
}

// sameSet reports whether a and b hold the same names.
func sameSet(a, b []string) bool {
	return slices.Equal(slices.Compact(slices.Sorted(slices.Values(a))), slices.Compact(slices.Sorted(slices.Values(b))))
}

// ArchiveObjectType retires a custom object type that has no records; its
// name stays taken.
func (s *Store) ArchiveObjectType(ctx context.Context, m *meta.Model, name string) error {
	ot, err := customType(m, name)
	if err != nil {
		return err
	}
	return s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.ArchiveObjectType, gid.ObjectType, ot.ID, "archived object type %s", ot.Name)
	}, func(tx *write.Tx) error {
		n, err := s.countRecords(ctx, tx, m.WorkspaceID, ot)
		if err != nil {
			return err
		}
		if n > 0 {
			return apierr.New(apierr.Conflict, "%s has %d records (archived ones count): delete them first", name, n)
		}
		return tx.ObjectType.UpdateOneID(ot.ID).SetArchivedAt(schema.Now()).Exec(ctx)
	})
}
