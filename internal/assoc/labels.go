package assoc

import (
	"context"
	"fmt"
	"strings"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/association"
	"github.com/acme/crm/ent/associationtype"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/write"
)

// MaxLabelsPerPair is how many user-defined labels one pair of object
// types may have, as HubSpot allows.
const MaxLabelsPerPair = 50

const maxLabelLength = 100

// LabelInput defines a user label between two object types. InverseLabel,
// when different from Label, makes a paired label: Label seen from From,
// InverseLabel from To (Manager / Employee).
type LabelInput struct {
	FromObjectType, ToObjectType string
	Label, InverseLabel          string
	// Limit and InverseLimit bound how many records of the other side one
	// record may have under the label; 0 is no limit.
	Limit, InverseLimit int
}

// changeDefinitions runs fn as a definition change that records change in
// the audit trail.
func (s *Store) changeDefinitions(ctx context.Context, m *meta.Model, change func() audit.Change, fn func(tx *write.Tx) error) error {
	return s.w.Definitions(ctx, m, write.Audited(ctx, change, fn))
}

func checkLabel(field, label string) error {
	label = strings.TrimSpace(label)
	if label == "" {
		return apierr.Invalid(field, "a label must not be empty")
	}
	if len([]rune(label)) > maxLabelLength {
		return apierr.Invalid(field, "a label is at most %d characters", maxLabelLength)
	}
	return nil
}

func checkLimitArg(field string, n int) error {
	if n < 0 {
		return apierr.Invalid(field, "a limit must not be negative, got %d", n)
	}
	return nil
}

// CreateLabel defines a label and its inverse and returns the type seen
// from FromObjectType.
func (s *Store) CreateLabel(ctx context.Context, m *meta.Model, in LabelInput) (int, error) {
	from, err := m.Lookup(in.FromObjectType)
	if err != nil {
		return 0, err
	}
	to, err := m.Lookup(in.ToObjectType)
	if err != nil {
		return 0, err
	}
	if _, ok := m.AssociationType(from, to, ""); !ok {
		return 0, apierr.New(apierr.BadUserInput, "%s cannot be associated with %s", from.Name, to.Name)
	}
	in.Label = strings.TrimSpace(in.Label)
	in.InverseLabel = strings.TrimSpace(in.InverseLabel)
	if in.InverseLabel == "" {
		in.InverseLabel = in.Label
	}
	for _, c := range []error{checkLabel("label", in.Label), checkLabel("inverseLabel", in.InverseLabel),
		checkLimitArg("limit", in.Limit), checkLimitArg("inverseLimit", in.InverseLimit)} {
		if c != nil {
			return 0, c
		}
	}
	var id int
	err = s.changeDefinitions(ctx, m, func() audit.Change {
		return audit.Of(audit.CreateAssociationLabel, gid.AssociationType, id, "created label %q from %s to %s (inverse %q)", in.Label, from.Name, to.Name, in.InverseLabel)
	}, func(tx *write.Tx) error {
		n, err := tx.AssociationType.Query().Where(associationtype.WorkspaceID(m.WorkspaceID),
			associationtype.FromObjectTypeID(from.ID), associationtype.ToObjectTypeID(to.ID),
			associationtype.CategoryEQ(associationtype.CategoryUserDefined)).Count(ctx)
		if err != nil {
			return err
		}
		if n >= MaxLabelsPerPair {
			return apierr.New(apierr.LimitExceeded, "%s and %s have %d labels, the most allowed", from.Name, to.Name, MaxLabelsPerPair)
		}
		for _, l := range []struct {
			from, to *meta.ObjectType
			label    string
		}{{from, to, in.Label}, {to, from, in.InverseLabel}} {
			taken, err := tx.AssociationType.Query().Where(associationtype.WorkspaceID(m.WorkspaceID),
				associationtype.FromObjectTypeID(l.from.ID), associationtype.ToObjectTypeID(l.to.ID), associationtype.LabelEQ(l.label)).Exist(ctx)
			if err != nil {
				return err
			}
			if taken {
				return apierr.Invalid("label", "%s to %s already has a label %q", l.from.Name, l.to.Name, l.label)
			}
		}
		create := func(f, t *meta.ObjectType, label string, limit int) *ent.AssociationTypeCreate {
			c := tx.AssociationType.Create().SetWorkspaceID(m.WorkspaceID).SetFromObjectTypeID(f.ID).SetToObjectTypeID(t.ID).
				SetLabel(label).SetCategory(associationtype.CategoryUserDefined)
			if limit > 0 {
				c.SetMaxAssociations(limit)
			}
			return c
		}
		a, err := create(from, to, in.Label, in.Limit).Save(ctx)
		if err != nil {
			return err
		}
		id = a.ID
		// A label between an object type and itself that reads the same
		// both ways is its own inverse.
		if from == to && in.Label == in.InverseLabel {
			return tx.AssociationType.UpdateOneID(a.ID).SetInverseID(a.ID).Exec(ctx)
		}
		// The inverse edge is a two-way one-to-one: ent links a to b too.
		return create(to, from, in.InverseLabel, in.InverseLimit).SetInverseID(a.ID).Exec(ctx)
	})
	return id, err
}

