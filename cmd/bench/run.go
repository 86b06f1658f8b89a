package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
)

func run(ctx context.Context) (err error) {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if cfg.memProfile != "" {
		runtime.MemProfileRate = 64 << 10
	}
	out := os.Stdout
	clean := true
	if cfg.reads || cfg.writes || cfg.lists {
		if clean, err = benchNested(ctx, cfg, out); err != nil {
			return err
		}
	}
	if cfg.search {
		if err := benchSearch(ctx, cfg, out); err != nil {
			return fmt.Errorf("search: %w", err)
		}
	}
	if cfg.timeline {
		if err := benchTimeline(ctx, cfg, out); err != nil {
			return fmt.Errorf("timeline: %w", err)
		}
	}
	if cfg.export {
		if err := benchExport(ctx, cfg, out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	if cfg.imports {
		if err := benchImport(ctx, cfg, out); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if cfg.subscriptions {
		if err := benchSubscriptions(ctx, cfg, out); err != nil {
			return fmt.Errorf("subscriptions: %w", err)
		}
	}
	if !clean {
		return errors.New("some requests failed: see above")
	}
	return nil
}

// benchNested measures the nested read and the writes on a data set of
// their own; clean is false when a request failed.
func benchNested(ctx context.Context, cfg config, out io.Writer) (clean bool, err error) {
	schemaURL, drop, err := freshSchema(ctx, cfg.databaseURL)
	if err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, drop()) }()

	counter := &db.Counter{}
	d, err := db.Open(ctx, schemaURL, db.WithCounter(counter))
	if err != nil {
		return false, err
	}
	defer d.Close()
	ws, m, ds, err := installAndLoad(ctx, d, out)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(out, "data: %d companies, %d contacts (%d a company), %d deals (4 each for %d contacts); %d association rows (both directions)\n",
		numCompanies, numContacts, numContacts/numCompanies, numDeals, dealContacts, 2*(numContacts+numDeals))

	clean = true
	if cfg.reads {
		if clean, err = benchReads(ctx, cfg, schemaURL, d, ws, ds, counter, out); err != nil {
			return false, err
		}
	}
	if cfg.writes {
		if err := benchWrites(ctx, cfg, schemaURL, m, ds, out); err != nil {
			return false, fmt.Errorf("writes: %w", err)
		}
	}
	if cfg.lists {
		if err := benchListsWrites(ctx, cfg, schemaURL, m, ds, out); err != nil {
			return false, fmt.Errorf("lists: %w", err)
		}
	}
	return clean, nil
}

// installAndLoad installs the default workspace on d and loads the bench's
// data into it.
func installAndLoad(ctx context.Context, d *db.DB, out io.Writer) (ws int, m *meta.Model, ds *dataset, err error) {
	if ws, err = install.Default(ctx, d); err != nil {
		return 0, nil, nil, fmt.Errorf("install: %w", err)
	}
	if m, err = meta.NewCache(d).Get(ctx, ws); err != nil {
		return 0, nil, nil, err
	}
	if ds, err = newDataset(m); err != nil {
		return 0, nil, nil, err
	}
	return ws, m, ds, load(ctx, d.SQL, ds, out)
}

// benchReads measures the nested read through the API beside the
// baseline; clean is false when a request failed.
func benchReads(ctx context.Context, cfg config, schemaURL string, d *db.DB, ws int, ds *dataset,
	counter *db.Counter, out io.Writer) (clean bool, err error) {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var servers []server
	// The API with read plans, unless BENCH_PLANS=off, and without them
	// (every field through gqlgen's executor), over the same pool.
	for _, noPlans := range []bool{false, true} {
		if !noPlans && !cfg.plans {
			continue
		}
		name := "api"
		if noPlans {
			name = "api, plans off"
		}
		api := httptest.NewServer(graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws, Logger: logger, NoReadPlans: noPlans}))
		defer api.Close()
		servers = append(servers, server{name: name, url: api.URL + "/graphql", graphQL: true})
	}
	// Measured as a server runs once it listens for definition changes.
	if err := d.AwaitDefinitionsWatch(ctx); err != nil {
		return false, fmt.Errorf("listen for definition changes: %w", err)
	}
	baseDB, err := openBaselineDB(ctx, schemaURL)
	if err != nil {
		return false, fmt.Errorf("open the baseline's pool: %w", err)
	}
	defer baseDB.Close()
	baseSrv := httptest.NewServer(newBaseline(baseDB, d.Dialect, ds))
	defer baseSrv.Close()
	servers = append(servers, server{name: "baseline", url: baseSrv.URL})

	client := newClient()
	defer client.CloseIdleConnections()
	sh, err := compare(ctx, client, servers, out)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(out, "each response: %d companies, %d contacts, %d deals\n", sh.count[0], sh.count[1], sh.count[2])
	if err := showStatements(ctx, schemaURL, ws, out); err != nil {
		return false, err
	}
	fmt.Fprintf(out, "machine: %d CPUs, GOMAXPROCS %d, %s; load generator, both servers and PostgreSQL share it\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(out, "method: per concurrency, %d warm-up requests per server, then %s per server in %d slices, the servers taking turns\n\n",
		warmupRequests, cfg.duration, slices)

	results := make([]result, 0, len(concurrencies))
	for _, conc := range concurrencies {
		r, err := measure(ctx, client, servers, conc, cfg.duration, counter)
		if err != nil {
			return false, err
		}
		results = append(results, r)
	}
	clean = report(out, results)
	metricsClean, err := benchMetrics(ctx, client, d, ws, logger, servers[len(servers)-1], cfg.plans, cfg.duration, counter, out)
	if err != nil {
		return false, fmt.Errorf("metrics: %w", err)
	}
	typedClean, err := benchTyped(ctx, client, d, ws, logger, servers[len(servers)-1], cfg.plans, cfg.duration, counter, out)
	if err != nil {
		return false, fmt.Errorf("typed: %w", err)
	}
	// Last: it makes an API key, after which requests need one.
	authClean, err := benchAuth(ctx, client, d, ws, logger, servers[len(servers)-1], cfg.plans, cfg.duration, counter, out)
	if err != nil {
		return false, fmt.Errorf("auth: %w", err)
	}
	clean = clean && authClean && metricsClean && typedClean

	if cfg.cpuProfile != "" || cfg.memProfile != "" {
		if err := profile(ctx, client, servers[0], cfg, out); err != nil {
			return false, err
		}
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("interrupted: %w", err)
	}

	return clean, nil
}

