package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// TenantMixin gives a row its workspace. Every table but workspaces carries
// it, and every unique index starts with it.
type TenantMixin struct{ mixin.Schema }

// Fields of the TenantMixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{field.Int("workspace_id").Immutable()}
}

// Edges of the TenantMixin.
func (TenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("workspace", Workspace.Type).Field("workspace_id").Unique().Required().Immutable(),
	}
}

// TimeMixin records when a row was made and last changed. Times are UTC,
// truncated to microseconds, the precision PostgreSQL keeps.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(Now).Immutable(),
		field.Time("updated_at").Default(Now).UpdateDefault(Now),
	}
}

// Now is the current time as the database stores it.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
