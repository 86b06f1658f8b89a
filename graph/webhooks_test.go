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

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
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
