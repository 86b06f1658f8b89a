package indexes

import (
	"context"
	stdsql "database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
)

// smallTable is the size of the records heap under which PostgreSQL
// builds indexes without CONCURRENTLY, all in one transaction: a build
// scans the whole heap whatever its partial predicate, and over a few
// megabytes that takes milliseconds, less than a concurrent build's waits
// for every transaction in the database. A test sets it to 0 to build
// concurrently.
var smallTable int64 = 8 << 20

// lockPoll is how often Sync tries the index lock while another process
// holds it.
const lockPoll = 100 * time.Millisecond

// Sync makes the indexes the current definitions of workspace workspaceID
// ask for and drops the ones of its object types they no longer ask for
// (an archived or deleted property, a property no longer sortable,
// searchable or unique, a changed type), and an INVALID one a failed
// concurrent build left, which it makes again. It is idempotent: the
// server runs it after every definition change commits and at start.
//
// On PostgreSQL it holds an advisory lock of its own (not the migration
// lock) on one connection, polled rather than waited for: a session
// waiting in pg_advisory_lock has a snapshot, which a concurrent build
// holding the lock would wait for in turn. Under the lock it reads the
// definitions afresh, so that of two changes synced out of order the
// later sync builds what the later change asks. On a large table each
// index is built and dropped CONCURRENTLY, which cannot run in a
// transaction and does not block writes.
func Sync(ctx context.Context, d *db.DB, workspaceID int) error {
	return run(ctx, d, workspaceID, false)
}

// Startup is Sync as the server runs it at start: it first tries to
// install pg_trgm on PostgreSQL, where it is not installed yet, for the
// trigram indexes of CONTAINS. A database that refuses (the extension is
// not available, or the user may not create it) keeps every other index,
// and CONTAINS reads without one.
func Startup(ctx context.Context, d *db.DB, workspaceID int) error {
	return run(ctx, d, workspaceID, true)
}

func run(ctx context.Context, d *db.DB, workspaceID int, installTrigram bool) (err error) {
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("search indexes: %w", err)
	}
	defer conn.Close()
	pg := d.Dialect.Name() == dialect.Postgres
	if pg {
		if err := lock(ctx, d.Dialect, conn); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, unlock(ctx, d.Dialect, conn)) }()
	}
	m, err := meta.NewCache(d).Get(ctx, workspaceID)
	if err != nil {
		return err
	}
	trigram := ""
	if pg {
		if trigram, err = trigramSchema(ctx, d.Dialect, conn, installTrigram); err != nil {
			return err
		}
	}
	want := wanted(d.Dialect, m, trigram)
	err = syncIndexes(ctx, d.Dialect, conn, m, want)
	if pg {
		err = errors.Join(err, syncStats(ctx, d.Dialect, conn, m, want))
	}
	return err
}

