package activity

import (
	"context"
	"fmt"
	"strings"

	"github.com/acme/crm/ent/activitysetting"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/write"
)

// MaxSettingChanges bounds the rules one UpdateSettings switches.
const MaxSettingChanges = 100

// Setting is one automatic association rule for activities of one type
// logged on records of one object type, and whether it is on.
type Setting struct {
	ObjectType   *meta.ObjectType
	ActivityType *meta.ObjectType
	Rule         activitysetting.Rule
	Enabled      bool
}

// SettingInput switches one rule on or off.
type SettingInput struct {
	ObjectType   string
	ActivityType string
	Rule         activitysetting.Rule
	Enabled      bool
}

// ruleKey names a rule for one object type.
type ruleKey struct {
	objectTypeID int
	rule         activitysetting.Rule
}

// switchedOff are the rules switched off for activities of type at.
func switchedOff(ctx context.Context, tx *write.Tx, at *meta.ObjectType) (map[ruleKey]bool, error) {
	rows, err := tx.ActivitySetting.Query().Where(activitysetting.WorkspaceID(tx.Model.WorkspaceID),
		activitysetting.ActivityTypeID(at.ID), activitysetting.Enabled(false)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read activity settings: %w", err)
	}
	out := make(map[ruleKey]bool, len(rows))
	for _, r := range rows {
		out[ruleKey{r.ObjectTypeID, r.Rule}] = true
	}
	return out, nil
}

// Settings are every rule of the workspace: for each object type
// activities are logged on, each of its rules, for each activity type; by
// object type, activity type and rule.
func (s *Store) Settings(ctx context.Context, m *meta.Model) ([]*Setting, error) {
	rows, err := s.db.Client.ActivitySetting.Query().Where(activitysetting.WorkspaceID(m.WorkspaceID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read activity settings: %w", err)
	}
	type key struct {
		ruleKey
		activityTypeID int
	}
	stored := make(map[key]bool, len(rows))
	for _, r := range rows {
		stored[key{ruleKey{r.ObjectTypeID, r.Rule}, r.ActivityTypeID}] = r.Enabled
	}
	var out []*Setting
	for _, ot := range m.ObjectTypes {
		if ot.Archived {
			continue
		}
		for _, rule := range rules[ot.Name] {
			for _, at := range m.ObjectTypes {
				if !isActivity(at) || at.Archived {
					continue
				}
				enabled, ok := stored[key{ruleKey{ot.ID, rule}, at.ID}]
				out = append(out, &Setting{ObjectType: ot, ActivityType: at, Rule: rule, Enabled: enabled || !ok})
			}
		}
	}
	return out, nil
}

// UpdateSettings switches rules on or off, all in one transaction, and
// returns every rule as Settings does. A rule the object type does not
// have, or a type that is unknown or not what it should be, refuses the
// whole change with the path of the faulty item.
func (s *Store) UpdateSettings(ctx context.Context, m *meta.Model, changes []SettingInput) ([]*Setting, error) {
	if len(changes) > MaxSettingChanges {
		return nil, apierr.New(apierr.LimitExceeded, "at most %d rules at a time, got %d", MaxSettingChanges, len(changes))
	}
	audited := write.Options{Audit: func() audit.Change {
		return audit.Of(audit.UpdateActivitySettings, gid.Workspace, m.WorkspaceID, "switched automatic associations: %s", describe(changes))
	}}
	err := s.w.Records(ctx, m, audited, func(tx *write.Tx) error {
		for i, c := range changes {
			ot, at, err := checkSetting(tx.Model, c)
			if err != nil {
				if e, ok := apierr.As(err); ok {
					e.Path = fmt.Sprintf("autoAssociations[%d].%s", i, e.Property)
					e.Property = ""
				}
				return err
			}
			err = tx.ActivitySetting.Create().SetWorkspaceID(tx.Model.WorkspaceID).SetObjectTypeID(ot.ID).SetActivityTypeID(at.ID).
				SetRule(c.Rule).SetEnabled(c.Enabled).
				OnConflictColumns(activitysetting.FieldWorkspaceID, activitysetting.FieldObjectTypeID, activitysetting.FieldActivityTypeID, activitysetting.FieldRule).
				UpdateEnabled().UpdateUpdatedAt().Exec(ctx)
			if err != nil {
				return fmt.Errorf("write activity setting: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Settings(ctx, m)
}

// describe names the rules changes switch, for the audit trail.
func describe(changes []SettingInput) string {
	parts := make([]string, len(changes))
	for i, c := range changes {
		state := "off"
		if c.Enabled {
			state = "on"
		}
		parts[i] = fmt.Sprintf("%s of %s on %s %s", c.Rule, c.ActivityType, c.ObjectType, state)
	}
	return strings.Join(parts, ", ")
}

// checkSetting returns the object type and activity type of a change, or
// the error naming the field at fault.
func checkSetting(m *meta.Model, c SettingInput) (*meta.ObjectType, *meta.ObjectType, error) {
	ot, ok := m.ObjectType(c.ObjectType)
	if !ok {
		return nil, nil, &apierr.Error{Code: apierr.NotFound, Property: "objectType", Message: fmt.Sprintf("no object type %q", c.ObjectType)}
	}
	at, err := ActivityType(m, c.ActivityType)
	if e, ok := apierr.As(err); ok {
		e.Property = "activityType"
	}
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rules[ot.Name] {
		if r == c.Rule {
			return ot, at, nil
		}
	}
	return nil, nil, apierr.Invalid("rule", "activities logged on %s have no rule %s", ot.Name, c.Rule)
}
