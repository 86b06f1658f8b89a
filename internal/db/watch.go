package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"
)

// Every server process caches the definitions of a workspace (meta.Cache)
// and must see a change another process committed from its very next
// request on. On SQLite the cache reads the workspace's schema version at
// every request: an embedded read costs next to nothing. On PostgreSQL that
// read was a statement of every request; instead, a transaction that moves
// a schema version notifies definitionsChannel (NotifyDefinitions), which
// PostgreSQL delivers at its commit, and each process keeps one connection
// listening on it (watch).
//
// Hearing notifications is not enough by itself: server A commits a change
// and answers, the client asks server B at once, and B's listening
// connection may not have passed the notification on yet. So a request
// that would trust a cached model first syncs: it waits for an empty query
// (";") on the listening connection sent after the request asked. PostgreSQL
// signals every listening backend before the committing client hears its
// COMMIT succeed, and a signalled backend sends what it was notified before
// it reads the next query, and before its ReadyForQuery in any case; pq
// reads those notifications, calling note, before it returns from the
// empty query. A change committed before the request arrived is therefore
// heard before the request looks at what was heard: strictly, not
// probably. The sync costs a round trip, but a cheap one (no statement to
// plan or run, no pooled connection), and one empty query answers every
// request that asked while the one before it was on its way.
//
// Whenever the listening connection is not known to be sound (before it
// first listens, after a failed sync, while it reconnects) nothing is
// trusted: the cache reads the version as on SQLite. A model checked on an
// earlier connection is checked again on the new one, since notifications
// may have been lost in between.
//
// A notification says "schema:workspace", schema being that of the
// workspaces table the statement found (workspacesSchema): a channel is
// one for the whole database, and servers of other schemas (tests, the
// benchmark) must not unsettle each other's caches.
//
// The API keys' cache (auth.Store) trusts a key read earlier on the same
// terms: "schema:keys" is notified by triggers (migration 00016) whenever
// a key changes (revoked, renamed, deleted; not its last-used time) or a
// workspace is renamed or deleted, and KeysUnchanged is
// DefinitionsUnchanged for it.
const (
	definitionsChannel = "crm_definitions"
	workspacesSchema   = "(SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = 'workspaces'::regclass)"
	keysPayload        = "keys"
)

// keysTopic is where the watch counts the notifications of keys, beside
// the workspaces' (whose ids are positive).
const keysTopic = -1

// NotifyDefinitions has the transaction tx, which moved the schema version
// of the workspace, tell every listening server process so when it
// commits. Nothing on SQLite.
func NotifyDefinitions(ctx context.Context, tx ExecQuerier, d Dialect, workspaceID int) error {
	if d.Name() != dialect.Postgres {
		return nil
	}
	_, err := Build(d, "SELECT pg_notify('"+definitionsChannel+"', "+workspacesSchema+" || ':' || ").
		Arg(strconv.Itoa(workspaceID)).T(")").Exec(ctx, tx)
	if err != nil {
		return fmt.Errorf("notify the change of definitions: %w", err)
	}
	return nil
}

// Mark is what a cache notes before it reads a schema version: the
// listening connection and how many notifications of the workspace it had
// heard. The zero Mark, taken while nobody listens, is never trusted.
type Mark struct {
	conn  uint64
	heard uint64
}

// Heard tells whether m was noted while the watch listened: only then can
// what it marks be trusted later.
func (m Mark) Heard() bool { return m.conn != 0 }

// How the listening connection is kept.
const (
	syncTimeout   = 2 * time.Second // an empty query slower than this drops the connection
	keepAlive     = time.Second     // an empty query this often when no request asks: drains notifications, finds a dead connection
	retryFirst    = 100 * time.Millisecond
	retryMaxDelay = 5 * time.Second
)

// watch is the listening connection of a DB on PostgreSQL and what it
// heard. One goroutine (run) owns the connection: it connects, listens,
// and sends the empty queries; note runs within them.
type watch struct {
	connector driver.Connector
	ctx       context.Context // cancelled by close
	cancel    context.CancelFunc
	wake      chan struct{} // a request waits for a sync, or nobody listens
	done      chan struct{} // run returned
	prefix    string        // "schema:" of the notifications that count; run's

	mu      sync.Mutex
	started bool
	conn    uint64 // counts the connections that listened; 0 before the first
	up      bool   // conn listens and has failed no sync
	heard   map[int]uint64
	all     uint64     // notifications that named no workspace: every workspace's
	next    *syncRound // the round the next empty query answers
	changed chan struct{}
	err     error // of the last attempt to listen
}

