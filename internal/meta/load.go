package meta

import (
	"context"
	"fmt"
	"sync"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/associationtype"
	entlist "github.com/acme/crm/ent/list"
	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/ent/owner"
	"github.com/acme/crm/ent/pipeline"
	"github.com/acme/crm/ent/property"
	"github.com/acme/crm/ent/propertygroup"
	"github.com/acme/crm/ent/team"
	"github.com/acme/crm/ent/teamlayout"
	"github.com/acme/crm/ent/teammembership"
	"github.com/acme/crm/ent/webhook"
	"github.com/acme/crm/internal/db"
)

// Cache keeps the latest Model of each workspace in this process, so that
// a definition changed through another server process is seen by the next
// request here. On SQLite every Get reads the workspace's schema version
// (one embedded, indexed read) and reloads when it moved. On PostgreSQL a
// Get trusts its model without a statement while the database's watch
// says nothing was heard of the workspace since the version was read, as
// of a sync sent after the Get began (db.DB.DefinitionsUnchanged, where
// the reasoning is); otherwise it reads the version as on SQLite.
type Cache struct {
	db     *db.DB
	mu     sync.Mutex
	models map[int]cached
}

// cached is a model and the mark noted before its version was read.
type cached struct {
	model *Model
	mark  db.Mark
}

// NewCache returns an empty cache over d.
func NewCache(d *db.DB) *Cache {
	return &Cache{db: d, models: map[int]cached{}}
}

