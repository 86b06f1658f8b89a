package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/write"
)

// TestWriteUnitRetriesTransientFailures: a transaction that failed for a
// transient failure before its COMMIT runs again, a bounded number of
// times; any other failure is not retried.
func TestWriteUnitRetriesTransientFailures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ws, err := install.Default(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		m, err := meta.NewCache(d).Get(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		u := write.New(d)
		failing := func(failures int, err error) (func(*write.Tx) error, *int) {
			runs := 0
			return func(*write.Tx) error {
				runs++
				if runs <= failures {
					return err
				}
				return nil
			}, &runs
		}
		lost := fmt.Errorf("insert record: %w", driver.ErrBadConn)

		fn, runs := failing(1, lost)
		if err := u.Records(ctx, m, write.Options{}, fn); err != nil || *runs != 2 {
			t.Fatalf("one transient failure: err %v after %d runs, want success after 2", err, *runs)
		}
		fn, runs = failing(1, lost)
		if err := u.Definitions(ctx, m, fn); err != nil || *runs != 2 {
			t.Fatalf("definitions, one transient failure: err %v after %d runs, want success after 2", err, *runs)
		}

		fn, runs = failing(100, lost)
		err = u.Records(ctx, m, write.Options{}, fn)
		e, ok := apierr.As(err)
		if !ok || e.Code != apierr.Unavailable || e.Retryable == nil || !*e.Retryable || *runs != 3 {
			t.Fatalf("lasting transient failure: %v (%+v) after %d runs, want UNAVAILABLE retryable after 3", err, e, *runs)
		}
		if !errors.Is(err, driver.ErrBadConn) {
			t.Fatalf("the cause is lost: %v", err)
		}

		refusal := apierr.New(apierr.Conflict, "no")
		fn, runs = failing(100, refusal)
		if err := u.Records(ctx, m, write.Options{}, fn); !errors.Is(err, refusal) || *runs != 1 {
			t.Fatalf("refusal: %v after %d runs, want it after 1", err, *runs)
		}
		fn, runs = failing(100, errors.New("broken"))
		if err := u.Records(ctx, m, write.Options{}, fn); err == nil || db.Transient(err) || *runs != 1 {
			t.Fatalf("other failure: %v after %d runs, want it after 1", err, *runs)
		}

		cancelled, cancel := context.WithCancel(ctx)
		fn, runs = failing(100, lost)
		err = u.Records(cancelled, m, write.Options{}, func(tx *write.Tx) error { cancel(); return fn(tx) })
		if !errors.Is(err, context.Canceled) || *runs != 1 {
			t.Fatalf("cancelled while failing: %v after %d runs, want the cancellation after 1", err, *runs)
		}
	})
}

