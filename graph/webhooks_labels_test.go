package graph_test

// The webhook events of deleting an association label (harness:
// webhooks_test.go).

import (
	"fmt"
	"slices"
	"testing"

	"github.com/acme/crm/internal/webhooks"
)

// TestWebhookLabelDeleted: deleting a label with the associations that
// use it is one ASSOCIATION_REMOVED per pair and direction that lost it,
// with the label as that side sees it; a pair without it is no event.
func TestWebhookLabelDeleted(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(204))
		a = a.privateTargets()
		acme := a.create("companies", map[string]any{"name": "Acme"})
		ada := a.create("contacts", map[string]any{"firstname": "Ada"})
		bob := a.create("contacts", map[string]any{"firstname": "Bob"})
		cyd := a.create("contacts", map[string]any{"firstname": "Cyd"})
		id := a.labelPairs(acme, []recordJSON{ada, bob}, cyd)
		a.createWebhook(rcv.srv.URL, []string{"ASSOCIATION_ADDED", "ASSOCIATION_REMOVED"}, nil)
		a.deleteLabel(id, 4)
		deliver(t, worker(a.d, newTestClock()), 1)

		var got []string
		for _, e := range rcv.requests()[0].events {
			got = append(got, fmt.Sprintf("%s %s %s>%s %s %q", e.Type, e.ObjectType, e.RecordID, e.ToRecordID, e.ToObjectType, e.Labels))
		}
		slices.Sort(got) // the rows of one DELETE come in no set order
		event := func(from, to recordJSON, fromType, toType, label string) string {
			return fmt.Sprintf("%s %s %s>%s %s %q", webhooks.AssociationRemoved, fromType, from.RecordID, to.RecordID, toType, []string{label})
		}
		want := []string{
			event(acme, ada, "companies", "contacts", "Decision maker"), event(ada, acme, "contacts", "companies", "Decides for"),
			event(acme, bob, "companies", "contacts", "Decision maker"), event(bob, acme, "contacts", "companies", "Decides for"),
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("events\n got %q\nwant %q", got, want)
		}
	})
}
