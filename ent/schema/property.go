package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/acme/crm/internal/propdef"
)

// PropertyGroup orders properties into sections of an object type.
type PropertyGroup struct{ ent.Schema }

// Mixin of the PropertyGroup.
func (PropertyGroup) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the PropertyGroup.
func (PropertyGroup) Fields() []ent.Field {
	return []ent.Field{
		field.Int("object_type_id").Immutable(),
		field.String("name").NotEmpty(),
		field.String("label").NotEmpty(),
		field.Int("display_order").Default(0),
	}
}

// Edges of the PropertyGroup.
func (PropertyGroup) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("object_type", ObjectType.Type).Field("object_type_id").Unique().Required().Immutable(),
		edge.From("properties", Property.Type).Ref("group"),
	}
}

// Indexes of the PropertyGroup.
func (PropertyGroup) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "object_type_id", "name").Unique()}
}

// Property is the definition of one property of an object type. Values live
// in the records' properties column, keyed by the definition's name.
type Property struct{ ent.Schema }

// Mixin of the Property.
func (Property) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Property.
func (Property) Fields() []ent.Field {
	return []ent.Field{
		field.Int("object_type_id").Immutable(),
		field.Int("group_id").Optional().Nillable(),
		field.String("name").Immutable().NotEmpty(),
		field.String("label").NotEmpty(),
		field.Enum("type").GoType(propdef.Type("")),
		field.Enum("field_type").GoType(propdef.FieldType("")),
		field.String("description").Default(""),
		field.Int("display_order").Default(0),
		field.JSON("options", []propdef.Option{}).Default([]propdef.Option{}),
		field.Bool("has_unique_value").Default(false),
		// sortable: the server keeps an index that orders the values and
		// serves range filters (internal/indexes); any property sorts.
		field.Bool("sortable").Default(false),
		field.Bool("hidden").Default(false),
		// read_only_value: clients may not write values (hs_object_id).
		field.Bool("read_only_value").Default(false),
		// read_only_definition: the definition is the catalog's (standard).
		field.Bool("read_only_definition").Default(false),
		field.Time("archived_at").Optional().Nillable(),
	}
}

// Edges of the Property.
func (Property) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("object_type", ObjectType.Type).Field("object_type_id").Unique().Required().Immutable(),
		edge.To("group", PropertyGroup.Type).Field("group_id").Unique(),
	}
}

// Indexes of the Property.
func (Property) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "object_type_id", "name").Unique()}
}