// syncIndexes drops the indexes of m's object types want does not hold,
// or that are INVALID, and makes the missing ones.
func syncIndexes(ctx context.Context, d db.Dialect, conn *stdsql.Conn, m *meta.Model, want map[string]index) error {
	have, err := existing(ctx, d, conn)
	if err != nil {
		return err
	}
	var drops, creates []string
	for name, valid := range have {
		if ot, ok := owner(name); ok {
			if _, mine := m.ObjectTypeByID(ot); mine {
				if _, keep := want[name]; !keep || !valid {
					drops = append(drops, name)
				}
			}
		}
	}
	for name := range want {
		if valid, ok := have[name]; !ok || !valid {
			creates = append(creates, name)
		}
	}
	if len(drops)+len(creates) == 0 {
		return nil
	}
	slices.Sort(drops)
	slices.Sort(creates)
	concurrently := false
	if d.Name() == dialect.Postgres {
		var size int64
		if err := db.Build(d, "SELECT pg_relation_size(CAST('records' AS regclass))").Row(ctx, conn, &size); err != nil {
			return fmt.Errorf("search indexes: size of records: %w", err)
		}
		concurrently = size >= smallTable
	}
	if !concurrently {
		return inOneTransaction(ctx, d, conn, drops, creates, want)
	}
	// One by one: a failed build leaves an INVALID index that the next
	// Sync drops and builds again; the others go on.
	var errs []error
	for _, name := range drops {
		if _, err := drop(d, name, true).Exec(ctx, conn); err != nil {
			errs = append(errs, fmt.Errorf("drop index %s: %w", name, err))
		}
	}
	for _, name := range creates {
		if _, err := create(d, want[name], true).Exec(ctx, conn); err != nil {
			errs = append(errs, fmt.Errorf("create index %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// inOneTransaction drops and creates indexes in one transaction on conn.
func inOneTransaction(ctx context.Context, d db.Dialect, conn *stdsql.Conn, drops, creates []string, want map[string]index) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("search indexes: %w", err)
	}
	defer tx.Rollback()
	for _, name := range drops {
		if _, err := drop(d, name, false).Exec(ctx, tx); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	for _, name := range creates {
		if _, err := create(d, want[name], false).Exec(ctx, tx); err != nil {
			return fmt.Errorf("create index %s: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("search indexes: commit: %w", err)
	}
	return nil
}

// syncStats keeps, beside each expression index, statistics on its
// expression: PostgreSQL takes none from a partial index, and without them
// it guesses how many records an equality or a range keeps (a fixed 0.5%
// for any email) and walks the creation order instead of the index. They
// are whole-table statistics (PostgreSQL 14 and later), apt enough since a
// property's name is its object type's. New ones are filled by an ANALYZE
// of records, which reads a sample, not the table.
func syncStats(ctx context.Context, d db.Dialect, conn *stdsql.Conn, m *meta.Model, want map[string]index) error {
	var version int
	if err := db.Build(d, "SELECT CAST(current_setting('server_version_num') AS integer)").Row(ctx, conn, &version); err != nil {
		return fmt.Errorf("search indexes: server version: %w", err)
	}
	if version < 140000 {
		return nil // statistics on expressions came with PostgreSQL 14
	}
	rows, err := db.Build(d, "SELECT stxname FROM pg_statistic_ext WHERE stxrelid = CAST('records' AS regclass)").Query(ctx, conn)
	if err != nil {
		return fmt.Errorf("search indexes: list statistics: %w", err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		have[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for name := range have {
		ot, ok := owner(name)
		if !ok {
			continue
		}
		if _, mine := m.ObjectTypeByID(ot); !mine {
			continue
		}
		if ix, keep := want[name]; !keep || ix.stats == nil {
			if _, err := db.Build(d, "DROP STATISTICS IF EXISTS ").Ident(name).Exec(ctx, conn); err != nil {
				return fmt.Errorf("drop statistics %s: %w", name, err)
			}
		}
	}
	made := 0
	for name, ix := range want {
		if ix.stats == nil || have[name] {
			continue
		}
		if _, err := createStats(d, ix).Exec(ctx, conn); err != nil {
			return fmt.Errorf("create statistics %s: %w", name, err)
		}
		made++
	}
	if made == 0 {
		return nil
	}
	if _, err := db.Build(d, "ANALYZE records").Exec(ctx, conn); err != nil {
		return fmt.Errorf("search indexes: analyze records: %w", err)
	}
	return nil
}

// existing lists the indexes of records this package made, each with
// whether it is valid (on PostgreSQL, a concurrent build that failed
// leaves an INVALID index behind).
func existing(ctx context.Context, d db.Dialect, conn *stdsql.Conn) (map[string]bool, error) {
	q := db.Build(d, "SELECT name, 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'")
	if d.Name() == dialect.Postgres {
		q = db.Build(d, "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid").
			T(" WHERE i.indrelid = CAST('records' AS regclass)")
	}
	rows, err := q.Query(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("search indexes: list indexes: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		var valid bool
		if err := rows.Scan(&name, &valid); err != nil {
			return nil, err
		}
		if strings.HasPrefix(name, Prefix) {
			out[name] = valid
		}
	}
	return out, rows.Err()
}

// trigramSchema is the schema of pg_trgm's operator classes, "" when the
// extension is not installed. With install, it first tries to install it.
func trigramSchema(ctx context.Context, d db.Dialect, conn *stdsql.Conn, install bool) (string, error) {
	find := db.Build(d, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")
	var schema string
	err := find.Row(ctx, conn, &schema)
	if errors.Is(err, stdsql.ErrNoRows) && install {
		// Refused is an answer: CONTAINS then reads without an index. A
		// concurrent install by another process is found below.
		_, _ = db.Build(d, "CREATE EXTENSION IF NOT EXISTS pg_trgm").Exec(ctx, conn)
		err = find.Row(ctx, conn, &schema)
	}
	if errors.Is(err, stdsql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("search indexes: find pg_trgm: %w", err)
	}
	return schema, nil
}

// The index lock is keyed by the schema, as the migration lock is, in the
// two-key space of advisory locks, apart from goose's one-key lock.
const lockKey = "hashtext('crm search indexes'), hashtext(current_schema())"

// lock takes the index lock on conn, trying every lockPoll until ctx ends.
func lock(ctx context.Context, d db.Dialect, conn *stdsql.Conn) error {
	for {
		var got bool
		if err := db.Build(d, "SELECT pg_try_advisory_lock("+lockKey+")").Row(ctx, conn, &got); err != nil {
			return fmt.Errorf("search indexes: take the index lock: %w", err)
		}
		if got {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("search indexes: waiting for the index lock: %w", ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// unlock releases the index lock. When it cannot, the connection is
// closed for good, which ends the session and the lock with it: returning
// it to the pool would keep the lock.
func unlock(ctx context.Context, d db.Dialect, conn *stdsql.Conn) error {
	_, err := db.Build(d, "SELECT pg_advisory_unlock("+lockKey+")").Exec(context.WithoutCancel(ctx), conn)
	if err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return fmt.Errorf("search indexes: release the index lock: %w", err)
	}
	return nil
}
