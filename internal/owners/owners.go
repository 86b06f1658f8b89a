// Package owners keeps the people records are assigned to (owners, the
// values of hubspot_owner_id and every property of type owner) and the
// teams that group them, as HubSpot has them. Owners and teams are
// definitions (meta.Owner): every change here goes through the write
// unit's definition path, so that an owner archived and a write assigning
// it take turns, and every server reads the change at its next request.
package owners

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/teamlayout"
	"github.com/acme/crm/ent/teammembership"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// MaxNameLength bounds an owner's first and last names and a team's name,
// in characters.
const MaxNameLength = 100

// Store writes owners and teams.
type Store struct {
	db *db.DB
	w  *write.Unit
}

// New returns a store over d that writes through w.
func New(d *db.DB, w *write.Unit) *Store { return &Store{db: d, w: w} }

// OwnerInput is an owner's fields to set: on update, nil leaves a field
// as it is. Teams, when TeamsSet, replaces the owner's teams; the primary
// team is PrimaryTeam when given, else the first of Teams.
type OwnerInput struct {
	Email       *string
	FirstName   *string
	LastName    *string
	Teams       []int
	TeamsSet    bool
	PrimaryTeam *int
}

// CreateOwner makes an owner and returns its id.
func (s *Store) CreateOwner(ctx context.Context, m *meta.Model, in OwnerInput) (int, error) {
	if in.Email == nil {
		return 0, apierr.Invalid("email", "an owner needs an email")
	}
	var id int
	err := s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		o := &meta.Owner{}
		if err := apply(o, in); err != nil {
			return err
		}
		row, err := tx.Owner.Create().SetWorkspaceID(tx.Model.WorkspaceID).SetEmail(o.Email).
			SetFirstName(o.FirstName).SetLastName(o.LastName).Save(ctx)
		if err != nil {
			return s.emailTaken(err, o.Email)
		}
		id = row.ID
		return setTeams(ctx, tx, id, in)
	})
	return id, err
}

// UpdateOwner changes an owner, archived or not.
func (s *Store) UpdateOwner(ctx context.Context, m *meta.Model, id int, in OwnerInput) error {
	return s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		current, err := ownerOf(tx.Model, id)
		if err != nil {
			return err
		}
		o := *current
		if err := apply(&o, in); err != nil {
			return err
		}
		err = tx.Owner.UpdateOneID(id).SetEmail(o.Email).SetFirstName(o.FirstName).SetLastName(o.LastName).Exec(ctx)
		if err != nil {
			return s.emailTaken(err, o.Email)
		}
		return setTeams(ctx, tx, id, in)
	})
}

// ArchiveOwner archives an owner: no write may assign it any more, and
// the records assigned to it keep it, readable (the owner stays an option
// of owner properties, hidden, and a filter may name it). Archiving an
// archived owner changes nothing.
func (s *Store) ArchiveOwner(ctx context.Context, m *meta.Model, id int) error {
	return s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		o, err := ownerOf(tx.Model, id)
		if err != nil || o.Archived {
			return err
		}
		return tx.Owner.UpdateOneID(id).SetArchivedAt(clock.Now()).Exec(ctx)
	})
}

// Owner returns an owner of the workspace, archived or not.
func Owner(m *meta.Model, id int) (*meta.Owner, error) { return ownerOf(m, id) }

func ownerOf(m *meta.Model, id int) (*meta.Owner, error) {
	o, ok := m.Owner(id)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "no owner %q", gid.Encode(gid.Owner, id))
	}
	return o, nil
}

// apply sets in's fields on o, checked.
func apply(o *meta.Owner, in OwnerInput) error {
	if in.Email != nil {
		e, ok := values.Email(*in.Email)
		if !ok || !propdef.StorableText(e) {
			return apierr.Invalid("email", "%q is not an email address", *in.Email)
		}
		o.Email = e
	}
	for _, f := range []struct {
		name string
		in   *string
		to   *string
	}{{"firstName", in.FirstName, &o.FirstName}, {"lastName", in.LastName, &o.LastName}} {
		if f.in == nil {
			continue
		}
		v := strings.TrimSpace(*f.in)
		if err := checkName(f.name, v, true); err != nil {
			return err
		}
		*f.to = v
	}
	return nil
}

