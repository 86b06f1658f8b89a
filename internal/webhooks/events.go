package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/acme/crm/ent"
	entlist "github.com/acme/crm/ent/list"
	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/ent/webhookevent"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/write"
)

// EventType is what a webhook may ask to be told of. The schema's
// WebhookEventType lists the same names.
type EventType string

// The event types.
const (
	RecordCreated      EventType = "RECORD_CREATED"
	RecordUpdated      EventType = "RECORD_UPDATED"
	RecordArchived     EventType = "RECORD_ARCHIVED"
	RecordRestored     EventType = "RECORD_RESTORED"
	RecordMerged       EventType = "RECORD_MERGED"
	RecordDeleted      EventType = "RECORD_DELETED"
	AssociationAdded   EventType = "ASSOCIATION_ADDED"
	AssociationRemoved EventType = "ASSOCIATION_REMOVED"
	ImportFinished     EventType = "IMPORT_FINISHED"
	ListMembership     EventType = "LIST_MEMBERSHIP_CHANGED"
)

// EventTypes are every event type.
var EventTypes = []EventType{RecordCreated, RecordUpdated, RecordArchived, RecordRestored, RecordMerged, RecordDeleted, AssociationAdded, AssociationRemoved, ListMembership, ImportFinished}

// Valid tells whether t is an event type.
func (t EventType) Valid() bool { return slices.Contains(EventTypes, t) }

// typeOf is the event type of a change of kind k.
var typeOf = map[write.Kind]EventType{
	write.Created: RecordCreated, write.Updated: RecordUpdated, write.Archived: RecordArchived,
	write.Restored: RecordRestored, write.Merged: RecordMerged, write.Deleted: RecordDeleted,
	write.Associated: AssociationAdded, write.Disassociated: AssociationRemoved,
}

// Event is one element of the JSON array a webhook receives. Every field
// a receiver needs is in it: no second request is needed to act on it.
type Event struct {
	// EventID is the event's id, the same on every attempt: receivers
	// drop the ones they already handled (delivery is at least once).
	EventID    string    `json:"eventId"`
	Type       EventType `json:"type"`
	OccurredAt time.Time `json:"occurredAt"`
	// ObjectType is the record's object type; none for an import's event.
	ObjectType string `json:"objectType,omitempty"`
	// ID is the record's global id (the API's Record.id), RecordID its
	// plain numeric id; none for an import's event.
	ID       string `json:"id,omitempty"`
	RecordID string `json:"recordId,omitempty"`
	// ChangedProperties are the names of the values a RECORD_UPDATED
	// changed; empty otherwise.
	ChangedProperties []string `json:"changedProperties,omitempty"`
	// Properties are the record's values after the change; a deleted
	// record's last values; for a merged record, its values as it was
	// merged. Absent from an association's event.
	Properties json.RawMessage `json:"properties,omitempty"`
	// MergedInto is the record a RECORD_MERGED record was merged into.
	MergedInto string `json:"mergedInto,omitempty"`
	// ToRecordID and ToObjectType are the other end of an association's
	// event, Labels the labels added or removed (none for the unlabeled
	// association).
	ToRecordID   string   `json:"toRecordId,omitempty"`
	ToObjectType string   `json:"toObjectType,omitempty"`
	Labels       []string `json:"labels,omitempty"`
	// List is the list a LIST_MEMBERSHIP_CHANGED record joined or left.
	List *ListChange `json:"list,omitempty"`
	// Import is the import an IMPORT_FINISHED tells of.
	Import *ImportSummary `json:"import,omitempty"`
}

// ListChange is what a LIST_MEMBERSHIP_CHANGED event tells of its list.
type ListChange struct {
	// ID is the list's global id (the API's List.id).
	ID   string `json:"id"`
	Name string `json:"name"`
	// Change is ADDED (the record joined) or REMOVED (it left).
	Change string `json:"change"`
}

// ImportSummary is what an IMPORT_FINISHED event tells of its import.
type ImportSummary struct {
	// ID is the import's global id (the API's Import.id).
	ID   string `json:"id"`
	Name string `json:"name"`
	// State is DONE or FAILED; Message says why it failed.
	State   string `json:"state"`
	Message string `json:"message,omitempty"`
	// ObjectTypes are the object types its files wrote.
	ObjectTypes []string `json:"objectTypes"`
	RowsRead    int      `json:"rowsRead"`
	Created     int      `json:"created"`
	Updated     int      `json:"updated"`
	Skipped     int      `json:"skipped"`
	Failed      int      `json:"failed"`
	// ListID is the global id of the list it made of its records, if any.
	ListID string `json:"listId,omitempty"`
}

// insertChunk bounds the rows of one INSERT: 8 parameters a row.
const insertChunk = 1000

// Outbox registers on w the hook that writes, in every write's own
// transaction, the events each webhook of the workspace asked for: a
// rolled-back write leaves none, a committed one is delivered however
// soon the server stops after its commit. The webhooks are the write's
// definitions' (meta.Model.Webhooks): matching sends no statement, and the
// version the write holds keeps them until it commits. The values of the
// records its events carry are read once when any webhook wants them.
func Outbox(w *write.Unit) { w.BeforeCommit(enqueue) }

