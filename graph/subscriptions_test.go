package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/events"
	"github.com/acme/crm/internal/gid"
)

// wsClient speaks graphql-transport-ws (the protocol of the graphql-ws
// library) over a real WebSocket, answering the server's pings.
type wsClient struct {
	t *testing.T
	c *coderws.Conn
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// eventJSON is a RecordChangeEvent as the tests select it.
type eventJSON struct {
	Kind              string   `json:"kind"`
	RecordID          string   `json:"recordId"`
	ChangedProperties []string `json:"changedProperties"`
	Sequence          string   `json:"sequence"`
	Gap               bool     `json:"gap"`
	Matches           bool     `json:"matches"`
	MergedInto        *string  `json:"mergedInto"`
	Record            *struct {
		RecordID   string         `json:"recordId"`
		Archived   bool           `json:"archived"`
		Properties map[string]any `json:"properties"`
	} `json:"record"`
}

const eventFields = `kind recordId changedProperties sequence gap matches mergedInto occurredAt record { recordId archived properties(names: ["firstname", "lastname"]) }`

// waitTimeout bounds how long a test waits for an event that must come:
// not a timing assertion, a guard against hanging.
const waitTimeout = 30 * time.Second

func dialWS(t *testing.T, url string, init map[string]any) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	c, resp, err := coderws.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	w := &wsClient{t: t, c: c}
	w.send(wsMessage{Type: "connection_init", Payload: mustJSON(t, init)})
	if m := w.read(); m.Type != "connection_ack" {
		t.Fatalf("connection_init answered %s %s", m.Type, m.Payload)
	}
	return w
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *wsClient) send(m wsMessage) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), waitTimeout)
	defer cancel()
	if err := w.c.Write(ctx, coderws.MessageText, mustJSON(w.t, m)); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

// read returns the next message that is not a ping or pong; pings are
// answered.
func (w *wsClient) read() wsMessage {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), waitTimeout)
	defer cancel()
	for {
		_, b, err := w.c.Read(ctx)
		if err != nil {
			w.t.Fatalf("read: %v", err)
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			w.t.Fatalf("message %s: %v", b, err)
		}
		switch m.Type {
		case "ping":
			w.send(wsMessage{Type: "pong"})
		case "pong", "ka":
		default:
			return m
		}
	}
}

func (w *wsClient) subscribe(id, query string, vars map[string]any) {
	w.t.Helper()
	w.send(wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(w.t, map[string]any{"query": query, "variables": vars})})
}

// event reads the next message of subscription id: an event of field.
func (w *wsClient) event(id, field string) eventJSON {
	w.t.Helper()
	m := w.read()
	if m.ID != id || m.Type != "next" {
		w.t.Fatalf("want the next event of %s, got %s %s: %s", id, m.Type, m.ID, m.Payload)
	}
	return decodeEvent(w.t, m.Payload, field)
}

func decodeEvent(t *testing.T, payload []byte, field string) eventJSON {
	t.Helper()
	var r struct {
		Data   map[string]eventJSON `json:"data"`
		Errors []gqlError           `json:"errors"`
	}
	if err := json.Unmarshal(payload, &r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("event %s: %v", payload, err)
	}
	return r.Data[field]
}

