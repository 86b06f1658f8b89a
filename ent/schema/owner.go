package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/acme/crm/internal/layout"
)

// Owner is a person records are assigned to (hubspot_owner_id), as
// HubSpot's owners: an email, unique in the workspace, and a name. An
// owner is archived, never deleted, so that the records it owned still
// name it.
type Owner struct{ ent.Schema }

// Mixin of the Owner.
func (Owner) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Owner.
func (Owner) Fields() []ent.Field {
	return []ent.Field{
		// email is kept in lower case, so that the unique index treats
		// Ann@x.io and ann@x.io as one owner.
		field.String("email").NotEmpty(),
		field.String("first_name").Default(""),
		field.String("last_name").Default(""),
		field.Time("archived_at").Optional().Nillable(),
	}
}

// Indexes of the Owner: one owner per email in a workspace, archived
// ones included.
func (Owner) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "email").Unique()}
}

// Team groups owners. A team may have record layouts of its own
// (TeamLayout).
type Team struct{ ent.Schema }

// Mixin of the Team.
func (Team) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Team.
func (Team) Fields() []ent.Field {
	return []ent.Field{field.String("name").NotEmpty()}
}

// Indexes of the Team.
func (Team) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "name").Unique()}
}

// TeamMembership puts an owner in a team. One of an owner's teams is its
// primary team, whose record layouts it reads.
type TeamMembership struct{ ent.Schema }

// Mixin of the TeamMembership.
func (TeamMembership) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the TeamMembership.
func (TeamMembership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("team_id").Immutable(),
		field.Int("owner_id").Immutable(),
		field.Bool("primary").Default(false),
	}
}

// Edges of the TeamMembership.
func (TeamMembership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("team", Team.Type).Field("team_id").Unique().Required().Immutable(),
		edge.To("owner", Owner.Type).Field("owner_id").Unique().Required().Immutable(),
	}
}

// Indexes of the TeamMembership.
func (TeamMembership) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "owner_id", "team_id").Unique()}
}

// TeamLayout is the record page a team's owners read for one object type,
// in place of the object type's own (ObjectType.layout).
type TeamLayout struct{ ent.Schema }

// Mixin of the TeamLayout.
func (TeamLayout) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the TeamLayout.
func (TeamLayout) Fields() []ent.Field {
	return []ent.Field{
		field.Int("team_id").Immutable(),
		field.Int("object_type_id").Immutable(),
		field.JSON("layout", &layout.Layout{}),
	}
}

// Edges of the TeamLayout.
func (TeamLayout) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("team", Team.Type).Field("team_id").Unique().Required().Immutable(),
		edge.To("object_type", ObjectType.Type).Field("object_type_id").Unique().Required().Immutable(),
	}
}

// Indexes of the TeamLayout.
func (TeamLayout) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "object_type_id", "team_id").Unique()}
}
