package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ImportJob is one import: files of rows to write as records (of one
// object each, or of several associated), its state and its counters,
// which each chunk of rows moves on in the transaction that writes them.
type ImportJob struct{ ent.Schema }

// Mixin of the ImportJob.
func (ImportJob) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the ImportJob.
func (ImportJob) Fields() []ent.Field {
	return []ent.Field{
		field.String("name"),
		field.Enum("state").Values("PENDING", "PROCESSING", "DONE", "FAILED", "CANCELED").Default("PENDING"),
		// spec is what the import was asked to do (package importer's
		// Spec): the files, their object types, operations and columns.
		field.JSON("spec", map[string]any{}),
		field.Int("rows_read").Default(0),
		field.Int("created").Default(0),
		field.Int("updated").Default(0),
		field.Int("skipped").Default(0),
		field.Int("failed").Default(0),
		// message says why a FAILED import stopped.
		field.String("message").Default(""),
		field.Int("list_id").Optional().Nillable(),
		field.Time("started_at").Optional().Nillable(),
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Indexes of the ImportJob: a workspace's imports, newest first.
func (ImportJob) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "id")}
}

// ImportError is what went wrong with one row of an import (or, as a
// warning, what the import left out of a row it wrote).
type ImportError struct{ ent.Schema }

// Fields of the ImportError.
func (ImportError) Fields() []ent.Field {
	return []ent.Field{
		field.Int("workspace_id").Immutable(),
		field.Int("import_id").Immutable(),
		field.String("file").Immutable(),
		// row is the row's line in its file, the header being row 1.
		field.Int("row").Immutable(),
		field.String("column").Default("").Immutable(),
		field.String("property").Default("").Immutable(),
		field.String("code").Immutable(),
		field.Text("message").Immutable(),
		field.Bool("warning").Default(false).Immutable(),
	}
}

// Edges of the ImportError.
func (ImportError) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("job", ImportJob.Type).Field("import_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the ImportError: an import's errors in order.
func (ImportError) Indexes() []ent.Index {
	return []ent.Index{index.Fields("import_id", "id")}
}
