// Package timeline is what happened to records, newest first: their
// creation, the changes of their values (from property history), the
// activities associated with them (by hs_timestamp), and the events kept
// nowhere else — associations made and removed, merges, archives and
// restores, list memberships gained and lost — which every write appends to
// timeline_events in its own transaction (Buffer, Members). Read reads the
// timelines of many records in one statement.
package timeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/acme/crm/internal/db"
)

// Type is the type of a timeline event.
type Type string

// The types of events. The activity types are those of the engagement
// objects (notes NOTE, calls CALL...); the others tell of the record
// itself.
const (
	Note               Type = "NOTE"
	Call               Type = "CALL"
	Email              Type = "EMAIL"
	Meeting            Type = "MEETING"
	Task               Type = "TASK"
	Created            Type = "CREATED"
	PropertyChanged    Type = "PROPERTY_CHANGED"
	AssociationAdded   Type = "ASSOCIATION_ADDED"
	AssociationRemoved Type = "ASSOCIATION_REMOVED"
	Merged             Type = "MERGED"
	Archived           Type = "ARCHIVED"
	Restored           Type = "RESTORED"
	ListAdded          Type = "LIST_ADDED"
	ListRemoved        Type = "LIST_REMOVED"
)

// Valid reports whether t is one of the types.
func (t Type) Valid() bool {
	switch t {
	case Note, Call, Email, Meeting, Task, Created, PropertyChanged, AssociationAdded, AssociationRemoved,
		Merged, Archived, Restored, ListAdded, ListRemoved:
		return true
	}
	return false
}

// Activities are the engagement objects by name, with their event type.
var Activities = map[string]Type{"notes": Note, "calls": Call, "emails": Email, "meetings": Meeting, "tasks": Task}

// Event is one event a write appends: an association, merge, archive or
// restore. OtherRecordID is the record associated or merged (0: none).
type Event struct {
	RecordID      int
	Type          Type
	At            time.Time
	OtherRecordID int
	// Labels are the association labels made or removed ("" for the
	// unlabeled association).
	Labels []string
}

// Buffer gathers the events of a transaction, to insert them together.
type Buffer struct{ events []Event }

// Add keeps events for the commit.
func (b *Buffer) Add(events ...Event) { b.events = append(b.events, events...) }

// Len is how many events the buffer holds.
func (b *Buffer) Len() int { return len(b.events) }

// Truncate forgets the events after the first n.
func (b *Buffer) Truncate(n int) {
	if n < len(b.events) {
		b.events = b.events[:n]
	}
}

// InsertHead is the head of every insert of events, here and in the
// lists' statement that writes memberships and their events together.
const InsertHead = "INSERT INTO timeline_events (workspace_id, record_id, type, occurred_at, other_record_id, list_id, detail) "

// flushChunk keeps one statement's bind parameters far below PostgreSQL's
// 65,535.
const flushChunk = 1000

// Flush inserts what the buffer gathered and empties it.
func (b *Buffer) Flush(ctx context.Context, e db.ExecQuerier, d db.Dialect, workspaceID int) error {
	for start := 0; start < len(b.events); start += flushChunk {
		chunk := b.events[start:min(start+flushChunk, len(b.events))]
		q := db.Build(d, InsertHead+"VALUES ")
		for i, ev := range chunk {
			if i > 0 {
				q.T(", ")
			}
			var other, detail any
			if ev.OtherRecordID != 0 {
				other = ev.OtherRecordID
			}
			if ev.Labels != nil {
				raw, err := json.Marshal(map[string]any{"labels": ev.Labels})
				if err != nil {
					return err
				}
				detail = string(raw)
			}
			q.T("(").Args(workspaceID, ev.RecordID, string(ev.Type), ev.At.UTC().Truncate(time.Microsecond)).T(", ").
				Cast(other, "bigint").T(", NULL, ").JSON(detail).T(")")
		}
		if _, err := q.Exec(ctx, e); err != nil {
			return fmt.Errorf("append timeline events: %w", err)
		}
	}
	b.events = b.events[:0]
	return nil
}

// Members appends, in one statement, that the records ids joined (t
// ListAdded) or left (ListRemoved) list listID at at.
func Members(ctx context.Context, e db.ExecQuerier, d db.Dialect, workspaceID int, t Type, listID int, at time.Time, ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	q := db.Build(d, InsertHead+"SELECT ").Arg(workspaceID).T(", r.id, ").Cast(string(t), "text").T(", ").
		Cast(at.UTC().Truncate(time.Microsecond), "timestamptz").T(", NULL, ").Arg(listID).T(", NULL FROM records r WHERE ").InIDs("r", "id", ids)
	if _, err := q.Exec(ctx, e); err != nil {
		return fmt.Errorf("append list events: %w", err)
	}
	return nil
}