// TestUnavailableAnswers cuts the connections between the server and
// PostgreSQL where a restart may cut them, through a proxy that reads the
// protocol, and checks what each request answers and what it wrote.
func TestUnavailableAnswers(t *testing.T) {
	raw := dbtest.URL(t, "postgres") // skips without TEST_DATABASE_URL
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p := newPGProxy(t, u.Host)
	u.Host = p.addr
	d, err := db.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	a := newAPI(t, d, nil)

	create := `mutation($p: JSON!) { createRecord(input: {objectType: "contacts", properties: $p}) { record { id } } }`
	written := func(name string) int {
		p.cut(nil, forward, 0) // the look-up binds the name too
		var n int
		if err := d.SQL.QueryRow("SELECT count(*) FROM records WHERE properties->>'firstname' = $1", name).Scan(&n); err != nil {
			panic(err)
		}
		return n
	}
	unavailable := func(t *testing.T, resp *response, retryable bool) gqlError {
		t.Helper()
		if len(resp.Errors) != 1 {
			t.Fatalf("want one error, got %+v", resp.Errors)
		}
		e := resp.Errors[0]
		if e.Extensions["code"] != "UNAVAILABLE" || e.Extensions["retryable"] != retryable {
			t.Fatalf("want UNAVAILABLE retryable %v, got %+v", retryable, e)
		}
		return e
	}
	// bindOf matches the statement that binds a value: the insert of the
	// record whose first name it is.
	bindOf := func(name string) func(byte, []byte) bool {
		return func(typ byte, body []byte) bool { return typ == 'B' && bytes.Contains(body, []byte(name)) }
	}
	commit := func(typ byte, body []byte) bool { return typ == 'Q' && bytes.HasPrefix(body, []byte("COMMIT")) }

	t.Run("a transaction cut before its COMMIT runs again", func(t *testing.T) {
		hits := p.cut(bindOf("alpha"), cutBefore, 1)
		resp := a.do(create, map[string]any{"p": map[string]any{"firstname": "alpha"}})
		if len(resp.Errors) > 0 || hits.Load() != 1 {
			t.Fatalf("errors %+v, cuts %d", resp.Errors, hits.Load())
		}
		if n := written("alpha"); n != 1 {
			t.Fatalf("written %d times, want once", n)
		}
	})

	t.Run("a transaction cut every time answers retryable, having written nothing", func(t *testing.T) {
		hits := p.cut(bindOf("bravo"), cutBefore, -1)
		e := unavailable(t, a.do(create, map[string]any{"p": map[string]any{"firstname": "bravo"}}), true)
		if hits.Load() != 3 {
			t.Fatalf("ran %d times, want 3", hits.Load())
		}
		if n := written("bravo"); n != 0 {
			t.Fatalf("written %d times: %s", n, e.Message)
		}
	})

	t.Run("a COMMIT cut on its way answers not retryable", func(t *testing.T) {
		p.cut(commit, cutBefore, 1)
		e := unavailable(t, a.do(create, map[string]any{"p": map[string]any{"firstname": "charlie"}}), false)
		// It did not commit, but the server cannot know that.
		if n := written("charlie"); n != 0 {
			t.Fatalf("written %d times: %s", n, e.Message)
		}
	})

	t.Run("a COMMIT whose answer was cut answers not retryable: it was applied", func(t *testing.T) {
		p.cut(commit, cutAfterReply, 1)
		e := unavailable(t, a.do(create, map[string]any{"p": map[string]any{"firstname": "delta"}}), false)
		if n := written("delta"); n != 1 {
			t.Fatalf("written %d times, want once: %s", n, e.Message)
		}
		if !bytes.Contains([]byte(e.Message), []byte("may have been applied")) {
			t.Fatalf("the message does not say the write may have been applied: %s", e.Message)
		}
	})

	t.Run("one field of several failing is not retryable: the others were applied", func(t *testing.T) {
		p.cut(bindOf("foxtrot"), cutBefore, -1)
		resp := a.do(`mutation { a: createRecord(input: {objectType: "contacts", properties: {firstname: "echo"}}) { record { id } }
			b: createRecord(input: {objectType: "contacts", properties: {firstname: "foxtrot"}}) { record { id } } }`, nil)
		unavailable(t, resp, false)
		if written("echo") != 1 || written("foxtrot") != 0 {
			t.Fatalf("echo written %d times, foxtrot %d", written("echo"), written("foxtrot"))
		}
	})

	t.Run("a read failing after the write answers not retryable: it was applied", func(t *testing.T) {
		parse := func(typ byte, body []byte) bool { return typ == 'P' && bytes.Contains(body, []byte("associations")) }
		p.cut(parse, cutBefore, -1)
		resp := a.do(`mutation { createRecord(input: {objectType: "contacts", properties: {firstname: "india"}}) {
			record { id associations(toObjectType: "companies", first: 1) { edges { node { id } } } } } }`, nil)
		p.cut(nil, forward, 0)
		e := unavailable(t, resp, false)
		if len(e.Path) < 2 {
			t.Fatalf("the error is not the nested read's: %+v", e)
		}
		if n := written("india"); n != 1 {
			t.Fatalf("written %d times, want once", n)
		}
	})

	t.Run("a database refusing connections", func(t *testing.T) {
		read := `{ objectTypes { name } }`
		// refused sends query while the database refuses connections. In
		// local mode the gate asks whether a key exists at most once a
		// second, and a failed check rightly answers retryable with no path
		// (nothing ran): when the check fell on query, refused says so and
		// tries again after a read the database answers, until the field
		// itself met the refusal.
		refused := func(query string, vars map[string]any) (gate bool, resp *response) {
			p.refuse()
			defer p.accept()
			resp = a.do(query, vars)
			if len(resp.Errors) == 1 && len(resp.Errors[0].Path) == 0 {
				unavailable(t, resp, true)
				return true, resp
			}
			return false, resp
		}
		fieldRefused := func(query string, vars map[string]any) *response {
			t.Helper()
			for range 5 {
				if resp := a.do(read, nil); len(resp.Errors) > 0 {
					t.Fatalf("the read before: %+v", resp.Errors)
				}
				if gate, resp := refused(query, vars); !gate {
					return resp
				}
			}
			t.Fatalf("the key check failed before each of five tries of %s", query)
			return nil
		}
		unavailable(t, fieldRefused(read, nil), true)
		// The write failed reading the definitions, before it began.
		unavailable(t, fieldRefused(create, map[string]any{"p": map[string]any{"firstname": "golf"}}), true)
		// A definition change reads the definitions again after its
		// write: a failed read there is not known to come first.
		unavailable(t, fieldRefused(`mutation { createPropertyGroup(input: {objectType: "contacts", name: "chaos", label: "Chaos"}) { propertyGroup { name } } }`, nil), false)
		if resp := a.do(read, nil); len(resp.Errors) > 0 {
			t.Fatalf("the read after the database came back: %+v", resp.Errors)
		}
		if resp := a.do(create, map[string]any{"p": map[string]any{"firstname": "hotel"}}); len(resp.Errors) > 0 {
			t.Fatalf("the write after the database came back: %+v", resp.Errors)
		}
		if written("golf") != 0 || written("hotel") != 1 {
			t.Fatalf("golf written %d times, hotel %d", written("golf"), written("hotel"))
		}
	})
}