// awaitSubscribers waits until the handler has n subscriptions open, so
// that a write made next is one they hear.
func awaitSubscribers(t *testing.T, h http.Handler, n int) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for h.(*graph.Handler).Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", h.(*graph.Handler).Subscribers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSubscriptionsOverWebSocket(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		w := dialWS(t, srv.URL, map[string]any{})
		w.subscribe("c", `subscription { recordChanged(objectType: "contacts", properties: ["firstname"]) { `+eventFields+` } }`, nil)
		awaitSubscribers(t, a.h, 1)

		ada := a.create("contacts", map[string]any{"firstname": "Ada", "lastname": "Lovelace"})
		ev := w.event("c", "recordChanged")
		if ev.Kind != "CREATED" || ev.RecordID != ada.RecordID || ev.Record == nil || ev.Record.Properties["firstname"] != "Ada" || ev.Gap || !ev.Matches || len(ev.ChangedProperties) != 0 {
			t.Fatalf("create: %+v", ev)
		}

		// An update of lastname alone is no event of this subscription:
		// the next one is the update of firstname.
		a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {lastname: "Byron"}}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
		a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {firstname: "Augusta"}}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
		ev = w.event("c", "recordChanged")
		if ev.Kind != "UPDATED" || !slices.Contains(ev.ChangedProperties, "firstname") || slices.Contains(ev.ChangedProperties, "lastname") ||
			ev.Record.Properties["firstname"] != "Augusta" || ev.Record.Properties["lastname"] != "Byron" {
			t.Fatalf("update: %+v", ev)
		}
		first := ev.Sequence

		// recordUpdated follows one record, every update of it.
		w.subscribe("u", `subscription($id: ID!) { recordUpdated(id: $id) { `+eventFields+` } }`, map[string]any{"id": ada.ID})
		awaitSubscribers(t, a.h, 2)
		a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {lastname: "King"}}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
		if ev := w.event("u", "recordUpdated"); ev.Kind != "UPDATED" || !slices.Equal(ev.ChangedProperties, []string{"lastmodifieddate", "lastname"}) || ev.Record.Properties["lastname"] != "King" {
			t.Fatalf("recordUpdated: %+v", ev)
		}

		a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
		for _, id := range []string{"c", "u"} {
			m := w.read()
			field := map[string]string{"c": "recordChanged", "u": "recordUpdated"}[m.ID]
			ev := decodeEvent(t, m.Payload, field)
			if ev.Kind != "ARCHIVED" || ev.RecordID != ada.RecordID || !ev.Record.Archived || ev.Sequence <= first && len(ev.Sequence) <= len(first) {
				t.Fatalf("archive (%s): %+v", id, ev)
			}
		}
		w.send(wsMessage{ID: "u", Type: "complete"})
		if m := w.read(); m.ID != "u" || m.Type != "complete" {
			t.Fatalf("stopped: %s %s", m.Type, m.ID)
		}
		awaitSubscribers(t, a.h, 1)

		// A write that rolls back (its association names no record) is no
		// event: the next is the record created after it.
		a.fails(`mutation($to: ID!) { createRecord(input: {objectType: "contacts", properties: {firstname: "Ghost"}, associations: [{to: $to}]}) { record { id } } }`,
			map[string]any{"to": gid.Encode(gid.Record, 999999)}, "NOT_FOUND", "associations")
		if n := a.count("contacts"); n != 1 {
			t.Fatalf("%d contacts after the refused write, want 1", n)
		}
		bob := a.create("contacts", map[string]any{"firstname": "Bob"})
		if ev := w.event("c", "recordChanged"); ev.Kind != "CREATED" || ev.RecordID != bob.RecordID {
			t.Fatalf("after the rollback: %+v", ev)
		}

		// A merge: the secondary is MERGED into the primary.
		cat := a.create("contacts", map[string]any{"firstname": "Cat"})
		if ev := w.event("c", "recordChanged"); ev.Kind != "CREATED" || ev.RecordID != cat.RecordID {
			t.Fatalf("create cat: %+v", ev)
		}
		a.ok(`mutation($p: ID!, $s: ID!) { mergeRecords(input: {primary: $p, secondary: $s}) { record { id } } }`, map[string]any{"p": bob.ID, "s": cat.ID}, nil)
		ev = w.event("c", "recordChanged")
		if ev.Kind != "MERGED" || ev.RecordID != cat.RecordID || ev.MergedInto == nil || *ev.MergedInto != bob.RecordID {
			t.Fatalf("merge: %+v", ev)
		}
	})
}

