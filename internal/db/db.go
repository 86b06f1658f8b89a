// Package db opens the database the server runs on — embedded SQLite by
// default, PostgreSQL when the URL says so — migrates it, and owns every
// piece of SQL that differs between the two dialects.
package db

import (
	"context"
	stdsql "database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"    // PostgreSQL driver
	_ "modernc.org/sqlite" // embedded SQLite driver, pure Go

	"github.com/acme/crm/ent"
)

// DefaultURL is the database used when none is configured: a SQLite file in
// the working directory.
const DefaultURL = "sqlite:crm.db"

// ExecQuerier runs statements: *ent.Client, *ent.Tx (ent's execquery
// feature) and *sql.DB all are one.
type ExecQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error)
}

// DB is an open database: the ent client over it and its dialect.
type DB struct {
	Client   *ent.Client
	Dialect  Dialect
	SQL      *stdsql.DB
	prepared prepared
	counter  *Counter
	watch    *watch // nil on SQLite
	// listenDSN is the DSN a listening connection opens; "" on SQLite.
	listenDSN string
}

// ListenDSN is what a connection that LISTENs (pq.NewListener) connects
// with, to the same database and schema as the pool: "" on SQLite, which
// has no notifications.
func (db *DB) ListenDSN() string { return db.listenDSN }

// Option changes how Open builds the client.
type Option func(*options)

type options struct {
	counter *Counter
	logger  *slog.Logger
}

// WithCounter counts every SQL statement the client sends.
func WithCounter(c *Counter) Option { return func(o *options) { o.counter = c } }

// WithLogger logs what Open does beside connecting (creating a missing
// PostgreSQL database) to l instead of slog's default logger.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Open connects to the database at rawURL ("" means DefaultURL): a
// postgres:// or postgresql:// URL, or sqlite:PATH. A PostgreSQL database
// that does not exist is created when the role may (createDatabase). It
// does not migrate.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	o := options{logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	if rawURL == "" {
		rawURL = DefaultURL
	}
	driverName, dsn, d, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var connector driver.Connector = dsnConnector{driver: sqliteDriver(), dsn: dsn}
	if driverName == "postgres" {
		if connector, err = pq.NewConnector(dsn); err != nil {
			return nil, fmt.Errorf("open %s database: %w", d.Name(), err)
		}
	}
	sqlDB := stdsql.OpenDB(observed{Connector: connector, system: d.Name()})
	if d.Name() == dialect.SQLite {
		// One writer at a time is all SQLite has; more connections only
		// queue on its lock, while readers still run beside it in WAL mode.
		sqlDB.SetMaxOpenConns(8)
	} else {
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(32)
	}
	err = sqlDB.PingContext(ctx)
	if err != nil && d.Name() == dialect.Postgres && missingDatabase(err) {
		if err = createDatabase(ctx, rawURL, o.logger); err != nil {
			sqlDB.Close()
			return nil, err
		}
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.Name(), err)
	}
	var w *watch
	if d.Name() == dialect.Postgres {
		if w, err = newWatch(dsn); err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("connect to %s database: %w", d.Name(), err)
		}
	}
	db := &DB{Dialect: d, SQL: sqlDB, counter: o.counter}
	var drv dialect.Driver = entsql.OpenDB(d.Name(), sqlDB)
	if d.Name() == dialect.Postgres {
		drv = &preparingDriver{Driver: drv.(*entsql.Driver), p: &db.prepared}
	}
	if o.counter != nil {
		drv = o.counter.wrap(drv)
	}
	db.Client = ent.NewClient(ent.Driver(drv))
	db.watch = w
	if d.Name() == dialect.Postgres {
		db.listenDSN = dsn
	}
	return db, nil
}

// Close stops listening for changes of definitions and closes the
// prepared statements and the connection pool.
func (db *DB) Close() error {
	if db.watch != nil {
		db.watch.close()
	}
	db.prepared.mu.Lock()
	for _, s := range db.prepared.stmts {
		s.Close()
	}
	db.prepared.stmts = nil
	db.prepared.mu.Unlock()
	return db.Client.Close()
}

// sqliteDriver is the driver registered as "sqlite": the one this
// package's SQL functions (crm_fold...) are registered with.
func sqliteDriver() driver.Driver {
	d, err := stdsql.Open("sqlite", "")
	if err != nil {
		panic(err) // the driver is linked in: it is registered
	}
	defer d.Close()
	return d.Driver()
}

func parseURL(raw string) (driverName, dsn string, d Dialect, err error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return "postgres", raw, postgres{}, nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return "", "", nil, fmt.Errorf("DATABASE_URL %q names no SQLite file", raw)
		}
		return "sqlite", SQLiteDSN(path), sqlite{}, nil
	default:
		return "", "", nil, fmt.Errorf("DATABASE_URL must start with postgres://, postgresql:// or sqlite:, got %q", redact(raw))
	}
}

// SQLiteDSN is the modernc.org/sqlite DSN for a database file: foreign keys
// on, WAL, a busy timeout, times in SQLite's own format, and write
// transactions that take the lock when they begin, so that two of them wait
// for each other instead of failing when one upgrades from reading.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// redact hides a password in a URL before it is shown.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