// userLabel returns a user-defined type of m.
func userLabel(m *meta.Model, id int) (*meta.AssociationType, error) {
	at, ok := m.AssociationTypeByID(id)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "no association type %d", id)
	}
	if at.Category != meta.UserDefined {
		return nil, apierr.New(apierr.Forbidden, "association type %d is standard and cannot be changed", id)
	}
	return at, nil
}

// RenameLabel relabels a user-defined type and, when inverseLabel is not
// "", its inverse.
func (s *Store) RenameLabel(ctx context.Context, m *meta.Model, id int, label, inverseLabel string) error {
	at, err := userLabel(m, id)
	if err != nil {
		return err
	}
	if err := checkLabel("label", label); err != nil {
		return err
	}
	if inverseLabel != "" {
		if err := checkLabel("inverseLabel", inverseLabel); err != nil {
			return err
		}
	}
	label = strings.TrimSpace(label)
	inverseLabel = strings.TrimSpace(inverseLabel)
	return s.changeDefinitions(ctx, m, func() audit.Change {
		return audit.Of(audit.RenameAssociationLabel, gid.AssociationType, at.ID, "renamed label %q from %s to %s to %q", at.Label, at.From.Name, at.To.Name, label)
	}, func(tx *write.Tx) error {
		renames := []struct {
			at    *meta.AssociationType
			label string
		}{{at, label}}
		if inverseLabel != "" && at.Inverse != nil && at.Inverse != at {
			renames = append(renames, struct {
				at    *meta.AssociationType
				label string
			}{at.Inverse, inverseLabel})
		}
		for _, r := range renames {
			if other, ok := m.AssociationType(r.at.From, r.at.To, r.label); ok && other != r.at {
				return apierr.Invalid("label", "%s to %s already has a label %q", r.at.From.Name, r.at.To.Name, r.label)
			}
			if err := tx.AssociationType.UpdateOneID(r.at.ID).SetLabel(r.label).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetLimit sets how many records of the other side one record may have
// under a type; 0 removes the limit. The unlabeled default's limit bounds
// the pair of object types.
func (s *Store) SetLimit(ctx context.Context, m *meta.Model, id, limit int) error {
	at, ok := m.AssociationTypeByID(id)
	if !ok {
		return apierr.New(apierr.NotFound, "no association type %d", id)
	}
	if err := checkLimitArg("limit", limit); err != nil {
		return err
	}
	return s.changeDefinitions(ctx, m, func() audit.Change {
		return audit.Of(audit.SetAssociationLimit, gid.AssociationType, id, "set the limit of %s to %s (label %q) to %d (0: none)", at.From.Name, at.To.Name, at.Label, limit)
	}, func(tx *write.Tx) error {
		u := tx.AssociationType.UpdateOneID(id)
		if limit == 0 {
			u.ClearMaxAssociations()
		} else {
			u.SetMaxAssociations(limit)
		}
		return u.Exec(ctx)
	})
}

// DeleteLabel removes a user-defined label and its inverse. While records
// use it, it is refused with CONFLICT and the count, unless
// removeAssociations: then those links go too (the pairs keep their
// unlabeled association), each row noted as a disassociation under the
// label, as Disassociate notes it. It returns how many association rows
// went.
func (s *Store) DeleteLabel(ctx context.Context, m *meta.Model, id int, removeAssociations bool) (int, error) {
	at, err := userLabel(m, id)
	if err != nil {
		return 0, err
	}
	ids := []int{at.ID}
	if at.Inverse != nil && at.Inverse != at {
		ids = append(ids, at.Inverse.ID)
	}
	var removed int
	err = s.changeDefinitions(ctx, m, func() audit.Change {
		return audit.Of(audit.DeleteAssociationLabel, gid.AssociationType, at.ID, "deleted label %q from %s to %s and %d associations", at.Label, at.From.Name, at.To.Name, removed)
	}, func(tx *write.Tx) error {
		used, err := tx.Association.Query().Where(association.WorkspaceID(m.WorkspaceID), association.AssociationTypeID(at.ID)).Count(ctx)
		if err != nil {
			return err
		}
		if used > 0 && !removeAssociations {
			return apierr.New(apierr.Conflict, "label %q links %d pairs of records; pass removeAssociations to delete them with it", at.Label, used)
		}
		links, err := s.noted(ctx, tx, write.Disassociated, db.Build(tx.Dialect, "DELETE FROM associations WHERE workspace_id = ").Arg(m.WorkspaceID).
			T(" AND ").InIDs("", "association_type_id", ids))
		if err != nil {
			return fmt.Errorf("delete associations of label %d: %w", id, err)
		}
		removed = len(links)
		if err := tx.AssociationType.Update().Where(associationtype.IDIn(ids...)).ClearInverseID().Exec(ctx); err != nil {
			return err
		}
		_, err = tx.AssociationType.Delete().Where(associationtype.WorkspaceID(m.WorkspaceID), associationtype.IDIn(ids...)).Exec(ctx)
		return err
	})
	return removed, err
}
