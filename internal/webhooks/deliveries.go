package webhooks

import (
	"context"
	"strconv"
	"time"

	"github.com/acme/crm/ent"
	entwebhook "github.com/acme/crm/ent/webhook"
	"github.com/acme/crm/ent/webhookdelivery"
	"github.com/acme/crm/ent/webhookevent"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/page"
)

// Delivery is one request made to a webhook.
type Delivery struct {
	ID        int
	WebhookID int
	// EventIDs are the ids of the events it carried, in order.
	EventIDs    []string
	AttemptedAt time.Time
	// StatusCode is the receiver's answer; nil when none came.
	StatusCode *int
	LatencyMs  int
	// Response is the start of the answer's body (at most 1 KiB).
	Response string
	// Error says why it failed; nil when it succeeded.
	Error      *string
	Succeeded  bool
	Redelivery bool
}

// GlobalID is the delivery's opaque id.
func (d *Delivery) GlobalID() string { return gid.Encode(gid.WebhookDelivery, d.ID) }

// DeliveryPage is a page of a webhook's deliveries, newest first.
type DeliveryPage struct {
	Deliveries []*Delivery
	Cursors    []string
	Info       page.Info
}

const deliveryOrdering = "webhook_deliveries"

// Deliveries returns a page of the requests made to webhook w, newest
// first.
func (s *Store) Deliveries(ctx context.Context, w *Webhook, args page.Args) (*DeliveryPage, error) {
	win, err := args.Resolve(deliveryOrdering)
	if err != nil {
		return nil, err
	}
	if win.Backward || win.Before != nil {
		return nil, apierr.New(apierr.BadUserInput, "deliveries are paged forwards only: pass first and after")
	}
	q := s.db.Client.WebhookDelivery.Query().
		Where(webhookdelivery.WorkspaceID(w.WorkspaceID), webhookdelivery.WebhookID(w.ID)).
		Order(ent.Desc(webhookdelivery.FieldID)).Limit(win.Size + 1)
	if win.After != nil {
		q.Where(webhookdelivery.IDLT(win.After.ID))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	cursor := func(r *ent.WebhookDelivery) string { return page.Encode(deliveryOrdering, page.Cursor{ID: r.ID}) }
	rows, info := page.Trim(win, rows, cursor)
	p := &DeliveryPage{Info: info}
	for _, r := range rows {
		p.Deliveries = append(p.Deliveries, deliveryOf(r))
		p.Cursors = append(p.Cursors, cursor(r))
	}
	return p, nil
}

// Redeliver sends the events of delivery id of the workspace again, now,
// whatever came of them, and returns the new delivery. When it succeeds,
// those of its events that had failed count as delivered. Events
// delivered or failed are kept for Keep: a delivery older than that can
// no longer be sent again.
func (s *Store) Redeliver(ctx context.Context, workspaceID, id int) (*Delivery, error) {
	old, err := s.db.Client.WebhookDelivery.Query().Where(webhookdelivery.WorkspaceID(workspaceID), webhookdelivery.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "no webhook delivery %s", gid.Encode(gid.WebhookDelivery, id))
	}
	if err != nil {
		return nil, err
	}
	hook, err := s.db.Client.Webhook.Query().Where(entwebhook.ID(old.WebhookID)).Only(ctx)
	if err != nil {
		return nil, err
	}
	events, err := s.db.Client.WebhookEvent.Query().Where(webhookevent.IDIn(old.EventIds...)).Order(ent.Asc(webhookevent.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	if len(events) != len(old.EventIds) {
		return nil, apierr.New(apierr.NotFound, "the events of webhook delivery %s are no longer kept", gid.Encode(gid.WebhookDelivery, id))
	}
	body, err := bodyOf(events)
	if err != nil {
		return nil, err
	}
	o := s.out.post(ctx, hook.URL, gid.Encode(gid.Webhook, hook.ID), hook.Secret, body, s.cfg.Now())
	d, err := s.recorded(ctx, nil, func(tx *ent.Tx) (*ent.WebhookDelivery, error) {
		d, err := insertDelivery(ctx, tx, hook, events, o, true)
		if err != nil || !o.succeeded() {
			return d, err
		}
		return d, tx.WebhookEvent.Update().Where(webhookevent.IDIn(old.EventIds...), webhookevent.StatusEQ(webhookevent.StatusFAILED)).
			SetStatus(webhookevent.StatusDELIVERED).SetFinishedAt(o.at).Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	return deliveryOf(d), nil
}

func deliveryOf(r *ent.WebhookDelivery) *Delivery {
	d := &Delivery{ID: r.ID, WebhookID: r.WebhookID, AttemptedAt: r.AttemptedAt.UTC(), StatusCode: r.StatusCode,
		LatencyMs: r.LatencyMs, Response: r.Response, Succeeded: r.Succeeded, Redelivery: r.Redelivery, EventIDs: make([]string, len(r.EventIds))}
	for i, id := range r.EventIds {
		d.EventIDs[i] = strconv.Itoa(id)
	}
	if r.Error != "" {
		d.Error = &r.Error
	}
	return d
}
