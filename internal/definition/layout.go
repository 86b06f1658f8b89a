package definition

import (
	"context"
	"strings"

	"github.com/acme/crm/ent/teamlayout"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/layout"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/write"
)

// maxSections bounds each area of a record page.
const maxSections = 50

// SetLayout sets the record page of an object type: its own, or (team
// not 0) the one that team's owners read. Every name must be a live
// property; one archived later drops out of the page until restored.
func (s *Store) SetLayout(ctx context.Context, m *meta.Model, objectType string, team int, l layout.Layout) error {
	ot, err := m.Lookup(objectType)
	if err != nil {
		return err
	}
	if _, ok := m.Team(team); team != 0 && !ok {
		return apierr.New(apierr.NotFound, "no team %q", gid.Encode(gid.Team, team))
	}
	for area, sections := range l.Areas() {
		if len(sections) > maxSections {
			return apierr.New(apierr.LimitExceeded, "the %s holds at most %d sections", area, maxSections)
		}
		for _, sec := range sections {
			if strings.TrimSpace(sec.Title) == "" {
				return apierr.Invalid(area, "every section of the %s needs a title", area)
			}
			for _, name := range sec.Properties {
				if p, ok := ot.Property(name); !ok || p.Archived {
					return apierr.Invalid(name, "%s has no live property %q for the %s", ot.Name, name, area)
				}
			}
		}
	}
	return s.change(ctx, m, func() audit.Change {
		if team != 0 {
			return audit.Of(audit.SetRecordLayout, gid.ObjectType, ot.ID, "set the record layout of %s for team %d", ot.Name, team)
		}
		return audit.Of(audit.SetRecordLayout, gid.ObjectType, ot.ID, "set the record layout of %s", ot.Name)
	}, func(tx *write.Tx) error {
		if team == 0 {
			return tx.ObjectType.UpdateOneID(ot.ID).SetLayout(&l).Exec(ctx)
		}
		_, err := tx.TeamLayout.Delete().Where(teamlayout.WorkspaceID(m.WorkspaceID), teamlayout.ObjectTypeID(ot.ID),
			teamlayout.TeamID(team)).Exec(ctx)
		if err != nil {
			return err
		}
		return tx.TeamLayout.Create().SetWorkspaceID(m.WorkspaceID).SetObjectTypeID(ot.ID).SetTeamID(team).SetLayout(&l).Exec(ctx)
	})
}
