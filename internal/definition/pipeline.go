package definition

import (
	"context"
	"crypto/rand"
	"math/big"
	"strings"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/ent/pipelinestage"
	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/write"
)

// MaxStages is how many stages one pipeline may have, as HubSpot allows.
const MaxStages = 100

// The properties a custom object's pipeline and stage live in, as HubSpot
// names them.
const (
	customPipelineProperty = "hs_pipeline"
	customStageProperty    = "hs_pipeline_stage"
)

// StageInput defines a stage. Key, when "", is generated.
type StageInput struct {
	Key          string
	Label        string
	DisplayOrder int
	// Probability of a deal closing from this stage, 0.0-1.0.
	Probability *float64
	// TicketState is OPEN or CLOSED for tickets; CLOSED marks it closed.
	TicketState string
	Closed      bool
}

// PipelineInput defines a pipeline with its stages. Key, when "", is
// generated.
type PipelineInput struct {
	Key          string
	Label        string
	DisplayOrder int
	Stages       []StageInput
}

// Target is where records of a removed pipeline or stage move.
type Target struct {
	Pipeline string
	Stage    string
}

// newKey makes an internal value, numeric as HubSpot's, that no key in
// taken has.
func newKey(taken map[string]bool) string {
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(900000000))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		k := n.Add(n, big.NewInt(100000000)).String()
		if !taken[k] {
			taken[k] = true
			return k
		}
	}
}

func stageKeys(ot *meta.ObjectType) map[string]bool {
	keys := map[string]bool{}
	for _, p := range ot.Pipelines {
		for _, st := range p.Stages {
			keys[st.Key] = true
		}
	}
	return keys
}

func checkKey(field, key string) error {
	if strings.TrimSpace(key) != key || strings.ContainsAny(key, ";") || len(key) > 100 {
		return apierr.Invalid(field, "%q is not a usable internal value", key)
	}
	return nil
}

func checkStage(in *StageInput, labels, keys map[string]bool) error {
	in.Label = strings.TrimSpace(in.Label)
	if in.Label == "" {
		return apierr.Invalid("stages", "every stage needs a label")
	}
	if labels[strings.ToLower(in.Label)] {
		return apierr.Invalid("stages", "stage label %q is used twice in the pipeline", in.Label)
	}
	labels[strings.ToLower(in.Label)] = true
	if in.Probability != nil && (*in.Probability < 0 || *in.Probability > 1) {
		return apierr.Invalid("probability", "a probability is between 0.0 and 1.0, got %v", *in.Probability)
	}
	switch in.TicketState {
	case "", "OPEN":
	case "CLOSED":
		in.Closed = true
	default:
		return apierr.Invalid("ticketState", "a ticket state is OPEN or CLOSED, got %q", in.TicketState)
	}
	if in.Key == "" {
		in.Key = newKey(keys)
	} else if err := checkKey("stages", in.Key); err != nil {
		return err
	} else if keys[in.Key] {
		return apierr.Invalid("stages", "stage value %q is taken in this object type", in.Key)
	} else {
		keys[in.Key] = true
	}
	return nil
}

func createStage(ctx context.Context, tx *write.Tx, workspaceID, pipelineID int, in StageInput) (*ent.PipelineStage, error) {
	c := tx.PipelineStage.Create().SetWorkspaceID(workspaceID).SetPipelineID(pipelineID).SetKey(in.Key).
		SetLabel(in.Label).SetDisplayOrder(in.DisplayOrder).SetClosed(in.Closed).SetNillableProbability(in.Probability)
	if in.TicketState != "" {
		c.SetTicketState(pipelinestage.TicketState(in.TicketState))
	}
	return c.Save(ctx)
}