// wants says whether h receives events of type t about objectTypeIDs
// (of any one of them).
func wants(h meta.Webhook, t EventType, objectTypeIDs ...int) bool {
	if !slices.Contains(h.EventTypes, string(t)) {
		return false
	}
	if len(h.ObjectTypeIDs) == 0 {
		return true
	}
	return slices.ContainsFunc(objectTypeIDs, func(id int) bool { return slices.Contains(h.ObjectTypeIDs, id) })
}

// pending is an event the write made, before it is matched.
type pending struct {
	Event
	objectTypeID, record int
}

func enqueue(ctx context.Context, t *write.Tx) error {
	ch := t.Changes()
	if ch.Empty() && len(ch.Memberships) == 0 {
		return nil
	}
	hooks := t.Model.Webhooks()
	if len(hooks) == 0 {
		return nil
	}
	if err := forgetErased(ctx, t, ch); err != nil {
		return err
	}
	events := pendingOf(t, ch)
	// The lists are read only for a webhook that hears their changes.
	ms := ch.Memberships
	if !slices.ContainsFunc(hooks, func(h meta.Webhook) bool { return slices.Contains(h.EventTypes, string(ListMembership)) }) {
		ms = nil
	}
	joined, err := membershipsOf(ctx, t, ms)
	if err != nil {
		return err
	}
	var matches []match
	valuesOf := map[int]bool{}
	for _, e := range append(events, joined...) {
		for _, h := range hooks {
			if !wants(h, e.Type, e.objectTypeID) {
				continue
			}
			matches = append(matches, match{h.ID, e})
			if e.ToRecordID == "" && e.Type != RecordDeleted {
				valuesOf[e.record] = true
			}
		}
	}
	if len(matches) == 0 {
		return nil
	}
	values, err := readValues(ctx, t, slices.Sorted(maps.Keys(valuesOf)))
	if err != nil {
		return err
	}
	for _, m := range matches {
		switch {
		case m.event.Type == RecordDeleted:
			if m.event.Properties, err = json.Marshal(orEmpty(ch.Erased[m.event.record])); err != nil {
				return err
			}
		case m.event.ToRecordID == "":
			m.event.Properties = values[m.event.record]
		}
	}
	return insert(ctx, t.Client(), t.Model.WorkspaceID, matches)
}

// forgetErased deletes the events sent of the records ch deleted
// permanently, with the values they carried: what is kept of a person
// erased is their RECORD_DELETED event until it is delivered (then
// without its values: stripErased) and their events still pending.
func forgetErased(ctx context.Context, t *write.Tx, ch *write.Changes) error {
	var erased []int
	for id, rc := range ch.Records {
		if rc.Kind == write.Deleted {
			erased = append(erased, id)
		}
	}
	if len(erased) == 0 {
		return nil
	}
	_, err := t.WebhookEvent.Delete().Where(webhookevent.WorkspaceID(t.Model.WorkspaceID), webhookevent.RecordIDIn(erased...),
		webhookevent.StatusNEQ(webhookevent.StatusPENDING)).Exec(ctx)
	return err
}

// match is an event a webhook receives.
type match struct {
	hook  int
	event *pending
}

// insert writes the outbox rows of matches, a row per webhook and event.
func insert(ctx context.Context, client *ent.Client, workspaceID int, matches []match) error {
	creates := make([]*ent.WebhookEventCreate, len(matches))
	for i, m := range matches {
		body, err := json.Marshal(m.event.Event)
		if err != nil {
			return err
		}
		creates[i] = client.WebhookEvent.Create().SetWorkspaceID(workspaceID).SetWebhookID(m.hook).
			SetRecordID(m.event.record).SetType(string(m.event.Type)).SetPayload(string(body)).SetCreatedAt(m.event.OccurredAt)
	}
	for chunk := range slices.Chunk(creates, insertChunk) {
		if err := client.WebhookEvent.CreateBulk(chunk...).Exec(ctx); err != nil {
			return fmt.Errorf("append webhook events: %w", err)
		}
	}
	return nil
}

// ImportEnded writes, in tx, the transaction that ends import job of
// m's workspace, its IMPORT_FINISHED event to the webhooks that asked for
// it and for one of the object types its files wrote (names): the event
// commits with the import's end, or neither does. tx share-locks the
// schema version, as a write does, so that the webhooks stay until it
// commits; the definitions of that version are read when m is older.
func ImportEnded(ctx context.Context, tx *ent.Tx, d db.Dialect, m *meta.Model, objectTypes []string, job *ent.ImportJob) error {
	version, err := write.SharedVersion(ctx, tx, d, m.WorkspaceID)
	if err != nil {
		return err
	}
	if version != m.Version {
		if m, err = meta.Load(ctx, tx.Client(), m.WorkspaceID, version); err != nil {
			return err
		}
	}
	hooks := m.Webhooks()
	if len(hooks) == 0 {
		return nil
	}
	var ids []int
	for _, name := range objectTypes {
		if ot, ok := m.ObjectType(name); ok {
			ids = append(ids, ot.ID)
		}
	}
	sum := &ImportSummary{ID: gid.Encode(gid.Import, job.ID), Name: job.Name, State: string(job.State), Message: job.Message,
		ObjectTypes: objectTypes, RowsRead: job.RowsRead, Created: job.Created, Updated: job.Updated, Skipped: job.Skipped, Failed: job.Failed}
	if job.ListID != nil {
		sum.ListID = gid.Encode(gid.List, *job.ListID)
	}
	e := &pending{Event: Event{Type: ImportFinished, OccurredAt: schema.Now(), Import: sum}}
	var matches []match
	for _, h := range hooks {
		if wants(h, ImportFinished, ids...) {
			matches = append(matches, match{h.ID, e})
		}
	}
	return insert(ctx, tx.Client(), m.WorkspaceID, matches)
}