// Get returns the current definitions of a workspace.
func (c *Cache) Get(ctx context.Context, workspaceID int) (*Model, error) {
	c.mu.Lock()
	e := c.models[workspaceID]
	c.mu.Unlock()
	if e.model != nil && c.db.DefinitionsUnchanged(ctx, workspaceID, e.mark) {
		return e.model, nil
	}
	mark := c.db.DefinitionsMark(workspaceID)
	var version int64
	err := c.db.ReadRow(ctx, db.Build(c.db.Dialect, "SELECT schema_version FROM workspaces WHERE id = ").Arg(workspaceID), &version)
	if err != nil {
		return nil, fmt.Errorf("read schema version of workspace %d: %w", workspaceID, err)
	}
	m := e.model
	if m == nil || m.Version != version {
		if m, err = Load(ctx, c.db.Client, workspaceID, version); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	if old := c.models[workspaceID].model; old == nil || old.Version <= m.Version {
		c.models[workspaceID] = cached{model: m, mark: mark}
	}
	c.mu.Unlock()
	return m, nil
}

// Load reads every definition of a workspace.
func Load(ctx context.Context, client *ent.Client, workspaceID int, version int64) (*Model, error) {
	ots, err := client.ObjectType.Query().Where(objecttype.WorkspaceID(workspaceID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load object types: %w", err)
	}
	groups, err := client.PropertyGroup.Query().Where(propertygroup.WorkspaceID(workspaceID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load property groups: %w", err)
	}
	props, err := client.Property.Query().Where(property.WorkspaceID(workspaceID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load properties: %w", err)
	}
	pipes, err := client.Pipeline.Query().Where(pipeline.WorkspaceID(workspaceID)).WithStages().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load pipelines: %w", err)
	}

	ats, err := client.AssociationType.Query().Where(associationtype.WorkspaceID(workspaceID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load association types: %w", err)
	}
	assocs := make([]AssociationTypeRow, len(ats))
	for i, at := range ats {
		assocs[i] = AssociationTypeRow{ID: at.ID, FromObjectTypeID: at.FromObjectTypeID, ToObjectTypeID: at.ToObjectTypeID,
			Label: at.Label, Category: string(at.Category)}
		if at.InverseID != nil {
			assocs[i].InverseID = *at.InverseID
		}
		if at.MaxAssociations != nil {
			assocs[i].Limit = *at.MaxAssociations
		}
	}

	ls, err := client.List.Query().Where(entlist.WorkspaceID(workspaceID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load lists: %w", err)
	}
	lists := make([]ListRow, len(ls))
	for i, l := range ls {
		lists[i] = ListRow{ID: l.ID, ObjectTypeID: l.ObjectTypeID, Name: l.Name, Kind: string(l.Kind), Filter: l.Filter,
			CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
	}

	types := make([]*ObjectType, 0, len(ots))
	byID := make(map[int]*ObjectType, len(ots))
	for _, o := range ots {
		ot := &ObjectType{ID: o.ID, Name: o.Name, SingularLabel: o.SingularLabel, PluralLabel: o.PluralLabel,
			Kind: string(o.Kind), PrimaryDisplayProperty: o.PrimaryDisplayProperty,
			SecondaryDisplayProperties: o.SecondaryDisplayProperties, DisplayNameProperties: o.DisplayNameProperties,
			RequiredProperties: o.RequiredProperties, SearchableProperties: o.SearchableProperties,
			PipelineProperty: o.PipelineProperty, StageProperty: o.StageProperty,
			CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Archived: o.ArchivedAt != nil, Layout: o.Layout}
		types = append(types, ot)
		byID[o.ID] = ot
	}
	groupByID := make(map[int]*PropertyGroup, len(groups))
	for _, g := range groups {
		pg := &PropertyGroup{ID: g.ID, Name: g.Name, Label: g.Label, DisplayOrder: g.DisplayOrder}
		groupByID[g.ID] = pg
		if ot := byID[g.ObjectTypeID]; ot != nil {
			ot.Groups = append(ot.Groups, pg)
		}
	}
	for _, p := range props {
		ot := byID[p.ObjectTypeID]
		if ot == nil {
			continue
		}
		def := &Property{ID: p.ID, ObjectTypeID: p.ObjectTypeID, Name: p.Name, Label: p.Label, Type: p.Type,
			FieldType: p.FieldType, Description: p.Description, DisplayOrder: p.DisplayOrder, Options: p.Options,
			Unique: p.HasUniqueValue, Sortable: p.Sortable, Hidden: p.Hidden, ReadOnlyValue: p.ReadOnlyValue,
			ReadOnlyDefinition: p.ReadOnlyDefinition, Archived: p.ArchivedAt != nil,
			CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
		if p.GroupID != nil {
			def.Group = groupByID[*p.GroupID]
		}
		ot.Properties = append(ot.Properties, def)
	}
	for _, p := range pipes {
		ot := byID[p.ObjectTypeID]
		if ot == nil {
			continue
		}
		pl := &Pipeline{ID: p.ID, Key: p.Key, Label: p.Label, DisplayOrder: p.DisplayOrder, Archived: p.ArchivedAt != nil}
		for _, s := range p.Edges.Stages {
			var state *string
			if s.TicketState != nil {
				v := string(*s.TicketState)
				state = &v
			}
			pl.Stages = append(pl.Stages, &Stage{ID: s.ID, Key: s.Key, Label: s.Label, DisplayOrder: s.DisplayOrder,
				Probability: s.Probability, TicketState: state, Closed: s.Closed, Archived: s.ArchivedAt != nil})
		}
		ot.Pipelines = append(ot.Pipelines, pl)
	}
	owners, teams, members, layouts, err := loadOwners(ctx, client, workspaceID)
	if err != nil {
		return nil, err
	}
	hooks, err := client.Webhook.Query().Where(webhook.WorkspaceID(workspaceID)).Order(ent.Asc(webhook.FieldID)).
		Select(webhook.FieldID, webhook.FieldEventTypes, webhook.FieldObjectTypeIds).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load webhooks: %w", err)
	}
	m := New(workspaceID, version, types, assocs...)
	m.indexLists(lists)
	m.indexOwners(owners, teams, members, layouts)
	for _, h := range hooks {
		m.webhooks = append(m.webhooks, Webhook{ID: h.ID, EventTypes: h.EventTypes, ObjectTypeIDs: h.ObjectTypeIds})
	}
	return m, nil
}

// loadOwners reads the owners, teams, memberships and team layouts of a
// workspace.
func loadOwners(ctx context.Context, client *ent.Client, workspaceID int) ([]OwnerRow, []TeamRow, []MembershipRow, []TeamLayoutRow, error) {
	os, err := client.Owner.Query().Where(owner.WorkspaceID(workspaceID)).All(ctx)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("load owners: %w", err)
	}
	ts, err := client.Team.Query().Where(team.WorkspaceID(workspaceID)).All(ctx)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("load teams: %w", err)
	}
	ms, err := client.TeamMembership.Query().Where(teammembership.WorkspaceID(workspaceID)).All(ctx)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("load team memberships: %w", err)
	}
	ls, err := client.TeamLayout.Query().Where(teamlayout.WorkspaceID(workspaceID)).All(ctx)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("load team layouts: %w", err)
	}
	owners := make([]OwnerRow, len(os))
	for i, o := range os {
		owners[i] = OwnerRow{ID: o.ID, Email: o.Email, FirstName: o.FirstName, LastName: o.LastName, Archived: o.ArchivedAt != nil,
			CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	}
	teams := make([]TeamRow, len(ts))
	for i, t := range ts {
		teams[i] = TeamRow{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	}
	members := make([]MembershipRow, len(ms))
	for i, r := range ms {
		members[i] = MembershipRow{TeamID: r.TeamID, OwnerID: r.OwnerID, Primary: r.Primary}
	}
	layouts := make([]TeamLayoutRow, len(ls))
	for i, l := range ls {
		layouts[i] = TeamLayoutRow{TeamID: l.TeamID, ObjectTypeID: l.ObjectTypeID, Layout: l.Layout}
	}
	return owners, teams, members, layouts, nil
}
