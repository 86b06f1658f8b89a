// Package webhooks owns the webhooks of a workspace: what they receive,
// the outbox their events wait in, and the worker that posts them.
//
// Events are written to the outbox (webhook_events) in the transaction of
// the write that made them (Outbox; an import's end: ImportEnded), each
// with the body its receiver will get: a committed write is delivered
// however soon the server stops after it, a rolled-back one never is. The
// outbox is the webhooks' own, not the change log (package events), whose
// rows carry no values and are pruned whatever webhooks still owe: an
// event must carry the values of a record as the write left them (a
// deleted record's, which nothing else keeps). A worker (Run) in every
// server process posts them, at most 100 to a request, signed with the
// webhook's secret (Sign), in the order they were written: a webhook's
// next request waits until the one before succeeded or its events were
// given up, so the events of one record reach the receiver in order. A failed request is
// tried again after a backoff that doubles, with jitter, for RetryFor
// (24 hours); its events are then marked failed. On PostgreSQL a worker
// holds the row of the webhook it posts to (FOR NO KEY UPDATE SKIP LOCKED,
// which writes adding events for it do not wait for) until it recorded the
// outcome, so that no two processes post the same events;
// on SQLite one process serves. Every request is kept (Deliveries) and
// may be sent again (Redeliver).
//
// Targets: only http(s) URLs, and none on a loopback, private, link-local,
// unspecified or multicast address, checked when the webhook is made and
// at every connection (the dialer's Control hook), unless the server
// allows private targets.
package webhooks

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/acme/crm/ent"
	entwebhook "github.com/acme/crm/ent/webhook"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/write"
)

// SecretPrefix starts every signing secret, so that one pasted where it
// should not be is recognised.
const SecretPrefix = "whsec_"

// secretBytes is the signing secret's randomness.
const secretBytes = 32

// Defaults of Config.
const (
	DefaultRetryFor = 24 * time.Hour
	DefaultTimeout  = 10 * time.Second
	DefaultKeep     = 7 * 24 * time.Hour
	DefaultPoll     = time.Second
	// DefaultConcurrency is Config.Concurrency's default.
	DefaultConcurrency = 4
)

// Config says how webhooks are checked and delivered. Zero fields take
// the defaults.
type Config struct {
	// AllowPrivateTargets lets webhooks reach loopback and private
	// addresses (WEBHOOK_ALLOW_PRIVATE_TARGETS): for tests and trusted
	// networks only.
	AllowPrivateTargets bool
	// RetryFor is how long an event is tried before it is marked failed.
	RetryFor time.Duration
	// Timeout bounds one request.
	Timeout time.Duration
	// Keep is how long delivered and failed events and the record of
	// requests are kept.
	Keep time.Duration
	// Poll is how often the worker looks for due events.
	Poll time.Duration
	// Concurrency is how many webhooks one process posts to at once: a
	// slow receiver holds one of them, not the others' events.
	Concurrency int
	// Now is the clock retries are scheduled by; clock.Now unless set.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	c.RetryFor = cmp.Or(c.RetryFor, DefaultRetryFor)
	c.Timeout = cmp.Or(c.Timeout, DefaultTimeout)
	c.Keep = cmp.Or(c.Keep, DefaultKeep)
	c.Poll = cmp.Or(c.Poll, DefaultPoll)
	c.Concurrency = cmp.Or(c.Concurrency, DefaultConcurrency)
	if c.Now == nil {
		c.Now = clock.Now
	}
	return c
}

// Store manages and delivers the webhooks of one database.
type Store struct {
	db  *db.DB
	cfg Config
	out *sender
	// w writes the changes of webhooks, definitions (meta.Webhook): a
	// unit of its own, since they change no record for hooks to follow.
	w *write.Unit

	// claiming guards busy, the webhooks this process is posting to: on
	// SQLite what keeps two of its goroutines from posting the same
	// events (PostgreSQL's row locks do it between processes).
	claiming sync.Mutex
	busy     map[int]bool
}

// New returns the store of d.
func New(d *db.DB, cfg Config) *Store {
	cfg = cfg.withDefaults()
	return &Store{db: d, cfg: cfg, out: newSender(cfg), w: write.New(d), busy: map[int]bool{}}
}

// Webhook is a webhook as the API shows it: never its secret.
type Webhook struct {
	ID          int
	WorkspaceID int
	URL         string
	Events      []EventType
	// ObjectTypes are the names of the object types it receives the
	// events of; empty: every one.
	ObjectTypes []string
	CreatedAt   time.Time
}

// GlobalID is the webhook's opaque id.
func (w *Webhook) GlobalID() string { return gid.Encode(gid.Webhook, w.ID) }

// Input is a webhook to make, or the changes of one: a nil field keeps
// what the webhook has (Update).
type Input struct {
	URL    *string
	Events []EventType
	// ObjectTypes are names of object types; empty: every one.
	ObjectTypes *[]string
}

// spec is Input checked.
type spec struct {
	url         string
	events      []string
	objectTypes []int
}

