package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// PropertyHistory is one write of one property value of a record: the
// value (JSON; null when the write cleared it), when, and by what.
type PropertyHistory struct{ ent.Schema }

// Fields of the PropertyHistory. Its workspace is its record's: the
// workspace_id column serves scoping without a second foreign key to check
// on every one of the many rows a batch appends.
func (PropertyHistory) Fields() []ent.Field {
	return []ent.Field{
		field.Int("workspace_id").Immutable(),
		field.Int("record_id").Immutable(),
		field.String("property").Immutable(),
		field.Text("value").Optional().Nillable().Immutable(),
		field.Time("changed_at").Immutable(),
		field.Enum("source_type").Values("API", "IMPORT", "MERGE", "SYSTEM").Immutable(),
		field.String("source_id").Default("").Immutable(),
	}
}

// Edges of the PropertyHistory.
func (PropertyHistory) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("record", Record.Type).Field("record_id").Unique().Required().Immutable(),
	}
}

// Indexes of the PropertyHistory: a record's changes newest first, and the
// last change of each property before a moment.
func (PropertyHistory) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("record_id", "id"),
		index.Fields("record_id", "property", "changed_at"),
	}
}

// DeletedEmail remembers, hashed, the email of a contact deleted
// permanently, so that it does not come back unasked.
type DeletedEmail struct{ ent.Schema }

// Mixin of the DeletedEmail.
func (DeletedEmail) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the DeletedEmail.
func (DeletedEmail) Fields() []ent.Field {
	return []ent.Field{
		field.String("email_hash").Immutable(),
		field.Time("deleted_at").Default(Now).Immutable(),
	}
}

// Indexes of the DeletedEmail.
func (DeletedEmail) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "email_hash").Unique()}
}
