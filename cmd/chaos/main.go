// Command chaos restarts PostgreSQL under writes and checks what the API
// promises about it (make chaos; .ci/run runs it after the suite, never
// beside other tests: it restarts the cluster they would use).
//
// On a fresh database of the local cluster that TEST_DATABASE_URL names,
// it serves the API in process (graph.NewHandler over httptest) and runs a
// few clients for a bounded time, each sending createRecord and
// createRecords of 10 in turn, every record named by a token of its own.
// In the middle it restarts the cluster (pg_ctlcluster VERSION main
// restart, the newest version under /etc/postgresql). Then it checks:
//
//   - every answer is the write's result, or UNAVAILABLE with
//     extensions.retryable a boolean: never INTERNAL, never an error
//     without a code, never a failed item, never no answer;
//   - every acknowledged record exists, with the id the answer gave, and
//     every acknowledged batch wrote all its items;
//   - no record was written twice (a retried transaction that had
//     committed would);
//   - nothing answered retryable: true was written, and a batch answered
//     UNAVAILABLE wrote all its items or none;
//   - writes are acknowledged again after the restart, by the same server;
//   - the cluster did restart (its postmaster start time moved).
//
// It prints the counts, drops its database, and exits 1 on any failure.
// Without TEST_DATABASE_URL or pg_ctlcluster it says so in one line and
// exits 0, or 1 when CI is set (CI must run it). It leaves the cluster
// running whatever happens.
//
// Environment: TEST_DATABASE_URL (the cluster's server, a database to
// connect to while making the fresh one); CHAOS_SECONDS, how long the
// clients write (default 20; the restart comes at 40% of it, and they
// write on at least 5 s after the server is back, however long the
// restart took);
// CHAOS_CLIENTS (default 4); CHAOS_CLUSTER, VERSION/NAME to restart
// instead of the newest version's main; CHAOS_RESTART=off runs the writes
// and the checks without the restart, to work on this program without
// disturbing others who use the cluster (refused when CI is set).
//
//	TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' make chaos
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	_ "github.com/lib/pq" // PostgreSQL driver

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/install"
)

// afterRestart is how long the clients write at least once the server
// accepts connections again.
const afterRestart = 5 * time.Second

func main() {
	os.Exit(run())
}

type config struct {
	base     string // TEST_DATABASE_URL
	cluster  cluster
	duration time.Duration
	clients  int
	restart  bool
}

func run() int {
	cfg, skip, err := loadConfig()
	if skip != "" {
		if inCI() {
			fmt.Printf("chaos: FAIL: cannot run in CI: %s\n", skip)
			return 1
		}
		fmt.Printf("chaos: skipped: %s\n", skip)
		return 0
	}
	if err != nil {
		fmt.Printf("chaos: FAIL: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.duration+90*time.Second)
	defer cancel()
	// Whatever happens, the cluster is left running for what comes next.
	defer cfg.cluster.ensureRunning(cfg.base)
	if err := chaos(ctx, cfg); err != nil {
		fmt.Printf("chaos: FAIL: %v\n", err)
		return 1
	}
	fmt.Println("chaos: OK")
	return 0
}

func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "0" && v != "false"
}

// loadConfig reads the environment; skip says why chaos cannot run here.
func loadConfig() (cfg config, skip string, err error) {
	cfg.base = os.Getenv("TEST_DATABASE_URL")
	if cfg.base == "" {
		return cfg, "TEST_DATABASE_URL is not set (a local PostgreSQL cluster this may restart)", nil
	}
	if _, err := exec.LookPath("pg_ctlcluster"); err != nil {
		return cfg, "pg_ctlcluster is not installed: this restarts a local PostgreSQL cluster with it", nil
	}
	if cfg.cluster, err = findCluster(os.Getenv("CHAOS_CLUSTER")); err != nil {
		return cfg, err.Error(), nil
	}
	cfg.duration = 20 * time.Second
	if v := os.Getenv("CHAOS_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 60 {
			return cfg, "", fmt.Errorf("CHAOS_SECONDS must be 5 to 60, got %q", v)
		}
		cfg.duration = time.Duration(n) * time.Second
	}
	switch v := os.Getenv("CHAOS_RESTART"); v {
	case "", "on":
		cfg.restart = true
	case "off":
		if inCI() {
			return cfg, "", errors.New("CHAOS_RESTART=off is refused in CI: the restart is the point")
		}
	default:
		return cfg, "", fmt.Errorf("CHAOS_RESTART must be on or off, got %q", v)
	}
	cfg.clients = 4
	if v := os.Getenv("CHAOS_CLIENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 32 {
			return cfg, "", fmt.Errorf("CHAOS_CLIENTS must be 1 to 32, got %q", v)
		}
		cfg.clients = n
	}
	return cfg, "", nil
}

