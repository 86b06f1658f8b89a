// Package write is the one way the domain writes. A Unit opens the
// transaction, takes the workspace's schema version — share-locked by
// record and association writes, moved on by definition changes — retries
// a record write once with fresh definitions when a definition change
// overtook it, and appends the property history the write gathered before
// it commits; a transaction the database failed for the moment before
// its COMMIT runs again (see run). Records, associations, merges,
// permanent deletion and definition changes all write through it, so none
// can land unseen by another: a definition change waits for the writes in
// flight, or they for it. Each write notes what it changed (Changes); the
// hooks registered on the unit (BeforeCommit) keep what derives from
// records current in the same transaction, without this package knowing
// them. A write the audit trail keeps records its entry in its own
// transaction (Options.Audit, Audited).
package write

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/workspace"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/history"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/timeline"
)

// ErrStaleDefinitions is the cause of the CONFLICT a write answers when
// the definitions it was checked against changed before it could lock
// them, twice in a row.
var ErrStaleDefinitions = errors.New("definitions changed during the write")

func errStale() error {
	return apierr.Wrap(ErrStaleDefinitions, apierr.Conflict, "the definitions changed during the write; try again")
}

// Unit runs writes.
type Unit struct {
	db        *db.DB
	hooks     []Hook
	committed []func(workspaceID int)
}

// Hook runs at the end of every write's transaction, after the write and
// before its history is appended and it commits: what derives from records
// (list memberships) follows the write's Changes there, in the write's
// own transaction. An error rolls the write back.
type Hook func(ctx context.Context, t *Tx) error

// BeforeCommit adds a hook to every write of u. Hooks are added when the
// unit is made, before it writes.
func (u *Unit) BeforeCommit(h Hook) { u.hooks = append(u.hooks, h) }

// AfterCommit adds f, told the workspace of every write of u that
// committed, after its commit (the event log's wake-up: events.Log).
// Added when the unit is made, before it writes.
func (u *Unit) AfterCommit(f func(workspaceID int)) { u.committed = append(u.committed, f) }

// New returns the unit of d.
func New(d *db.DB) *Unit { return &Unit{db: d} }

// Options say how a record write goes.
type Options struct {
	// Source is what the history of the write's values names: API unless
	// set (MERGE, IMPORT...).
	Source history.Source
	// LockWithRecords says the write's first statement locks records
	// through Tx.VersionLock, taking the schema version in the same
	// statement (one round trip less). A write that says so and then locks
	// nothing fails.
	LockWithRecords bool
	// Audit, when set, names the audit entry the write records in its
	// transaction once it succeeded (Audited).
	Audit func() audit.Change
}

// Tx is one write's transaction and what the write needs besides: the
// definitions it runs against and the history it appends.
type Tx struct {
	*ent.Tx
	// Model are the definitions the write runs against: on a retry, fresh
	// ones. A write reads them here, never from before it began.
	Model     *meta.Model
	Dialect   db.Dialect
	source    history.Source
	history   history.Buffer
	timeline  timeline.Buffer
	changes   Changes
	mark      *changesMark
	locked    bool
	exclusive bool
	// raw is the transaction under ent's on PostgreSQL, for COPY; nil
	// elsewhere.
	raw *stdsql.Tx
}

// CanCopy reports whether the write may stream rows with Copy: on
// PostgreSQL.
func (t *Tx) CanCopy() bool { return t.raw != nil }

// Copy streams rows into table's columns with COPY inside the write's
// transaction (db.Copy); only where CanCopy says it may.
func (t *Tx) Copy(ctx context.Context, table string, columns []string, rows [][]any) error {
	if t.raw == nil {
		return errors.New("write: COPY on a database without it")
	}
	return db.Copy(ctx, t.raw, table, columns, rows)
}

// copiedHistory is how many history rows a write appends with COPY rather
// than INSERT, where it can: COPY costs two round trips more, and parses
// and plans nothing per row.
const copiedHistory = 100

