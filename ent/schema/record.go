package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Record is one contact, company, deal... Its property values are one JSON
// column keyed by property name (JSONB on PostgreSQL). Expression indexes on
// single properties are made by the server, not here: ent cannot declare them.
type Record struct{ ent.Schema }

// Mixin of the Record.
func (Record) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Record.
func (Record) Fields() []ent.Field {
	return []ent.Field{
		field.Int("object_type_id").Immutable(),
		field.JSON("properties", map[string]any{}),
		field.Time("archived_at").Optional().Nillable(),
		// merged_into_id is the record this one was merged into: reads of
		// this id answer that record.
		field.Int("merged_into_id").Optional().Nillable(),
		// search_text is what full-text search reads: the words of the
		// values of the object type's searchable properties, written with
		// the values (package search makes it). NULL until the server has
		// made it, for records that came in another way (a bulk load, a
		// database from before it existed): install fills those.
		field.Text("search_text").Optional().Nillable(),
	}
}

// Edges of the Record.
func (Record) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("object_type", ObjectType.Type).Field("object_type_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Record: one keyset range scan per page, live or archived;
// the records whose search text is still to make. The full-text index is
// the migrations' own (a GIN expression index on PostgreSQL, an FTS5 table
// on SQLite): ent cannot declare either.
func (Record) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("object_type_id", "created_at", "id").StorageKey("records_live_by_created").
			Annotations(entsql.IndexWhere("archived_at IS NULL")),
		index.Fields("object_type_id", "archived_at", "id").StorageKey("records_archived_by_archived").
			Annotations(entsql.IndexWhere("archived_at IS NOT NULL")),
		index.Fields("workspace_id", "id").StorageKey("records_search_text_missing").
			Annotations(entsql.IndexWhere("search_text IS NULL")),
	}
}
