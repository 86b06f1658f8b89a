package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

func (postgres) IsUniqueViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505"
}

func (sqlite) IsUniqueViolation(err error) bool {
	// modernc.org/sqlite reports SQLITE_CONSTRAINT_UNIQUE (2067) in the text.
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// transientCodes are the PostgreSQL SQLSTATEs of a failure of the moment
// rather than of the work: the connection went (class 08), the server is
// shutting down, crashed or not yet accepting connections (57P01, 57P02,
// 57P03), or it gave up on the transaction to let another through
// (40001 serialization failure, 40P01 deadlock). The same work sent again
// may succeed.
var transientCodes = map[pqerror.Code]bool{
	pqerror.ConnectionException:                           true,
	pqerror.ConnectionDoesNotExist:                        true,
	pqerror.ConnectionFailure:                             true,
	pqerror.SQLClientUnableToEstablishSQLConnection:       true,
	pqerror.SQLServerRejectedEstablishmentOfSQLConnection: true,
	pqerror.TransactionResolutionUnknown:                  true,
	pqerror.AdminShutdown:                                 true,
	pqerror.CrashShutdown:                                 true,
	pqerror.CannotConnectNow:                              true,
	pqerror.TRSerializationFailure:                        true,
	pqerror.TRDeadlockDetected:                            true,
}

// Transient reports whether err is a failure of the database of the
// moment — it could not be reached, it went away, it is restarting, or it
// gave up on the work to let other work through — rather than a fault of
// the work itself: the same statements sent again, on another connection
// or a moment later, may succeed. It is the one place that says so; the
// write unit retries on it and the API answers it UNAVAILABLE.
//
// Transient says nothing of whether the work was done: a connection that
// broke while COMMIT was on its way leaves that unknown (see the write
// unit). A cancelled or expired context is never transient: the request
// gave up, not the database.
//
// What counts:
//   - driver.ErrBadConn: lib/pq answers it for a connection it found
//     broken, and for every FATAL error the server sent (57P01 "terminating
//     connection due to administrator command" among them), whose code it
//     drops;
//   - a refused, reset or aborted connection, a broken pipe, any network
//     error of the connection (*net.OpError), and EOF where a reply was due;
//   - the PostgreSQL codes of transientCodes, when lib/pq keeps them (57P03
//     while connecting, 40001 and 40P01 always);
//   - SQLite's SQLITE_BUSY and SQLITE_LOCKED (and their extended codes):
//     another connection held the lock past the busy timeout.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return transientCodes[pqErr.Code]
	}
	var liteErr *msqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// CommitRefused reports whether err, the failure of a COMMIT, is the
// database's own answer that it did not commit: PostgreSQL answered the
// COMMIT with an ERROR (a serialization failure found at commit, a
// deferred constraint), after which the transaction is rolled back. A
// broken connection (driver.ErrBadConn, a network error, a FATAL) is not
// such an answer: the COMMIT may have been applied before the reply was
// lost.
func CommitRefused(err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return false
	}
	return pqErr.Severity == "ERROR"
}
