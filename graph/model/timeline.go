package model

import (
	"time"

	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/records"
)

// TimelineEvent is the Go side of the TimelineEvent interface: one of the
// event types below, each a records.TimelineEvent seen as its GraphQL type.
type TimelineEvent interface{ IsTimelineEvent() }

// Event is what every timeline event type answers.
type Event struct{ *records.TimelineEvent }

// IsTimelineEvent marks the event types.
func (Event) IsTimelineEvent() {}

// OccurredAt is when the event happened.
func (e Event) OccurredAt() time.Time { return e.At }

// GlobalRecordID is the id of the record the event happened to.
func (e Event) GlobalRecordID() string { return gid.Encode(gid.Record, e.RecordID) }

// GlobalOtherID is the id of the record associated or merged.
func (e Event) GlobalOtherID() string { return gid.Encode(gid.Record, e.OtherRecordID) }

// GlobalListID is the id of the list joined or left.
func (e Event) GlobalListID() string { return gid.Encode(gid.List, e.ListID) }

// The event types of the schema.
type (
	ActivityEvent        struct{ Event }
	RecordCreatedEvent   struct{ Event }
	PropertyChangedEvent struct{ Event }
	AssociationEvent     struct{ Event }
	MergeEvent           struct{ Event }
	ArchiveEvent         struct{ Event }
	ListMembershipEvent  struct{ Event }
)
