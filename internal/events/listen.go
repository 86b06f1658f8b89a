package events

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// How the listening connection reconnects (pq.Listener).
const (
	minReconnect = 100 * time.Millisecond
	maxReconnect = 5 * time.Second
)

// listen listens for the commits of every server process on PostgreSQL
// until ctx ends: the channel it returns fires for each notification, and
// when the connection is back after it was lost (pq.Listener reconnects
// by itself), since commits may have been missed meanwhile; the read from
// the last id catches up with them. Nil on SQLite: one process writes,
// and wakes its broker itself.
func (b *Broker) listen(ctx context.Context) <-chan struct{} {
	dsn := b.db.ListenDSN()
	if dsn == "" {
		return nil
	}
	heard := make(chan struct{}, 1)
	poke := func() {
		select {
		case heard <- struct{}{}:
		default:
		}
	}
	l := pq.NewListener(dsn, minReconnect, maxReconnect, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventReconnected:
			poke()
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			b.logger.WarnContext(ctx, "the change log's listening connection is down; reconnecting", "error", err)
		}
	})
	if err := l.Listen(eventsChannel); err != nil {
		// pq keeps trying: the channel is listened to once connected.
		b.logger.WarnContext(ctx, "listening for change events failed; retrying", "error", err)
	}
	go func() {
		defer l.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-l.Notify:
				poke()
			case <-time.After(time.Minute):
				// A connection that died silently is found and replaced.
				go func() { _ = l.Ping() }()
			}
		}
	}()
	// Commits before LISTEN took effect are read by the first read.
	poke()
	return heard
}
