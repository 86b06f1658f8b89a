// Package changes holds what a subscription sends (RecordChangeEvent,
// AssociationChangeEvent), as gqlgen binds it.
package changes

import (
	"strconv"
	"time"

	"github.com/acme/crm/internal/events"
	"github.com/acme/crm/internal/write"
)

// ChangeEvent is one event a subscription sends, or the error that ends
// it. An error is sent as the answer of the event's first field, so that
// it reaches the client over every transport (graphql-sse has no message
// for the error of a stream): that field is null, and with it the event.
type ChangeEvent struct {
	events.Event
	matches bool
	err     error
	told    bool
}

// Of is e as a subscription sends it; matches is whether its record
// matches the subscription's filter.
func Of(e events.Event, matches bool) *ChangeEvent {
	return &ChangeEvent{Event: e, matches: matches}
}

// Failed is the last event of a subscription that ended with err, at
// now: every field after the first marshals a value (a zero time would be
// null, another error beside err).
func Failed(err error, now time.Time) *ChangeEvent {
	return &ChangeEvent{Event: events.Event{OccurredAt: now}, err: err}
}

// Key tells events apart as a subscription sends them: the same event
// (its log id), with the same gap and match. ok is false for an error,
// which is no event.
type Key struct {
	ID           int64
	Gap, Matches bool
}

// Key is e's key; ok is false when e stands for an error.
func (e *ChangeEvent) Key() (k Key, ok bool) {
	return Key{ID: e.ID, Gap: e.Event.Gap, Matches: e.matches}, e.err == nil
}

// Err is the error the event stands for, told once: fields marshal one
// after the other.
func (e *ChangeEvent) Err() error {
	if e.err == nil || e.told {
		return nil
	}
	e.told = true
	return e.err
}

// Kind is what happened.
func (e *ChangeEvent) Kind() (write.Kind, error) { return e.Event.Kind, e.Err() }

// RecordID is the record's plain id.
func (e *ChangeEvent) RecordID() (string, error) { return strconv.Itoa(e.Event.RecordID), e.Err() }

// ChangedProperties are the names of the values an update changed.
func (e *ChangeEvent) ChangedProperties() ([]string, error) { return e.Properties, e.Err() }

// OccurredAt is when the write happened.
func (e *ChangeEvent) OccurredAt() (time.Time, error) { return e.Event.OccurredAt, e.Err() }

// Sequence is the event's id in the log.
func (e *ChangeEvent) Sequence() (string, error) { return strconv.FormatInt(e.ID, 10), e.Err() }

// Gap says events may have been missed before this one.
func (e *ChangeEvent) Gap() (bool, error) { return e.Event.Gap, e.Err() }

// Matches says whether the record matches the subscription's filter.
func (e *ChangeEvent) Matches() (bool, error) { return e.matches, e.Err() }

// MergedInto is the record a MERGED record was merged into.
func (e *ChangeEvent) MergedInto() (*string, error) {
	if e.Event.MergedInto == 0 {
		return nil, e.Err()
	}
	into := strconv.Itoa(e.Event.MergedInto)
	return &into, e.Err()
}

// FromRecordID is the plain id of an association's watched end.
func (e *ChangeEvent) FromRecordID() (string, error) { return strconv.Itoa(e.Event.RecordID), e.Err() }

// ToRecordID is the plain id of an association's other end.
func (e *ChangeEvent) ToRecordID() (string, error) { return strconv.Itoa(e.Event.ToRecordID), e.Err() }

// Labels are the labels an association's change added or removed.
func (e *ChangeEvent) Labels() ([]string, error) { return e.Properties, e.Err() }