// CreatePipeline adds a pipeline with its stages to deals, tickets or a
// custom object type, and returns its id. A custom object's first pipeline
// brings its hs_pipeline and hs_pipeline_stage properties.
func (s *Store) CreatePipeline(ctx context.Context, m *meta.Model, objectType string, in PipelineInput) (int, error) {
	ot, err := m.Lookup(objectType)
	if err != nil {
		return 0, err
	}
	if ot.PipelineProperty == "" && ot.Kind != "custom" {
		return 0, apierr.New(apierr.BadUserInput, "%s have no pipelines", ot.Name)
	}
	in.Label = strings.TrimSpace(in.Label)
	if in.Label == "" {
		return 0, apierr.Invalid("label", "a pipeline needs a label")
	}
	if len(in.Stages) == 0 {
		return 0, apierr.Invalid("stages", "a pipeline needs at least one stage")
	}
	if len(in.Stages) > MaxStages {
		return 0, apierr.New(apierr.LimitExceeded, "a pipeline has at most %d stages, got %d", MaxStages, len(in.Stages))
	}
	pipelineKeys := map[string]bool{}
	for _, p := range ot.Pipelines {
		pipelineKeys[p.Key] = true
		if strings.EqualFold(p.Label, in.Label) && !p.Archived {
			return 0, apierr.Invalid("label", "%s already have a pipeline %q", ot.Name, in.Label)
		}
	}
	if in.Key == "" {
		in.Key = newKey(pipelineKeys)
	} else if err := checkKey("key", in.Key); err != nil {
		return 0, err
	} else if pipelineKeys[in.Key] {
		return 0, apierr.Invalid("key", "pipeline value %q is taken in %s", in.Key, ot.Name)
	}
	keys, labels := stageKeys(ot), map[string]bool{}
	for i := range in.Stages {
		if err := checkStage(&in.Stages[i], labels, keys); err != nil {
			return 0, err
		}
	}
	var id int
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.CreatePipeline, gid.Pipeline, id, "created pipeline %s of %s", in.Key, ot.Name)
	}, func(tx *write.Tx) error {
		if ot.PipelineProperty == "" {
			if err := s.addPipelineProperties(ctx, tx, m, ot); err != nil {
				return err
			}
		}
		p, err := tx.Pipeline.Create().SetWorkspaceID(m.WorkspaceID).SetObjectTypeID(ot.ID).SetKey(in.Key).
			SetLabel(in.Label).SetDisplayOrder(in.DisplayOrder).Save(ctx)
		if err != nil {
			return err
		}
		id = p.ID
		for i, st := range in.Stages {
			if st.DisplayOrder == 0 {
				st.DisplayOrder = i
			}
			if _, err := createStage(ctx, tx, m.WorkspaceID, p.ID, st); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// addPipelineProperties gives a custom object type the properties its
// records hold their pipeline and stage in, both required.
func (s *Store) addPipelineProperties(ctx context.Context, tx *write.Tx, m *meta.Model, ot *meta.ObjectType) error {
	g := defaultGroup(ot)
	for i, def := range []PropertyInput{
		{Name: customPipelineProperty, Label: "Pipeline", Type: propdef.Enumeration, FieldType: propdef.Select},
		{Name: customStageProperty, Label: "Pipeline stage", Type: propdef.Enumeration, FieldType: propdef.Select},
	} {
		if _, taken := ot.Property(def.Name); taken {
			return apierr.New(apierr.Conflict, "%s already has a property %q", ot.Name, def.Name)
		}
		def.DisplayOrder = -2 + i
		if _, err := createProperty(ctx, tx, m.WorkspaceID, ot.ID, g.ID, def); err != nil {
			return err
		}
	}
	required := append(append([]string{}, ot.RequiredProperties...), customPipelineProperty, customStageProperty)
	return tx.ObjectType.Update().Where(objecttype.ID(ot.ID)).SetPipelineProperty(customPipelineProperty).
		SetStageProperty(customStageProperty).SetRequiredProperties(required).Exec(ctx)
}

// findPipeline returns the pipeline with id and its object type.
func findPipeline(m *meta.Model, id int) (*meta.ObjectType, *meta.Pipeline, error) {
	if ot, p, ok := m.PipelineByID(id); ok {
		return ot, p, nil
	}
	return nil, nil, apierr.New(apierr.NotFound, "no pipeline %d", id)
}

// findStage returns the stage with id, its pipeline and object type.
func findStage(m *meta.Model, id int) (*meta.ObjectType, *meta.Pipeline, *meta.Stage, error) {
	if ot, p, st, ok := m.StageByID(id); ok {
		return ot, p, st, nil
	}
	return nil, nil, nil, apierr.New(apierr.NotFound, "no pipeline stage %d", id)
}

// UpdatePipeline relabels or reorders a pipeline; nil fields stay.
func (s *Store) UpdatePipeline(ctx context.Context, m *meta.Model, id int, label *string, displayOrder *int) error {
	ot, p, err := findPipeline(m, id)
	if err != nil {
		return err
	}
	if label != nil {
		l := strings.TrimSpace(*label)
		if l == "" {
			return apierr.Invalid("label", "a pipeline needs a label")
		}
		for _, other := range ot.Pipelines {
			if other != p && !other.Archived && strings.EqualFold(other.Label, l) {
				return apierr.Invalid("label", "%s already have a pipeline %q", ot.Name, l)
			}
		}
		label = &l
	}
	return s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.UpdatePipeline, gid.Pipeline, p.ID, "updated pipeline %s of %s", p.Key, ot.Name)
	}, func(tx *write.Tx) error {
		return tx.Pipeline.UpdateOneID(p.ID).SetNillableLabel(label).SetNillableDisplayOrder(displayOrder).Exec(ctx)
	})
}

