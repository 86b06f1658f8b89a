package graph_test

// Webhooks are definitions (meta.Webhook): a write matches its events
// against the cached ones, and a change of one moves the schema version on.

import (
	"fmt"
	"regexp"
	"sync"
	"testing"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

// webhooksTable is a statement that reads or writes the webhooks table
// itself (not webhook_events).
var webhooksTable = regexp.MustCompile(`\bwebhooks\b`)

// outboxOf counts the events waiting in the outbox for record r.
func (a *api) outboxOf(r recordJSON) int {
	a.t.Helper()
	var n int
	if err := db.Build(a.d.Dialect, "SELECT COUNT(*) FROM webhook_events WHERE record_id = ").Arg(r.RecordID).Row(a.t.Context(), a.d.SQL, &n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// TestWebhookWriteSendsNoWebhookStatement: a write to a workspace with
// webhooks reads none of them: a write no webhook hears sends as many
// statements as one to a workspace without webhooks, and a write one hears
// adds its outbox rows without a statement on the webhooks table.
func TestWebhookWriteSendsNoWebhookStatement(t *testing.T) {
	eachCounting(t, func(t *testing.T, a *api) {
		a = a.privateTargets()
		a.counter.Keep = true
		write := func(email string) (recordJSON, []string) {
			t.Helper()
			a.create("contacts", map[string]any{"email": "warm-" + email}) // reads the definitions as they now are
			a.counter.Reset()
			r := a.create("contacts", map[string]any{"email": email})
			return r, a.counter.Statements()
		}
		_, none := write("none@acme.io")
		a.createWebhook("http://127.0.0.1:1/", []string{"RECORD_CREATED"}, []string{"companies"})
		deaf, sent := write("deaf@acme.io")
		if len(sent) != len(none) || a.outboxOf(deaf) != 0 {
			t.Fatalf("a write no webhook hears sent %d statements (%d without webhooks), %d events:\n%v", len(sent), len(none), a.outboxOf(deaf), sent)
		}
		a.createWebhook("http://127.0.0.1:1/", []string{"RECORD_CREATED"}, nil)
		heard, sent := write("heard@acme.io")
		if a.outboxOf(heard) != 1 {
			t.Fatalf("%d events of a write a webhook hears, want 1", a.outboxOf(heard))
		}
		for _, s := range sent {
			if webhooksTable.MatchString(s) {
				t.Fatalf("a write sent a statement on the webhooks: %s", s)
			}
		}
	})
}

// TestWebhookChangeHeardByTheNextWrite: a webhook created, changed or
// deleted through one server process is what the very next write hears,
// through the same process and through another over the same database
// (its own pool, definitions cache and listening connection), each holding
// the definitions from before the change.
func TestWebhookChangeHeardByTheNextWrite(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			shared := dbtest.URL(t, dialect)
			a := newAPI(t, dbtest.OpenURL(t, shared), nil).privateTargets()
			b := newAPI(t, dbtest.OpenURL(t, shared), nil)
			n := 0
			// heard writes a record through each server, each having just
			// written one (its definitions cached), and checks how many
			// events each left in the outbox.
			heard := func(step string, want int) {
				t.Helper()
				for i, s := range []*api{a, b} {
					n++
					r := s.create("contacts", map[string]any{"email": fmt.Sprintf("w%d@acme.io", n)})
					if got := s.outboxOf(r); got != want {
						t.Fatalf("%s: a write through server %d left %d events, want %d", step, i+1, got, want)
					}
				}
			}
			heard("no webhook", 0)
			hook, _ := a.createWebhook("http://127.0.0.1:1/", []string{"RECORD_CREATED"}, nil)
			heard("created", 1)
			a.ok(`mutation($id: ID!) { updateWebhook(input: {id: $id, events: [RECORD_UPDATED]}) { webhook { id } } }`, map[string]any{"id": hook.ID}, nil)
			heard("no longer hearing creations", 0)
			a.ok(`mutation($id: ID!) { updateWebhook(input: {id: $id, events: [RECORD_CREATED, RECORD_UPDATED]}) { webhook { id } } }`, map[string]any{"id": hook.ID}, nil)
			heard("hearing them again", 1)
			a.createWebhook("http://127.0.0.1:1/", []string{"RECORD_CREATED"}, []string{"contacts"})
			heard("a second", 2)
			a.ok(`mutation($id: ID!) { deleteWebhook(input: {id: $id}) { webhook { id } } }`, map[string]any{"id": hook.ID}, nil)
			heard("the first deleted", 1)
		})
	}
}

// TestWebhookDeletionRacingWrites: a webhook deleted while writes that it
// hears run, through another server process whose definitions have it,
// never fails a write (it failed the writes between the outbox's read of
// the webhooks and its INSERT with a foreign-key violation); every event
// left in the outbox is of a webhook that still exists.
func TestWebhookDeletionRacingWrites(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a = a.privateTargets()
		b := a.secondServer()
		const writers = 6
		for round := range 50 {
			hook, _ := a.createWebhook("http://127.0.0.1:1/", []string{"RECORD_CREATED", "RECORD_UPDATED"}, nil)
			b.ok(`{ objectTypes { name } }`, nil, nil) // b reads the definitions with the webhook
			var wg sync.WaitGroup
			answers := make([]*response, writers+1)
			for i := range writers {
				wg.Go(func() {
					answers[i] = b.do(createMutation, map[string]any{"t": "contacts", "p": map[string]any{"email": fmt.Sprintf("r%d-%d@acme.io", round, i)}})
				})
			}
			wg.Go(func() {
				answers[writers] = a.do(`mutation($id: ID!) { deleteWebhook(input: {id: $id}) { webhook { id } } }`, map[string]any{"id": hook.ID})
			})
			wg.Wait()
			for i, resp := range answers {
				if len(resp.Errors) > 0 {
					t.Fatalf("round %d, request %d answered %+v", round, i, resp.Errors)
				}
			}
		}
		var orphans int
		if err := db.Build(a.d.Dialect, "SELECT COUNT(*) FROM webhook_events e WHERE NOT EXISTS (SELECT 1 FROM webhooks h WHERE h.id = e.webhook_id)").
			Row(t.Context(), a.d.SQL, &orphans); err != nil {
			t.Fatal(err)
		}
		if orphans > 0 {
			t.Fatalf("%d events of deleted webhooks", orphans)
		}
	})
}
