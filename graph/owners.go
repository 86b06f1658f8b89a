package graph

import (
	"context"

	"github.com/acme/crm/graph/model"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/owners"
)

// ownerInput translates an owner's input fields.
func ownerInput(email, firstName, lastName *string, teamIDs []string, primaryTeamID *string) (owners.OwnerInput, error) {
	in := owners.OwnerInput{Email: email, FirstName: firstName, LastName: lastName, TeamsSet: teamIDs != nil}
	var err error
	if in.Teams, err = gid.DecodeKinds(teamIDs, gid.Team); err != nil {
		return in, err
	}
	if primaryTeamID != nil {
		id, err := gid.DecodeKind(*primaryTeamID, gid.Team)
		if err != nil {
			return in, err
		}
		in.PrimaryTeam = &id
	}
	return in, nil
}

// changeByID decodes globalID, of kind, and runs change with the request's
// definitions and the id; it answers the id.
func (r *Resolver) changeByID(ctx context.Context, globalID, kind string, change func(m *meta.Model, id int) error) (int, error) {
	id, err := gid.DecodeKind(globalID, kind)
	if err != nil {
		return 0, err
	}
	m, err := r.model(ctx)
	if err != nil {
		return 0, err
	}
	return id, change(m, id)
}

// freshOwner is owner id as the definitions read after a change have it.
func (r *Resolver) freshOwner(ctx context.Context, id int) (*model.OwnerPayload, error) {
	m, err := r.reloadModel(ctx)
	if err != nil {
		return nil, err
	}
	o, err := owners.Owner(m, id)
	if err != nil {
		return nil, err
	}
	return &model.OwnerPayload{Owner: o}, nil
}

// freshTeam is team id as the definitions read after a change have it.
func (r *Resolver) freshTeam(ctx context.Context, id int) (*model.TeamPayload, error) {
	m, err := r.reloadModel(ctx)
	if err != nil {
		return nil, err
	}
	t, err := owners.Team(m, id)
	if err != nil {
		return nil, err
	}
	return &model.TeamPayload{Team: t}, nil
}

// ownerByID is owner id of the request's workspace, nil for 0.
func (r *Resolver) ownerByID(ctx context.Context, id int) (*meta.Owner, error) {
	if id == 0 {
		return nil, nil
	}
	m, err := r.model(ctx)
	if err != nil {
		return nil, err
	}
	o, _ := m.Owner(id)
	return o, nil
}

// layoutTeam is the team whose record layouts a read shows: teamID's when
// given, else the primary team of the owner the request is tied to; nil
// for none.
func (r *Resolver) layoutTeam(ctx context.Context, teamID *string) (*meta.Team, error) {
	if teamID == nil {
		o, err := r.ownerByID(ctx, sessionOf(ctx).viewer.OwnerID())
		if o == nil || err != nil {
			return nil, err
		}
		return o.PrimaryTeam(), nil
	}
	id, err := gid.DecodeKind(*teamID, gid.Team)
	if err != nil {
		return nil, err
	}
	m, err := r.model(ctx)
	if err != nil {
		return nil, err
	}
	return owners.Team(m, id)
}

// keyOwner decodes a new key's ownerId: a live owner of the workspace, or
// 0 for none.
func (r *Resolver) keyOwner(ctx context.Context, ownerID *string) (int, error) {
	if ownerID == nil {
		return 0, nil
	}
	id, err := gid.DecodeKind(*ownerID, gid.Owner)
	if err != nil {
		return 0, err
	}
	m, err := r.model(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := owners.Live(m, id); err != nil {
		return 0, err
	}
	return id, nil
}