// ArchivePipeline retires a pipeline. Records in it are refused with
// CONFLICT and their count, unless moveTo names a live pipeline and one of
// its stages: then they move there. It returns how many records moved.
func (s *Store) ArchivePipeline(ctx context.Context, m *meta.Model, id int, moveTo *Target) (int, error) {
	ot, p, err := findPipeline(m, id)
	if err != nil {
		return 0, err
	}
	if moveTo != nil {
		dest, ok := ot.Pipeline(moveTo.Pipeline)
		if !ok || dest == p {
			return 0, apierr.Invalid("moveTo", "%q is not another live pipeline of %s", moveTo.Pipeline, ot.Name)
		}
		if _, ok := dest.Stage(moveTo.Stage); !ok {
			return 0, apierr.Invalid("moveTo", "%q is not a live stage of pipeline %q", moveTo.Stage, moveTo.Pipeline)
		}
	}
	var moved int
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.ArchivePipeline, gid.Pipeline, p.ID, "archived pipeline %s of %s", p.Key, ot.Name)
	}, func(tx *write.Tx) error {
		held := 0
		n, err := s.visit(ctx, tx, ot, ot.PipelineProperty, func(_ int, props map[string]any) (bool, error) {
			if props[ot.PipelineProperty] != p.Key {
				return false, nil
			}
			held++
			if moveTo == nil {
				return false, nil // only counted
			}
			props[ot.PipelineProperty], props[ot.StageProperty] = moveTo.Pipeline, moveTo.Stage
			return true, nil
		})
		if err != nil {
			return err
		}
		if held > 0 && moveTo == nil {
			return apierr.New(apierr.Conflict, "%d records are in pipeline %q: name where to move them", held, p.Key)
		}
		moved = n
		return tx.Pipeline.UpdateOneID(p.ID).SetArchivedAt(schema.Now()).Exec(ctx)
	})
	return moved, err
}

// CreateStage adds a stage to a pipeline and returns its id.
func (s *Store) CreateStage(ctx context.Context, m *meta.Model, pipelineID int, in StageInput) (int, error) {
	ot, p, err := findPipeline(m, pipelineID)
	if err != nil {
		return 0, err
	}
	live := 0
	for _, st := range p.Stages {
		if !st.Archived {
			live++
		}
	}
	if live >= MaxStages {
		return 0, apierr.New(apierr.LimitExceeded, "pipeline %q has %d stages, the most allowed", p.Key, MaxStages)
	}
	labels := map[string]bool{}
	for _, st := range p.Stages {
		if !st.Archived {
			labels[strings.ToLower(st.Label)] = true
		}
	}
	if err := checkStage(&in, labels, stageKeys(ot)); err != nil {
		return 0, err
	}
	var id int
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.CreatePipelineStage, gid.PipelineStage, id, "created stage %s of pipeline %s", in.Key, p.Key)
	}, func(tx *write.Tx) error {
		st, err := createStage(ctx, tx, m.WorkspaceID, p.ID, in)
		if err == nil {
			id = st.ID
		}
		return err
	})
	return id, err
}

