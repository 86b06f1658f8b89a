package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Pipeline is an ordered set of stages that records of an object type move
// through (deals, tickets, custom objects).
type Pipeline struct{ ent.Schema }

// Mixin of the Pipeline.
func (Pipeline) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Pipeline.
func (Pipeline) Fields() []ent.Field {
	return []ent.Field{
		field.Int("object_type_id").Immutable(),
		// key is the internal value records hold ("default" for deals).
		field.String("key").Immutable().NotEmpty(),
		field.String("label").NotEmpty(),
		field.Int("display_order").Default(0),
		field.Time("archived_at").Optional().Nillable(),
	}
}

// Edges of the Pipeline.
func (Pipeline) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("object_type", ObjectType.Type).Field("object_type_id").Unique().Required().Immutable(),
		edge.From("stages", PipelineStage.Type).Ref("pipeline"),
	}
}

// Indexes of the Pipeline.
func (Pipeline) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "object_type_id", "key").Unique()}
}

// PipelineStage is one stage of a pipeline.
type PipelineStage struct{ ent.Schema }

// Mixin of the PipelineStage.
func (PipelineStage) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the PipelineStage.
func (PipelineStage) Fields() []ent.Field {
	return []ent.Field{
		field.Int("pipeline_id").Immutable(),
		// key is the internal value records hold ("closedwon").
		field.String("key").Immutable().NotEmpty(),
		field.String("label").NotEmpty(),
		field.Int("display_order").Default(0),
		// probability of a deal closing from this stage, 0.0-1.0.
		field.Float("probability").Optional().Nillable(),
		// ticket_state of a ticket in this stage.
		field.Enum("ticket_state").Values("OPEN", "CLOSED").Optional().Nillable(),
		// closed: a deal here is won or lost, a ticket done.
		field.Bool("closed").Default(false),
		field.Time("archived_at").Optional().Nillable(),
	}
}

// Edges of the PipelineStage.
func (PipelineStage) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("pipeline", Pipeline.Type).Field("pipeline_id").Unique().Required().Immutable(),
	}
}

// Indexes of the PipelineStage.
func (PipelineStage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "pipeline_id", "key").Unique()}
}