// syncRound is one empty query and the requests that wait for it.
type syncRound struct {
	done chan struct{}
	ok   bool
	conn uint64
}

func newWatch(dsn string) (*watch, error) {
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	w := &watch{wake: make(chan struct{}, 1), done: make(chan struct{}), changed: make(chan struct{})}
	w.connector = pq.ConnectorWithNotificationHandler(c, w.note)
	w.ctx, w.cancel = context.WithCancel(context.Background())
	return w, nil
}

// start starts listening, once: run connects at once.
func (w *watch) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started || w.ctx.Err() != nil {
		return
	}
	w.started = true
	go w.run()
	w.poke()
}

// close stops listening and closes the connection.
func (w *watch) close() {
	w.mu.Lock()
	started := w.started
	w.cancel()
	w.mu.Unlock()
	if started {
		<-w.done
	}
}

// await waits until the watch listens, or until an attempt to listen
// failed (its error).
func (w *watch) await(ctx context.Context) error {
	w.start()
	w.mu.Lock()
	if w.up {
		w.mu.Unlock()
		return nil
	}
	changed := w.changed
	w.mu.Unlock()
	select {
	case <-changed:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.ctx.Done():
		return errors.New("the database is closed")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.up {
		return nil
	}
	return w.err
}

func (w *watch) mark(workspaceID int) Mark {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.up {
		return Mark{}
	}
	return Mark{conn: w.conn, heard: w.all + w.heard[workspaceID]}
}

// unchanged reports whether nothing was heard of the workspace since m,
// on the connection of m, as of a sync sent after it was asked, or after
// the request of ctx began (ShareSync).
func (w *watch) unchanged(ctx context.Context, workspaceID int, m Mark) bool {
	w.mu.Lock()
	if !w.up || m.conn != w.conn || w.all+w.heard[workspaceID] != m.heard {
		up := w.up
		w.mu.Unlock()
		if !up {
			w.poke()
		}
		return false
	}
	shared, _ := ctx.Value(syncKey{}).(*requestSync)
	r := shared.done(m.conn)
	if r == nil {
		if r = w.next; r == nil {
			r = &syncRound{done: make(chan struct{})}
			w.next = r
		}
		w.mu.Unlock()
		w.poke()
		select {
		case <-r.done:
		case <-ctx.Done():
			return false
		}
		shared.keep(r)
		w.mu.Lock()
	}
	defer w.mu.Unlock()
	return r.ok && r.conn == m.conn && w.all+w.heard[workspaceID] == m.heard
}

// syncKey is the context key of a request's requestSync.
type syncKey struct{}

// requestSync is the sync a request waited for: any sync sent after the
// request began proves, as well as one sent later, that a change
// committed before it began was heard, so its key check and its
// definitions check share one.
type requestSync struct {
	mu    sync.Mutex
	round *syncRound
}

// ShareSync begins a request that reads on ctx: the checks of its
// definitions and its key made with the returned context share the first
// sync they wait for. A write ends what a sync proves (a change it commits
// may not be heard yet): a part that writes takes UnshareSync's context.
// A context that outlives its request (a subscription's, between events)
// shares again, anew, for each part it answers.
func ShareSync(ctx context.Context) context.Context {
	return context.WithValue(ctx, syncKey{}, &requestSync{})
}

// UnshareSync is ctx whose checks each wait for a sync of their own, as
// without ShareSync.
func UnshareSync(ctx context.Context) context.Context {
	return context.WithValue(ctx, syncKey{}, (*requestSync)(nil))
}

// done is the sync s waited for, if it succeeded on conn; nil otherwise.
func (s *requestSync) done(conn uint64) *syncRound {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.round == nil || s.round.conn != conn {
		return nil
	}
	return s.round
}

// keep notes r, done, as the request's sync if it succeeded.
func (s *requestSync) keep(r *syncRound) {
	if s == nil || !r.ok {
		return
	}
	s.mu.Lock()
	s.round = r
	s.mu.Unlock()
}

func (w *watch) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// note counts a notification of this schema; pq calls it within run's
// calls on the connection.
func (w *watch) note(n *pq.Notification) {
	rest, ours := strings.CutPrefix(n.Extra, w.prefix)
	if !ours {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if id, err := strconv.Atoi(rest); err == nil && id > 0 {
		w.heard[id]++
	} else if rest == keysPayload {
		w.heard[keysTopic]++
	} else {
		w.all++
	}
}

// run keeps the listening connection and answers the rounds of sync.
func (w *watch) run() {
	defer close(w.done)
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	var cn driver.Conn
	var retryAt time.Time
	retry := retryFirst
	for {
		select {
		case <-w.ctx.Done():
			if cn != nil {
				cn.Close()
			}
			w.down(nil)
			return
		case <-w.wake:
		case <-tick.C:
		}
		if cn == nil {
			if time.Now().Before(retryAt) {
				continue
			}
			var err error
			if cn, err = w.listen(); err != nil {
				w.failed(err)
				retryAt = time.Now().Add(retry)
				retry = min(2*retry, retryMaxDelay)
				continue
			}
			retry = retryFirst
		}
		w.mu.Lock()
		r, conn := w.next, w.conn
		w.next = nil
		w.mu.Unlock()
		ctx, cancel := context.WithTimeout(w.ctx, syncTimeout)
		err := cn.(driver.Pinger).Ping(ctx)
		cancel()
		if err != nil {
			cn.Close()
			cn = nil
			w.down(r)
			continue
		}
		if r != nil {
			r.ok, r.conn = true, conn
			close(r.done)
		}
	}
}

// listen opens a connection and listens on it: from then on, what it
// hears counts.
func (w *watch) listen() (driver.Conn, error) {
	// Notifications may come with LISTEN's answer: they count from here.
	w.mu.Lock()
	w.heard = map[int]uint64{}
	w.all = 0
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(w.ctx, syncTimeout)
	defer cancel()
	cn, err := w.connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if w.prefix, err = schemaOf(ctx, cn); err == nil {
		_, err = cn.(driver.ExecerContext).ExecContext(ctx, "LISTEN "+definitionsChannel, nil)
	}
	if err != nil {
		cn.Close()
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.conn++
	w.up = true
	w.err = nil
	w.broadcast()
	return cn, nil
}

// schemaOf returns the prefix of the notifications of the schema cn's
// statements find the workspaces table in.
func schemaOf(ctx context.Context, cn driver.Conn) (string, error) {
	rows, err := cn.(driver.QueryerContext).QueryContext(ctx, "SELECT "+workspacesSchema, nil)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	if err := rows.Next(v); err != nil {
		return "", err
	}
	schema, ok := v[0].(string)
	if !ok {
		return "", fmt.Errorf("the schema of the workspaces table is %T", v[0])
	}
	return schema + ":", nil
}

// failed records an attempt to listen that failed.
func (w *watch) failed(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.err = err
	w.broadcast()
}

// down says the connection is gone: r, the round in hand if any, and the
// next round fail, and nothing is trusted until a connection listens
// again.
func (w *watch) down(r *syncRound) {
	if r != nil {
		close(r.done)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.next != nil {
		close(w.next.done)
		w.next = nil
	}
	if w.up {
		w.up = false
		w.broadcast()
	}
}

// broadcast wakes the awaiters; w.mu is held.
func (w *watch) broadcast() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// WatchDefinitions starts listening for changes of definitions that other
// server processes commit, so that DefinitionsUnchanged can answer without
// a statement; nothing on SQLite.
func (d *DB) WatchDefinitions() {
	if d.watch != nil {
		d.watch.start()
	}
}

// AwaitDefinitionsWatch starts listening as WatchDefinitions does and
// waits until the connection listens: nil then, or the error of the
// attempt that failed. Nil at once on SQLite.
func (d *DB) AwaitDefinitionsWatch(ctx context.Context) error {
	if d.watch == nil {
		return nil
	}
	return d.watch.await(ctx)
}

// DefinitionsMark is noted before reading the schema version of a
// workspace, for DefinitionsUnchanged to tell later whether it may have
// moved since.
func (d *DB) DefinitionsMark(workspaceID int) Mark {
	if d.watch == nil {
		return Mark{}
	}
	return d.watch.mark(workspaceID)
}

// KeysMark is noted before reading an API key, for KeysUnchanged to tell
// later whether it may have changed since.
func (d *DB) KeysMark() Mark {
	return d.DefinitionsMark(keysTopic)
}

// KeysUnchanged reports whether every API key and workspace is certainly
// what it was when m was noted: false whenever that is not known (always
// on SQLite), and the key must be read.
func (d *DB) KeysUnchanged(ctx context.Context, m Mark) bool {
	return d.DefinitionsUnchanged(ctx, keysTopic, m)
}

// DefinitionsUnchanged reports whether the schema version of a workspace
// is certainly what it was when m was noted: false whenever that is not
// known (always on SQLite), and the version must be read.
func (d *DB) DefinitionsUnchanged(ctx context.Context, workspaceID int, m Mark) bool {
	if d.watch == nil || m.conn == 0 {
		return false
	}
	return d.watch.unchanged(ctx, workspaceID, m)
}
