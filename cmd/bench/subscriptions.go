package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	coderws "github.com/coder/websocket"
	"golang.org/x/sync/errgroup"
)

// Sizes and goals of the subscriptions part.
const (
	defaultSubscribers         = 1000
	defaultSubscriptionRate    = 200 // updates a second
	defaultSubscriptionSeconds = 20
	// subscriptionRecords are the contacts the updates go to, in turn.
	subscriptionRecords = 100
	// recordUpdatedEvery: every this many subscribers one follows a
	// record with recordUpdated, the others all contacts.
	recordUpdatedEvery = 10
	// subscriptionWriters send the paced updates at once at most.
	subscriptionWriters = 32
	// drainQuiet ends the wait for late events once none came for this
	// long.
	drainQuiet      = 10 * time.Second
	maxEventP99     = 100 * time.Millisecond
	maxSubsServerMB = 300
)

const (
	eventSelection      = `{ kind recordId sequence occurredAt record { id } }`
	recordChangedQuery  = `subscription { recordChanged(objectType: "contacts") ` + eventSelection + ` }`
	recordUpdatedQuery  = `subscription($id: ID!) { recordUpdated(id: $id) ` + eventSelection + ` }`
	updateRecordMut     = `mutation($id: ID!, $v: String!) { updateRecord(input: {id: $id, properties: {jobtitle: $v}}) { record { id } } }`
	createRecordMut     = `mutation($v: String!) { createRecord(input: {objectType: "contacts", properties: {firstname: $v}}) { record { id } } }`
	subscriptionDialers = 50
)

// benchSubscriptions starts the server binary as a child process on a
// fresh schema, and measures subscriptions over graphql-ws: first one
// subscriber (the baseline: no fan-out), then cfg.subscribers, while
// cfg.subscriptionRate updates a second go through updateRecord for
// cfg.subscriptionDuration. It prints the latency of the events, the
// events delivered beside those due, the mutations' latency and the
// child's resident memory.
func benchSubscriptions(ctx context.Context, cfg config, out io.Writer) (err error) {
	fmt.Fprintf(out, "\n== subscriptions: %d graphql-ws subscribers on the server binary, %d updateRecord a second for %v\n",
		cfg.subscribers, cfg.subscriptionRate, cfg.subscriptionDuration)
	schemaURL, d, _, done, err := freshWorkspace(ctx, cfg.databaseURL)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, done()) }()
	dir, err := os.MkdirTemp("", "crm-bench-subscriptions-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := buildServer(ctx, dir)
	if err != nil {
		return err
	}
	child, err := startChild(ctx, bin, schemaURL)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, child.stop()) }()

	api := server{name: "api", url: "http://" + child.addr + "/graphql", graphQL: true}
	client := newClient()
	ids := make([]string, subscriptionRecords)
	for i := range ids {
		body, err := fetch(ctx, client, withBody(api, createRecordMut, map[string]any{"v": fmt.Sprintf("Sub %d", i)}))
		if err != nil {
			return fmt.Errorf("create contact: %w", err)
		}
		var r struct {
			Data struct {
				CreateRecord struct{ Record struct{ ID string } }
			}
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return err
		}
		ids[i] = r.Data.CreateRecord.Record.ID
	}
	idleMB, _, err := child.memory()
	if err != nil {
		return err
	}
	maxSeq := func() (int64, error) {
		var s int64
		return s, d.SQL.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM change_events").Scan(&s)
	}
	run := func(n int) (fanout, error) {
		return runFanout(ctx, child, client, api, ids, n, cfg.subscriptionRate, cfg.subscriptionDuration, maxSeq)
	}
	base, err := run(1)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	full, err := run(cfg.subscribers)
	if err != nil {
		return err
	}
	_, hwmMB, err := child.memory()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "latency: from occurredAt (the server's clock when the write appends its events, in its transaction just before COMMIT)\n"+
		"  to the bench's clock when the websocket message is read (same machine), for every event every subscriber got;\n"+
		"  mutation: updateRecord sent to answer received. Subscribers: 1 in %d follows one of %d contacts (recordUpdated), the others recordChanged(contacts);\n"+
		"  selection %s\n", recordUpdatedEvery, subscriptionRecords, eventSelection)
	fmt.Fprintf(out, "%-28s %10s %10s %10s %10s %11s %9s %9s %8s %11s %11s %12s\n", "", "updates/s", "events", "due", "missing",
		"event p50", "p99", "max", "failed", "mut. p50", "mut. p99", "peak RSS MB")
	for _, f := range []struct {
		name string
		r    fanout
	}{{"1 subscriber (baseline)", base}, {fmt.Sprintf("%d subscribers", cfg.subscribers), full}} {
		r := f.r
		fmt.Fprintf(out, "%-28s %10.1f %10d %10d %10d %11s %9s %9s %8d %11s %11s %12.1f\n", f.name, r.updatesPerSecond, r.delivered, r.due, r.due-r.counted,
			ms(r.events.percentile(50)), ms(r.events.percentile(99)), ms(r.events.percentile(100)), r.failedUpdates+r.failedSubscribers,
			ms(r.mutations.percentile(50)), ms(r.mutations.percentile(99)), r.peakMB)
		if r.firstErr != nil {
			fmt.Fprintf(out, "  first error: %v\n", r.firstErr)
		}
	}
	fmt.Fprintf(out, "server resident memory: %.1f MB idle before subscribers, peak VmHWM %.1f MB over the run (peak RSS above: sampled VmRSS every 100 ms in each stretch)\n", idleMB, hwmMB)
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(out, "load average (1, 5, 15 min) at the end: %s\n", strings.Join(strings.Fields(string(b))[:3], " "))
	}
	fmt.Fprintf(out, "goal: p99 under %v, memory under %d MB\n", maxEventP99, maxSubsServerMB)
	var missed []string
	if p99 := full.events.percentile(99); p99 >= maxEventP99 {
		missed = append(missed, fmt.Sprintf("p99 %s", ms(p99)))
	}
	if hwmMB >= maxSubsServerMB {
		missed = append(missed, fmt.Sprintf("memory %.1f MB", hwmMB))
	}
	if full.counted < full.due {
		missed = append(missed, fmt.Sprintf("%d events missing", full.due-full.counted))
	}
	if len(missed) > 0 {
		fmt.Fprintf(out, "MISSED: %s\n", strings.Join(missed, ", "))
	} else {
		fmt.Fprintln(out, "goal met")
	}
	return nil
}

