package schema

import (
	"encoding/json"

	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Export is a CSV export of an object type's records, downloaded by its
// token until it expires. It keeps what to export, not the file: every
// download runs the export again, so that the file is current.
type Export struct{ ent.Schema }

// Mixin of the Export.
func (Export) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the Export.
func (Export) Fields() []ent.Field {
	return []ent.Field{
		// token is the unguessable part of the download URL: whoever holds
		// it may download, as long as the export lives.
		field.String("token").NotEmpty().Immutable().Sensitive(),
		field.Int("object_type_id").Immutable(),
		// spec is what to export, as package export encodes it.
		field.JSON("spec", json.RawMessage{}).Immutable(),
		field.Time("created_at").Default(Now).Immutable(),
		field.Time("expires_at").Immutable(),
	}
}

// Edges of the Export.
func (Export) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("object_type", ObjectType.Type).Field("object_type_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Export: a download finds its export by token alone (a
// random 256-bit token is unique without an index saying so), and expired
// exports are deleted by time.
func (Export) Indexes() []ent.Index {
	return []ent.Index{index.Fields("token"), index.Fields("expires_at")}
}
