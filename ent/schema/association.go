package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AssociationType is a kind of link from one object type to another: the
// unlabeled default (label "") or a labeled one. Paired labels point at
// their inverse.
type AssociationType struct{ ent.Schema }

// Mixin of the AssociationType.
func (AssociationType) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the AssociationType.
func (AssociationType) Fields() []ent.Field {
	return []ent.Field{
		field.Int("from_object_type_id").Immutable(),
		field.Int("to_object_type_id").Immutable(),
		field.String("label").Default(""),
		field.Enum("category").Values("standard", "user_defined").Default("user_defined"),
		field.Int("inverse_id").Optional().Nillable(),
		// limit: how many records of the other side one record may have.
		field.Int("max_associations").Optional().Nillable(),
	}
}

// Edges of the AssociationType.
func (AssociationType) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("from_object_type", ObjectType.Type).Field("from_object_type_id").Unique().Required().Immutable(),
		edge.To("to_object_type", ObjectType.Type).Field("to_object_type_id").Unique().Required().Immutable(),
		edge.To("inverse", AssociationType.Type).Field("inverse_id").Unique(),
	}
}

// Indexes of the AssociationType.
func (AssociationType) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("workspace_id", "from_object_type_id", "to_object_type_id", "label").Unique(),
	}
}

// Association links two records under one association type. Both directions
// are stored, each with both object types, so a traversal is one range scan.
type Association struct{ ent.Schema }

// Mixin of the Association.
func (Association) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the Association.
func (Association) Fields() []ent.Field {
	return []ent.Field{
		field.Int("from_record_id").Immutable(),
		field.Int("to_record_id").Immutable(),
		field.Int("association_type_id").Immutable(),
		field.Int("from_object_type_id").Immutable(),
		field.Int("to_object_type_id").Immutable(),
		field.Time("created_at").Default(Now).Immutable(),
	}
}

// Edges of the Association.
func (Association) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("from_record", Record.Type).Field("from_record_id").Unique().Required().Immutable(),
		edge.To("to_record", Record.Type).Field("to_record_id").Unique().Required().Immutable(),
		edge.To("association_type", AssociationType.Type).Field("association_type_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Association.
func (Association) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("workspace_id", "from_record_id", "to_object_type_id", "to_record_id", "association_type_id").Unique(),
		index.Fields("to_record_id"),
		index.Fields("association_type_id"),
	}
}