func withBody(s server, query string, vars map[string]any) server {
	s.body, _ = json.Marshal(map[string]any{"query": query, "variables": vars})
	return s
}

// fanout is what one stretch of subscribers and paced updates measured.
type fanout struct {
	events           sample // receive time - occurredAt of every counted event
	mutations        sample
	updatesPerSecond float64
	delivered        int // events counted, extras included
	counted          int // events counted, at most those due to each subscriber
	due              int
	failedUpdates    int
	// failedSubscribers ended with an error or were closed.
	failedSubscribers int
	firstErr          error
	peakMB            float64
}

// subscriber is one graphql-ws connection holding one subscription.
type subscriber struct {
	conn   *coderws.Conn
	record int // the index of the contact it follows; -1: recordChanged
	warm   atomic.Bool
	// closing: the bench closes it, its read's error is no failure.
	closing atomic.Bool
	count   atomic.Int64
	mu      sync.Mutex
	lat     []time.Duration
	err     error
}

// runFanout opens n subscriptions, warms them up (each has had an event),
// then sends rate updates a second for d, waits until every subscriber
// got what it is due (or no event came for drainQuiet) and closes them.
func runFanout(ctx context.Context, child *childServer, client *http.Client, api server, ids []string, n, rate int, d time.Duration,
	maxSeq func() (int64, error)) (r fanout, err error) {
	subs := make([]*subscriber, n)
	// The sequence after which events count: none before the warm-up.
	var after atomic.Int64
	after.Store(1<<63 - 1)
	var readers sync.WaitGroup
	defer func() {
		for _, s := range subs {
			if s != nil {
				s.close()
			}
		}
		readers.Wait()
	}()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(subscriptionDialers)
	for i := range subs {
		g.Go(func() error {
			s := &subscriber{record: -1}
			if n > 1 && i%recordUpdatedEvery == recordUpdatedEvery-1 {
				s.record = i % len(ids)
			}
			if err := s.open(gctx, "ws://"+child.addr+"/graphql", ids); err != nil {
				return fmt.Errorf("subscriber %d: %w", i, err)
			}
			subs[i] = s
			readers.Add(1)
			go func() {
				defer readers.Done()
				s.read(ctx, &after)
			}()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return r, err
	}
	// Warm up: every subscription has heard an update, so it is open on
	// the server; the events counted are those after every warm-up write.
	warmed := time.Now().Add(time.Minute)
	for {
		for _, id := range ids {
			if _, err := fetch(ctx, client, withBody(api, updateRecordMut, map[string]any{"id": id, "v": "warm-up"})); err != nil {
				return r, fmt.Errorf("warm-up: %w", err)
			}
		}
		wait := time.Now().Add(5 * time.Second)
		for cold(subs) > 0 && time.Now().Before(wait) {
			time.Sleep(50 * time.Millisecond)
		}
		if c := cold(subs); c == 0 {
			break
		} else if time.Now().After(warmed) {
			return r, fmt.Errorf("%d of %d subscribers heard no warm-up event in a minute", c, n)
		}
	}
	seq, err := maxSeq()
	if err != nil {
		return r, err
	}
	after.Store(seq)

	mem := child.sample()
	var (
		mu        sync.Mutex
		perRecord = make([]int, len(ids))
		jobs      = make(chan int, rate*int(d.Seconds()+1))
		workers   sync.WaitGroup
	)
	for range subscriptionWriters {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := range jobs {
				start := time.Now()
				_, err := fetch(ctx, client, withBody(api, updateRecordMut, map[string]any{"id": ids[i%len(ids)], "v": "bench " + strconv.Itoa(i)}))
				took := time.Since(start)
				mu.Lock()
				r.mutations.latencies = append(r.mutations.latencies, took)
				if err != nil {
					r.failedUpdates++
					r.firstErr = firstOf(r.firstErr, err)
				} else {
					perRecord[i%len(ids)]++
				}
				mu.Unlock()
			}
		}()
	}
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	total := int(d / interval)
	for i := range total {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	workers.Wait()
	elapsed := time.Since(start)
	r.updatesPerSecond = float64(total-r.failedUpdates) / elapsed.Seconds()
	updates := total - r.failedUpdates
	dueOf := func(s *subscriber) int64 {
		if s.record < 0 {
			return int64(updates)
		}
		return int64(perRecord[s.record])
	}
	// Drain: wait for the events still on their way.
	last, lastAt := int64(-1), time.Now()
	for time.Since(lastAt) < drainQuiet && ctx.Err() == nil {
		var got int64
		short := false
		for _, s := range subs {
			c := s.count.Load()
			got += c
			short = short || c < dueOf(s)
		}
		if !short {
			break
		}
		if got != last {
			last, lastAt = got, time.Now()
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.peakMB = mem()
	for _, s := range subs {
		s.close()
	}
	readers.Wait()
	for _, s := range subs {
		due := dueOf(s)
		c := s.count.Load()
		r.due += int(due)
		r.delivered += int(c)
		r.counted += int(min(c, due))
		r.events.latencies = append(r.events.latencies, s.lat...)
		if s.err != nil {
			r.failedSubscribers++
			r.firstErr = firstOf(r.firstErr, s.err)
		}
	}
	subs = nil
	return r, ctx.Err()
}

func firstOf(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

func cold(subs []*subscriber) int {
	n := 0
	for _, s := range subs {
		if !s.warm.Load() {
			n++
		}
	}
	return n
}

// open dials url, acknowledges graphql-transport-ws and subscribes.
func (s *subscriber) open(ctx context.Context, url string, ids []string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, _, err := coderws.Dial(ctx, url, &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return err
	}
	c.SetReadLimit(1 << 20)
	s.conn = c
	send := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return c.Write(ctx, coderws.MessageText, b)
	}
	if err := send(map[string]any{"type": "connection_init", "payload": map[string]any{}}); err != nil {
		return err
	}
	_, b, err := c.Read(ctx)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(`"connection_ack"`)) {
		return fmt.Errorf("connection_init answered %.300s", b)
	}
	payload := map[string]any{"query": recordChangedQuery}
	if s.record >= 0 {
		payload = map[string]any{"query": recordUpdatedQuery, "variables": map[string]any{"id": ids[s.record]}}
	}
	return send(map[string]any{"id": "1", "type": "subscribe", "payload": payload})
}

func (s *subscriber) close() {
	s.closing.Store(true)
	s.conn.CloseNow()
}

var (
	occurredAtKey = []byte(`"occurredAt":"`)
	sequenceKey   = []byte(`"sequence":"`)
	nextType      = []byte(`"type":"next"`)
	pingType      = []byte(`"type":"ping"`)
)

// read reads events until the connection closes, counting those whose
// sequence is above after, with their latency. It finds the two fields
// in the message's bytes rather than decoding it, to keep the load
// generator light; anything but an event, a ping or a pong ends it.
func (s *subscriber) read(ctx context.Context, after *atomic.Int64) {
	for {
		_, b, err := s.conn.Read(ctx)
		now := time.Now()
		if err != nil {
			if !s.closing.Load() && ctx.Err() == nil {
				s.err = err
			}
			return
		}
		switch {
		case bytes.Contains(b, pingType):
			if err := s.conn.Write(ctx, coderws.MessageText, []byte(`{"type":"pong"}`)); err != nil {
				s.err = err
				return
			}
			continue
		case bytes.Contains(b, []byte(`"type":"pong"`)):
			continue
		}
		seq, at, ok := eventFields(b)
		if !bytes.Contains(b, nextType) || !ok || bytes.Contains(b, []byte(`"errors":`)) {
			s.err = fmt.Errorf("subscription answered %.300s", b)
			return
		}
		s.warm.Store(true)
		if seq <= after.Load() {
			continue
		}
		s.mu.Lock()
		s.lat = append(s.lat, now.Sub(at))
		s.mu.Unlock()
		s.count.Add(1)
	}
}

// eventFields finds an event's sequence and occurredAt in a message.
func eventFields(b []byte) (seq int64, at time.Time, ok bool) {
	field := func(key []byte) []byte {
		i := bytes.Index(b, key)
		if i < 0 {
			return nil
		}
		v := b[i+len(key):]
		if j := bytes.IndexByte(v, '"'); j >= 0 {
			return v[:j]
		}
		return nil
	}
	seq, err := strconv.ParseInt(string(field(sequenceKey)), 10, 64)
	if err != nil {
		return 0, at, false
	}
	at, err = time.Parse(time.RFC3339Nano, string(field(occurredAtKey)))
	return seq, at, err == nil
}

// childServer is the server binary running as a child process.
type childServer struct {
	addr string
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan struct{}
	err  error
}

// startChild starts bin on schemaURL at a free loopback port (local
// mode: no keys) and waits until it answers /healthz.
func startChild(ctx context.Context, bin, schemaURL string) (*childServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c := &childServer{addr: addr, done: make(chan struct{})}
	c.cmd = exec.Command(bin)
	c.cmd.Env = append(os.Environ(), "DATABASE_URL="+schemaURL, "ADDR="+addr, "NO_DEMO=1", "LOG_FORMAT=text")
	w := &lockedWriter{w: &c.out}
	c.cmd.Stdout, c.cmd.Stderr = w, w
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	hc := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case <-c.done:
			return nil, fmt.Errorf("the server exited: %v\n%s", c.err, w.tail())
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), c.stop())
		default:
		}
		if resp, err := hc.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, errors.Join(fmt.Errorf("the server is not healthy after 2 minutes:\n%s", w.tail()), c.stop())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the child with SIGTERM, then SIGKILL after 30 s, which it
// reports.
func (c *childServer) stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return errors.New("the server did not stop within 30 s of SIGTERM: killed")
	}
	return nil
}

// memory answers the child's resident memory now (VmRSS) and at its
// peak (VmHWM), in MB, from /proc.
func (c *childServer) memory() (rss, hwm float64, err error) {
	status := fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid)
	if rss, err = statusMB(status, "VmRSS"); err != nil {
		return 0, 0, err
	}
	hwm, err = statusMB(status, "VmHWM")
	return rss, hwm, err
}

// sample reads the child's VmRSS every 100 ms until the returned func is
// called, which answers the largest.
func (c *childServer) sample() func() float64 {
	stop := make(chan struct{})
	peak := make(chan float64)
	go func() {
		var top float64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _, err := c.memory(); err == nil {
				top = max(top, rss)
			}
			select {
			case <-t.C:
			case <-stop:
				peak <- top
				return
			}
		}
	}()
	return func() float64 {
		close(stop)
		return <-peak
	}
}

// lockedWriter keeps the child's output, written from two pipes.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w.Len() > 1<<20 {
		l.w.Reset()
	}
	return l.w.Write(p)
}

func (l *lockedWriter) tail() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return tail(l.w.Bytes(), 2000)
}
