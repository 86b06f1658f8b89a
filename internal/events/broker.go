package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/write"
)

// Event is one change of one record, or of its associations with another
// (ToRecordID), as the log holds it.
type Event struct {
	// ID is the event's place in the log: ids grow with the commits,
	// one sequence for the whole database.
	ID           int64
	WorkspaceID  int
	Kind         write.Kind
	ObjectTypeID int
	RecordID     int
	// Properties are the names of the values an UPDATED record changed;
	// for an association's event, the labels made or removed, seen from
	// RecordID ("" the unlabeled association).
	Properties []string
	// ToRecordID is the other end of an association's event, of
	// ToObjectTypeID; 0 for a record's event.
	ToRecordID, ToObjectTypeID int
	// MergedInto is the record a MERGED record was merged into.
	MergedInto int
	OccurredAt time.Time
	// Gap says events before this one may have been missed by its
	// subscription (see Broker).
	Gap bool
	// Shared is what the subscriptions the event reaches read once
	// between them (its record), made when the event is delivered.
	Shared *Shared
}

// Buffer is how many events a subscription may have waiting: a
// subscriber that lets more pile up is cut off (ErrTooSlow), so that the
// server's memory stays bounded whatever its subscribers do.
const Buffer = 256

// ErrTooSlow ends a subscription whose events piled up past Buffer.
var ErrTooSlow = apierr.New(apierr.SubscriberTooSlow, "the subscription fell %d events behind and was closed: subscribe again (and read faster)", Buffer)

// Subscription is what one subscriber receives: the events of its
// workspace that its match accepts, in the log's order, on C. C closes
// when the subscription ends; Err then says why (nil when its context
// ended).
type Subscription struct {
	// C carries each event once, shared with the other subscriptions it
	// reaches (a copy when its Gap is this one's): read, never written.
	// Pointers keep the buffer small: Buffer of them a subscription.
	C <-chan *Event

	c           chan *Event
	b           *Broker
	workspaceID int
	match       func(Event) bool
	gap         bool
	err         error
}

// Close ends the subscription before its context does.
func (s *Subscription) Close() { s.b.end(s, nil) }

// Err is why the subscription ended, once C is closed.
func (s *Subscription) Err() error { return s.err }

// A Broker reads the log after each commit it is woken for and hands the
// new events to the subscriptions of this process. It reads only while
// somebody subscribes. On PostgreSQL it also listens for the commits of
// other processes (listen.go).
//
// Ids are handed out when a write appends its events, and writes commit
// in another order: an id below the last read may still commit. Such an
// id is a hole, looked for again at each read for holeGrace (a write
// appends its events just before it commits), then taken for a write
// that rolled back.
//
// Gaps: the broker reads from where it stopped, so that a listening
// connection lost and found again (a restarted PostgreSQL) loses nothing
// while the log holds the rows. When the log no longer holds the event
// after the last one read — its lowest id is above the next one, because
// rows were removed before this process read them — the next event of
// every subscription says Gap. (An id a rolled-back write took can look
// the same: a gap is reported when events may have been missed.)
type Broker struct {
	db     *db.DB
	logger *slog.Logger

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	cancel context.CancelFunc // of the running reader; nil when none
	last   int64
	holes  map[int64]time.Time
	wake   chan struct{}
}

// holeGrace is how long an id below the last read is looked for.
const holeGrace = 10 * time.Second

// maxHoles bounds the ids looked for; past it the oldest are given up,
// and subscriptions told of a gap.
const maxHoles = 1000

// readBatch is how many events one read takes.
const readBatch = 500

// NewBroker returns the broker of d.
func NewBroker(d *db.DB, logger *slog.Logger) *Broker {
	return &Broker{db: d, logger: logger, subs: map[*Subscription]struct{}{}, holes: map[int64]time.Time{}, wake: make(chan struct{}, 1)}
}

// Wake has the broker read the log: a write committed.
func (b *Broker) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Subscribers counts the subscriptions open.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Subscribe opens a subscription to the events of a workspace that match
// accepts, from those committed after it opened on, until ctx ends or it
// falls behind (ErrTooSlow).
func (b *Broker) Subscribe(ctx context.Context, workspaceID int, match func(Event) bool) (*Subscription, error) {
	c := make(chan *Event, Buffer)
	s := &Subscription{C: c, c: c, b: b, workspaceID: workspaceID, match: match}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cancel == nil {
		var last int64
		if err := db.Build(b.db.Dialect, "SELECT COALESCE(MAX(id), 0) FROM change_events").Row(ctx, b.db.SQL, &last); err != nil {
			return nil, fmt.Errorf("read the change log: %w", err)
		}
		b.last, b.holes = last, map[int64]time.Time{}
		run, cancel := context.WithCancel(context.Background())
		b.cancel = cancel
		go b.run(run)
	}
	b.subs[s] = struct{}{}
	context.AfterFunc(ctx, func() { b.end(s, nil) })
	return s, nil
}

// end closes s with err, once; the reader stops with the last
// subscription.
func (b *Broker) end(s *Subscription, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.endLocked(s, err)
}

func (b *Broker) endLocked(s *Subscription, err error) {
	if _, ok := b.subs[s]; !ok {
		return
	}
	delete(b.subs, s)
	s.err = err
	close(s.c)
	if len(b.subs) == 0 && b.cancel != nil {
		b.cancel()
		b.cancel = nil
	}
}

