package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// List is a segment of an object type's records: MANUAL (members added and
// removed by hand), DYNAMIC (the records its filter matches, kept current
// by every write) or SNAPSHOT (the records its filter matched when it was
// made). Its members are rows of ListMember.
type List struct{ ent.Schema }

// Mixin of the List.
func (List) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the List.
func (List) Fields() []ent.Field {
	return []ent.Field{
		field.Int("object_type_id").Immutable(),
		field.String("name").NotEmpty(),
		field.Enum("kind").Values("MANUAL", "DYNAMIC", "SNAPSHOT"),
		// filter is the RecordFilter input tree as JSON (search.Parse
		// reads it back); null for a MANUAL list.
		field.JSON("filter", map[string]any{}).Optional(),
	}
}

// Edges of the List.
func (List) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("object_type", ObjectType.Type).Field("object_type_id").Unique().Required().Immutable(),
	}
}

// Indexes of the List.
func (List) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "object_type_id", "name").Unique()}
}

// ListMember is one record's membership of one list, since added_at.
// Members of a list are read by an index range, never by evaluating its
// filter. A member archived stays a row, hidden by reads, so that it comes
// back with its record; a record deleted permanently, or a list deleted,
// takes its rows with it.
type ListMember struct{ ent.Schema }

// Fields of the ListMember. As for PropertyHistory, workspace_id scopes
// without a foreign key to check on each of the many rows a write adds.
func (ListMember) Fields() []ent.Field {
	return []ent.Field{
		field.Int("workspace_id").Immutable(),
		field.Int("list_id").Immutable(),
		field.Int("record_id").Immutable(),
		field.Time("added_at").Immutable(),
	}
}

// Edges of the ListMember.
func (ListMember) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("list", List.Type).Field("list_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("record", Record.Type).Field("record_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the ListMember: one row per list and record; a list's members
// newest first (keyset pages); a record's lists (Record.lists, and the
// rows a write re-evaluates).
func (ListMember) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("workspace_id", "list_id", "record_id").Unique(),
		index.Fields("list_id", "added_at", "record_id"),
		index.Fields("record_id"),
	}
}
