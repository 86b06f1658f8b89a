package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuditEntry is one change of the audit trail (package audit): who did
// what to what, when, in which request. Entries are written in the
// transaction of their change and never change: the table's triggers
// refuse UPDATE and DELETE (migration 00012).
type AuditEntry struct{ ent.Schema }

// Mixin of the AuditEntry.
func (AuditEntry) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the AuditEntry.
func (AuditEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(Now).Immutable(),
		// actor_kind is API_KEY, LOCAL or CLI (audit.ActorKind).
		field.String("actor_kind").Immutable(),
		// actor_key_id is the API key of an API_KEY actor.
		field.Int("actor_key_id").Optional().Nillable().Immutable(),
		// actor_name is the key's name, or local, or cli.
		field.String("actor_name").Immutable(),
		// action is an audit.Action.
		field.String("action").Immutable(),
		// target_type is the kind of the target's global id (gid).
		field.String("target_type").Immutable(),
		field.Int("target_id").Immutable(),
		// summary names records by id only, never by their values.
		field.String("summary").Immutable(),
		field.String("request_id").Default("").Immutable(),
	}
}

// Indexes of the AuditEntry: a workspace's entries newest first, of one
// action or one actor.
func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("workspace_id", "id"),
		index.Fields("workspace_id", "action", "id"),
		index.Fields("workspace_id", "actor_kind", "actor_key_id", "id"),
	}
}