func TestSubscriptionsRefuse(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		w := dialWS(t, srv.URL, nil)
		// A record id that names no record (another workspace's answers
		// alike: TestWorkspacesDoNotCross).
		gone := missing(t, a.create("contacts", map[string]any{"firstname": "x"}).ID)
		for id, c := range map[string]struct{ query, code string }{
			"type":               {`subscription { recordChanged(objectType: "nope") { kind } }`, "NOT_FOUND"},
			"property":           {`subscription { recordChanged(objectType: "contacts", properties: ["nope"]) { kind } }`, "BAD_USER_INPUT"},
			"id":                 {`subscription { recordUpdated(id: "nope") { kind } }`, "BAD_USER_INPUT"},
			"no record":          {`subscription { recordUpdated(id: "` + gone + `") { kind } }`, "NOT_FOUND"},
			"no record's links":  {`subscription { associationChanged(recordId: "` + gone + `") { kind } }`, "NOT_FOUND"},
			"no associated type": {`subscription { associationChanged(recordId: "` + gone + `", toObjectType: "nope") { kind } }`, "NOT_FOUND"},
		} {
			w.subscribe(id, c.query, nil)
			m := w.read()
			if m.ID != id || !strings.Contains(string(m.Payload), `"code":"`+c.code+`"`) {
				t.Fatalf("%s: %s %s", id, m.Type, m.Payload)
			}
			if m := w.read(); m.ID != id || m.Type != "complete" {
				t.Fatalf("%s: then %s %s", id, m.Type, m.Payload)
			}
		}
		// As one answer (a POST without Accept: text/event-stream), a
		// subscription is refused at once, never left waiting for an event.
		if e := a.fails(`subscription { recordChanged(objectType: "contacts") { kind } }`, nil, "BAD_USER_INPUT", ""); !strings.Contains(e.Message, "server-sent events") {
			t.Fatalf("a subscription as one answer: %+v", e)
		}
		if n := a.h.(*graph.Handler).Subscribers(); n != 0 {
			t.Fatalf("%d subscribers after refusals", n)
		}
	})
}

// sseStream reads a graphql-sse stream (distinct connections mode).
type sseStream struct {
	t    *testing.T
	r    *bufio.Reader
	body interface{ Close() error }
}

func openSSE(t *testing.T, url, query string, vars map[string]any) *sseStream {
	t.Helper()
	body := mustJSON(t, map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("SSE answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &sseStream{t: t, r: bufio.NewReader(resp.Body), body: resp.Body}
}

// next returns the event type and data of the next event, skipping
// comments (keep-alives).
func (s *sseStream) next() (string, []byte) {
	s.t.Helper()
	var typ string
	var data []byte
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			s.t.Fatalf("read the stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && typ != "":
			return typ, data
		case strings.HasPrefix(line, "event: "):
			typ = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: ")...)
		}
	}
}

func TestSubscriptionsOverSSE(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		ada := a.create("contacts", map[string]any{"firstname": "Ada"})
		s := openSSE(t, srv.URL, `subscription($id: ID!) { recordUpdated(id: $id) { `+eventFields+` } }`, map[string]any{"id": ada.ID})
		awaitSubscribers(t, a.h, 1)
		a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {firstname: "Augusta"}}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
		typ, data := s.next()
		if ev := decodeEvent(t, data, "recordUpdated"); typ != "next" || ev.Kind != "UPDATED" || ev.Record.Properties["firstname"] != "Augusta" {
			t.Fatalf("%s %s", typ, data)
		}
		a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
		a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
		for _, want := range []string{"ARCHIVED", "RESTORED"} {
			_, data := s.next()
			if ev := decodeEvent(t, data, "recordUpdated"); ev.Kind != want {
				t.Fatalf("want %s: %s", want, data)
			}
		}
	})
}

