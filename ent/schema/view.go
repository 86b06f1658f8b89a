package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// View is a saved filter, sort and set of columns of an object type's
// index page.
type View struct{ ent.Schema }

// Mixin of the View.
func (View) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the View.
func (View) Fields() []ent.Field {
	return []ent.Field{
		field.Int("object_type_id").Immutable(),
		field.String("name").NotEmpty(),
		// filter is the RecordFilter input tree as JSON (search.Parse
		// reads it back); null for none.
		field.JSON("filter", map[string]any{}).Optional(),
		// sort is the sort keys, as search.Sort encodes them.
		field.JSON("sort", []map[string]any{}).Default([]map[string]any{}),
		field.JSON("columns", []string{}).Default([]string{}),
		field.Enum("visibility").Values("SHARED", "PRIVATE").Default("SHARED"),
		// owner_id is the owner who made the view, when its request was
		// tied to one: a PRIVATE view is that owner's alone.
		field.Int("owner_id").Optional().Nillable().Immutable(),
	}
}

// Edges of the View.
func (View) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("object_type", ObjectType.Type).Field("object_type_id").Unique().Required().Immutable(),
		edge.To("owner", Owner.Type).Field("owner_id").Unique().Immutable(),
	}
}

// Indexes of the View.
func (View) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "object_type_id", "name").Unique()}
}
