package db_test

import (
	"context"
	stdsql "database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

func TestTransientClassifies(t *testing.T) {
	netErr := func(op string, errno syscall.Errno) error {
		return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, errno)}
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"a plain error", errors.New("boom"), false},
		{"no rows", stdsql.ErrNoRows, false},
		{"a closed pool", errors.New("sql: database is closed"), false},
		{"context canceled", context.Canceled, false},
		{"deadline exceeded", fmt.Errorf("query: %w", context.DeadlineExceeded), false},
		{"cancelled, on a broken connection", errors.Join(context.Canceled, driver.ErrBadConn), false},
		{"bad connection", driver.ErrBadConn, true},
		{"bad connection, wrapped", fmt.Errorf("ent: starting a transaction: %w", driver.ErrBadConn), true},
		{"bad connection, joined with a rollback", errors.Join(errors.New("insert"), driver.ErrBadConn), true},
		{"connection refused", netErr("dial", syscall.ECONNREFUSED), true},
		{"connection reset", netErr("read", syscall.ECONNRESET), true},
		{"broken pipe", netErr("write", syscall.EPIPE), true},
		{"broken pipe, bare", syscall.EPIPE, true},
		{"EOF", io.EOF, true},
		{"unexpected EOF", fmt.Errorf("read reply: %w", io.ErrUnexpectedEOF), true},
		{"57P01 admin shutdown", &pq.Error{Severity: "FATAL", Code: "57P01"}, true},
		{"57P02 crash shutdown", &pq.Error{Severity: "FATAL", Code: "57P02"}, true},
		{"57P03 cannot connect now", &pq.Error{Severity: "FATAL", Code: "57P03", Message: "the database system is starting up"}, true},
		{"08006 connection failure", &pq.Error{Severity: "FATAL", Code: "08006"}, true},
		{"40001 serialization failure", &pq.Error{Severity: "ERROR", Code: "40001"}, true},
		{"40P01 deadlock", &pq.Error{Severity: "ERROR", Code: "40P01"}, true},
		{"23505 unique violation", &pq.Error{Severity: "ERROR", Code: "23505"}, false},
		{"57014 query cancelled", &pq.Error{Severity: "ERROR", Code: "57014"}, false},
		{"22P05 unsupported escape", &pq.Error{Severity: "ERROR", Code: "22P05"}, false},
	}
	for _, tc := range cases {
		if got := db.Transient(tc.err); got != tc.want {
			t.Errorf("%s: Transient(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestTransientConnectionRefused dials a port nothing listens on, as the
// server does while PostgreSQL restarts.
func TestTransientConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = db.Open(ctx, "postgres://postgres@"+addr+"/crm?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	if !db.Transient(err) {
		t.Fatalf("connection refused is not transient: %v (%T)", err, errors.Unwrap(err))
	}
}

// TestTransientSQLiteBusy takes SQLite's write lock on one connection and
// asks for it on another that will not wait.
func TestTransientSQLiteBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	open := func(busyMillis int) *stdsql.DB {
		d, err := stdsql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=journal_mode(WAL)&_pragma=busy_timeout(%d)", path, busyMillis))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	ctx := context.Background()
	holder, waiter := open(5000), open(0)
	if _, err := holder.Exec("CREATE TABLE t (v INTEGER)"); err != nil {
		t.Fatal(err)
	}
	c, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer c.ExecContext(ctx, "ROLLBACK")
	_, err = waiter.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1); COMMIT")
	if err == nil {
		t.Fatal("took a lock another connection holds")
	}
	if !db.Transient(err) {
		t.Fatalf("SQLITE_BUSY is not transient: %v (%T)", err, err)
	}
	if db.Transient(errors.New("UNIQUE constraint failed: t.v")) {
		t.Fatal("a constraint failure is transient")
	}
}

// postgresAdmin opens the test server, with one fresh schema holding a
// table t of two rows; it skips without TEST_DATABASE_URL.
func postgresAdmin(t *testing.T) *stdsql.DB {
	t.Helper()
	d, err := stdsql.Open("postgres", dbtest.URL(t, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Exec("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec("INSERT INTO t VALUES (1, 0), (2, 0)"); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestTransientPostgres makes each failure happen on a real server: a
// connection terminated by an administrator (what a restart does to every
// connection), a serialization failure, a deadlock.
func TestTransientPostgres(t *testing.T) {
	d := postgresAdmin(t)
	ctx := context.Background()

	t.Run("terminated connection", func(t *testing.T) {
		c, err := d.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var pid int
		if err := c.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		// Only this test's own connection is terminated.
		if _, err := d.Exec("SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatal(err)
		}
		waitGone(t, d, pid)
		_, err = c.ExecContext(ctx, "SELECT 1")
		if err == nil {
			t.Fatal("a terminated connection answered")
		}
		if !db.Transient(err) {
			t.Fatalf("a terminated connection is not transient: %v (%T)", err, err)
		}
	})

	t.Run("serialization failure", func(t *testing.T) {
		tx1, err := d.BeginTx(ctx, &stdsql.TxOptions{Isolation: stdsql.LevelRepeatableRead})
		if err != nil {
			t.Fatal(err)
		}
		defer tx1.Rollback()
		var v int
		if err := tx1.QueryRow("SELECT v FROM t WHERE id = 1").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec("UPDATE t SET v = v + 1 WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		_, err = tx1.Exec("UPDATE t SET v = v + 1 WHERE id = 1")
		var pqErr *pq.Error
		if !errors.As(err, &pqErr) || pqErr.Code != "40001" {
			t.Fatalf("want 40001, got %v", err)
		}
		if !db.Transient(err) {
			t.Fatalf("a serialization failure is not transient: %v", err)
		}
	})

	t.Run("deadlock", func(t *testing.T) {
		tx1, err := d.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx1.Rollback()
		tx2, err := d.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx2.Rollback()
		if _, err := tx1.Exec("UPDATE t SET v = v + 1 WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := tx2.Exec("UPDATE t SET v = v + 1 WHERE id = 2"); err != nil {
			t.Fatal(err)
		}
		type result struct {
			tx  *stdsql.Tx
			err error
		}
		results := make(chan result, 2)
		go func() { _, err := tx1.Exec("UPDATE t SET v = v + 1 WHERE id = 2"); results <- result{tx1, err} }()
		go func() { _, err := tx2.Exec("UPDATE t SET v = v + 1 WHERE id = 1"); results <- result{tx2, err} }()
		// The server fails the one it picks; once that one rolls back,
		// the other goes on.
		first := <-results
		first.tx.Rollback()
		second := <-results
		deadlock := first.err
		if deadlock == nil {
			deadlock = second.err
		}
		var pqErr *pq.Error
		if !errors.As(deadlock, &pqErr) || pqErr.Code != "40P01" {
			t.Fatalf("want 40P01, got %v", deadlock)
		}
		if !db.Transient(deadlock) {
			t.Fatalf("a deadlock is not transient: %v", deadlock)
		}
	})
}

// TestCommitRefused: a COMMIT the server answers with an ERROR rolled
// back; a COMMIT on a connection that broke may have been applied.
func TestCommitRefused(t *testing.T) {
	d := postgresAdmin(t)
	if _, err := d.Exec("CREATE TABLE u (v int UNIQUE DEFERRABLE INITIALLY DEFERRED)"); err != nil {
		t.Fatal(err)
	}
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO u VALUES (1), (1)"); err != nil {
		t.Fatal(err)
	}
	err = tx.Commit()
	if err == nil {
		t.Fatal("committed a duplicate")
	}
	if !db.CommitRefused(err) {
		t.Fatalf("the server's refusal of a COMMIT is not a refusal: %v", err)
	}
	var n int
	if err := d.QueryRow("SELECT count(*) FROM u").Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused COMMIT left %d rows (%v)", n, err)
	}
	for _, err := range []error{driver.ErrBadConn, io.ErrUnexpectedEOF, &pq.Error{Severity: "FATAL", Code: "57P01"}, errors.New("x")} {
		if db.CommitRefused(err) {
			t.Errorf("CommitRefused(%v) = true: the outcome of that COMMIT is unknown", err)
		}
	}
}

// waitGone waits until the server process pid has exited.
func waitGone(t *testing.T, d *stdsql.DB, pid int) {
	t.Helper()
	for range 100 {
		var n int
		if err := d.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("backend %d still there", pid)
}