// TestSubscriberTooSlow: a write of more events at once than a
// subscription may have waiting cuts it off with SUBSCRIBER_TOO_SLOW,
// whether or not its client reads: the server keeps no more for it.
func TestSubscriberTooSlow(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		s := openSSE(t, srv.URL, `subscription { recordChanged(objectType: "contacts") { kind recordId changedProperties occurredAt sequence gap matches } }`, nil)
		awaitSubscribers(t, a.h, 1)
		inputs := make([]map[string]any, 1000)
		for i := range inputs {
			inputs[i] = map[string]any{"properties": map[string]any{"firstname": fmt.Sprint("n", i)}}
		}
		a.ok(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { results { index } } }`, map[string]any{"in": inputs}, nil)
		n := 0
		for {
			typ, data := s.next()
			if typ == "complete" {
				t.Fatalf("the stream completed without an error, after %d events", n)
			}
			var r struct {
				Errors []gqlError `json:"errors"`
			}
			if err := json.Unmarshal(data, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Errors) == 0 {
				n++
				continue
			}
			// The buffer's events, and the one on its way to the client;
			// then the one error, at the event's first field, and no other.
			if code := r.Errors[0].Extensions["code"]; code != "SUBSCRIBER_TOO_SLOW" || len(r.Errors) != 1 || n > events.Buffer+1 {
				t.Fatalf("after %d events: %s", n, data)
			}
			break
		}
		if typ, _ := s.next(); typ != "complete" {
			t.Fatalf("after the error: %s", typ)
		}
		awaitSubscribers(t, a.h, 0)
	})
}

// TestSubscriptionsAcrossProcesses: two handlers over two connection pools
// of one PostgreSQL database stand for two server processes. A write
// through one reaches a subscriber of the other (LISTEN/NOTIFY); when the
// listening connection is killed, it reconnects and catches up from the
// log, and when the log lost events it had not read it says gap.
func TestSubscriptionsAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	url := dbtest.URL(t, "postgres")
	d1, d2 := dbtest.OpenURL(t, url), dbtest.OpenURL(t, url)
	a := newAPI(t, d1, nil)
	b := a.withConfig(graph.Config{})
	b.d = d2
	b.h = graph.NewHandler(graph.Config{DB: d2, WorkspaceID: a.ws})
	srv := httptest.NewServer(a.h)
	t.Cleanup(srv.Close)
	w := dialWS(t, srv.URL, nil)
	w.subscribe("c", `subscription { recordChanged(objectType: "contacts") { `+eventFields+` } }`, nil)
	awaitSubscribers(t, a.h, 1)

	ada := b.create("contacts", map[string]any{"firstname": "Ada"})
	if ev := w.event("c", "recordChanged"); ev.Kind != "CREATED" || ev.RecordID != ada.RecordID || ev.Record.Properties["firstname"] != "Ada" {
		t.Fatalf("across processes: %+v", ev)
	}

	// The listening connection dies (as in a restart of PostgreSQL): the
	// write made meanwhile arrives once it is back, without gap.
	killListeners(t, d2)
	b.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {firstname: "Augusta"}}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
	if ev := w.event("c", "recordChanged"); ev.Kind != "UPDATED" || ev.Gap || ev.Record.Properties["firstname"] != "Augusta" {
		t.Fatalf("after reconnecting: %+v", ev)
	}

	// Killed again, and the log loses what came after (its rows pruned,
	// ids moved on) before the subscriber's process could read it: the
	// next event says gap.
	killListeners(t, d2)
	ctx := t.Context()
	if _, err := d2.SQL.ExecContext(ctx, `DELETE FROM change_events`); err != nil {
		t.Fatal(err)
	}
	if _, err := d2.SQL.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('change_events', 'id'), nextval(pg_get_serial_sequence('change_events', 'id')) + 100)`); err != nil {
		t.Fatal(err)
	}
	bob := b.create("contacts", map[string]any{"firstname": "Bob"})
	if ev := w.event("c", "recordChanged"); ev.Kind != "CREATED" || ev.RecordID != bob.RecordID || !ev.Gap {
		t.Fatalf("after a gap: %+v", ev)
	}
	cat := b.create("contacts", map[string]any{"firstname": "Cat"})
	if ev := w.event("c", "recordChanged"); ev.RecordID != cat.RecordID || ev.Gap {
		t.Fatalf("after the gap: %+v", ev)
	}
}

