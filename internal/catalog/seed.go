package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/associationtype"
	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/ent/pipeline"
	"github.com/acme/crm/ent/pipelinestage"
	"github.com/acme/crm/ent/property"
	"github.com/acme/crm/ent/propertygroup"
	"github.com/acme/crm/ent/workspace"
	"github.com/acme/crm/internal/db"
)

// Seed creates in the workspace whatever of the standard catalog it lacks:
// object types by name, groups and properties by name, pipelines and stages
// by key, association types by (from, to, label). Rows that exist are left
// as they are, since an admin may have changed them (added options, renamed
// a stage). When it creates anything it bumps the workspace's schema
// version, and on PostgreSQL notifies the server processes that listen
// (db.NotifyDefinitions). It is one transaction of at most 16 statements
// whatever the catalog's size: one read and at most one bulk insert per
// table. The whole catalog is a few hundred rows, so no insert comes near
// PostgreSQL's bind parameter limit.
func Seed(ctx context.Context, d *db.DB, workspaceID int) error {
	tx, err := d.Client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("seed catalog: %w", err)
	}
	s := &seeder{tx: tx, dialect: d.Dialect, ws: workspaceID, cat: Standard()}
	if err := s.run(ctx); err != nil {
		return errors.Join(fmt.Errorf("seed catalog in workspace %d: %w", workspaceID, err), tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed catalog in workspace %d: %w", workspaceID, err)
	}
	return nil
}

type seeder struct {
	tx      *ent.Tx
	dialect db.Dialect
	ws      int
	cat     *Catalog
	created int

	objectTypes map[string]int          // name -> id
	groups      map[childKey]int        // (object type id, name) -> id
	pipelines   map[childKey]int        // (object type id, key) -> id
	assocs      map[assocIDKey]assocRow // (from id, to id, label) -> row
}

// childKey names a row by its parent's id and its own name or key.
type childKey struct {
	parent int
	name   string
}

type assocIDKey struct {
	from, to int
	label    string
}

type assocRow struct {
	id      int
	inverse *int
	created bool
}

func (s *seeder) run(ctx context.Context) error {
	steps := []func(context.Context) error{
		s.lockWorkspace, s.seedObjectTypes, s.seedGroups, s.seedProperties,
		s.seedPipelines, s.seedStages, s.seedAssociationTypes,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	if s.created == 0 {
		return nil
	}
	// Update, not UpdateOne: UpdateOne reads the row back, which nobody needs.
	if err := s.tx.Workspace.Update().Where(workspace.ID(s.ws)).AddSchemaVersion(1).Exec(ctx); err != nil {
		return err
	}
	return db.NotifyDefinitions(ctx, s.tx, s.dialect, s.ws)
}

// lockWorkspace makes concurrent seeds of one workspace (two servers starting
// together) take turns, so the second finds the first's rows instead of
// failing on a unique index. On SQLite the write transaction already holds
// the database lock (db.SQLiteDSN begins it IMMEDIATE) and FOR UPDATE does
// not exist.
func (s *seeder) lockWorkspace(ctx context.Context) error {
	ids, err := s.tx.Workspace.Query().Where(workspace.ID(s.ws)).Select(workspace.FieldID).
		Modify(func(sel *sql.Selector) {
			if sel.Dialect() != dialect.SQLite {
				sel.ForUpdate()
			}
		}).Ints(ctx)
	if err != nil {
		return fmt.Errorf("lock workspace: %w", err)
	}
	if len(ids) == 0 {
		return fmt.Errorf("workspace %d does not exist", s.ws)
	}
	return nil
}

func (s *seeder) seedObjectTypes(ctx context.Context) error {
	rows, err := s.tx.ObjectType.Query().Where(objecttype.WorkspaceID(s.ws)).
		Select(objecttype.FieldName).All(ctx)
	if err != nil {
		return fmt.Errorf("load object types: %w", err)
	}
	s.objectTypes = make(map[string]int, len(rows))
	for _, r := range rows {
		s.objectTypes[r.Name] = r.ID
	}
	var todo []*ObjectType
	var builders []*ent.ObjectTypeCreate
	for i := range s.cat.ObjectTypes {
		ot := &s.cat.ObjectTypes[i]
		if _, ok := s.objectTypes[ot.Name]; ok {
			continue
		}
		todo = append(todo, ot)
		builders = append(builders, s.tx.ObjectType.Create().
			SetWorkspaceID(s.ws).
			SetName(ot.Name).
			SetSingularLabel(ot.SingularLabel).
			SetPluralLabel(ot.PluralLabel).
			SetKind(ot.Kind).
			SetPrimaryDisplayProperty(ot.PrimaryDisplayProperty).
			SetSecondaryDisplayProperties(nonNil(ot.SecondaryDisplayProperties)).
			SetDisplayNameProperties(nonNil(ot.DisplayNameProperties)).
			SetRequiredProperties(nonNil(ot.RequiredProperties)).
			SetSearchableProperties(nonNil(ot.SearchableProperties)).
			SetPipelineProperty(ot.PipelineProperty).
			SetStageProperty(ot.StageProperty))
	}
	if len(builders) == 0 {
		return nil
	}
	made, err := s.tx.ObjectType.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return fmt.Errorf("create object types: %w", err)
	}
	for i, r := range made {
		s.objectTypes[todo[i].Name] = r.ID
	}
	s.created += len(made)
	return nil
}

