package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// TimelineEvent is one thing that happened to a record and is kept nowhere
// else: an association made or removed, a merge, an archive or restore, a
// list membership gained or lost. It is appended in the transaction of the
// write it tells of, never changed, and goes with its record when that is
// deleted permanently. A record's creation, its property changes and its
// activities are read from the records, their history and their
// associations: the timeline joins them (internal/timeline).
type TimelineEvent struct{ ent.Schema }

// Fields of the TimelineEvent. As for PropertyHistory, workspace_id
// scopes without a foreign key to check on each of the many rows a write
// may add.
func (TimelineEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("workspace_id").Immutable(),
		field.Int("record_id").Immutable(),
		field.Enum("type").Values("ASSOCIATION_ADDED", "ASSOCIATION_REMOVED", "MERGED", "ARCHIVED", "RESTORED", "LIST_ADDED", "LIST_REMOVED").Immutable(),
		field.Time("occurred_at").Immutable(),
		// other_record_id is the record associated or merged; list_id
		// the list. Neither is a foreign key: the event tells of them
		// after they are gone.
		field.Int("other_record_id").Optional().Nillable().Immutable(),
		field.Int("list_id").Optional().Nillable().Immutable(),
		// detail holds what the event says besides: the labels of an
		// association, the name of a list, the object type of the other
		// record.
		field.JSON("detail", map[string]any{}).Optional().Immutable(),
	}
}

// Edges of the TimelineEvent.
func (TimelineEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("record", Record.Type).Field("record_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the TimelineEvent: a record's events newest first; the events
// that name a record deleted permanently, to erase with it.
func (TimelineEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("record_id", "occurred_at", "id"),
		index.Fields("other_record_id"),
	}
}
