package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// APIKey is a secret that authenticates requests to one workspace with
// some scopes. Only the secret's SHA-256 is kept: the secret itself is
// shown once, when the key is made (package auth).
type APIKey struct{ ent.Schema }

// Mixin of the APIKey.
func (APIKey) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the APIKey.
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty(),
		// secret_hash is the hex SHA-256 of the secret, by which a request
		// finds its key.
		field.String("secret_hash").NotEmpty().Immutable().Unique().Sensitive(),
		// scopes are the key's scopes, as package auth names them,
		// comma-separated.
		field.String("scopes").Immutable(),
		field.Time("created_at").Default(Now).Immutable(),
		field.Time("expires_at").Optional().Nillable().Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
		// last_used_at is written at most once a minute per key.
		field.Time("last_used_at").Optional().Nillable(),
		// rate_burst and rate_per_second are the key's token bucket (package
		// ratelimit): the cost it may spend at once, and regains a second;
		// null takes the server's default.
		field.Int("rate_burst").Optional().Nillable().Immutable(),
		field.Float("rate_per_second").Optional().Nillable().Immutable(),
		// owner_id ties the key to an owner: its requests are that owner's
		// (private views, "my" filters, the owner's team layouts).
		field.Int("owner_id").Optional().Nillable().Immutable(),
	}
}

// Edges of the APIKey.
func (APIKey) Edges() []ent.Edge {
	return []ent.Edge{edge.To("owner", Owner.Type).Field("owner_id").Unique().Immutable()}
}

// Indexes of the APIKey: a workspace's keys, newest first.
func (APIKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "id")}
}