func chaos(ctx context.Context, cfg config) error {
	if err := cfg.cluster.waitReady(ctx, cfg.base, 30*time.Second); err != nil {
		return fmt.Errorf("PostgreSQL is not up before the run: %w", err)
	}
	dbURL, drop, err := freshDatabase(ctx, cfg.base)
	if err != nil {
		return err
	}
	defer func() {
		if err := drop(); err != nil {
			fmt.Printf("chaos: could not drop the database: %v\n", err)
		}
	}()

	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	// Warnings (each UNAVAILABLE) are counted from the answers; errors
	// are worth reading.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ws, err := install.Default(ctx, d, db.MigrateLogger(logger))
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws, Logger: logger}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	startedBefore, err := postmasterStart(ctx, dbURL)
	if err != nil {
		return err
	}
	fmt.Printf("chaos: %d clients writing for %s on a fresh database of cluster %s; the restart comes at %s\n",
		cfg.clients, cfg.duration, cfg.cluster, cfg.duration*2/5)

	start := time.Now()
	restarted := make(chan restart, 1)
	stop := make(chan struct{})
	go func() {
		defer close(stop)
		at := start.Add(cfg.duration * 2 / 5)
		var r restart
		if cfg.restart {
			r = cfg.cluster.restartAt(ctx, cfg.base, at)
		} else {
			time.Sleep(time.Until(at))
			r = restart{began: at, ready: at, skipped: true}
		}
		restarted <- r
		// The writes go on to the planned end, and for a while after the
		// server is back however long the restart took (a checkpoint in
		// progress makes the shutdown wait for it).
		end := start.Add(cfg.duration)
		if r.err == nil && r.ready.Add(afterRestart).After(end) {
			end = r.ready.Add(afterRestart)
		}
		select {
		case <-time.After(time.Until(end)):
		case <-ctx.Done():
		}
	}()
	outcomes := load(ctx, srv.URL+"/graphql", cfg.clients, stop)
	r := <-restarted
	if r.err != nil {
		return r.err
	}
	if r.skipped {
		fmt.Println("chaos: NOT restarted (CHAOS_RESTART=off): the checks below say nothing of a restart")
	} else {
		fmt.Printf("chaos: restarted at %.1fs: pg_ctlcluster took %s, accepting connections again at %.1fs\n",
			r.began.Sub(start).Seconds(), r.took.Round(time.Millisecond), r.ready.Sub(start).Seconds())
	}

	startedAfter, err := postmasterStart(ctx, dbURL)
	if err != nil {
		return err
	}
	rep, err := check(ctx, dbURL, outcomes, r)
	if err != nil {
		return err
	}
	total, err := countThroughAPI(ctx, srv.URL+"/graphql")
	if err != nil {
		rep.violations = append(rep.violations, fmt.Sprintf("a read through the API after the run failed: %v", err))
	} else if total != rep.rows {
		rep.violations = append(rep.violations, fmt.Sprintf("the API counts %d contacts, the database holds %d", total, rep.rows))
	}
	if !r.skipped && !startedAfter.After(startedBefore) {
		rep.violations = append(rep.violations, fmt.Sprintf("the cluster did not restart under the API's database (postmaster started %s before and after): is TEST_DATABASE_URL on cluster %s?", startedBefore, cfg.cluster))
	}
	rep.print(time.Since(start))
	if len(rep.violations) > 0 {
		return fmt.Errorf("%d broken promises", len(rep.violations))
	}
	return nil
}

// freshDatabase makes an empty database on the server of base and returns
// its URL and a func that drops it.
func freshDatabase(ctx context.Context, base string) (string, func() error, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("parse TEST_DATABASE_URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", nil, errors.New("TEST_DATABASE_URL must be a postgres:// URL")
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "crm_chaos_" + hex.EncodeToString(buf)
	if err := admin(ctx, base, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() error {
		// Not ctx: the database goes even when the run ran out of time.
		// Right after a restart the server may still refuse: try a while.
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var err error
		for dctx.Err() == nil {
			if err = admin(dctx, base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err == nil {
				return nil
			}
			time.Sleep(500 * time.Millisecond)
		}
		return err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// admin runs one statement on a connection of its own.
func admin(ctx context.Context, base, stmt string) error {
	conn, err := sql.Open("postgres", base)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, stmt)
	return err
}

func postmasterStart(ctx context.Context, dbURL string) (time.Time, error) {
	conn, err := sql.Open("postgres", dbURL)
	if err != nil {
		return time.Time{}, err
	}
	defer conn.Close()
	var t time.Time
	for {
		err = conn.QueryRowContext(ctx, "SELECT pg_postmaster_start_time()").Scan(&t)
		if err == nil || ctx.Err() != nil {
			return t, err
		}
		time.Sleep(200 * time.Millisecond) // just restarted: it comes back
	}
}

// countThroughAPI reads the number of contacts through the API, as a
// client would after the restart.
func countThroughAPI(ctx context.Context, endpoint string) (int, error) {
	var out struct {
		Records struct {
			TotalCount int `json:"totalCount"`
		} `json:"records"`
	}
	a, err := post(ctx, endpoint, `{ records(objectType: "contacts", first: 1) { totalCount } }`, nil)
	if err != nil {
		return 0, err
	}
	if len(a.Errors) > 0 {
		return 0, fmt.Errorf("%s: %s", a.Errors[0].Extensions["code"], a.Errors[0].Message)
	}
	if err := a.decode(&out); err != nil {
		return 0, err
	}
	return out.Records.TotalCount, nil
}
