package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/acme/crm/ent"
	entwebhook "github.com/acme/crm/ent/webhook"
	"github.com/acme/crm/ent/webhookdelivery"
	"github.com/acme/crm/ent/webhookevent"
	"github.com/acme/crm/internal/gid"
)

// Backoff of a failed request: the first retry after about baseBackoff,
// each next one after twice as long, at most maxBackoff; the wait is
// drawn between half of that and all of it, so that the receivers a
// failure caught together are not tried together again.
const (
	baseBackoff = 10 * time.Second
	maxBackoff  = time.Hour
)

// pruneEvery is how often Run prunes.
const pruneEvery = time.Hour

// backoff is the wait before the next attempt after the attempt-th
// failed.
func backoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt <= 20 {
		d = min(baseBackoff<<(attempt-1), maxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// Run delivers due events until ctx ends: at once, then every Poll; it
// prunes what is older than Keep every hour. A failure is logged and
// tried again at the next turn.
func (s *Store) Run(ctx context.Context, logger *slog.Logger) {
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	var pruned time.Time
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			logger.WarnContext(ctx, "webhook events could not be delivered", "error", err)
		}
		if time.Since(pruned) >= pruneEvery {
			pruned = time.Now()
			if err := s.Prune(ctx); err != nil && ctx.Err() == nil {
				logger.WarnContext(ctx, "webhook events could not be pruned", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// DeliverDue posts the due batches, to Concurrency webhooks at once, until
// none is due, and answers how many requests it made.
func (s *Store) DeliverDue(ctx context.Context) (int, error) {
	var wg sync.WaitGroup
	var n atomic.Int64
	errs := make([]error, s.cfg.Concurrency)
	for i := range s.cfg.Concurrency {
		wg.Go(func() {
			for {
				ok, err := s.deliverOne(ctx)
				if err != nil || !ok {
					errs[i] = err
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return int(n.Load()), errors.Join(errs...)
}

// claim is a due webhook and its next batch, held until done: on
// PostgreSQL in tx, which locks the webhook's row so that no other
// process posts its events meanwhile; on SQLite (one process, whose
// write transaction would lock the whole database while the request
// waits) without, tx nil.
type claim struct {
	tx     *ent.Tx
	hook   *ent.Webhook
	events []*ent.WebhookEvent
}

// claimDue claims the first due webhook: one with pending events whose
// last failed request's backoff is over. Nil when none is.
func (s *Store) claimDue(ctx context.Context, now time.Time) (*claim, error) {
	s.claiming.Lock()
	defer s.claiming.Unlock()
	c, err := s.claimFree(ctx, now)
	if c != nil {
		s.busy[c.hook.ID] = true
	}
	return c, err
}

// done ends c's claim in this process.
func (s *Store) done(c *claim) {
	s.claiming.Lock()
	defer s.claiming.Unlock()
	delete(s.busy, c.hook.ID)
}

// claimFree claims the first due webhook this process is not posting to.
func (s *Store) claimFree(ctx context.Context, now time.Time) (*claim, error) {
	c := &claim{}
	client := s.db.Client
	if s.db.Dialect.Name() == "postgres" {
		tx, err := s.db.Client.Tx(ctx)
		if err != nil {
			return nil, err
		}
		c.tx, client = tx, tx.Client()
	}
	q := client.Webhook.Query().Where(
		entwebhook.Or(entwebhook.RetryAtIsNil(), entwebhook.RetryAtLTE(now)),
		entwebhook.HasEventsWith(webhookevent.StatusEQ(webhookevent.StatusPENDING)),
		entwebhook.IDNotIn(slices.Collect(maps.Keys(s.busy))...),
	).Order(ent.Asc(entwebhook.FieldID)).Limit(1)
	if c.tx != nil {
		// NO KEY UPDATE, not UPDATE: a write adding an event for this
		// webhook (its foreign key takes KEY SHARE on the row) goes on
		// while the worker posts.
		q.Unique(false).Modify(func(s *entsql.Selector) { s.For(entsql.LockNoKeyUpdate, entsql.WithLockAction(entsql.SkipLocked)) })
	}
	var err error
	if c.hook, err = q.First(ctx); err == nil {
		c.events, err = client.WebhookEvent.Query().
			Where(webhookevent.WebhookID(c.hook.ID), webhookevent.StatusEQ(webhookevent.StatusPENDING)).
			Order(ent.Asc(webhookevent.FieldID)).Limit(MaxBatch).All(ctx)
	}
	if err != nil || len(c.events) == 0 {
		if c.tx != nil {
			_ = c.tx.Rollback()
		}
		if ent.IsNotFound(err) {
			err = nil
		}
		return nil, err
	}
	return c, nil
}

// deliverOne posts the batch of the first due webhook and records the
// outcome; false when none was due.
func (s *Store) deliverOne(ctx context.Context) (bool, error) {
	now := s.cfg.Now()
	c, err := s.claimDue(ctx, now)
	if err != nil || c == nil {
		return false, err
	}
	defer s.done(c)
	body, err := bodyOf(c.events)
	if err == nil {
		o := s.out.post(ctx, c.hook.URL, gid.Encode(gid.Webhook, c.hook.ID), c.hook.Secret, body, now)
		_, err = s.recorded(ctx, c.tx, func(tx *ent.Tx) (*ent.WebhookDelivery, error) {
			return s.record(ctx, tx, c, o)
		})
	} else if c.tx != nil {
		_ = c.tx.Rollback()
	}
	if err != nil {
		return false, fmt.Errorf("deliver to webhook %d: %w", c.hook.ID, err)
	}
	return true, nil
}

// recorded runs fn in tx, or in a transaction of its own when tx is nil,
// and commits.
func (s *Store) recorded(ctx context.Context, tx *ent.Tx, fn func(tx *ent.Tx) (*ent.WebhookDelivery, error)) (*ent.WebhookDelivery, error) {
	if tx == nil {
		var err error
		if tx, err = s.db.Client.Tx(ctx); err != nil {
			return nil, err
		}
	}
	d, err := fn(tx)
	if err != nil {
		return nil, errors.Join(err, tx.Rollback())
	}
	return d, tx.Commit()
}

// bodyOf is the request's body: the events, in order, each with its id.
func bodyOf(events []*ent.WebhookEvent) ([]byte, error) {
	out := make([]Event, len(events))
	for i, e := range events {
		if err := json.Unmarshal([]byte(e.Payload), &out[i]); err != nil {
			return nil, fmt.Errorf("webhook event %d: %w", e.ID, err)
		}
		out[i].EventID = strconv.Itoa(e.ID)
	}
	return json.Marshal(out)
}

// insertDelivery records the request that carried events.
func insertDelivery(ctx context.Context, tx *ent.Tx, hook *ent.Webhook, events []*ent.WebhookEvent, o outcome, redelivery bool) (*ent.WebhookDelivery, error) {
	ids := make([]int, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return tx.WebhookDelivery.Create().SetWorkspaceID(hook.WorkspaceID).SetWebhookID(hook.ID).SetEventIds(ids).
		SetAttemptedAt(o.at).SetNillableStatusCode(o.statusCode).SetLatencyMs(int(o.latency.Milliseconds())).
		SetResponse(o.response).SetError(o.err).SetSucceeded(o.succeeded()).SetRedelivery(redelivery).Save(ctx)
}

// record keeps the outcome of the request that carried c's batch: its
// events delivered; or tried once more, those tried for RetryFor failed,
// and the webhook's next attempt after the backoff of the oldest left.
func (s *Store) record(ctx context.Context, tx *ent.Tx, c *claim, o outcome) (*ent.WebhookDelivery, error) {
	d, err := insertDelivery(ctx, tx, c.hook, c.events, o, false)
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(c.events))
	for i, e := range c.events {
		ids[i] = e.ID
	}
	batch := tx.WebhookEvent.Update().Where(webhookevent.IDIn(ids...)).AddAttempts(1)
	if o.succeeded() {
		if err := batch.SetStatus(webhookevent.StatusDELIVERED).SetFinishedAt(o.at).Exec(ctx); err != nil {
			return nil, err
		}
		if err := stripErased(ctx, tx, c.events); err != nil {
			return nil, err
		}
		return d, tx.Webhook.UpdateOneID(c.hook.ID).ClearRetryAt().Exec(ctx)
	}
	if err := batch.Exec(ctx); err != nil {
		return nil, err
	}
	expired := o.at.Add(-s.cfg.RetryFor)
	if err := tx.WebhookEvent.Update().Where(webhookevent.IDIn(ids...), webhookevent.CreatedAtLTE(expired)).
		SetStatus(webhookevent.StatusFAILED).SetFinishedAt(o.at).Exec(ctx); err != nil {
		return nil, err
	}
	next := tx.Webhook.UpdateOneID(c.hook.ID).ClearRetryAt()
	for _, e := range c.events {
		if e.CreatedAt.After(expired) {
			at := o.at.Add(backoff(e.Attempts + 1))
			if deadline := e.CreatedAt.Add(s.cfg.RetryFor); at.After(deadline) {
				at = deadline
			}
			next = tx.Webhook.UpdateOneID(c.hook.ID).SetRetryAt(at)
			break
		}
	}
	return d, next.Exec(ctx)
}

// stripErased takes the values out of the RECORD_DELETED events among
// those just delivered: the server keeps nothing of an erased record once
// its receivers have it (a redelivery sends the event without them).
func stripErased(ctx context.Context, tx *ent.Tx, events []*ent.WebhookEvent) error {
	for _, e := range events {
		if EventType(e.Type) != RecordDeleted {
			continue
		}
		var ev Event
		if err := json.Unmarshal([]byte(e.Payload), &ev); err != nil {
			return err
		}
		ev.Properties = nil
		body, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if err := tx.WebhookEvent.UpdateOneID(e.ID).SetPayload(string(body)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Prune deletes the events delivered or failed, and the record of the
// requests made, longer than Keep ago.
func (s *Store) Prune(ctx context.Context) error {
	before := s.cfg.Now().Add(-s.cfg.Keep)
	if _, err := s.db.Client.WebhookEvent.Delete().Where(webhookevent.StatusNEQ(webhookevent.StatusPENDING), webhookevent.FinishedAtLT(before)).Exec(ctx); err != nil {
		return fmt.Errorf("prune webhook events: %w", err)
	}
	if _, err := s.db.Client.WebhookDelivery.Delete().Where(webhookdelivery.AttemptedAtLT(before)).Exec(ctx); err != nil {
		return fmt.Errorf("prune webhook deliveries: %w", err)
	}
	return nil
}