type proxyAction int

const (
	forward       proxyAction = iota
	cutBefore                 // close both sides instead of forwarding the message
	cutAfterReply             // forward the message, close both sides instead of relaying the reply
)

// pgProxy stands between the server and PostgreSQL (sslmode=disable) and
// reads the messages the server sends, so that a test can cut the
// connection at one.
type pgProxy struct {
	t      *testing.T
	target string
	addr   string

	mu     sync.Mutex
	l      net.Listener
	conns  map[net.Conn]bool
	match  func(typ byte, body []byte) bool
	action proxyAction
	left   int // cuts left; -1: every match
	hits   *atomic.Int64
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	p := &pgProxy{t: t, target: target, conns: map[net.Conn]bool{}, hits: &atomic.Int64{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = l.Addr().String()
	p.l = l
	go p.serve(l)
	t.Cleanup(p.refuse)
	return p
}

// cut makes the next n messages that match (every one when n is -1) cut
// their connection; it returns the count of cuts.
func (p *pgProxy) cut(match func(byte, []byte) bool, action proxyAction, n int) *atomic.Int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.match, p.action, p.left, p.hits = match, action, n, &atomic.Int64{}
	return p.hits
}

func (p *pgProxy) decide(typ byte, body []byte) proxyAction {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.match == nil || p.left == 0 || !p.match(typ, body) {
		return forward
	}
	if p.left > 0 {
		p.left--
	}
	p.hits.Add(1)
	return p.action
}

// refuse closes every connection and refuses new ones, as a database
// restarting does.
func (p *pgProxy) refuse() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		p.l.Close()
		p.l = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// accept takes connections again, on the same address.
func (p *pgProxy) accept() {
	l, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.l = l
	p.mu.Unlock()
	go p.serve(l)
}

func (p *pgProxy) serve(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go p.relay(c)
	}
}

func (p *pgProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l == nil {
		return false
	}
	for _, c := range cs {
		p.conns[c] = true
	}
	return true
}

func (p *pgProxy) relay(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(client, server) {
		client.Close()
		if server != nil {
			server.Close()
		}
		return
	}
	closeBoth := func() { client.Close(); server.Close() }
	defer closeBoth()
	var swallow atomic.Bool
	go func() { // replies
		defer closeBoth()
		buf := make([]byte, 32<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 && swallow.Load() {
				return
			}
			if n > 0 {
				if _, err := client.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	r := bufio.NewReader(client)
	// The startup message has no type byte.
	startup, err := readMessage(r, false)
	if err != nil {
		return
	}
	if _, err := server.Write(startup); err != nil {
		return
	}
	for {
		msg, err := readMessage(r, true)
		if err != nil {
			return
		}
		switch p.decide(msg[0], msg[5:]) {
		case cutBefore:
			return
		case cutAfterReply:
			// The client waits for the reply before it sends anything
			// else: the next bytes from the server are that reply.
			swallow.Store(true)
			server.Write(msg)
			io.Copy(io.Discard, r)
			return
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}

// readMessage reads one protocol message whole: its type byte (typed),
// its length and its body.
func readMessage(r *bufio.Reader, typed bool) ([]byte, error) {
	head := 4
	if typed {
		head = 5
	}
	msg := make([]byte, head)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(msg[head-4:]))
	if n < 4 {
		return nil, fmt.Errorf("bad message length %d", n)
	}
	msg = append(msg, make([]byte, n-4)...)
	_, err := io.ReadFull(r, msg[head:])
	return msg, err
}
