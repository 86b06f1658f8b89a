package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// Workspace is the tenant: no query crosses workspaces.
type Workspace struct{ ent.Schema }

// Mixin of the Workspace.
func (Workspace) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Workspace.
func (Workspace) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Unique().NotEmpty(),
		// schema_version grows with every change of a definition in the
		// workspace, so caches of definitions know when they are stale.
		field.Int64("schema_version").Default(0),
	}
}
