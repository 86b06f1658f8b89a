package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/acme/crm/internal/layout"
)

// ObjectType is a kind of record: contacts, deals, notes, or a custom object.
type ObjectType struct{ ent.Schema }

// Mixin of the ObjectType.
func (ObjectType) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the ObjectType.
func (ObjectType) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Immutable().NotEmpty(),
		field.String("singular_label").NotEmpty(),
		field.String("plural_label").NotEmpty(),
		field.Enum("kind").Values("standard", "engagement", "custom").Immutable(),
		field.String("primary_display_property").Default(""),
		field.Strings("secondary_display_properties").Default([]string{}),
		// display_name_properties, when set, make the display name: their
		// non-empty values joined by a space (contacts: first and last name).
		// The primary display property is the fallback.
		field.Strings("display_name_properties").Default([]string{}),
		field.Strings("required_properties").Default([]string{}),
		field.Strings("searchable_properties").Default([]string{}),
		// The properties that hold a record's pipeline and stage, for object
		// types with pipelines.
		field.String("pipeline_property").Default(""),
		field.String("stage_property").Default(""),
		field.Time("archived_at").Optional().Nillable(),
		// layout is the record page an admin chose; none means the default
		// derived from the display properties.
		field.JSON("layout", &layout.Layout{}).Optional(),
	}
}

// Edges of the ObjectType.
func (ObjectType) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("properties", Property.Type).Ref("object_type"),
		edge.From("property_groups", PropertyGroup.Type).Ref("object_type"),
		edge.From("pipelines", Pipeline.Type).Ref("object_type"),
	}
}

// Indexes of the ObjectType.
func (ObjectType) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "name").Unique()}
}