func (s *seeder) seedGroups(ctx context.Context) error {
	rows, err := s.tx.PropertyGroup.Query().Where(propertygroup.WorkspaceID(s.ws)).
		Select(propertygroup.FieldObjectTypeID, propertygroup.FieldName).All(ctx)
	if err != nil {
		return fmt.Errorf("load property groups: %w", err)
	}
	s.groups = make(map[childKey]int, len(rows))
	for _, r := range rows {
		s.groups[childKey{r.ObjectTypeID, r.Name}] = r.ID
	}
	var todo []childKey
	var builders []*ent.PropertyGroupCreate
	for _, ot := range s.cat.ObjectTypes {
		otID := s.objectTypes[ot.Name]
		for _, g := range ot.Groups {
			k := childKey{otID, g.Name}
			if _, ok := s.groups[k]; ok {
				continue
			}
			todo = append(todo, k)
			builders = append(builders, s.tx.PropertyGroup.Create().
				SetWorkspaceID(s.ws).
				SetObjectTypeID(otID).
				SetName(g.Name).
				SetLabel(g.Label).
				SetDisplayOrder(g.DisplayOrder))
		}
	}
	if len(builders) == 0 {
		return nil
	}
	made, err := s.tx.PropertyGroup.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return fmt.Errorf("create property groups: %w", err)
	}
	for i, r := range made {
		s.groups[todo[i]] = r.ID
	}
	s.created += len(made)
	return nil
}

func (s *seeder) seedProperties(ctx context.Context) error {
	rows, err := s.tx.Property.Query().Where(property.WorkspaceID(s.ws)).
		Select(property.FieldObjectTypeID, property.FieldName).All(ctx)
	if err != nil {
		return fmt.Errorf("load properties: %w", err)
	}
	exists := make(map[childKey]bool, len(rows))
	for _, r := range rows {
		exists[childKey{r.ObjectTypeID, r.Name}] = true
	}
	var builders []*ent.PropertyCreate
	for _, ot := range s.cat.ObjectTypes {
		otID := s.objectTypes[ot.Name]
		for _, p := range ot.Properties {
			if exists[childKey{otID, p.Name}] {
				continue
			}
			b := s.tx.Property.Create().
				SetWorkspaceID(s.ws).
				SetObjectTypeID(otID).
				SetGroupID(s.groups[childKey{otID, p.Group}]).
				SetName(p.Name).
				SetLabel(p.Label).
				SetType(p.Type).
				SetFieldType(p.FieldType).
				SetDescription(p.Description).
				SetDisplayOrder(p.DisplayOrder).
				SetHasUniqueValue(p.HasUniqueValue).
				SetSortable(p.Sortable).
				SetHidden(p.Hidden).
				SetReadOnlyValue(p.ReadOnlyValue).
				SetReadOnlyDefinition(true)
			if len(p.Options) > 0 {
				b.SetOptions(p.Options)
			}
			builders = append(builders, b)
		}
	}
	if len(builders) == 0 {
		return nil
	}
	if err := s.tx.Property.CreateBulk(builders...).Exec(ctx); err != nil {
		return fmt.Errorf("create properties: %w", err)
	}
	s.created += len(builders)
	return nil
}

func (s *seeder) seedPipelines(ctx context.Context) error {
	rows, err := s.tx.Pipeline.Query().Where(pipeline.WorkspaceID(s.ws)).
		Select(pipeline.FieldObjectTypeID, pipeline.FieldKey).All(ctx)
	if err != nil {
		return fmt.Errorf("load pipelines: %w", err)
	}
	s.pipelines = make(map[childKey]int, len(rows))
	for _, r := range rows {
		s.pipelines[childKey{r.ObjectTypeID, r.Key}] = r.ID
	}
	var todo []childKey
	var builders []*ent.PipelineCreate
	for _, ot := range s.cat.ObjectTypes {
		otID := s.objectTypes[ot.Name]
		for _, pl := range ot.Pipelines {
			k := childKey{otID, pl.Key}
			if _, ok := s.pipelines[k]; ok {
				continue
			}
			todo = append(todo, k)
			builders = append(builders, s.tx.Pipeline.Create().
				SetWorkspaceID(s.ws).
				SetObjectTypeID(otID).
				SetKey(pl.Key).
				SetLabel(pl.Label).
				SetDisplayOrder(pl.DisplayOrder))
		}
	}
	if len(builders) == 0 {
		return nil
	}
	made, err := s.tx.Pipeline.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return fmt.Errorf("create pipelines: %w", err)
	}
	for i, r := range made {
		s.pipelines[todo[i]] = r.ID
	}
	s.created += len(made)
	return nil
}

