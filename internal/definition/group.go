package definition

import (
	"context"
	"strings"

	"github.com/acme/crm/ent/property"
	"github.com/acme/crm/ent/propertygroup"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/write"
)

// CreateGroup adds a property group to an object type and returns its id.
func (s *Store) CreateGroup(ctx context.Context, m *meta.Model, objectType, name, label string, displayOrder int) (int, error) {
	ot, err := m.Lookup(objectType)
	if err != nil {
		return 0, err
	}
	if !propdef.ValidName(name) {
		return 0, apierr.Invalid("name", "%q is not a group name: lower snake case, starting with a letter", name)
	}
	if strings.TrimSpace(label) == "" {
		return 0, apierr.Invalid("label", "a group needs a label")
	}
	for _, g := range ot.Groups {
		if g.Name == name {
			return 0, apierr.New(apierr.Conflict, "%s already has a property group %q", ot.Name, name)
		}
	}
	var id int
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.CreatePropertyGroup, gid.PropertyGroup, id, "created property group %s.%s", ot.Name, name)
	}, func(tx *write.Tx) error {
		g, err := tx.PropertyGroup.Create().SetWorkspaceID(m.WorkspaceID).SetObjectTypeID(ot.ID).SetName(name).
			SetLabel(strings.TrimSpace(label)).SetDisplayOrder(displayOrder).Save(ctx)
		if err == nil {
			id = g.ID
		}
		return err
	})
	return id, err
}

// UpdateGroup relabels or reorders a property group; nil fields stay.
func (s *Store) UpdateGroup(ctx context.Context, m *meta.Model, objectType, name string, label *string, displayOrder *int) error {
	ot, err := m.Lookup(objectType)
	if err != nil {
		return err
	}
	g, err := group(ot, name)
	if err != nil || name == "" {
		return apierr.New(apierr.NotFound, "%s has no property group %q", ot.Name, name)
	}
	if label != nil && strings.TrimSpace(*label) == "" {
		return apierr.Invalid("label", "a group needs a label")
	}
	return s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.UpdatePropertyGroup, gid.PropertyGroup, g.ID, "updated property group %s.%s", ot.Name, name)
	}, func(tx *write.Tx) error {
		u := tx.PropertyGroup.UpdateOneID(g.ID)
		if label != nil {
			u.SetLabel(strings.TrimSpace(*label))
		}
		if displayOrder != nil {
			u.SetDisplayOrder(*displayOrder)
		}
		return u.Exec(ctx)
	})
}

// DeleteGroup removes a property group; its properties move to the object
// type's default group, which itself cannot be deleted. It returns how
// many properties moved.
func (s *Store) DeleteGroup(ctx context.Context, m *meta.Model, objectType, name string) (int, error) {
	ot, err := m.Lookup(objectType)
	if err != nil {
		return 0, err
	}
	g, err := group(ot, name)
	if err != nil || name == "" {
		return 0, apierr.New(apierr.NotFound, "%s has no property group %q", ot.Name, name)
	}
	def := defaultGroup(ot)
	if def.ID == g.ID {
		return 0, apierr.New(apierr.Conflict, "%q is the default group of %s: its properties would have nowhere to go", name, ot.Name)
	}
	var moved int
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.DeletePropertyGroup, gid.PropertyGroup, g.ID, "deleted property group %s.%s, its %d properties moved to the default group", ot.Name, name, moved)
	}, func(tx *write.Tx) error {
		var err error
		if moved, err = tx.Property.Update().Where(property.GroupID(g.ID)).SetGroupID(def.ID).Save(ctx); err != nil {
			return err
		}
		_, err = tx.PropertyGroup.Delete().Where(propertygroup.ID(g.ID)).Exec(ctx)
		return err
	})
	return moved, err
}