// StageUpdate changes a stage; nil fields stay.
type StageUpdate struct {
	Label        *string
	DisplayOrder *int
	Probability  *float64
	TicketState  *string
	Closed       *bool
}

// UpdateStage relabels, reorders or re-rates a stage.
func (s *Store) UpdateStage(ctx context.Context, m *meta.Model, id int, u StageUpdate) error {
	_, p, st, err := findStage(m, id)
	if err != nil {
		return err
	}
	if u.Label != nil {
		l := strings.TrimSpace(*u.Label)
		if l == "" {
			return apierr.Invalid("label", "a stage needs a label")
		}
		for _, other := range p.Stages {
			if other != st && !other.Archived && strings.EqualFold(other.Label, l) {
				return apierr.Invalid("label", "pipeline %q already has a stage %q", p.Key, l)
			}
		}
		u.Label = &l
	}
	if u.Probability != nil && (*u.Probability < 0 || *u.Probability > 1) {
		return apierr.Invalid("probability", "a probability is between 0.0 and 1.0, got %v", *u.Probability)
	}
	if u.TicketState != nil && *u.TicketState != "OPEN" && *u.TicketState != "CLOSED" {
		return apierr.Invalid("ticketState", "a ticket state is OPEN or CLOSED, got %q", *u.TicketState)
	}
	return s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.UpdatePipelineStage, gid.PipelineStage, st.ID, "updated stage %s of pipeline %s", st.Key, p.Key)
	}, func(tx *write.Tx) error {
		upd := tx.PipelineStage.UpdateOneID(st.ID).SetNillableLabel(u.Label).SetNillableDisplayOrder(u.DisplayOrder).
			SetNillableProbability(u.Probability).SetNillableClosed(u.Closed)
		if u.TicketState != nil {
			upd.SetTicketState(pipelinestage.TicketState(*u.TicketState)).SetClosed(*u.TicketState == "CLOSED")
		}
		return upd.Exec(ctx)
	})
}

// ArchiveStage retires a stage. Records in it are refused with CONFLICT
// and their count, unless moveTo names another live stage of the same
// pipeline: then they move there. It returns how many records moved.
func (s *Store) ArchiveStage(ctx context.Context, m *meta.Model, id int, moveTo string) (int, error) {
	ot, p, st, err := findStage(m, id)
	if err != nil {
		return 0, err
	}
	live := 0
	for _, other := range p.Stages {
		if !other.Archived {
			live++
		}
	}
	if live <= 1 && !st.Archived {
		return 0, apierr.New(apierr.Conflict, "stage %q is the last of pipeline %q: archive the pipeline instead", st.Key, p.Key)
	}
	if moveTo != "" {
		if dest, ok := p.Stage(moveTo); !ok || dest == st {
			return 0, apierr.Invalid("moveTo", "%q is not another live stage of pipeline %q", moveTo, p.Key)
		}
	}
	var moved int
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.ArchivePipelineStage, gid.PipelineStage, st.ID, "archived stage %s of pipeline %s", st.Key, p.Key)
	}, func(tx *write.Tx) error {
		held := 0
		n, err := s.visit(ctx, tx, ot, ot.StageProperty, func(_ int, props map[string]any) (bool, error) {
			if props[ot.StageProperty] != st.Key || props[ot.PipelineProperty] != p.Key {
				return false, nil
			}
			held++
			if moveTo == "" {
				return false, nil // only counted
			}
			props[ot.StageProperty] = moveTo
			return true, nil
		})
		if err != nil {
			return err
		}
		if held > 0 && moveTo == "" {
			return apierr.New(apierr.Conflict, "%d records are in stage %q: name the stage to move them to", held, st.Key)
		}
		moved = n
		return tx.PipelineStage.UpdateOneID(st.ID).SetArchivedAt(schema.Now()).Exec(ctx)
	})
	return moved, err
}