func (s *seeder) seedStages(ctx context.Context) error {
	rows, err := s.tx.PipelineStage.Query().Where(pipelinestage.WorkspaceID(s.ws)).
		Select(pipelinestage.FieldPipelineID, pipelinestage.FieldKey).All(ctx)
	if err != nil {
		return fmt.Errorf("load pipeline stages: %w", err)
	}
	exists := make(map[childKey]bool, len(rows))
	for _, r := range rows {
		exists[childKey{r.PipelineID, r.Key}] = true
	}
	var builders []*ent.PipelineStageCreate
	for _, ot := range s.cat.ObjectTypes {
		otID := s.objectTypes[ot.Name]
		for _, pl := range ot.Pipelines {
			plID := s.pipelines[childKey{otID, pl.Key}]
			for _, st := range pl.Stages {
				if exists[childKey{plID, st.Key}] {
					continue
				}
				b := s.tx.PipelineStage.Create().
					SetWorkspaceID(s.ws).
					SetPipelineID(plID).
					SetKey(st.Key).
					SetLabel(st.Label).
					SetDisplayOrder(st.DisplayOrder).
					SetNillableProbability(st.Probability).
					SetClosed(st.Closed)
				if st.TicketState != "" {
					b.SetTicketState(st.TicketState)
				}
				builders = append(builders, b)
			}
		}
	}
	if len(builders) == 0 {
		return nil
	}
	if err := s.tx.PipelineStage.CreateBulk(builders...).Exec(ctx); err != nil {
		return fmt.Errorf("create pipeline stages: %w", err)
	}
	s.created += len(builders)
	return nil
}

func (s *seeder) seedAssociationTypes(ctx context.Context) error {
	rows, err := s.tx.AssociationType.Query().Where(associationtype.WorkspaceID(s.ws)).
		Select(associationtype.FieldFromObjectTypeID, associationtype.FieldToObjectTypeID,
			associationtype.FieldLabel, associationtype.FieldInverseID).All(ctx)
	if err != nil {
		return fmt.Errorf("load association types: %w", err)
	}
	s.assocs = make(map[assocIDKey]assocRow, len(rows))
	for _, r := range rows {
		s.assocs[assocIDKey{r.FromObjectTypeID, r.ToObjectTypeID, r.Label}] = assocRow{id: r.ID, inverse: r.InverseID}
	}
	var todo []assocIDKey
	var builders []*ent.AssociationTypeCreate
	for _, at := range s.cat.AssociationTypes {
		k := s.idKey(at)
		if _, ok := s.assocs[k]; ok {
			continue
		}
		todo = append(todo, k)
		builders = append(builders, s.tx.AssociationType.Create().
			SetWorkspaceID(s.ws).
			SetFromObjectTypeID(k.from).
			SetToObjectTypeID(k.to).
			SetLabel(at.Label).
			SetCategory(associationtype.CategoryStandard).
			SetNillableMaxAssociations(at.MaxAssociations))
	}
	if len(builders) == 0 {
		return nil
	}
	made, err := s.tx.AssociationType.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return fmt.Errorf("create association types: %w", err)
	}
	for i, r := range made {
		s.assocs[todo[i]] = assocRow{id: r.ID, created: true}
	}
	s.created += len(made)
	return s.pairInverses(ctx)
}

func (s *seeder) idKey(at AssociationType) assocIDKey {
	return assocIDKey{s.objectTypes[at.From], s.objectTypes[at.To], at.Label}
}

// pairInverses points each new association type and its inverse at each
// other. Only rows without an inverse are paired: inverse_id is unique, and a
// row an admin paired elsewhere keeps its partner.
func (s *seeder) pairInverses(ctx context.Context) error {
	inverse := map[int]int{}
	for _, at := range s.cat.AssociationTypes {
		row := s.assocs[s.idKey(at)]
		partner := s.assocs[s.idKey(AssociationType{From: at.To, To: at.From, Label: at.InverseLabel})]
		if (row.created || partner.created) && row.inverse == nil && partner.inverse == nil {
			inverse[row.id] = partner.id
		}
	}
	if len(inverse) == 0 {
		return nil
	}
	ids := make([]int, 0, len(inverse))
	for id := range inverse {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	// One UPDATE for all rows, each with its own value: a CASE on the id.
	// Only integers are spliced into the SQL text.
	var expr strings.Builder
	expr.WriteString("CASE " + associationtype.FieldID)
	for _, id := range ids {
		expr.WriteString(" WHEN " + strconv.Itoa(id) + " THEN " + strconv.Itoa(inverse[id]))
	}
	expr.WriteString(" END")
	err := s.tx.AssociationType.Update().Where(associationtype.IDIn(ids...)).
		Modify(func(u *sql.UpdateBuilder) { u.Set(associationtype.FieldInverseID, sql.Expr(expr.String())) }).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("pair inverse association types: %w", err)
	}
	return nil
}

// nonNil keeps a list absent from the data an empty JSON array in the
// database rather than null, as the column's default is.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