// checkName refuses a name too long or unstorable (or empty, unless
// empty is allowed).
func checkName(field, v string, empty bool) error {
	if v == "" && !empty || utf8.RuneCountInString(v) > MaxNameLength || !propdef.StorableText(v) {
		return apierr.Invalid(field, "%s is 1 to %d characters of text", field, MaxNameLength)
	}
	return nil
}

func (s *Store) emailTaken(err error, email string) error {
	if s.db.Dialect.IsUniqueViolation(err) {
		return apierr.Wrap(err, apierr.Conflict, "an owner with email %q exists already (archived owners keep theirs)", email)
	}
	return err
}

// setTeams replaces the teams of owner id when in says so.
func setTeams(ctx context.Context, tx *write.Tx, id int, in OwnerInput) error {
	if !in.TeamsSet {
		if in.PrimaryTeam != nil {
			return apierr.Invalid("primaryTeamId", "primaryTeamId goes with teamIds")
		}
		return nil
	}
	teams := slices.Compact(slices.Clone(in.Teams))
	for _, t := range teams {
		if _, ok := tx.Model.Team(t); !ok {
			return apierr.New(apierr.NotFound, "no team %q", gid.Encode(gid.Team, t))
		}
	}
	primary := 0
	switch {
	case in.PrimaryTeam != nil && !slices.Contains(teams, *in.PrimaryTeam):
		return apierr.Invalid("primaryTeamId", "the primary team is one of teamIds")
	case in.PrimaryTeam != nil:
		primary = *in.PrimaryTeam
	case len(teams) > 0:
		primary = teams[0]
	}
	if _, err := tx.TeamMembership.Delete().Where(teammembership.WorkspaceID(tx.Model.WorkspaceID), teammembership.OwnerID(id)).Exec(ctx); err != nil {
		return err
	}
	builders := make([]*ent.TeamMembershipCreate, len(teams))
	for i, t := range teams {
		builders[i] = tx.TeamMembership.Create().SetWorkspaceID(tx.Model.WorkspaceID).SetOwnerID(id).SetTeamID(t).SetPrimary(t == primary)
	}
	return tx.TeamMembership.CreateBulk(builders...).Exec(ctx)
}

// CreateTeam makes a team of owners and returns its id. An owner whose
// first team it is takes it as its primary team.
func (s *Store) CreateTeam(ctx context.Context, m *meta.Model, name string, owners []int) (int, error) {
	var id int
	err := s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		name = strings.TrimSpace(name)
		if err := checkName("name", name, false); err != nil {
			return err
		}
		row, err := tx.Team.Create().SetWorkspaceID(tx.Model.WorkspaceID).SetName(name).Save(ctx)
		if err != nil {
			return s.nameTaken(err, name)
		}
		id = row.ID
		return setMembers(ctx, tx, id, owners)
	})
	return id, err
}

// UpdateTeam renames a team (name nil: unchanged) and, when owners is not
// nil, replaces its owners.
func (s *Store) UpdateTeam(ctx context.Context, m *meta.Model, id int, name *string, owners []int) error {
	return s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		if _, err := teamOf(tx.Model, id); err != nil {
			return err
		}
		if name != nil {
			n := strings.TrimSpace(*name)
			if err := checkName("name", n, false); err != nil {
				return err
			}
			if err := tx.Team.UpdateOneID(id).SetName(n).Exec(ctx); err != nil {
				return s.nameTaken(err, n)
			}
		}
		if owners == nil {
			return nil
		}
		return setMembers(ctx, tx, id, owners)
	})
}