// orEmpty is values, or an empty object when there are none.
func orEmpty(values map[string]any) map[string]any {
	if values == nil {
		return map[string]any{}
	}
	return values
}

// pendingOf are the events of ch: the records', by id, then the
// associations', one per pair, direction and kind, in the order they were
// noted (as the change log's).
func pendingOf(t *write.Tx, ch *write.Changes) []*pending {
	now := schema.Now()
	name := func(id int) string {
		if ot, ok := t.Model.ObjectTypeByID(id); ok {
			return ot.Name
		}
		return ""
	}
	var out []*pending
	for _, id := range slices.Sorted(maps.Keys(ch.Records)) {
		rc := ch.Records[id]
		e := &pending{objectTypeID: rc.ObjectTypeID, record: id, Event: recordEvent(typeOf[rc.Kind], now, name(rc.ObjectTypeID), id)}
		if rc.Kind == write.Updated {
			e.ChangedProperties = slices.Sorted(maps.Keys(rc.Properties))
		}
		if into := ch.Merges[id]; into != 0 {
			e.MergedInto = strconv.Itoa(into)
		}
		out = append(out, e)
	}
	type key struct {
		from, to int
		kind     write.Kind
	}
	at := map[key]*pending{}
	for _, l := range ch.Links {
		k := key{l.From, l.To, l.Kind}
		e, ok := at[k]
		if !ok {
			e = &pending{objectTypeID: l.FromType, record: l.From, Event: recordEvent(typeOf[l.Kind], now, name(l.FromType), l.From)}
			e.ToRecordID, e.ToObjectType = strconv.Itoa(l.To), name(l.ToType)
			at[k] = e
			out = append(out, e)
		}
		if l.Label != "" && !slices.Contains(e.Labels, l.Label) {
			e.Labels = append(e.Labels, l.Label)
			slices.Sort(e.Labels)
		}
	}
	return out
}

// membershipsOf are the events of records joining or leaving lists, in
// the order noted; the lists are read (one statement), since a list made
// in this write is not in the write's definitions.
func membershipsOf(ctx context.Context, t *write.Tx, ms []write.Membership) ([]*pending, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	ids := map[int]bool{}
	for _, m := range ms {
		ids[m.ListID] = true
	}
	rows, err := t.List.Query().Where(entlist.IDIn(slices.Collect(maps.Keys(ids))...)).
		Select(entlist.FieldID, entlist.FieldName, entlist.FieldObjectTypeID).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the lists of webhook events: %w", err)
	}
	lists := make(map[int]*ent.List, len(rows))
	for _, l := range rows {
		lists[l.ID] = l
	}
	now := schema.Now()
	out := make([]*pending, 0, len(ms))
	for _, m := range ms {
		l, ok := lists[m.ListID]
		if !ok {
			continue // deleted in this write
		}
		name := ""
		if ot, ok := t.Model.ObjectTypeByID(l.ObjectTypeID); ok {
			name = ot.Name
		}
		e := &pending{objectTypeID: l.ObjectTypeID, record: m.RecordID, Event: recordEvent(ListMembership, now, name, m.RecordID)}
		e.List = &ListChange{ID: gid.Encode(gid.List, l.ID), Name: l.Name, Change: map[bool]string{true: "ADDED", false: "REMOVED"}[m.Added]}
		out = append(out, e)
	}
	return out, nil
}

func recordEvent(t EventType, at time.Time, objectType string, id int) Event {
	return Event{Type: t, OccurredAt: at, ObjectType: objectType, ID: gid.Encode(gid.Record, id), RecordID: strconv.Itoa(id)}
}

// readValues reads the values of records ids in the write's transaction:
// as the write leaves them.
func readValues(ctx context.Context, t *write.Tx, ids []int) (map[int]json.RawMessage, error) {
	out := make(map[int]json.RawMessage, len(ids))
	for chunk := range slices.Chunk(ids, insertChunk) {
		rows, err := db.Build(t.Dialect, "SELECT id, properties FROM records WHERE workspace_id = ").Arg(t.Model.WorkspaceID).
			T(" AND ").InIDs("", "id", chunk).Query(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("read the values of webhook events: %w", err)
		}
		for rows.Next() {
			var id int
			var doc []byte
			if err := rows.Scan(&id, &doc); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = json.RawMessage(doc)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
