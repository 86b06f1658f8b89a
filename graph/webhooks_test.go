package graph_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/crm/ent/webhookevent"
	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/webhooks"
)

// verifySignature is the README's snippet (Webhooks, "Checking a
// request"), word for word: TestWebhookREADMESnippet keeps them the same.
func verifySignature(secret, header string, body []byte, now time.Time) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("no timestamp")
	}
	// Refuse what was signed more than 5 minutes away from now: a request
	// replayed later fails here.
	if age := now.Sub(time.Unix(sent, 0)); age > 5*time.Minute || age < -5*time.Minute {
		return errors.New("stale timestamp")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return errors.New("bad signature")
	}
	return nil
}

// TestWebhookREADMESnippet: the README's verification snippet is the
// function the tests check every request with.
func TestWebhookREADMESnippet(t *testing.T) {
	src, err := os.ReadFile("webhooks_test.go")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(src), "func verifySignature(")
	end := start + strings.Index(string(src[start:]), "\n}\n") + 3
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), string(src[start:end])) {
		t.Errorf("the README's verification snippet is not verifySignature as the tests have it:\n%s", src[start:end])
	}
}

// receiver is a webhook's receiver: it keeps every request, and answers
// the n-th (from 0) with status(n).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	status func(n int) int
}

type received struct {
	header http.Header
	body   []byte
	events []webhooks.Event
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	r := &receiver{status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			t.Errorf("read the request: %v", err)
		}
		var events []webhooks.Event
		if err := json.Unmarshal(body, &events); err != nil {
			t.Errorf("the body is not a JSON array of events: %v: %s", err, body)
		}
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, received{header: req.Header.Clone(), body: body, events: events})
		code := r.status(n)
		r.mu.Unlock()
		w.WriteHeader(code)
		fmt.Fprintf(w, "answer %d", n)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func always(code int) func(int) int { return func(int) int { return code } }

// testClock is the worker's clock, moved by the test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now().UTC()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// privateTargets is a whose webhooks may post to this machine (the
// receivers of the tests).
func (a *api) privateTargets() *api {
	return a.withConfig(graph.Config{Webhooks: webhooks.Config{AllowPrivateTargets: true}})
}

// worker is a delivering process over d, on clock c.
func worker(d *db.DB, c *testClock) *webhooks.Store {
	return webhooks.New(d, webhooks.Config{AllowPrivateTargets: true, Now: c.Now})
}

// deliver runs w until nothing is due and checks it made want requests.
func deliver(t *testing.T, w *webhooks.Store, want int) {
	t.Helper()
	n, err := w.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("deliver: %v", err)
	}
	if n != want {
		t.Fatalf("the worker made %d requests, want %d", n, want)
	}
}

type webhookJSON struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	ObjectTypes []string `json:"objectTypes"`
}

// createWebhook makes a webhook and returns it with its secret.
func (a *api) createWebhook(url string, events, objectTypes []string) (webhookJSON, string) {
	a.t.Helper()
	var out struct {
		CreateWebhook struct {
			Webhook       webhookJSON `json:"webhook"`
			SigningSecret string      `json:"signingSecret"`
		} `json:"createWebhook"`
	}
	vars := map[string]any{"url": url, "events": events}
	if objectTypes != nil {
		vars["types"] = objectTypes
	}
	a.ok(`mutation($url: String!, $events: [WebhookEventType!]!, $types: [String!]) {
		createWebhook(input: {url: $url, events: $events, objectTypes: $types}) { webhook { id url events objectTypes } signingSecret } }`, vars, &out)
	return out.CreateWebhook.Webhook, out.CreateWebhook.SigningSecret
}

type deliveryJSON struct {
	ID          string    `json:"id"`
	EventIDs    []string  `json:"eventIds"`
	AttemptedAt time.Time `json:"attemptedAt"`
	StatusCode  *int      `json:"statusCode"`
	Response    string    `json:"response"`
	Error       *string   `json:"error"`
	Succeeded   bool      `json:"succeeded"`
	Redelivery  bool      `json:"redelivery"`
}

const deliveryFields = `id eventIds attemptedAt statusCode response error succeeded redelivery`