// killListeners ends the backends listening for change events, as a
// restart of PostgreSQL would, without restarting the shared cluster.
func killListeners(t *testing.T, d *db.DB) {
	t.Helper()
	var n int
	if err := d.SQL.QueryRowContext(t.Context(), `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query ILIKE 'LISTEN "crm_events"%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no backend listened for change events")
	}
}

// TestSubscriptionFilter: a filtered subscription hears the records that
// match its filter after a change, and once the change of one that
// leaves it (matches: false).
func TestSubscriptionFilter(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		w := dialWS(t, srv.URL, nil)
		w.subscribe("f", `subscription { recordChanged(objectType: "contacts", filter: {property: "firstname", operator: EQ, value: "Ada"}) { `+eventFields+` } }`, nil)
		awaitSubscribers(t, a.h, 1)
		update := func(id string, props map[string]any) {
			a.ok(`mutation($id: ID!, $p: JSON!) { updateRecord(input: {id: $id, properties: $p}) { record { id } } }`, map[string]any{"id": id, "p": props}, nil)
		}
		// The filter is evaluated on the record as it is when its event is
		// sent: each write waits for the event before it.
		type seen struct {
			kind, id string
			matches  bool
		}
		expect := func(s seen) {
			t.Helper()
			ev := w.event("f", "recordChanged")
			if got := (seen{ev.Kind, ev.RecordID, ev.Matches}); got != s {
				t.Fatalf("got %+v, want %+v", got, s)
			}
		}
		ada := a.create("contacts", map[string]any{"firstname": "Ada"})
		expect(seen{"CREATED", ada.RecordID, true})
		bob := a.create("contacts", map[string]any{"firstname": "Bob"})
		update(bob.ID, map[string]any{"lastname": "Still outside"})
		update(ada.ID, map[string]any{"firstname": "Zed"})
		expect(seen{"UPDATED", ada.RecordID, false})
		update(ada.ID, map[string]any{"lastname": "Outside"})
		update(bob.ID, map[string]any{"firstname": "Ada"})
		expect(seen{"UPDATED", bob.RecordID, true})
		a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": bob.ID}, nil)
		expect(seen{"ARCHIVED", bob.RecordID, false})
		w.subscribe("bad", `subscription { recordChanged(objectType: "contacts", filter: {property: "nope", operator: EQ, value: 1}) { kind } }`, nil)
		if m := w.read(); m.ID != "bad" || !strings.Contains(string(m.Payload), `"code":"BAD_USER_INPUT"`) {
			t.Fatalf("bad filter: %s %s", m.Type, m.Payload)
		}
	})
}

// TestSubscriptionKeyRefused: a WebSocket whose connection_init carries a
// key that is not one is closed with 4403, after a connection_error.
func TestSubscriptionKeyRefused(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
		defer cancel()
		c, _, err := coderws.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		w := &wsClient{t: t, c: c}
		w.send(wsMessage{Type: "connection_init", Payload: mustJSON(t, map[string]any{"Authorization": "Bearer crm_not_a_key"})})
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				if s := coderws.CloseStatus(err); s != 4403 {
					t.Fatalf("closed with %d (%v), want 4403", s, err)
				}
				return
			}
			if !strings.Contains(string(b), "connection_error") {
				t.Fatalf("before the close: %s", b)
			}
		}
	})
}

// assocEventJSON is an AssociationChangeEvent as the tests select it.
type assocEventJSON struct {
	Kind         string   `json:"kind"`
	FromRecordID string   `json:"fromRecordId"`
	ToRecordID   string   `json:"toRecordId"`
	ToObjectType string   `json:"toObjectType"`
	Labels       []string `json:"labels"`
	Gap          bool     `json:"gap"`
	From         struct {
		RecordID string `json:"recordId"`
	} `json:"from"`
	To *struct {
		RecordID string `json:"recordId"`
	} `json:"to"`
}

const assocEventFields = `kind fromRecordId toRecordId toObjectType labels gap sequence occurredAt from { recordId } to { recordId }`

// assocEvent reads the next message of the connection, an event of
// associationChanged, and says which subscription it is of.
func (w *wsClient) assocEvent() (string, assocEventJSON) {
	w.t.Helper()
	m := w.read()
	var r struct {
		Data   struct{ AssociationChanged assocEventJSON } `json:"data"`
		Errors []gqlError                                  `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &r); err != nil || m.Type != "next" || len(r.Errors) > 0 {
		w.t.Fatalf("event %s %s: %s (%v)", m.Type, m.ID, m.Payload, err)
	}
	return m.ID, r.Data.AssociationChanged
}

