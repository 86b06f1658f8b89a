package meta

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/layout"
	"github.com/acme/crm/internal/propdef"
)

// Owner is a person records are assigned to (a property of type owner,
// hubspot_owner_id). Owners are definitions, as lists are: a change of one
// moves the schema version on, so that a write assigning an owner and the
// owner's archiving take turns (package write), and the options of owner
// properties are the owners.
type Owner struct {
	ID        int
	Email     string
	FirstName string
	LastName  string
	Archived  bool
	// Teams are the owner's teams, the primary one first, then by name.
	Teams     []*Team
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GlobalID is the owner's opaque id.
func (o *Owner) GlobalID() string { return gid.Encode(gid.Owner, o.ID) }

// Name is how the owner is shown: its first and last names, or its email
// when it has neither.
func (o *Owner) Name() string {
	if n := strings.TrimSpace(o.FirstName + " " + o.LastName); n != "" {
		return n
	}
	return o.Email
}

// PrimaryTeam is the team whose record layouts the owner reads; nil when
// the owner is in no team.
func (o *Owner) PrimaryTeam() *Team {
	if len(o.Teams) == 0 {
		return nil
	}
	return o.Teams[0]
}

// Team groups owners.
type Team struct {
	ID   int
	Name string
	// Owners are the team's owners, archived ones too, by id.
	Owners    []*Owner
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GlobalID is the team's opaque id.
func (t *Team) GlobalID() string { return gid.Encode(gid.Team, t.ID) }

// OwnerRow is an owner as stored.
type OwnerRow struct {
	ID                         int
	Email, FirstName, LastName string
	Archived                   bool
	CreatedAt, UpdatedAt       time.Time
}

// TeamRow is a team as stored.
type TeamRow struct {
	ID                   int
	Name                 string
	CreatedAt, UpdatedAt time.Time
}

// MembershipRow puts an owner in a team.
type MembershipRow struct {
	TeamID, OwnerID int
	Primary         bool
}

// TeamLayoutRow is a team's record page of an object type.
type TeamLayoutRow struct {
	TeamID, ObjectTypeID int
	Layout               *layout.Layout
}

// Owner returns the owner with id, archived or not.
func (m *Model) Owner(id int) (*Owner, bool) {
	o, ok := m.ownerByID[id]
	return o, ok
}

// Owners are every owner of the workspace, archived ones too, by id.
func (m *Model) Owners() []*Owner { return m.owners }

// Team returns the team with id.
func (m *Model) Team(id int) (*Team, bool) {
	t, ok := m.teamByID[id]
	return t, ok
}

// Teams are every team of the workspace, by name.
func (m *Model) Teams() []*Team { return m.teams }

// indexOwners links owners and teams, gives every owner property its
// options (the owners, an archived one hidden) and every object type its
// teams' layouts.
func (m *Model) indexOwners(owners []OwnerRow, teams []TeamRow, members []MembershipRow, layouts []TeamLayoutRow) {
	sort.Slice(owners, func(i, j int) bool { return owners[i].ID < owners[j].ID })
	sort.Slice(teams, func(i, j int) bool { return teams[i].Name < teams[j].Name })
	m.ownerByID = make(map[int]*Owner, len(owners))
	m.teamByID = make(map[int]*Team, len(teams))
	for _, r := range owners {
		o := &Owner{ID: r.ID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, Archived: r.Archived,
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		m.owners = append(m.owners, o)
		m.ownerByID[o.ID] = o
	}
	for _, r := range teams {
		t := &Team{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		m.teams = append(m.teams, t)
		m.teamByID[t.ID] = t
	}
	primary := map[int]int{}
	for _, r := range members {
		o, t := m.ownerByID[r.OwnerID], m.teamByID[r.TeamID]
		if o == nil || t == nil {
			continue
		}
		o.Teams = append(o.Teams, t)
		t.Owners = append(t.Owners, o)
		if r.Primary {
			primary[o.ID] = t.ID
		}
	}
	for _, o := range m.owners {
		sort.SliceStable(o.Teams, func(i, j int) bool {
			a, b := o.Teams[i].ID == primary[o.ID], o.Teams[j].ID == primary[o.ID]
			if a != b {
				return a
			}
			return o.Teams[i].Name < o.Teams[j].Name
		})
	}
	for _, t := range m.teams {
		sort.Slice(t.Owners, func(i, j int) bool { return t.Owners[i].ID < t.Owners[j].ID })
	}
	for _, r := range layouts {
		if ot := m.byID[r.ObjectTypeID]; ot != nil && r.Layout != nil {
			if ot.TeamLayouts == nil {
				ot.TeamLayouts = map[int]*layout.Layout{}
			}
			ot.TeamLayouts[r.TeamID] = r.Layout
		}
	}
	options := ownerOptions(m.owners)
	for _, ot := range m.ObjectTypes {
		for _, p := range ot.Properties {
			if p.Type == propdef.Owner {
				p.Options = options
			}
		}
	}
}

// ownerOptions are the owners as the options of an owner property: the
// id as the value, the name as the label, the email as the description,
// an archived owner hidden (kept readable, refused on writes).
func ownerOptions(owners []*Owner) []propdef.Option {
	opts := make([]propdef.Option, len(owners))
	for i, o := range owners {
		opts[i] = propdef.Option{Label: o.Name(), Value: strconv.Itoa(o.ID), Description: o.Email, DisplayOrder: i, Hidden: o.Archived}
	}
	return opts
}