// deliveries are the newest deliveries of the workspace's only webhook.
func (a *api) deliveries(first int) []deliveryJSON {
	a.t.Helper()
	var out struct {
		Webhooks []struct {
			Deliveries struct {
				Edges []struct{ Node deliveryJSON } `json:"edges"`
			} `json:"deliveries"`
		} `json:"webhooks"`
	}
	a.ok(`query($first: Int) { webhooks { deliveries(first: $first) { edges { node { `+deliveryFields+` } } } } }`, map[string]any{"first": first}, &out)
	if len(out.Webhooks) != 1 {
		a.t.Fatalf("%d webhooks, want 1", len(out.Webhooks))
	}
	var ds []deliveryJSON
	for _, e := range out.Webhooks[0].Deliveries.Edges {
		ds = append(ds, e.Node)
	}
	return ds
}

// checkSigned checks every request is signed with secret.
func checkSigned(t *testing.T, reqs []received, secret string) {
	t.Helper()
	for i, r := range reqs {
		if err := verifySignature(secret, r.header.Get(webhooks.SignatureHeader), r.body, time.Now()); err != nil {
			t.Errorf("request %d: %v", i, err)
		}
		if err := verifySignature(secret+"x", r.header.Get(webhooks.SignatureHeader), r.body, time.Now()); err == nil {
			t.Errorf("request %d verifies with another secret", i)
		}
	}
}

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