// Source is what the history of this write's values names.
func (t *Tx) Source() history.Source { return t.source }

// Record keeps the change of one record's values, from old (nil for a new
// record) to next, for the history appended at commit.
func (t *Tx) Record(recordID int, old, next map[string]any, at time.Time) error {
	return t.history.Add(recordID, old, next, at, t.source)
}

// History is the buffer of changes the write appends at commit.
func (t *Tx) History() *history.Buffer { return &t.history }

// Audited is fn followed, when it succeeds, by the audit entry change
// names (read then, so that it may name what fn made), inserted in fn's
// transaction: it commits with the write or not at all (audit.Insert).
func Audited(ctx context.Context, change func() audit.Change, fn func(t *Tx) error) func(t *Tx) error {
	return func(t *Tx) error {
		if err := fn(t); err != nil {
			return err
		}
		return audit.Insert(ctx, t.AuditEntry, t.Model.WorkspaceID, change())
	}
}

// Happened keeps events of the records' timelines (associations, merges,
// archives...) to append at commit.
func (t *Tx) Happened(events ...timeline.Event) { t.timeline.Add(events...) }

// Savepoint runs fn inside a savepoint: an *apierr.Error from fn rolls
// back what fn wrote, with the history, timeline events and changes it
// noted, and is returned; the transaction goes on. Any other error is
// returned as it is, to fail the write.
func (t *Tx) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := db.Build(t.Dialect, "SAVEPOINT item").Exec(ctx, t); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	history, events := t.history.Len(), t.timeline.Len()
	outer := t.markChanges()
	defer t.endMark(outer)
	err := fn()
	if _, ok := apierr.As(err); ok {
		t.forgetChanges()
		if _, rbErr := db.Build(t.Dialect, "ROLLBACK TO SAVEPOINT item").Exec(ctx, t); rbErr != nil {
			return fmt.Errorf("rollback to savepoint: %w", rbErr)
		}
		t.history.Truncate(history)
		t.timeline.Truncate(events)
		return err
	}
	if err != nil {
		return err
	}
	if _, err := db.Build(t.Dialect, "RELEASE SAVEPOINT item").Exec(ctx, t); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// FlushHistory appends the changes kept so far now, for a write of many
// records that should not hold them all until its commit.
func (t *Tx) FlushHistory(ctx context.Context) error {
	return t.history.Flush(ctx, t.Tx, t.Dialect, t.Model.WorkspaceID)
}

// Changes are what the write changed so far, for its hooks.
func (t *Tx) Changes() *Changes { return &t.changes }

// Exclusive reports whether no record write runs beside this one: a
// change of definitions, which holds the workspace's schema version until
// it commits.
func (t *Tx) Exclusive() bool { return t.exclusive }

// VersionLock appends the expression that share-locks the workspace's
// schema version, to select before the rows a write locks; the version it
// yields goes to Locked.
func (t *Tx) VersionLock(q *db.SQL) *db.SQL { return versionLock(q, t.Model.WorkspaceID) }

func versionLock(q *db.SQL, workspaceID int) *db.SQL {
	return q.T("(SELECT schema_version FROM workspaces WHERE id = ").Arg(workspaceID).ForShare().T(")")
}

// SharedVersion share-locks the schema version of a workspace in tx, a
// transaction that writes outside a unit (an import's end), and returns
// it: as a record write does, tx then holds the definitions of that
// version (its webhooks among them) until it ends.
func SharedVersion(ctx context.Context, tx *ent.Tx, d db.Dialect, workspaceID int) (int64, error) {
	var version int64
	if err := versionLock(db.Build(d, "SELECT "), workspaceID).Row(ctx, tx, &version); err != nil {
		return 0, fmt.Errorf("lock the schema version: %w", err)
	}
	return version, nil
}

// Locked takes the version VersionLock read: a write whose definitions
// are no longer current stops here, to be retried with fresh ones.
func (t *Tx) Locked(version int64) error {
	t.locked = true
	if version != t.Model.Version {
		return errStale()
	}
	return nil
}

