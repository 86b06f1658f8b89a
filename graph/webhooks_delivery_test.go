package graph_test

// The tests of webhook delivery: retries, order, batches, restarts,
// replicas (harness: webhooks_test.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/crm/ent/webhookevent"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/webhooks"
)

// TestWebhookRetriesThenDelivers: a receiver that fails the first two
// requests gets the event again after the backoff (the worker's clock
// moved, not waited for), then takes it; every request is signed, carries
// the same event id, and is kept with its status, error and answer.
func TestWebhookRetriesThenDelivers(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, func(n int) int { return map[bool]int{true: 500, false: 200}[n < 2] })
		a = a.privateTargets()
		_, secret := a.createWebhook(rcv.srv.URL+"/hook?token=x", []string{"RECORD_CREATED"}, nil)
		if !strings.HasPrefix(secret, webhooks.SecretPrefix) {
			t.Errorf("secret %q lacks the prefix %s", secret, webhooks.SecretPrefix)
		}
		c := a.create("contacts", map[string]any{"email": "ada@example.com", "firstname": "Ada"})
		clk := newTestClock()
		w := worker(a.d, clk)
		deliver(t, w, 1)
		deliver(t, w, 0) // the backoff is not over
		clk.advance(time.Hour)
		deliver(t, w, 1)
		clk.advance(time.Hour)
		deliver(t, w, 1)
		clk.advance(time.Hour)
		deliver(t, w, 0)

		reqs := rcv.requests()
		checkSigned(t, reqs, secret)
		for i, r := range reqs {
			if len(r.events) != 1 {
				t.Fatalf("request %d carried %d events, want 1", i, len(r.events))
			}
			e := r.events[0]
			if e.EventID != reqs[0].events[0].EventID || e.Type != webhooks.RecordCreated || e.RecordID != c.RecordID || e.ID != c.ID || e.ObjectType != "contacts" {
				t.Errorf("request %d: event %+v", i, e)
			}
			var values map[string]any
			if err := json.Unmarshal(e.Properties, &values); err != nil || values["email"] != "ada@example.com" {
				t.Errorf("request %d: values %s", i, e.Properties)
			}
		}
		ds := a.deliveries(10)
		if len(ds) != 3 {
			t.Fatalf("%d deliveries, want 3", len(ds))
		}
		if !ds[0].Succeeded || ds[0].StatusCode == nil || *ds[0].StatusCode != 200 || ds[0].Error != nil || ds[0].Response != "answer 2" {
			t.Errorf("newest delivery %+v, want the success", ds[0])
		}
		for _, d := range ds[1:] {
			if d.Succeeded || d.StatusCode == nil || *d.StatusCode != 500 || d.Error == nil || !strings.HasPrefix(d.Response, "answer ") {
				t.Errorf("delivery %+v, want a failure with status 500", d)
			}
			if !slices.Equal(d.EventIDs, ds[0].EventIDs) {
				t.Errorf("delivery carried %v, the success %v", d.EventIDs, ds[0].EventIDs)
			}
		}
		// Paging: two, then the third.
		var page struct {
			Webhooks []struct {
				Deliveries struct {
					Edges    []struct{ Node deliveryJSON } `json:"edges"`
					PageInfo struct {
						HasNextPage bool   `json:"hasNextPage"`
						EndCursor   string `json:"endCursor"`
					} `json:"pageInfo"`
				} `json:"deliveries"`
			} `json:"webhooks"`
		}
		q := `query($after: String) { webhooks { deliveries(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`
		a.ok(q, nil, &page)
		p := page.Webhooks[0].Deliveries
		if len(p.Edges) != 2 || !p.PageInfo.HasNextPage || p.Edges[0].Node.ID != ds[0].ID {
			t.Fatalf("first page %+v", p)
		}
		a.ok(q, map[string]any{"after": p.PageInfo.EndCursor}, &page)
		if p := page.Webhooks[0].Deliveries; len(p.Edges) != 1 || p.PageInfo.HasNextPage || p.Edges[0].Node.ID != ds[2].ID {
			t.Fatalf("second page %+v", p)
		}
	})
}