// DeleteTeam deletes a team, its memberships and its record layouts. An
// owner whose primary team it was takes its next team by name as primary.
func (s *Store) DeleteTeam(ctx context.Context, m *meta.Model, id int) error {
	return s.w.Definitions(ctx, m, func(tx *write.Tx) error {
		t, err := teamOf(tx.Model, id)
		if err != nil {
			return err
		}
		ws := tx.Model.WorkspaceID
		if _, err := tx.TeamMembership.Delete().Where(teammembership.WorkspaceID(ws), teammembership.TeamID(id)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.TeamLayout.Delete().Where(teamlayout.WorkspaceID(ws), teamlayout.TeamID(id)).Exec(ctx); err != nil {
			return err
		}
		if err := promote(ctx, tx, t, t.Owners); err != nil {
			return err
		}
		return tx.Team.DeleteOneID(id).Exec(ctx)
	})
}

// Team returns a team of the workspace.
func Team(m *meta.Model, id int) (*meta.Team, error) { return teamOf(m, id) }

func teamOf(m *meta.Model, id int) (*meta.Team, error) {
	t, ok := m.Team(id)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "no team %q", gid.Encode(gid.Team, id))
	}
	return t, nil
}

func (s *Store) nameTaken(err error, name string) error {
	if s.db.Dialect.IsUniqueViolation(err) {
		return apierr.Wrap(err, apierr.Conflict, "a team named %q exists already", name)
	}
	return err
}

// setMembers makes owners the members of team id: those leaving lose it,
// those joining keep their teams, taking it as primary when they had none.
func setMembers(ctx context.Context, tx *write.Tx, id int, owners []int) error {
	owners = slices.Compact(slices.Sorted(slices.Values(owners)))
	for _, o := range owners {
		if _, err := ownerOf(tx.Model, o); err != nil {
			return err
		}
	}
	ws := tx.Model.WorkspaceID
	_, err := tx.TeamMembership.Delete().Where(teammembership.WorkspaceID(ws), teammembership.TeamID(id),
		teammembership.OwnerIDNotIn(owners...)).Exec(ctx)
	if err != nil {
		return err
	}
	if t, ok := tx.Model.Team(id); ok {
		var leaving []*meta.Owner
		for _, o := range t.Owners {
			if !slices.Contains(owners, o.ID) {
				leaving = append(leaving, o)
			}
		}
		if err := promote(ctx, tx, t, leaving); err != nil {
			return err
		}
	}
	var builders []*ent.TeamMembershipCreate
	for _, oid := range owners {
		o, _ := tx.Model.Owner(oid)
		if slices.ContainsFunc(o.Teams, func(t *meta.Team) bool { return t.ID == id }) {
			continue
		}
		builders = append(builders, tx.TeamMembership.Create().SetWorkspaceID(ws).SetOwnerID(oid).SetTeamID(id).
			SetPrimary(len(o.Teams) == 0))
	}
	return tx.TeamMembership.CreateBulk(builders...).Exec(ctx)
}

// Live returns an owner of the workspace that is not archived, for what
// may not be given to an archived owner (an API key).
func Live(m *meta.Model, id int) (*meta.Owner, error) {
	o, err := ownerOf(m, id)
	if err == nil && o.Archived {
		err = apierr.Invalid("ownerId", "owner %s is archived", o.Email)
	}
	return o, err
}

// promote gives the owners leaving team t whose primary team it was their
// next team, by name, as primary.
func promote(ctx context.Context, tx *write.Tx, t *meta.Team, leaving []*meta.Owner) error {
	for _, o := range leaving {
		if o.PrimaryTeam() != t || len(o.Teams) < 2 {
			continue
		}
		err := tx.TeamMembership.Update().Where(teammembership.WorkspaceID(tx.Model.WorkspaceID), teammembership.OwnerID(o.ID),
			teammembership.TeamID(o.Teams[1].ID)).SetPrimary(true).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// ByEmail returns the live owner of the workspace whose email is email.
func ByEmail(m *meta.Model, email string) (*meta.Owner, error) {
	e, _ := values.Email(email)
	for _, o := range m.Owners() {
		if o.Email == e {
			return Live(m, o.ID)
		}
	}
	return nil, apierr.New(apierr.NotFound, "no owner with email %q", email)
}
