// Package events owns the change log of records and its delivery to
// subscribers. Every write appends, in its own transaction, one row of
// change_events per record it changed (what happened, which properties,
// by name): a rolled-back write leaves none, a committed one is never
// lost. After the commit the write wakes this process's Broker; on
// PostgreSQL the transaction also notifies eventsChannel, which PostgreSQL
// delivers only at its commit, so that the brokers of every other server
// process read the new rows too. Rows carry ids, never values: a
// subscriber reads what its selection needs when the event reaches it.
// The log is also what webhooks can later deliver from: its id orders the
// events, and it is written with the change or not at all.
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"entgo.io/ent/dialect"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/write"
)

// eventsChannel is the channel a write notifies at its commit; the
// payload is empty: brokers read the log from where they stopped.
const eventsChannel = "crm_events"

// copiedEvents is how many events a write appends with COPY rather than
// INSERT, where it can (an import's chunk): as the history's.
const copiedEvents = 100

// insertChunk bounds the rows of one INSERT: 7 parameters a row, far
// below PostgreSQL's 65,535.
const insertChunk = 1000

// Log registers on w the hook that appends the events of every write and
// wakes b after the commit.
func Log(w *write.Unit, b *Broker) {
	w.BeforeCommit(appendEvents)
	w.AfterCommit(func(int) { b.Wake() })
}

// entry is one row of the log a write appends.
type entry struct {
	kind                 write.Kind
	objectTypeID, record int
	properties           []string
	// mergedInto, to and toType are 0 when they do not apply.
	mergedInto, to, toType int
}

// appendEvents appends the events of t's changes in t: the records', by
// id, then the associations', one per pair, direction and kind, in the
// order they were made or removed.
func appendEvents(ctx context.Context, t *write.Tx) error {
	ch := t.Changes()
	entries := append(recordEntries(ch), linkEntries(ch.Links)...)
	if len(entries) == 0 {
		return nil
	}
	now := schema.Now()
	if t.CanCopy() && len(entries) >= copiedEvents {
		if err := copyEvents(ctx, t, entries, now); err != nil {
			return err
		}
	} else {
		rows := make([]*ent.ChangeEventCreate, len(entries))
		for i, e := range entries {
			rows[i] = t.ChangeEvent.Create().SetWorkspaceID(t.Model.WorkspaceID).SetKind(string(e.kind)).
				SetObjectTypeID(e.objectTypeID).SetRecordID(e.record).SetProperties(e.properties).SetOccurredAt(now).
				SetNillableMergedInto(nonZero(e.mergedInto)).SetNillableToRecordID(nonZero(e.to)).SetNillableToObjectTypeID(nonZero(e.toType))
		}
		for chunk := range slices.Chunk(rows, insertChunk) {
			if err := t.ChangeEvent.CreateBulk(chunk...).Exec(ctx); err != nil {
				return fmt.Errorf("append change events: %w", err)
			}
		}
	}
	if t.Dialect.Name() != dialect.Postgres {
		return nil
	}
	if _, err := db.Build(t.Dialect, "SELECT pg_notify('"+eventsChannel+"', '')").Exec(ctx, t); err != nil {
		return fmt.Errorf("notify change events: %w", err)
	}
	return nil
}

// recordEntries are the events of the records ch changed, by id.
func recordEntries(ch *write.Changes) []entry {
	ids := slices.Sorted(maps.Keys(ch.Records))
	out := make([]entry, len(ids))
	for i, id := range ids {
		rc := ch.Records[id]
		out[i] = entry{kind: rc.Kind, objectTypeID: rc.ObjectTypeID, record: id, properties: propertyNames(rc), mergedInto: ch.Merges[id]}
	}
	return out
}

// linkEntries are the events of association rows made or removed: one per
// pair, direction and kind, with the labels of its rows (not the
// unlabeled association's ""), in the order first noted.
func linkEntries(links []write.Link) []entry {
	type key struct {
		from, to int
		kind     write.Kind
	}
	at := map[key]int{}
	var out []entry
	for _, l := range links {
		k := key{l.From, l.To, l.Kind}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, entry{kind: l.Kind, objectTypeID: l.FromType, record: l.From, properties: []string{}, to: l.To, toType: l.ToType})
		}
		if l.Label != "" && !slices.Contains(out[i].properties, l.Label) {
			out[i].properties = append(out[i].properties, l.Label)
		}
	}
	for i := range out {
		slices.Sort(out[i].properties)
	}
	return out
}

// nonZero is v, or nil when 0.
func nonZero(v int) *int {
	if v == 0 {
		return nil
	}
	return &v
}

func copyEvents(ctx context.Context, t *write.Tx, entries []entry, now time.Time) error {
	rows := make([][]any, len(entries))
	for i, e := range entries {
		props, err := json.Marshal(e.properties)
		if err != nil {
			return err
		}
		var into, to, toType any
		if e.mergedInto != 0 {
			into = e.mergedInto
		}
		if e.to != 0 {
			to, toType = e.to, e.toType
		}
		rows[i] = []any{t.Model.WorkspaceID, string(e.kind), e.objectTypeID, e.record, string(props), into, to, toType, now}
	}
	return t.Copy(ctx, "change_events", []string{"workspace_id", "kind", "object_type_id", "record_id", "properties", "merged_into", "to_record_id", "to_object_type_id", "occurred_at"}, rows)
}

// propertyNames are the names of the values that changed, sorted; none
// for a record created, archived, restored, merged or deleted, whose
// values all may have changed.
func propertyNames(rc *write.RecordChange) []string {
	names := make([]string, 0, len(rc.Properties))
	if rc.Kind != write.Updated {
		return names
	}
	for n := range rc.Properties {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