// TestWebhookFailsAfterRetryFor: a receiver that always fails is tried
// for 24 hours and no longer; the event is then failed, and redeliver
// sends it again on demand.
func TestWebhookFailsAfterRetryFor(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var ok sync.Mutex
		healthy := false
		rcv := newReceiver(t, func(int) int {
			ok.Lock()
			defer ok.Unlock()
			return map[bool]int{true: 200, false: 503}[healthy]
		})
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"RECORD_CREATED"}, nil)
		a.create("contacts", map[string]any{"email": "ada@example.com"})
		clk := newTestClock()
		start := clk.Now()
		w := worker(a.d, clk)
		for range 30 {
			if _, err := w.DeliverDue(t.Context()); err != nil {
				t.Fatal(err)
			}
			clk.advance(time.Hour)
		}
		n := len(rcv.requests())
		ev, err := a.d.Client.WebhookEvent.Query().Only(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if ev.Status != webhookevent.StatusFAILED || ev.Attempts != n {
			t.Fatalf("event %s after %d attempts, %d requests: want FAILED after each", ev.Status, ev.Attempts, n)
		}
		ds := a.deliveries(100)
		if len(ds) != n || n < 20 {
			t.Fatalf("%d deliveries for %d requests", len(ds), n)
		}
		deadline := ev.CreatedAt.Add(webhooks.DefaultRetryFor)
		if last := ds[0].AttemptedAt; last.Before(deadline) || last.After(deadline.Add(time.Hour)) {
			t.Errorf("last attempt at %s, want at the 24 hours' end %s", last.Sub(start), deadline.Sub(start))
		}
		if ds[1].AttemptedAt.After(deadline) {
			t.Errorf("attempt at %s after the 24 hours", ds[1].AttemptedAt.Sub(start))
		}
		clk.advance(10 * time.Hour)
		deliver(t, w, 0)

		ok.Lock()
		healthy = true
		ok.Unlock()
		var out struct{ Redeliver deliveryJSON }
		a.ok(`mutation($id: ID!) { redeliver(deliveryId: $id) { `+deliveryFields+` } }`, map[string]any{"id": ds[0].ID}, &out)
		if !out.Redeliver.Succeeded || !out.Redeliver.Redelivery || !slices.Equal(out.Redeliver.EventIDs, ds[0].EventIDs) {
			t.Errorf("redelivery %+v", out.Redeliver)
		}
		if ev, err = a.d.Client.WebhookEvent.Query().Only(t.Context()); err != nil || ev.Status != webhookevent.StatusDELIVERED {
			t.Errorf("event %v after the redelivery (%v), want DELIVERED", ev.Status, err)
		}
		a.fails(`mutation { redeliver(deliveryId: "nope") { id } }`, nil, "BAD_USER_INPUT", "")
	})
}

// TestWebhookBatchesInOrder: 212 events go in requests of at most 100,
// in the order they were written; a failed request is sent again, the
// same events first, before any later one; the events of one record
// arrive in order.
func TestWebhookBatchesInOrder(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, func(n int) int { return map[bool]int{true: 500, false: 200}[n == 0] })
		a = a.privateTargets()
		_, secret := a.createWebhook(rcv.srv.URL, []string{"RECORD_CREATED", "RECORD_UPDATED"}, []string{"contacts"})
		createContacts(a, 150)
		first := a.create("contacts", map[string]any{"email": "first@example.com"})
		for i := range 2 {
			a.ok(`mutation($id: ID!, $p: JSON!) { updateRecord(input: {id: $id, properties: $p}) { record { id } } }`,
				map[string]any{"id": first.ID, "p": map[string]any{"firstname": fmt.Sprint("v", i)}}, nil)
		}
		createContacts(a, 59)
		a.create("companies", map[string]any{"name": "Acme"}) // not of the webhook's object types
		clk := newTestClock()
		w := worker(a.d, clk)
		deliver(t, w, 1)
		clk.advance(time.Hour)
		deliver(t, w, 3)

		reqs := rcv.requests()
		checkSigned(t, reqs, secret)
		ids := func(r received) []string {
			var out []string
			for _, e := range r.events {
				out = append(out, e.EventID)
			}
			return out
		}
		if !slices.Equal(ids(reqs[0]), ids(reqs[1])) {
			t.Errorf("the retry carried other events than the failed request")
		}
		var all []webhooks.Event
		for i, r := range reqs[1:] {
			if len(r.events) > webhooks.MaxBatch {
				t.Errorf("request %d carried %d events", i, len(r.events))
			}
			all = append(all, r.events...)
		}
		if len(all) != 150+1+2+59 {
			t.Fatalf("%d events delivered, want 212", len(all))
		}
		var ofFirst []webhooks.EventType
		for i, e := range all {
			if i > 0 {
				prev, _ := strconv.Atoi(all[i-1].EventID)
				cur, _ := strconv.Atoi(e.EventID)
				if cur <= prev {
					t.Fatalf("event %d (id %d) after id %d: out of order", i, cur, prev)
				}
			}
			if e.ObjectType != "contacts" {
				t.Errorf("event of %s delivered to a contacts webhook", e.ObjectType)
			}
			if e.RecordID == first.RecordID {
				ofFirst = append(ofFirst, e.Type)
			}
		}
		if want := []webhooks.EventType{webhooks.RecordCreated, webhooks.RecordUpdated, webhooks.RecordUpdated}; !slices.Equal(ofFirst, want) {
			t.Errorf("the events of one record arrived as %v, want %v", ofFirst, want)
		}
	})
}

