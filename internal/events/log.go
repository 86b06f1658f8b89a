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

// appendEvents appends the events of t's changes in t.
func appendEvents(ctx context.Context, t *write.Tx) error {
	ch := t.Changes()
	if len(ch.Records) == 0 {
		return nil
	}
	ids := make([]int, 0, len(ch.Records))
	for id := range ch.Records {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	now := schema.Now()
	rows := make([]*ent.ChangeEventCreate, 0, len(ids))
	for _, id := range ids {
		rc := ch.Records[id]
		c := t.ChangeEvent.Create().SetWorkspaceID(t.Model.WorkspaceID).SetKind(string(rc.Kind)).
			SetObjectTypeID(rc.ObjectTypeID).SetRecordID(id).SetProperties(propertyNames(rc)).SetOccurredAt(now)
		if into, ok := ch.Merges[id]; ok {
			c.SetMergedInto(into)
		}
		rows = append(rows, c)
	}
	if t.CanCopy() && len(rows) >= copiedEvents {
		if err := copyEvents(ctx, t, ids, now); err != nil {
			return err
		}
	} else {
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

func copyEvents(ctx context.Context, t *write.Tx, ids []int, now time.Time) error {
	ch := t.Changes()
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rc := ch.Records[id]
		props, err := json.Marshal(propertyNames(rc))
		if err != nil {
			return err
		}
		var into any
		if v, ok := ch.Merges[id]; ok {
			into = v
		}
		rows[i] = []any{t.Model.WorkspaceID, string(rc.Kind), rc.ObjectTypeID, id, string(props), into, now}
	}
	return t.Copy(ctx, "change_events", []string{"workspace_id", "kind", "object_type_id", "record_id", "properties", "merged_into", "occurred_at"}, rows)
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