// compare fetches the read once from each server and fails when they do
// not return the same records.
func compare(ctx context.Context, c *http.Client, servers []server, out io.Writer) (*shape, error) {
	bodies := make([][]byte, len(servers))
	shapes := make([]*shape, len(servers))
	for i, s := range servers {
		body, err := fetch(ctx, c, s)
		if err != nil {
			return nil, fmt.Errorf("first request: %w", err)
		}
		sh, err := parseShape(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		bodies[i], shapes[i] = body, sh
	}
	base := len(servers) - 1
	for i := range base {
		sameOrder, err := sameRecords(shapes[i], shapes[base])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", servers[i].name, err)
		}
		same := "same record ids under the same parents at every level"
		if sameOrder {
			same += ", in the same order"
		} else {
			same += ", but in a different order"
		}
		if sameJSON(bodies[i], bodies[base]) {
			same += "; the whole responses are equal JSON"
		} else {
			same += "; the responses differ elsewhere (display names or values)"
		}
		fmt.Fprintf(out, "check: %s and baseline return the %s\n", servers[i].name, same)
	}
	return shapes[0], nil
}

// showStatements runs the read once through a handler of its own that
// keeps statement texts, and prints them.
func showStatements(ctx context.Context, schemaURL string, ws int, out io.Writer) error {
	counter := &db.Counter{Keep: true}
	d, err := db.Open(ctx, schemaURL, db.WithCounter(counter))
	if err != nil {
		return err
	}
	defer d.Close()
	srv := httptest.NewServer(graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws}))
	defer srv.Close()
	if err := d.AwaitDefinitionsWatch(ctx); err != nil {
		return fmt.Errorf("listen for definition changes: %w", err)
	}
	c := newClient()
	defer c.CloseIdleConnections()
	s := server{name: "api", url: srv.URL, graphQL: true}
	if _, err := fetch(ctx, c, s); err != nil { // loads the definitions
		return err
	}
	counter.Reset()
	if _, err := fetch(ctx, c, s); err != nil {
		return err
	}
	stmts := counter.Statements()
	fmt.Fprintf(out, "statements of one API request (%d):\n", len(stmts))
	for i, q := range stmts {
		q = strings.Join(strings.Fields(q), " ")
		if len(q) > 150 {
			q = q[:147] + "..."
		}
		fmt.Fprintf(out, "  %d. %s\n", i+1, q)
	}
	return nil
}