func createContacts(a *api, n int) {
	a.t.Helper()
	inputs := make([]map[string]any, n)
	for i := range inputs {
		inputs[i] = map[string]any{"properties": map[string]any{"email": fmt.Sprintf("c%d-%d@example.com", n, i)}}
	}
	var out struct {
		CreateRecords struct{ Written int } `json:"createRecords"`
	}
	a.ok(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { written } }`, map[string]any{"in": inputs}, &out)
	if out.CreateRecords.Written != n {
		a.t.Fatalf("wrote %d records, want %d", out.CreateRecords.Written, n)
	}
}

// TestWebhookDeliversAfterRestart: writes committed while no worker ran
// (the server killed between commit and delivery) are delivered by a
// worker of another process started afterwards.
func TestWebhookDeliversAfterRestart(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			u := dbtest.URL(t, dialect)
			a := newAPI(t, dbtest.OpenURL(t, u), nil).privateTargets()
			rcv := newReceiver(t, always(200))
			a.createWebhook(rcv.srv.URL, []string{"RECORD_CREATED"}, nil)
			createContacts(a, 3)
			later := dbtest.OpenURL(t, u)
			deliver(t, worker(later, newTestClock()), 1)
			if reqs := rcv.requests(); len(reqs[0].events) != 3 {
				t.Errorf("%d events delivered, want 3", len(reqs[0].events))
			}
		})
	}
}

// TestWebhookTwoWorkers: two processes delivering from one PostgreSQL
// never send the same event twice.
func TestWebhookTwoWorkers(t *testing.T) {
	u := dbtest.URL(t, "postgres")
	a := newAPI(t, dbtest.OpenURL(t, u), nil).privateTargets()
	rcv := newReceiver(t, always(200))
	for range 3 {
		a.createWebhook(rcv.srv.URL, []string{"RECORD_CREATED"}, nil)
	}
	createContacts(a, 250)
	createContacts(a, 70)
	workers := []*webhooks.Store{worker(dbtest.OpenURL(t, u), newTestClock()), worker(dbtest.OpenURL(t, u), newTestClock())}
	var wg sync.WaitGroup
	counts := make([]int, len(workers))
	for i, w := range workers {
		wg.Go(func() {
			for range 5 {
				n, err := w.DeliverDue(t.Context())
				if err != nil {
					t.Errorf("worker %d: %v", i, err)
				}
				counts[i] += n
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, r := range rcv.requests() {
		hook := r.header.Get(webhooks.WebhookHeader)
		for _, e := range r.events {
			seen[hook+"/"+e.EventID]++
		}
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("event %s delivered %d times", k, n)
		}
	}
	if len(seen) != 3*320 {
		t.Errorf("%d events delivered, want %d", len(seen), 3*320)
	}
	t.Logf("requests per worker: %v", counts)
}

// TestWebhookSlowReceiver: a receiver that does not answer holds its own
// webhook's delivery, not another's.
func TestWebhookSlowReceiver(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		release, reached := make(chan struct{}), make(chan struct{}, 1)
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
		defer slow.Close()
		defer close(release)
		fast := newReceiver(t, func(int) int {
			reached <- struct{}{}
			return 200
		})
		a = a.privateTargets()
		a.createWebhook(slow.URL, []string{"RECORD_CREATED"}, nil)
		a.createWebhook(fast.srv.URL, []string{"RECORD_CREATED"}, nil)
		a.create("contacts", map[string]any{"email": "ada@example.com"})
		w := worker(a.d, newTestClock())
		done := make(chan error, 1)
		go func() {
			_, err := w.DeliverDue(context.Background())
			done <- err
		}()
		select {
		case <-reached:
		case err := <-done:
			t.Fatalf("the worker stopped (%v) before the fast receiver got its event", err)
		}
		release <- struct{}{}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestWebhookWriteDoesNotWaitForDelivery: while a worker posts to a
// receiver that does not answer, a write adding an event for the same
// webhook goes through (on PostgreSQL the worker holds the webhook's row,
// which the event's foreign key refers to).
func TestWebhookWriteDoesNotWaitForDelivery(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		release, reached := make(chan struct{}), make(chan struct{}, 1)
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached <- struct{}{}
			<-release
		}))
		defer slow.Close()
		a = a.privateTargets()
		a.createWebhook(slow.URL, []string{"RECORD_CREATED"}, nil)
		a.create("contacts", map[string]any{"email": "ada@example.com"})
		w := worker(a.d, newTestClock())
		done := make(chan error, 1)
		go func() {
			_, err := w.DeliverDue(context.Background())
			done <- err
		}()
		<-reached
		wrote := make(chan struct{})
		go func() {
			defer close(wrote)
			a.create("contacts", map[string]any{"email": "bob@example.com"})
		}()
		select {
		case <-wrote:
			select {
			case <-done:
				t.Error("the write went through only once the delivery had given up")
			default:
			}
		case <-time.After(30 * time.Second):
			t.Error("a write waited for the delivery in progress")
		}
		close(release)
		<-done
		<-wrote
	})
}