// check checks in against m, into what to store; what in leaves nil stays
// empty (Update keeps the webhook's). It runs before the change's
// transaction: checking a URL may ask the resolver, which the
// workspace's writes should not wait for.
func (s *Store) check(ctx context.Context, m *meta.Model, in Input) (spec, error) {
	var out spec
	if in.URL != nil {
		u, err := checkURL(ctx, *in.URL, s.cfg.AllowPrivateTargets)
		if err != nil {
			return out, err
		}
		out.url = u
	}
	if in.Events != nil {
		if len(in.Events) == 0 {
			return out, apierr.Invalid("events", "a webhook needs at least one event type")
		}
		for _, e := range in.Events {
			if !e.Valid() {
				return out, apierr.Invalid("events", "%q is not an event type", e)
			}
			if !slices.Contains(out.events, string(e)) {
				out.events = append(out.events, string(e))
			}
		}
	}
	if in.ObjectTypes != nil {
		out.objectTypes = []int{}
		for _, name := range *in.ObjectTypes {
			ot, ok := m.ObjectType(name)
			if !ok {
				return out, apierr.Invalid("objectTypes", "no object type %q", name)
			}
			if !slices.Contains(out.objectTypes, ot.ID) {
				out.objectTypes = append(out.objectTypes, ot.ID)
			}
		}
	}
	return out, nil
}

// change runs fn as a change of the definitions of m's workspace
// (write.Unit.Definitions), recording the audit entry change names once
// fn succeeded: every write after it, on any server process, matches its
// events against the webhooks as fn left them.
func (s *Store) change(ctx context.Context, m *meta.Model, change func() audit.Change, fn func(tx *write.Tx) error) error {
	return s.w.Definitions(ctx, m, write.Audited(ctx, change, fn))
}

// Create makes a webhook of m's workspace and returns it with its signing
// secret, which is never shown again.
func (s *Store) Create(ctx context.Context, m *meta.Model, in Input) (*Webhook, string, error) {
	if in.URL == nil || in.Events == nil {
		return nil, "", apierr.New(apierr.BadUserInput, "a webhook needs a url and event types")
	}
	if in.ObjectTypes == nil {
		in.ObjectTypes = &[]string{}
	}
	sp, err := s.check(ctx, m, in)
	if err != nil {
		return nil, "", err
	}
	raw := make([]byte, secretBytes)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	secret := SecretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	var row *ent.Webhook
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.CreateWebhook, gid.Webhook, row.ID, "created webhook to %s for %s", hostOf(sp.url), strings.Join(sp.events, ", "))
	}, func(tx *write.Tx) error {
		var err error
		row, err = tx.Webhook.Create().SetWorkspaceID(m.WorkspaceID).SetURL(sp.url).SetEventTypes(sp.events).
			SetObjectTypeIds(sp.objectTypes).SetSecret(secret).Save(ctx)
		if err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return webhookOf(m, row), secret, nil
}

// hostOf is the host of a checked URL: what the audit trail names (a
// URL's path and query may hold a receiver's token).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// List returns the webhooks of m's workspace, oldest first.
func (s *Store) List(ctx context.Context, m *meta.Model) ([]*Webhook, error) {
	rows, err := s.db.Client.Webhook.Query().Where(entwebhook.WorkspaceID(m.WorkspaceID)).Order(ent.Asc(entwebhook.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Webhook, len(rows))
	for i, r := range rows {
		out[i] = webhookOf(m, r)
	}
	return out, nil
}

// find reads webhook id of the write's workspace.
func find(ctx context.Context, tx *write.Tx, id int) (*ent.Webhook, error) {
	row, err := tx.Webhook.Query().Where(entwebhook.WorkspaceID(tx.Model.WorkspaceID), entwebhook.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "no webhook %s", gid.Encode(gid.Webhook, id))
	}
	return row, err
}

// Update changes webhook id of m's workspace as in says.
func (s *Store) Update(ctx context.Context, m *meta.Model, id int, in Input) (*Webhook, error) {
	sp, err := s.check(ctx, m, in)
	if err != nil {
		return nil, err
	}
	var row *ent.Webhook
	err = s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.UpdateWebhook, gid.Webhook, id, "updated webhook to %s for %s", hostOf(row.URL), strings.Join(row.EventTypes, ", "))
	}, func(tx *write.Tx) error {
		old, err := find(ctx, tx, id)
		if err != nil {
			return err
		}
		up := old.Update()
		if in.URL != nil {
			up.SetURL(sp.url)
		}
		if in.Events != nil {
			up.SetEventTypes(sp.events)
		}
		if in.ObjectTypes != nil {
			up.SetObjectTypeIds(sp.objectTypes)
		}
		if row, err = up.Save(ctx); err != nil {
			return fmt.Errorf("update webhook: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return webhookOf(m, row), nil
}

// Delete deletes webhook id of m's workspace, with its pending events and
// the record of its requests.
func (s *Store) Delete(ctx context.Context, m *meta.Model, id int) (*Webhook, error) {
	var row *ent.Webhook
	err := s.change(ctx, m, func() audit.Change {
		return audit.Of(audit.DeleteWebhook, gid.Webhook, id, "deleted webhook to %s", hostOf(row.URL))
	}, func(tx *write.Tx) error {
		var err error
		if row, err = find(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.Webhook.DeleteOne(row).Exec(ctx); err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return webhookOf(m, row), nil
}

func webhookOf(m *meta.Model, r *ent.Webhook) *Webhook {
	w := &Webhook{ID: r.ID, WorkspaceID: r.WorkspaceID, URL: r.URL, CreatedAt: r.CreatedAt.UTC(), ObjectTypes: []string{}}
	for _, e := range r.EventTypes {
		w.Events = append(w.Events, EventType(e))
	}
	for _, id := range r.ObjectTypeIds {
		if ot, ok := m.ObjectTypeByID(id); ok {
			w.ObjectTypes = append(w.ObjectTypes, ot.Name)
		}
	}
	return w
}