// run reads the log whenever woken, until ctx ends.
func (b *Broker) run(ctx context.Context) {
	heard := b.listen(ctx)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.wake:
		case <-heard:
		case <-tick.C:
			// Holes are looked for, and given up, without a commit.
			b.mu.Lock()
			n := len(b.holes)
			b.mu.Unlock()
			if n == 0 {
				continue
			}
		}
		if err := b.read(ctx); err != nil && ctx.Err() == nil {
			// The rows stay in the log: the next wake reads them.
			b.logger.WarnContext(ctx, "the change log could not be read; retrying at the next commit", "error", err)
			time.AfterFunc(time.Second, b.Wake)
		}
	}
}

// read hands out the events after the last read, and the holes found.
func (b *Broker) read(ctx context.Context) error {
	for {
		b.mu.Lock()
		last := b.last
		holes := make([]int, 0, len(b.holes))
		for id, since := range b.holes {
			if time.Since(since) > holeGrace {
				delete(b.holes, id)
				continue
			}
			holes = append(holes, int(id))
		}
		b.mu.Unlock()
		q := db.Build(b.db.Dialect, "SELECT id, workspace_id, kind, object_type_id, record_id, properties, merged_into, to_record_id, to_object_type_id, occurred_at FROM change_events WHERE id > ").Arg(last)
		if len(holes) > 0 {
			q.T(" OR ").InIDs("", "id", holes)
		}
		rows, err := q.T(" ORDER BY id LIMIT ").Int(readBatch).Query(ctx, b.db.SQL)
		if err != nil {
			return err
		}
		evs, err := scan(rows)
		if err != nil {
			return err
		}
		gap, err := b.lost(ctx, last, evs)
		if err != nil {
			return err
		}
		b.deliver(ctx, evs, gap)
		if len(evs) < readBatch {
			return nil
		}
	}
}

// lost tells whether the log lost the event after last: its lowest id is
// above it. Asked only when evs, read after last, do not begin with it.
func (b *Broker) lost(ctx context.Context, last int64, evs []Event) (bool, error) {
	if last == 0 || len(evs) == 0 {
		// Nothing to deliver: the next read that finds events asks.
		return false, nil
	}
	for _, e := range evs {
		if e.ID == last+1 {
			return false, nil
		}
	}
	var lowest sql.NullInt64
	if err := db.Build(b.db.Dialect, "SELECT MIN(id) FROM change_events").Row(ctx, b.db.SQL, &lowest); err != nil {
		return false, err
	}
	return lowest.Valid && lowest.Int64 > last+1, nil
}

func scan(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]Event, error) {
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var kind string
		var props []byte
		var into, to, toType sql.NullInt64
		var at db.NullTime
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &kind, &e.ObjectTypeID, &e.RecordID, &props, &into, &to, &toType, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(props, &e.Properties); err != nil {
			return nil, fmt.Errorf("change event %d: properties: %w", e.ID, err)
		}
		e.Kind, e.MergedInto, e.OccurredAt = write.Kind(kind), int(into.Int64), at.Time
		e.ToRecordID, e.ToObjectTypeID = int(to.Int64), int(toType.Int64)
		out = append(out, e)
	}
	return out, rows.Err()
}

// deliver hands evs, in order, to the subscriptions that match them, and
// moves the last read on; gap marks every subscription's next event. A
// reader stopped (its ctx, cancelled under b.mu) delivers nothing: the
// reader started after it reads from where it starts.
func (b *Broker) deliver(ctx context.Context, evs []Event, gap bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	if gap {
		for s := range b.subs {
			s.gap = true
		}
		// Told once: from here on the log is read from what it holds.
		// (The first event above it: holes come first.)
		if i := slices.IndexFunc(evs, func(e Event) bool { return e.ID > b.last }); i >= 0 {
			b.last = evs[i].ID - 1
		}
	}
	for i := range evs {
		e := &evs[i]
		e.Shared = &Shared{}
		delete(b.holes, e.ID)
		from := b.last + 1
		if e.ID-from > maxHoles {
			// Too many ids skipped to look for: some are given up.
			from = e.ID - maxHoles
			for s := range b.subs {
				s.gap = true
			}
		}
		for id := from; id < e.ID; id++ {
			b.holes[id] = time.Now()
		}
		b.last = max(b.last, e.ID)
		b.dropOldHoles()
		for s := range b.subs {
			if s.workspaceID != e.WorkspaceID || !s.match(*e) {
				continue
			}
			out := e
			if s.gap {
				gapped := *e
				gapped.Gap, s.gap = true, false
				out = &gapped
			}
			select {
			case s.c <- out:
			default:
				b.endLocked(s, ErrTooSlow)
			}
		}
	}
}

// dropOldHoles gives up the lowest holes past maxHoles, telling every
// subscription of a gap.
func (b *Broker) dropOldHoles() {
	for len(b.holes) > maxHoles {
		lowest := int64(-1)
		for id := range b.holes {
			if lowest < 0 || id < lowest {
				lowest = id
			}
		}
		delete(b.holes, lowest)
		for s := range b.subs {
			s.gap = true
		}
	}
}