// EnsureLocked share-locks the schema version unless the write has: a
// write that locked records with it may have found none.
func (t *Tx) EnsureLocked(ctx context.Context) error {
	if t.locked {
		return nil
	}
	return t.lockVersion(ctx)
}

func (t *Tx) lockVersion(ctx context.Context) error {
	var version int64
	if err := t.VersionLock(db.Build(t.Dialect, "SELECT ")).Row(ctx, t, &version); err != nil {
		return fmt.Errorf("lock the schema version: %w", err)
	}
	return t.Locked(version)
}

// Records runs fn, a write of records or associations, in one
// transaction against m. The schema version is share-locked before fn
// writes (or with its first locked rows, see Options) and must still be
// m's; when a definition change overtook the write, it runs once more
// against the definitions as they now are. History fn gathered is
// appended before the commit; an error of fn rolls everything back.
func (u *Unit) Records(ctx context.Context, m *meta.Model, opts Options, fn func(tx *Tx) error) error {
	if opts.Source.Type == "" {
		opts.Source = history.Source{Type: history.API}
	}
	err := u.records(ctx, m, opts, fn)
	if !errors.Is(err, ErrStaleDefinitions) {
		return err
	}
	if m, err = meta.NewCache(u.db).Get(ctx, m.WorkspaceID); err != nil {
		return err
	}
	return u.records(ctx, m, opts, fn)
}

func (u *Unit) records(ctx context.Context, m *meta.Model, opts Options, fn func(tx *Tx) error) error {
	if opts.Audit != nil {
		fn = Audited(ctx, opts.Audit, fn)
	}
	return u.run(ctx, m, opts.Source, func(t *Tx) error {
		if !opts.LockWithRecords {
			if err := t.lockVersion(ctx); err != nil {
				return err
			}
		}
		if err := fn(t); err != nil {
			return err
		}
		if !t.locked {
			return errors.New("write: a write that locks records first locked none")
		}
		return nil
	})
}

// Definitions runs fn, a change of definitions, in one transaction that
// first moves the workspace's schema version on from m's: that locks the
// workspace row until the change commits, so that record writes wait for
// it or it for them, and every server process reloads its definitions at
// its next request (told at the commit: db.NotifyDefinitions). A change
// checked against m is refused with CONFLICT when another committed since
// m was read, rather than overwrite it.
// Values fn rewrites keep their history, as SYSTEM writes.
func (u *Unit) Definitions(ctx context.Context, m *meta.Model, fn func(tx *Tx) error) error {
	err := u.run(ctx, m, history.Source{Type: history.System, ID: "definition"}, func(t *Tx) error {
		n, err := t.Workspace.Update().Where(workspace.ID(m.WorkspaceID), workspace.SchemaVersion(m.Version)).AddSchemaVersion(1).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return apierr.New(apierr.Conflict, "the definitions changed since this request read them; try again")
		}
		if err := db.NotifyDefinitions(ctx, t.Tx, t.Dialect, m.WorkspaceID); err != nil {
			return err
		}
		t.locked, t.exclusive = true, true
		return fn(t)
	})
	return conflictOf(err)
}

// Retries of a transaction that failed for a transient database failure
// (db.Transient) before its COMMIT was sent: at most maxAttempts runs in
// all, the next after retryBackoff[i] (plus up to as much again, so that
// the writes a failure caught together do not come back together).
const maxAttempts = 3

var retryBackoff = [maxAttempts - 1]time.Duration{100 * time.Millisecond, 400 * time.Millisecond}

