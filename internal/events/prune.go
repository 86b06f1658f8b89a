package events

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
)

// DefaultRetention is how long the change log keeps an event unless the
// server is told otherwise: a subscriber that reconnects within it can be
// told what it missed; one away longer is told of a gap.
const DefaultRetention = 7 * 24 * time.Hour

// pruneBatch is how many of the oldest events one statement of Prune
// looks at.
const pruneBatch = 5000

// Prune deletes the events that occurred before before and answers how
// many it deleted. It walks the log from its oldest id, a batch at a
// time, and stops at the first batch holding a newer event: ids grow with
// time, so it reads little more than what it deletes, however long the
// log.
func Prune(ctx context.Context, d *db.DB, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := db.Build(d.Dialect, "DELETE FROM change_events WHERE id IN (SELECT id FROM change_events ORDER BY id LIMIT ").
			Arg(pruneBatch).T(") AND occurred_at < ").Arg(before).Exec(ctx, d.SQL)
		if err != nil {
			return total, fmt.Errorf("prune the change log: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}

// KeepFor prunes the events older than retention at once and then every
// tenth of it (at most hourly), until ctx ends; a failure is logged and
// tried again at the next turn.
func KeepFor(ctx context.Context, d *db.DB, retention time.Duration, logger *slog.Logger) {
	every := min(retention/10, time.Hour)
	for {
		n, err := Prune(ctx, d, clock.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			logger.WarnContext(ctx, "the change log could not be pruned", "error", err)
		case n > 0:
			logger.InfoContext(ctx, "change log pruned", "events", n, "older_than", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