// TestWebhookEventsCarryValues: an archive and a deletion carry the
// record's last values, a merge both ids, an association both ends and
// its labels; the types a webhook did not ask for are not sent.
func TestWebhookEventsCarryValues(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(204))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"RECORD_ARCHIVED", "RECORD_MERGED", "RECORD_DELETED", "ASSOCIATION_ADDED", "ASSOCIATION_REMOVED"}, nil)
		x := a.create("contacts", map[string]any{"email": "x@example.com", "firstname": "Xavier"})
		y := a.create("contacts", map[string]any{"email": "y@example.com", "firstname": "Yolanda"})
		z := a.create("contacts", map[string]any{"email": "z@example.com", "firstname": "Zoe"})
		co := a.create("companies", map[string]any{"name": "Acme"})
		a.ok(`mutation($from: ID!, $to: ID!) { associate(input: {from: $from, to: $to}) { from { id } } }`, map[string]any{"from": x.ID, "to": co.ID}, nil)
		a.ok(`mutation($from: ID!, $to: ID!) { disassociate(input: {from: $from, to: $to}) { from { id } } }`, map[string]any{"from": x.ID, "to": co.ID}, nil)
		a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": x.ID}, nil)
		a.ok(`mutation($p: ID!, $s: ID!) { mergeRecords(input: {primary: $p, secondary: $s}) { record { id } } }`, map[string]any{"p": y.ID, "s": z.ID}, nil)
		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { __typename } }`, map[string]any{"id": y.ID}, nil)
		deliver(t, worker(a.d, newTestClock()), 1)

		type seen struct {
			typ                            webhooks.EventType
			record, to, toType, mergedInto string
			firstname                      any
		}
		var got []seen
		for _, e := range rcv.requests()[0].events {
			s := seen{typ: e.Type, record: e.RecordID, to: e.ToRecordID, toType: e.ToObjectType, mergedInto: e.MergedInto}
			if e.Properties != nil {
				var values map[string]any
				if err := json.Unmarshal(e.Properties, &values); err != nil {
					t.Fatal(err)
				}
				s.firstname = values["firstname"]
			}
			got = append(got, s)
		}
		want := []seen{
			{typ: webhooks.AssociationAdded, record: x.RecordID, to: co.RecordID, toType: "companies"},
			{typ: webhooks.AssociationAdded, record: co.RecordID, to: x.RecordID, toType: "contacts"},
			{typ: webhooks.AssociationRemoved, record: x.RecordID, to: co.RecordID, toType: "companies"},
			{typ: webhooks.AssociationRemoved, record: co.RecordID, to: x.RecordID, toType: "contacts"},
			{typ: webhooks.RecordArchived, record: x.RecordID, firstname: "Xavier"},
			{typ: webhooks.RecordMerged, record: z.RecordID, mergedInto: y.RecordID, firstname: "Zoe"},
			{typ: webhooks.RecordDeleted, record: y.RecordID, firstname: "Yolanda"},
			{typ: webhooks.RecordDeleted, record: z.RecordID, firstname: "Zoe"},
		}
		if !slices.Equal(got, want) {
			t.Errorf("events\n got %+v\nwant %+v", got, want)
		}
	})
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

// TestWebhookTargets: a webhook on a loopback, private, link-local or
// unspecified address, or not http(s), is refused with BAD_USER_INPUT
// unless the server allows private targets, and so are unknown event and
// object types; nothing is written. A webhook made where private targets
// were allowed is still refused at connection by a worker that does not
// allow them.
func TestWebhookTargets(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		create := `mutation($url: String!, $events: [WebhookEventType!]!, $types: [String!]) {
			createWebhook(input: {url: $url, events: $events, objectTypes: $types}) { signingSecret } }`
		for _, url := range []string{"http://127.0.0.1:8080/", "http://localhost/hook", "http://10.1.2.3/", "http://192.168.0.1/", "http://[::1]/",
			"http://169.254.169.254/latest/meta-data", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "ftp://example.com/", "not a url", "http:///nohost", "https://user:pw@example.com/"} {
			a.fails(create, map[string]any{"url": url, "events": []string{"RECORD_CREATED"}}, "BAD_USER_INPUT", "url")
		}
		a.fails(create, map[string]any{"url": "https://93.184.215.14/", "events": []string{"RECORD_EXPLODED"}}, "BAD_USER_INPUT", "")
		a.fails(create, map[string]any{"url": "https://93.184.215.14/", "events": []string{}}, "BAD_USER_INPUT", "events")
		a.fails(create, map[string]any{"url": "https://93.184.215.14/", "events": []string{"RECORD_CREATED"}, "types": []string{"unicorns"}}, "BAD_USER_INPUT", "objectTypes")
		var out struct {
			Webhooks []webhookJSON
			AuditLog struct{ Edges []any }
		}
		a.ok(`{ webhooks { id } auditLog(action: CREATE_WEBHOOK) { edges { cursor } } }`, nil, &out)
		if len(out.Webhooks) != 0 || len(out.AuditLog.Edges) != 0 {
			t.Fatalf("refused webhooks were written: %+v", out)
		}

		rcv := newReceiver(t, always(200))
		hook, _ := a.privateTargets().createWebhook(rcv.srv.URL, []string{"RECORD_CREATED"}, nil)
		a.create("contacts", map[string]any{"email": "ada@example.com"})
		strict := webhooks.New(a.d, webhooks.Config{})
		deliver(t, strict, 1)
		if n := len(rcv.requests()); n != 0 {
			t.Fatalf("the receiver on a loopback address got %d requests", n)
		}
		ds := a.deliveries(1)
		if ds[0].Succeeded || ds[0].Error == nil || !strings.Contains(*ds[0].Error, "refused") {
			t.Errorf("delivery %+v, want refused", ds[0])
		}
		// Changing and deleting it: audited, as making it.
		a.privateTargets().ok(`mutation($id: ID!) { updateWebhook(input: {id: $id, events: [RECORD_UPDATED], objectTypes: ["companies"]}) { webhook { events objectTypes } } }`,
			map[string]any{"id": hook.ID}, nil)
		a.fails(`mutation($id: ID!) { updateWebhook(input: {id: $id, url: "http://127.0.0.1/"}) { webhook { id } } }`, map[string]any{"id": hook.ID}, "BAD_USER_INPUT", "url")
		a.ok(`mutation($id: ID!) { deleteWebhook(input: {id: $id}) { webhook { id } } }`, map[string]any{"id": hook.ID}, nil)
		a.fails(`mutation($id: ID!) { deleteWebhook(input: {id: $id}) { webhook { id } } }`, map[string]any{"id": hook.ID}, "NOT_FOUND", "")
		var trail struct {
			AuditLog struct {
				Edges []struct{ Node struct{ Action string } }
			}
		}
		a.ok(`{ auditLog { edges { node { action } } } }`, nil, &trail)
		var actions []string
		for _, e := range trail.AuditLog.Edges {
			if strings.HasSuffix(e.Node.Action, "_WEBHOOK") {
				actions = append(actions, e.Node.Action)
			}
		}
		if want := []string{"DELETE_WEBHOOK", "UPDATE_WEBHOOK", "CREATE_WEBHOOK"}; !slices.Equal(actions, want) {
			t.Errorf("audited %v, want %v", actions, want)
		}
	})
}

// TestWebhookNeedsAdmin: webhooks are the workspace's administration: a
// key without ADMIN is refused with FORBIDDEN.
func TestWebhookNeedsAdmin(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var admin, writer struct {
			CreateAPIKey struct{ Secret string } `json:"createApiKey"`
		}
		a.ok(`mutation { createApiKey(input: {name: "admin", scopes: [ADMIN]}) { secret } }`, nil, &admin)
		a = a.as(admin.CreateAPIKey.Secret).privateTargets()
		a.ok(`mutation { createApiKey(input: {name: "writer", scopes: [RECORDS_READ, RECORDS_WRITE, SCHEMA_WRITE, IMPORT_EXPORT]}) { secret } }`, nil, &writer)
		w := a.as(writer.CreateAPIKey.Secret)
		w.fails(`{ webhooks { id } }`, nil, "FORBIDDEN", "")
		w.fails(`mutation { createWebhook(input: {url: "https://93.184.215.14/", events: [RECORD_CREATED]}) { signingSecret } }`, nil, "FORBIDDEN", "")
		w.fails(`mutation { redeliver(deliveryId: "x") { id } }`, nil, "FORBIDDEN", "")
		hook, _ := a.createWebhook("http://127.0.0.1:1/", []string{"RECORD_CREATED"}, nil)
		w.fails(`mutation($id: ID!) { deleteWebhook(input: {id: $id}) { webhook { id } } }`, map[string]any{"id": hook.ID}, "FORBIDDEN", "")
		w.fails(`mutation($id: ID!) { updateWebhook(input: {id: $id, events: [RECORD_UPDATED]}) { webhook { id } } }`, map[string]any{"id": hook.ID}, "FORBIDDEN", "")
	})
}

// TestWebhookImportFinished: an import's end is an event, with its
// counts, to the webhooks that asked for it and for one of its object
// types; its records' creations are events of their own.
func TestWebhookImportFinished(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"IMPORT_FINISHED", "RECORD_CREATED"}, []string{"contacts"})
		a.createWebhook(rcv.srv.URL, []string{"IMPORT_FINISHED"}, []string{"deals"})
		job := a.importFiles(nil, upload{name: "contacts.csv", content: []byte("Email,First Name\nann@acme.io,Ann\nbob@acme.io,Bob\n")})
		if job.State != "DONE" {
			t.Fatalf("import %+v", job)
		}
		deliver(t, worker(a.d, newTestClock()), 1)
		var types []webhooks.EventType
		var sum *webhooks.ImportSummary
		for _, e := range rcv.requests()[0].events {
			types = append(types, e.Type)
			if e.Import != nil {
				sum = e.Import
			}
		}
		if want := []webhooks.EventType{webhooks.RecordCreated, webhooks.RecordCreated, webhooks.ImportFinished}; !slices.Equal(types, want) {
			t.Errorf("events %v, want %v", types, want)
		}
		if sum == nil || sum.ID != job.ID || sum.State != "DONE" || sum.Created != 2 || sum.RowsRead != 2 || !slices.Equal(sum.ObjectTypes, []string{"contacts"}) {
			t.Errorf("import event %+v, want the import %+v", sum, job)
		}
	})
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

// TestWebhookErasedRecord: a permanent deletion's event carries the
// erased values to the receiver; the server then keeps none of them: the
// record's events sent before go with it, and its RECORD_DELETED event
// loses its values once delivered.
func TestWebhookErasedRecord(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"RECORD_CREATED", "RECORD_DELETED"}, nil)
		x := a.create("contacts", map[string]any{"email": "erase-me@example.com"})
		w := worker(a.d, newTestClock())
		deliver(t, w, 1)
		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { __typename } }`, map[string]any{"id": x.ID}, nil)
		deliver(t, w, 1)
		reqs := rcv.requests()
		if e := reqs[1].events[0]; e.Type != webhooks.RecordDeleted || !strings.Contains(string(e.Properties), "erase-me@example.com") {
			t.Errorf("deletion event %+v, want the last values", e)
		}
		rows, err := a.d.Client.WebhookEvent.Query().All(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || strings.Contains(rows[0].Payload, "erase-me") {
			t.Errorf("kept after the erasure: %+v", rows)
		}
		var out struct{ Redeliver deliveryJSON }
		a.ok(`mutation($id: ID!) { redeliver(deliveryId: $id) { `+deliveryFields+` } }`, map[string]any{"id": a.deliveries(1)[0].ID}, &out)
		if e := rcv.requests()[2].events[0]; e.Type != webhooks.RecordDeleted || e.RecordID != x.RecordID || e.Properties != nil {
			t.Errorf("redelivered %+v, want the event without values", e)
		}
	})
}