// run runs the transaction of a write: it opens it, runs fn, appends the
// history and commits. A transient failure before the COMMIT was sent
// rolled everything back, so the whole transaction runs again, fn too
// (fn must start from nothing each time it runs: it builds what it returns
// inside itself); when the failure outlasts the retries the error is
// UNAVAILABLE and retryable, nothing having been written.
//
// A failure of the COMMIT itself is never retried. When the connection
// broke while COMMIT was on its way the database may have committed and
// only the reply been lost: running the write again could write it twice
// (a created record created again), and answering retryable: true would
// invite the client to do just that. It is UNAVAILABLE and not retryable,
// saying the write may have been applied: the client reads before it
// writes again. Only PostgreSQL's own refusal of the COMMIT (an ERROR, as
// a serialization failure found at commit) says it rolled back, and is
// retried as a failure before it.
func (u *Unit) run(ctx context.Context, m *meta.Model, src history.Source, fn func(t *Tx) error) error {
	for attempt := 0; ; attempt++ {
		err, retry := u.once(ctx, m, src, fn)
		if !retry {
			return err
		}
		if attempt+1 == maxAttempts {
			return rolledBack(err)
		}
		if !sleep(ctx, retryBackoff[attempt]) {
			// The request gave up (its deadline, or the client went):
			// that is its answer, not the database's state.
			return fmt.Errorf("%w, waiting to retry a write that failed: %w", ctx.Err(), err)
		}
	}
}

// once runs the transaction one time. retry says it failed for a
// transient failure that rolled it back, so that running it again is
// safe.
func (u *Unit) once(ctx context.Context, m *meta.Model, src history.Source, fn func(t *Tx) error) (err error, retry bool) {
	var raw *stdsql.Tx
	tx, err := u.db.Client.Tx(db.KeepTx(ctx, &raw))
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err), db.Transient(err)
	}
	t := &Tx{Tx: tx, Model: m, Dialect: u.db.Dialect, source: src, raw: raw}
	err = fn(t)
	for _, h := range u.hooks {
		if err != nil {
			break
		}
		err = h(ctx, t)
	}
	switch {
	case err != nil:
	case t.CanCopy() && t.history.Len() >= copiedHistory:
		columns, rows := t.history.Rows(m.WorkspaceID)
		err = t.Copy(ctx, "property_histories", columns, rows)
	default:
		err = t.history.Flush(ctx, tx, u.db.Dialect, m.WorkspaceID)
	}
	if err == nil {
		err = t.timeline.Flush(ctx, tx, u.db.Dialect, m.WorkspaceID)
	}
	if err != nil {
		// The write's error says whether to retry, never the rollback's:
		// after a transient failure the rollback fails too (the
		// connection is gone, and the transaction with it).
		retry = db.Transient(err)
		if rbErr := tx.Rollback(); rbErr != nil && !retry {
			err = errors.Join(err, rbErr)
		}
		return err, retry
	}
	err = tx.Commit()
	switch {
	case err == nil:
		for _, f := range u.committed {
			f(m.WorkspaceID)
		}
		return nil, false
	case db.CommitRefused(err):
		return fmt.Errorf("commit: %w", err), db.Transient(err)
	case db.Transient(err):
		return mayHaveCommitted(err), false
	}
	return fmt.Errorf("commit: %w", err), false
}

// sleep waits d and up to d more, and reports false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d + rand.N(d))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func rolledBack(err error) error {
	e := apierr.Wrap(err, apierr.Unavailable, "the database is unavailable for the moment (restarting, or too busy); nothing was written: send the request again")
	e.Retryable = new(true)
	return e
}

func mayHaveCommitted(err error) error {
	e := apierr.Wrap(err, apierr.Unavailable, "the connection to the database broke while the write was committing: it may have been applied; read before sending it again")
	e.Retryable = new(false)
	return e
}

// conflictOf turns a unique constraint that caught a definition made at the
// same time by another request (the checks before ran on older
// definitions) into the CONFLICT those checks answer.
func conflictOf(err error) error {
	if _, ok := apierr.As(err); !ok && err != nil && ent.IsConstraintError(err) {
		return apierr.Wrap(err, apierr.Conflict, "a definition with that name was made at the same time by another request")
	}
	return err
}
