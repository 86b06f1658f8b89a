package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ActivitySetting switches one automatic association rule of logActivity
// on or off for activities of one engagement type logged on records of one
// object type. A rule without a row is on: the rows are the workspace's
// departures from HubSpot's defaults (internal/activity owns the rules).
type ActivitySetting struct{ ent.Schema }

// Mixin of the ActivitySetting.
func (ActivitySetting) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the ActivitySetting.
func (ActivitySetting) Fields() []ent.Field {
	return []ent.Field{
		// object_type_id is the type of the record the activity is logged
		// on (contacts, companies, deals, tickets).
		field.Int("object_type_id").Immutable(),
		// activity_type_id is the engagement type logged (notes, calls...).
		field.Int("activity_type_id").Immutable(),
		field.Enum("rule").Values("PRIMARY_COMPANY", "OPEN_DEALS").Immutable(),
		field.Bool("enabled"),
	}
}

// Edges of the ActivitySetting.
func (ActivitySetting) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("object_type", ObjectType.Type).Field("object_type_id").Unique().Required().Immutable(),
		edge.To("activity_type", ObjectType.Type).Field("activity_type_id").Unique().Required().Immutable(),
	}
}

// Indexes of the ActivitySetting: one row per rule, object type and
// activity type.
func (ActivitySetting) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "object_type_id", "activity_type_id", "rule").Unique()}
}