func TestSubscriptionAssociationChanged(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		acme := a.create("companies", map[string]any{"name": "Acme"})
		ada := a.create("contacts", map[string]any{"firstname": "Ada"})
		a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "companies", toObjectType: "contacts", label: "Decision maker"}) { associationType { id } } }`, nil, nil)
		w := dialWS(t, srv.URL, map[string]any{})
		const q = `subscription($id: ID!, $to: String) { associationChanged(recordId: $id, toObjectType: $to) { ` + assocEventFields + ` } }`
		w.subscribe("all", q, map[string]any{"id": acme.ID})
		w.subscribe("deals", q, map[string]any{"id": acme.ID, "to": "deals"})
		awaitSubscribers(t, a.h, 2)

		want := func(step, kind string, to recordJSON, toType string, labels ...string) {
			t.Helper()
			id, ev := w.assocEvent()
			if id != "all" || ev.Kind != kind || ev.FromRecordID != acme.RecordID || ev.From.RecordID != acme.RecordID || ev.ToRecordID != to.RecordID ||
				ev.To == nil || ev.To.RecordID != to.RecordID || ev.ToObjectType != toType || !slices.Equal(ev.Labels, append([]string{}, labels...)) || ev.Gap {
				t.Fatalf("%s: %s %+v", step, id, ev)
			}
		}
		pair := func(labels ...string) map[string]any {
			return map[string]any{"f": acme.ID, "t": ada.ID, "l": labels}
		}
		// Associated from the contact's side: seen from the company.
		a.ok(`mutation($f: ID!, $t: ID!) { associate(input: {from: $f, to: $t}) { from { id } } }`, map[string]any{"f": ada.ID, "t": acme.ID}, nil)
		want("associate", "ASSOCIATED", ada, "contacts")
		a.ok(`mutation($f: ID!, $t: ID!, $l: [String!]) { associate(input: {from: $f, to: $t, labels: $l}) { from { id } } }`, pair("Decision maker"), nil)
		want("label added", "ASSOCIATED", ada, "contacts", "Decision maker")
		a.ok(`mutation($f: ID!, $t: ID!, $l: [String!]) { disassociate(input: {from: $f, to: $t, labels: $l}) { removed } }`, pair("Decision maker"), nil)
		want("label removed", "DISASSOCIATED", ada, "contacts", "Decision maker")

		// A write that rolls back (its second association names no record)
		// is no event: the next is the deal created after it, which the
		// subscription of deals hears too.
		a.fails(`mutation($a: ID!, $b: ID!) { createRecord(input: {objectType: "contacts", properties: {firstname: "Ghost"}, associations: [{to: $a}, {to: $b}]}) { record { id } } }`,
			map[string]any{"a": acme.ID, "b": gid.Encode(gid.Record, 999999)}, "NOT_FOUND", "associations")
		var deal recordJSON
		{
			var out struct {
				CreateRecord struct{ Record recordJSON } `json:"createRecord"`
			}
			a.ok(`mutation($a: ID!) { createRecord(input: {objectType: "deals", properties: {dealname: "Big", pipeline: "default", dealstage: "qualifiedtobuy"}, associations: [{to: $a}]}) { record { id recordId } } }`, map[string]any{"a": acme.ID}, &out)
			deal = out.CreateRecord.Record
		}
		seen := map[string]bool{}
		for range 2 {
			id, ev := w.assocEvent()
			if seen[id] || ev.Kind != "ASSOCIATED" || ev.ToRecordID != deal.RecordID || ev.ToObjectType != "deals" || len(ev.Labels) != 0 {
				t.Fatalf("deal created: %s %+v", id, ev)
			}
			seen[id] = true
		}

		a.ok(`mutation($f: ID!, $t: ID!, $l: [String!]) { disassociate(input: {from: $f, to: $t, labels: $l}) { removed } }`, pair(), nil)
		want("disassociate", "DISASSOCIATED", ada, "contacts")
	})
}

// TestSubscriptionLabelDeleted: deleting a label with the associations
// that use it is one DISASSOCIATED event per pair and direction that lost
// it, with the label as that side sees it; a pair without the label hears
// nothing.
func TestSubscriptionLabelDeleted(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		acme := a.create("companies", map[string]any{"name": "Acme"})
		ada := a.create("contacts", map[string]any{"firstname": "Ada"})
		bob := a.create("contacts", map[string]any{"firstname": "Bob"})
		cyd := a.create("contacts", map[string]any{"firstname": "Cyd"})
		id := a.labelPairs(acme, []recordJSON{ada, bob}, cyd)
		w := dialWS(t, srv.URL, map[string]any{})
		const q = `subscription($id: ID!) { associationChanged(recordId: $id) { ` + assocEventFields + ` } }`
		w.subscribe("acme", q, map[string]any{"id": acme.ID})
		w.subscribe("ada", q, map[string]any{"id": ada.ID})
		awaitSubscribers(t, a.h, 2)

		a.deleteLabel(id, 4)
		// A write both subscriptions hear after it: what they heard before
		// it is all the deletion sent.
		a.ok(`mutation($f: ID!, $t: ID!) { disassociate(input: {from: $f, to: $t}) { removed } }`, map[string]any{"f": acme.ID, "t": ada.ID}, nil)

		got := map[string][]string{}
		for range 5 {
			sub, ev := w.assocEvent()
			if ev.Gap || ev.To == nil || ev.From.RecordID != ev.FromRecordID || ev.To.RecordID != ev.ToRecordID {
				t.Fatalf("%s: %+v", sub, ev)
			}
			got[sub] = append(got[sub], fmt.Sprintf("%s %s>%s %s %q", ev.Kind, ev.FromRecordID, ev.ToRecordID, ev.ToObjectType, ev.Labels))
		}
		if len(got["acme"]) == 3 {
			slices.Sort(got["acme"][:2]) // the rows of one DELETE come in no set order
		}
		event := func(kind string, from, to recordJSON, toType string, labels ...string) string {
			return fmt.Sprintf("%s %s>%s %s %q", kind, from.RecordID, to.RecordID, toType, append([]string{}, labels...))
		}
		want := map[string][]string{
			"acme": {event("DISASSOCIATED", acme, ada, "contacts", "Decision maker"), event("DISASSOCIATED", acme, bob, "contacts", "Decision maker"),
				event("DISASSOCIATED", acme, ada, "contacts")},
			"ada": {event("DISASSOCIATED", ada, acme, "companies", "Decides for"), event("DISASSOCIATED", ada, acme, "companies")},
		}
		slices.Sort(want["acme"][:2])
		if !maps.EqualFunc(got, want, slices.Equal) {
			t.Errorf("events\n got %q\nwant %q", got, want)
		}
	})
}

// labelPairs defines the paired label "Decision maker" (companies to
// contacts; "Decides for" back), links company with each of labeled under
// it and with unlabeled without it, and returns the label's id.
func (a *api) labelPairs(company recordJSON, labeled []recordJSON, unlabeled recordJSON) string {
	a.t.Helper()
	var out struct {
		CreateAssociationLabel struct{ AssociationType struct{ ID string } } `json:"createAssociationLabel"`
	}
	a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "companies", toObjectType: "contacts", label: "Decision maker", inverseLabel: "Decides for"}) { associationType { id } } }`, nil, &out)
	const associate = `mutation($f: ID!, $t: ID!, $l: [String!]) { associate(input: {from: $f, to: $t, labels: $l}) { from { id } } }`
	for _, c := range labeled {
		a.ok(associate, map[string]any{"f": c.ID, "t": company.ID, "l": []string{"Decides for"}}, nil)
	}
	a.ok(associate, map[string]any{"f": company.ID, "t": unlabeled.ID}, nil)
	return out.CreateAssociationLabel.AssociationType.ID
}

// deleteLabel deletes label id with the associations that use it and
// checks it removed rows of them.
func (a *api) deleteLabel(id string, rows int) {
	a.t.Helper()
	var out struct {
		DeleteAssociationLabel struct{ RemovedAssociations int } `json:"deleteAssociationLabel"`
	}
	a.ok(`mutation($id: ID!) { deleteAssociationLabel(input: {id: $id, removeAssociations: true}) { removedAssociations } }`, map[string]any{"id": id}, &out)
	if out.DeleteAssociationLabel.RemovedAssociations != rows {
		a.t.Fatalf("the deletion removed %d association rows, want %d", out.DeleteAssociationLabel.RemovedAssociations, rows)
	}
}
