package meta

// Webhook is what a write reads of one of the workspace's webhooks: the
// events it hears (package webhooks keeps the rest: its URL, its secret,
// its outbox). Webhooks are definitions, as lists and owners are: a change
// of one moves the schema version on (write.Unit.Definitions), so that a
// write matches its events without a statement, and the webhooks it writes
// events for stay until it commits (it holds the version it runs against).
type Webhook struct {
	ID int
	// EventTypes are the names of the event types it receives.
	EventTypes []string
	// ObjectTypeIDs are the object types it receives the events of;
	// empty: every one.
	ObjectTypeIDs []int
}

// Webhooks are the workspace's webhooks, by id.
func (m *Model) Webhooks() []Webhook { return m.webhooks }
