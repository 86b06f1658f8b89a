package lists

import (
	"context"
	"log/slog"
	"time"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/write"
)

// A dynamic list whose filter holds a duration from now ("not contacted
// in 90 days": lastcontacted LT "-P90D") changes as time passes, with no
// write: a record crosses the line when the clock does. The writes keep
// such a list current for the records they change; the pass below does it
// for the rest, set-based, once per interval.

// AdvisoryLockClass is the first key of the PostgreSQL advisory lock under
// which one server process at a time runs the pass of a workspace (the
// workspace id is the second key). "LIST" in ASCII.
const AdvisoryLockClass = 0x4c495354

// DefaultRefresh is how often the pass runs unless configured.
const DefaultRefresh = time.Minute

// RefreshRelative brings the dynamic lists of a workspace whose filters
// hold a duration from now to what their filters say at this moment,
// with the lists that read them, in one transaction. Records that join
// get addedAt now. On PostgreSQL one server process at a time does it,
// under an advisory lock held until the transaction ends: another process
// finding it taken skips the pass. ran reports whether this call did it.
func (s *Store) RefreshRelative(ctx context.Context, workspaceID int) (ran bool, err error) {
	m, err := s.defs.Get(ctx, workspaceID)
	if err != nil {
		return false, err
	}
	if len(s.plans.get(m).relative()) == 0 {
		return false, nil
	}
	err = s.w.Records(ctx, m, write.Options{}, func(tx *write.Tx) error {
		ran = false
		if tx.Dialect.WritesInWith() {
			var locked bool
			err := db.Build(tx.Dialect, "SELECT pg_try_advisory_xact_lock(").Arg(AdvisoryLockClass).T(", ").Arg(workspaceID).T(")").
				Row(ctx, tx, &locked)
			if err != nil || !locked {
				return err
			}
		}
		ran = true
		p := s.plans.get(tx.Model)
		var targets []target
		for _, g := range p.relative() {
			c, err := g.filterNow(tx.Model)
			if err != nil {
				continue // broken since the plan was made
			}
			targets = append(targets, target{list: g.list, filter: c, set: everyRecord()})
		}
		changed, err := s.evaluate(ctx, tx, targets)
		if err != nil || len(changed) == 0 {
			return err
		}
		return s.follow(ctx, tx, p, &seeds{lists: changed})
	})
	return ran, err
}

// KeepRelativeCurrent runs RefreshRelative for every workspace every
// interval until ctx ends (the workspaces are read at each pass, so that
// one made meanwhile is included). A failed pass is logged; the next one
// runs as planned.
func (s *Store) KeepRelativeCurrent(ctx context.Context, every time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		ids, err := s.db.Client.Workspace.Query().IDs(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Error("relative lists pass: the workspaces could not be read", "error", err)
		}
		for _, workspaceID := range ids {
			start := time.Now()
			ran, err := s.RefreshRelative(ctx, workspaceID)
			switch {
			case err != nil && ctx.Err() == nil:
				logger.Error("relative lists pass failed", "workspace", workspaceID, "error", err)
			case ran:
				logger.Debug("relative lists pass", "workspace", workspaceID, "took", time.Since(start).Round(time.Millisecond))
			}
		}
	}
}