// slices is how many stretches each server's measured time is cut into,
// alternating with the other server's, so that noise hits both.
const slices = 5

// result is one concurrency's measurements: a sample per server (the
// baseline last) and, per API server, its SQL statements per request.
type result struct {
	conc        int
	names       []string
	samples     []sample
	stmtsPerReq []float64
}

func (r *result) base() *sample { return &r.samples[len(r.samples)-1] }

func measure(ctx context.Context, c *http.Client, servers []server, conc int, d time.Duration, counter *db.Counter) (result, error) {
	r := result{conc: conc, samples: make([]sample, len(servers)), stmtsPerReq: make([]float64, len(servers))}
	statements := make([]int64, len(servers))
	for _, s := range servers {
		r.names = append(r.names, s.name)
		if w := hammer(ctx, c, s, conc, 0, warmupRequests); w.firstErr != nil {
			return r, fmt.Errorf("warm-up of %s: %w", s.name, w.firstErr)
		}
	}
	slice := d / slices
	for i := 0; i < slices && ctx.Err() == nil; i++ {
		// Each slice the servers take turns, in an order that rotates.
		for j := range servers {
			k := (i + j) % len(servers)
			before := counter.Count()
			r.samples[k].add(hammer(ctx, c, servers[k], conc, slice, 0))
			statements[k] += counter.Count() - before
		}
	}
	if err := ctx.Err(); err != nil {
		return r, fmt.Errorf("interrupted: %w", err)
	}
	for k, s := range servers {
		if n := r.samples[k].requests(); n > 0 && s.graphQL {
			r.stmtsPerReq[k] = float64(statements[k]) / float64(n)
		}
	}
	return r, nil
}

// profile writes a CPU profile, an allocation profile or both of an extra
// run of the API alone at concurrency 1.
func profile(ctx context.Context, c *http.Client, api server, cfg config, out io.Writer) error {
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	if cfg.memProfile != "" {
		if err := writeAllocs(cfg.memProfile + ".base"); err != nil {
			return err
		}
	}
	s := hammer(ctx, c, api, 1, cfg.duration, 0)
	if cfg.cpuProfile != "" {
		pprof.StopCPUProfile()
		fmt.Fprintf(out, "\nCPU profile of %d API requests at concurrency 1 (this process: API server and load generator) in %s\n"+
			"  go tool pprof -top %s\n", s.requests(), cfg.cpuProfile, cfg.cpuProfile)
	}
	if cfg.memProfile != "" {
		if err := writeAllocs(cfg.memProfile); err != nil {
			return err
		}
		fmt.Fprintf(out, "allocation profile of %d API requests at concurrency 1 in %s (%s.base: before them)\n"+
			"  go tool pprof -sample_index=alloc_space -base %s.base -top %s\n",
			s.requests(), cfg.memProfile, cfg.memProfile, cfg.memProfile, cfg.memProfile)
	}
	return nil
}

// writeAllocs writes the allocation profile so far to path.
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return err
	}
	return f.Close()
}
