package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Webhook is a workspace's subscriber over HTTP: the URL the events it
// asked for are posted to, signed with its secret (package webhooks).
type Webhook struct{ ent.Schema }

// Mixin of the Webhook.
func (Webhook) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Webhook.
func (Webhook) Fields() []ent.Field {
	return []ent.Field{
		field.String("url").NotEmpty(),
		// event_types are the webhooks.EventType names it receives.
		field.Strings("event_types"),
		// object_type_ids keeps the events of these object types only;
		// empty: of every object type.
		field.Ints("object_type_ids"),
		// secret is the signing secret itself, not a hash: the server signs
		// every request with it. It is never read back through the API.
		field.String("secret").NotEmpty().Immutable().Sensitive(),
		// retry_at is when the batch that failed last may be tried again;
		// null when the last attempt succeeded (or none was made).
		field.Time("retry_at").Optional().Nillable(),
	}
}

// Edges of the Webhook: its events and deliveries go with it.
func (Webhook) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("events", WebhookEvent.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("deliveries", WebhookDelivery.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Webhook.
func (Webhook) Indexes() []ent.Index {
	return []ent.Index{index.Fields("workspace_id", "id")}
}

// WebhookEvent is one event one webhook is to receive: the outbox, written
// in the transaction of the write that made the event, with the body the
// receiver gets (payload), so that a committed write is delivered and a
// rolled-back one never is. Rows leave the outbox delivered or failed.
type WebhookEvent struct{ ent.Schema }

// Fields of the WebhookEvent. As for ListMember, workspace_id scopes
// without a foreign key to check on each of the many rows a write adds.
func (WebhookEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("workspace_id").Immutable(),
		field.Int("webhook_id").Immutable(),
		// record_id is the record the event is of (an association's: the
		// record it is seen from): events of one record go out in order.
		field.Int("record_id").Immutable(),
		field.String("type").Immutable(),
		// payload is the event as the receiver gets it, JSON; a deleted
		// record's values leave it once delivered.
		field.Text("payload"),
		field.Enum("status").Values("PENDING", "DELIVERED", "FAILED").Default("PENDING"),
		// attempts counts the requests that carried the event.
		field.Int("attempts").Default(0),
		field.Time("created_at").Default(Now).Immutable(),
		// finished_at is when it was delivered or given up.
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Edges of the WebhookEvent.
func (WebhookEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("webhook", Webhook.Type).Ref("events").Field("webhook_id").Unique().Required().Immutable(),
	}
}

// Indexes of the WebhookEvent: a webhook's pending events in order; the
// finished ones by age, for pruning; a record's, for its erasure.
func (WebhookEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("webhook_id", "status", "id"), index.Fields("status", "finished_at"), index.Fields("workspace_id", "record_id")}
}

// WebhookDelivery is one request made to a webhook: which events it
// carried, and what came of it.
type WebhookDelivery struct{ ent.Schema }

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.Int("workspace_id").Immutable(),
		field.Int("webhook_id").Immutable(),
		field.Ints("event_ids").Immutable(),
		field.Time("attempted_at").Immutable(),
		// status_code is the receiver's answer; null when none came.
		field.Int("status_code").Optional().Nillable().Immutable(),
		field.Int("latency_ms").Immutable(),
		// response is the start of the receiver's answer.
		field.Text("response").Immutable(),
		// error says why the request failed without an answer, or why the
		// answer counts as a failure; empty when it succeeded.
		field.Text("error").Immutable(),
		field.Bool("succeeded").Immutable(),
		// redelivery says redeliver asked for the request.
		field.Bool("redelivery").Immutable(),
	}
}

// Edges of the WebhookDelivery.
func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("webhook", Webhook.Type).Ref("deliveries").Field("webhook_id").Unique().Required().Immutable(),
	}
}

// Indexes of the WebhookDelivery: a webhook's deliveries, newest first;
// by age, for pruning.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("webhook_id", "id"), index.Fields("attempted_at")}
}
