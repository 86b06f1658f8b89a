package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// ChangeEvent is one change of one record, or of its associations with
// another (to_record_id), written in the transaction of
// the write that made it (package events): the log that subscriptions
// read after the commit, by id, in every server process, and from which
// webhooks can deliver. Its id is the event's sequence, one for the whole
// database. It names the record by id and the properties that changed by
// name, never their values: readers read what they need.
type ChangeEvent struct{ ent.Schema }

// Mixin of the ChangeEvent.
func (ChangeEvent) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the ChangeEvent.
func (ChangeEvent) Fields() []ent.Field {
	return []ent.Field{
		// kind is a write.Kind: CREATED, UPDATED, ARCHIVED, RESTORED,
		// MERGED or DELETED; ASSOCIATED or DISASSOCIATED for an
		// association's.
		field.String("kind").Immutable(),
		field.Int("object_type_id").Immutable(),
		// record_id has no foreign key: a deleted record's events stay.
		field.Int("record_id").Immutable(),
		// properties are the names of the values that changed; for an
		// association's event, the labels made or removed, seen from
		// record_id ("" the unlabeled association).
		field.Strings("properties").Immutable(),
		// merged_into is the record a MERGED record was merged into.
		field.Int("merged_into").Optional().Nillable().Immutable(),
		// to_record_id is the other end of an association's event (no
		// foreign key either), to_object_type_id its object type; both
		// null for a record's event.
		field.Int("to_record_id").Optional().Nillable().Immutable(),
		field.Int("to_object_type_id").Optional().Nillable().Immutable(),
		field.Time("occurred_at").Default(Now).Immutable(),
	}
}