// TestWebhookListMembership: records joining and leaving a dynamic list
// (a write changed what its filter says), one made with the list, and a
// manual list's members added by hand are events, with the list.
func TestWebhookListMembership(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"LIST_MEMBERSHIP_CHANGED"}, []string{"contacts"})
		ada := a.create("contacts", map[string]any{"email": "ada@example.com", "firstname": "Ada"})
		dyn := a.createList("contacts", "Adas", "DYNAMIC", map[string]any{"property": "firstname", "operator": "EQ", "value": "Ada"})
		bob := a.create("contacts", map[string]any{"email": "bob@example.com", "firstname": "Ada"})
		a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {firstname: "Bob"}}) { record { id } } }`, map[string]any{"id": bob.ID}, nil)
		manual := a.createList("contacts", "Hand", "MANUAL", nil)
		a.ok(`mutation($in: ListMembersInput!) { addToList(input: $in) { written } }`, map[string]any{"in": map[string]any{"listId": manual.ID, "recordIds": []string{ada.ID}}}, nil)
		deliver(t, worker(a.d, newTestClock()), 1)

		type seen struct{ record, list, change string }
		var got []seen
		for _, e := range rcv.requests()[0].events {
			if e.Type != webhooks.ListMembership || e.List == nil || e.ObjectType != "contacts" {
				t.Fatalf("event %+v", e)
			}
			got = append(got, seen{e.RecordID, e.List.Name, e.List.Change})
			if e.List.Name == "Adas" && e.List.ID != dyn.ID || e.List.Name == "Hand" && e.List.ID != manual.ID {
				t.Errorf("event of list %s names %s", e.List.Name, e.List.ID)
			}
		}
		want := []seen{{ada.RecordID, "Adas", "ADDED"}, {bob.RecordID, "Adas", "ADDED"}, {bob.RecordID, "Adas", "REMOVED"}, {ada.RecordID, "Hand", "ADDED"}}
		if !slices.Equal(got, want) {
			t.Errorf("events\n got %v\nwant %v", got, want)
		}
	})
}

// TestWebhookImportEvents: an import's records (written in chunks, by
// COPY on PostgreSQL) and the associations between them are events, each
// once, in requests of at most 100.
func TestWebhookImportEvents(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"RECORD_CREATED", "ASSOCIATION_ADDED", "IMPORT_FINISHED"}, nil)
		job := a.importFiles(nil, upload{name: "deals.csv", content: fixture(t, "deals.csv")}, upload{name: "contacts.csv", content: fixture(t, "contacts.csv")},
			upload{name: "companies.csv", content: fixture(t, "companies.csv")})
		if job.State != "DONE" || job.Counters.Created != 1500 {
			t.Fatalf("import %+v", job)
		}
		if _, err := worker(a.d, newTestClock()).DeliverDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		byType := map[webhooks.EventType]int{}
		ids := map[string]bool{}
		for _, r := range rcv.requests() {
			if len(r.events) > webhooks.MaxBatch {
				t.Errorf("a request of %d events", len(r.events))
			}
			for _, e := range r.events {
				if ids[e.EventID] {
					t.Errorf("event %s sent twice", e.EventID)
				}
				ids[e.EventID] = true
				byType[e.Type]++
			}
		}
		if byType[webhooks.RecordCreated] != 1500 || byType[webhooks.ImportFinished] != 1 || byType[webhooks.AssociationAdded] == 0 {
			t.Errorf("events by type %v, want 1500 created, associations and the import's end", byType)
		}
	})
}
