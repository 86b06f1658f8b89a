// Command server serves the CRM GraphQL API: GraphiQL at /, the API at
// /graphql, exports' downloads at /exports/, Prometheus metrics at
// /metrics, and the probes /livez (the process), /readyz (the database
// reachable and migrated) and /healthz (the database reachable).
//
//	crm [flags]                  serve (go run .)
//	crm migrate [flags]          apply pending migrations and exit
//	crm migrate --status [flags] list migrations, applied or pending
//	crm export --object TYPE ...  write the CSV of records to stdout
//	crm keys create|list|revoke  API keys (crm keys create --workspace
//	                             default --scopes ADMIN prints a first key)
//	crm workspaces create NAME   a workspace with its standard catalog
//
// Configuration, flags first, then environment:
//
//	--addr, ADDR       listen address (default 127.0.0.1:8080, this machine
//	                   only; ADDR=:8080 for every interface, as in a
//	                   container; PORT=n alone means :n, every interface,
//	                   as the platforms that set PORT route to it)
//	--cors-origins, CORS_ORIGINS
//	                   comma-separated origins whose web pages may call the
//	                   API from a browser, e.g. https://app.example.com;
//	                   * for any; default none
//	--database-url, DATABASE_URL
//	                   postgres://... for PostgreSQL; default sqlite:crm.db,
//	                   an embedded SQLite file in the working directory
//	--log-format, LOG_FORMAT
//	                   text (default) or json
//	--no-migrate, NO_MIGRATE=1
//	                   do not apply pending migrations at start; refuse to
//	                   start while any are pending
//	--no-demo, NO_DEMO=1
//	                   do not load the demo data set into an empty database
//	--request-timeout, REQUEST_TIMEOUT
//	                   a request's deadline (default 30s): its database
//	                   work is cancelled then and it answers TIMEOUT
//	--rate-burst, RATE_BURST; --rate-per-second, RATE_PER_SECOND
//	                   the token bucket of an API key that sets none: the
//	                   cost its requests may spend at once (default
//	                   500000) and regain a second (default 25000); per
//	                   server process
//	--require-auth, REQUIRE_AUTH=1
//	                   every request needs an API key, wherever the server
//	                   listens. Without it, a server bound to this machine
//	                   (127.0.0.1, ::1, localhost) serves without keys
//	                   while none exists (local mode, said in the log);
//	                   bound to any other address it refuses to start
//	                   while none exists. Once a key exists every request
//	                   needs one.
//	--list-refresh, LIST_REFRESH
//	                   how often dynamic lists whose filters hold a
//	                   relative time ("-P90D") are brought up to the clock
//	                   (default 1m); on PostgreSQL one server process at a
//	                   time does it
//	--no-metrics, NO_METRICS=1
//	                   do not count requests, statements and batches, and
//	                   serve no /metrics (which otherwise needs what
//	                   /graphql needs: an API key of scope ADMIN once keys
//	                   exist)
//	OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
//	                   send traces over OTLP/HTTP there (off when neither
//	                   is set), with the standard OTEL_* variables
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/cli"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/demo"
	"github.com/acme/crm/internal/domain"
	"github.com/acme/crm/internal/events"
	"github.com/acme/crm/internal/export"
	"github.com/acme/crm/internal/gctune"
	"github.com/acme/crm/internal/graphiql"
	"github.com/acme/crm/internal/importer"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/observe"
	"github.com/acme/crm/internal/ratelimit"
	"github.com/acme/crm/internal/requestid"
	"github.com/acme/crm/internal/tenant"
	"github.com/acme/crm/internal/webhooks"
	"github.com/acme/crm/internal/write"
)

// defaultAddr is this machine only: a server reachable from elsewhere is
// asked for (ADDR=:8080), never the default.
const defaultAddr = "127.0.0.1:8080"

type config struct {
	addr        string
	corsOrigins []string
	// requestTimeout is a request's deadline (graph.Limits.Timeout).
	requestTimeout time.Duration
	// rateLimit is the token bucket of a key that sets none.
	rateLimit ratelimit.Limit
	// listRefresh is how often the relative-time lists pass runs.
	listRefresh time.Duration
	// eventsRetention is how long the change log keeps an event.
	eventsRetention time.Duration
	databaseURL     string
	logFormat       string
	noMigrate       bool // serve without applying pending migrations
	noDemo          bool // never load the demo set into an empty database
	requireAuth     bool // every request needs a key, even on this machine
	noMetrics       bool // no metrics and no /metrics
	migrate         bool // the migrate command
	status          bool // migrate --status
	// export holds the export command's flags (internal/export parses
	// them); nil for any other command.
	export []string
	// webhooks say how webhooks are checked and delivered.
	webhooks webhooks.Config
}

const usage = `usage:
  crm [--addr ADDR] [--cors-origins LIST] [--database-url URL] [--log-format text|json] [--no-migrate] [--no-demo] [--require-auth]
      [--rate-burst N] [--rate-per-second R] [--no-metrics]
  crm migrate [--status] [--database-url URL] [--log-format text|json]
` + cli.ImportUsage + export.Usage + cli.KeysUsage + cli.SchemaUsage

// loadConfig reads the command line (an optional command, "migrate" or
// "export", then flags) and the environment, flags first.
func loadConfig(args []string, getenv func(string) string) (config, error) {
	var c config
	var corsList string
	if len(args) > 0 && args[0] == "export" {
		c.export, c.logFormat = append([]string{}, args[1:]...), cmp.Or(getenv("LOG_FORMAT"), "text")
		return c, nil
	}
	if len(args) > 0 && args[0] == "migrate" {
		c.migrate = true
		args = args[1:]
	}
	defLog := getenv("LOG_FORMAT")
	if defLog == "" {
		defLog = "text"
	}
	name := "crm"
	if c.migrate {
		name = "crm migrate"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if c.migrate {
		fs.BoolVar(&c.status, "status", false, "list migrations, applied or pending, and change nothing")
	} else {
		defAddr := defaultAddr
		if port := getenv("PORT"); port != "" {
			defAddr = ":" + port
		}
		if addr := getenv("ADDR"); addr != "" {
			defAddr = addr
		}
		defNoMigrate, err := boolEnv(getenv, "NO_MIGRATE")
		if err != nil {
			return config{}, err
		}
		fs.StringVar(&c.addr, "addr", defAddr, "listen address (env ADDR, or PORT); :8080 for every interface")
		fs.StringVar(&corsList, "cors-origins", getenv("CORS_ORIGINS"), "comma-separated origins whose web pages may call the API from a browser, or * for any (env CORS_ORIGINS; default none)")
		fs.BoolVar(&c.noMigrate, "no-migrate", defNoMigrate, "do not apply pending migrations at start, refuse to start while any are pending (env NO_MIGRATE=1)")
		defNoDemo, err := boolEnv(getenv, "NO_DEMO")
		if err != nil {
			return config{}, err
		}
		fs.BoolVar(&c.noDemo, "no-demo", defNoDemo, "do not load the demo data set into an empty database at start (env NO_DEMO=1)")
		defRequireAuth, err := boolEnv(getenv, "REQUIRE_AUTH")
		if err != nil {
			return config{}, err
		}
		fs.BoolVar(&c.requireAuth, "require-auth", defRequireAuth, "every request needs an API key, even on this machine (env REQUIRE_AUTH=1)")
		defNoMetrics, err := boolEnv(getenv, "NO_METRICS")
		if err != nil {
			return config{}, err
		}
		fs.BoolVar(&c.noMetrics, "no-metrics", defNoMetrics, "count nothing and serve no /metrics (env NO_METRICS=1)")
		defTimeout, err := durationEnv(getenv, "REQUEST_TIMEOUT", graph.DefaultLimits.Timeout, "30s")
		if err != nil {
			return config{}, err
		}
		fs.DurationVar(&c.requestTimeout, "request-timeout", defTimeout, "a request's deadline: its database work is cancelled then and it answers TIMEOUT (env REQUEST_TIMEOUT)")
		defRate, err := rateEnv(getenv)
		if err != nil {
			return config{}, err
		}
		fs.IntVar(&c.rateLimit.Burst, "rate-burst", defRate.Burst, "the cost an API key that sets no rate limit may spend at once (env RATE_BURST)")
		fs.Float64Var(&c.rateLimit.PerSecond, "rate-per-second", defRate.PerSecond, "the cost such a key regains a second (env RATE_PER_SECOND)")
		defRefresh, err := durationEnv(getenv, "LIST_REFRESH", lists.DefaultRefresh, "1m")
		if err != nil {
			return config{}, err
		}
		fs.DurationVar(&c.listRefresh, "list-refresh", defRefresh, "how often dynamic lists with a relative time (-P90D) are brought up to the clock (env LIST_REFRESH)")
		defRetention, err := durationEnv(getenv, "EVENTS_RETENTION", events.DefaultRetention, "168h")
		if err != nil {
			return config{}, err
		}
		fs.DurationVar(&c.eventsRetention, "events-retention", defRetention, "how long the change log keeps an event for subscribers catching up (env EVENTS_RETENTION)")
		defPrivate, err := boolEnv(getenv, "WEBHOOK_ALLOW_PRIVATE_TARGETS")
		if err != nil {
			return config{}, err
		}
		fs.BoolVar(&c.webhooks.AllowPrivateTargets, "webhook-allow-private-targets", defPrivate, "let webhooks post to loopback and private addresses: for tests and trusted networks only (env WEBHOOK_ALLOW_PRIVATE_TARGETS=true)")
		defRetryFor, err := durationEnv(getenv, "WEBHOOK_RETRY_FOR", webhooks.DefaultRetryFor, "24h")
		if err != nil {
			return config{}, err
		}
		fs.DurationVar(&c.webhooks.RetryFor, "webhook-retry-for", defRetryFor, "how long a webhook's event is tried before it is marked failed (env WEBHOOK_RETRY_FOR)")
	}
	fs.StringVar(&c.databaseURL, "database-url", getenv("DATABASE_URL"), "postgres://... or sqlite:FILE (env DATABASE_URL; default "+db.DefaultURL+")")
	fs.StringVar(&c.logFormat, "log-format", defLog, "text or json (env LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		if fs.Arg(0) == "migrate" {
			return config{}, fmt.Errorf("the command goes first: crm migrate [flags]")
		}
		return config{}, fmt.Errorf("unknown command %q: the commands are migrate, import, export, keys and workspaces (none serves)", fs.Arg(0))
	}
	if !c.migrate && c.listRefresh <= 0 {
		return config{}, fmt.Errorf("--list-refresh must be a positive duration such as 1m, got %s", c.listRefresh)
	}
	if !c.migrate && c.eventsRetention <= 0 {
		return config{}, fmt.Errorf("--events-retention must be a positive duration such as 168h, got %s", c.eventsRetention)
	}
	if !c.migrate && c.webhooks.RetryFor <= 0 {
		return config{}, fmt.Errorf("--webhook-retry-for must be a positive duration such as 24h, got %s", c.webhooks.RetryFor)
	}
	if err := c.rateLimit.Check(); !c.migrate && err != nil {
		return config{}, fmt.Errorf("--rate-burst, --rate-per-second: %w", err)
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return config{}, fmt.Errorf("--log-format must be text or json, got %q", c.logFormat)
	}
	if !c.migrate {
		origins, err := graph.ParseCORSOrigins(corsList)
		if err != nil {
			return config{}, fmt.Errorf("--cors-origins (or CORS_ORIGINS): %w", err)
		}
		c.corsOrigins = origins
	}
	return c, nil
}

// boolEnv reads the boolean the environment variable name holds: false
// when unset.
func boolEnv(getenv func(string) string, name string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be 1 or 0 (true or false), got %q", name, v)
	}
	return b, nil
}

// durationEnv reads the positive duration the environment variable name
// holds: def when unset.
func durationEnv(getenv func(string) string, name string, def time.Duration, example string) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive duration such as %s, got %q", name, example, v)
	}
	return d, nil
}

// rateEnv reads the default rate limit from RATE_BURST and
// RATE_PER_SECOND, each ratelimit.Default's when unset.
func rateEnv(getenv func(string) string) (ratelimit.Limit, error) {
	l := ratelimit.Default
	if v := getenv("RATE_BURST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return l, fmt.Errorf("RATE_BURST must be a whole number, got %q", v)
		}
		l.Burst = n
	}
	if v := getenv("RATE_PER_SECOND"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return l, fmt.Errorf("RATE_PER_SECOND must be a number, got %q", v)
		}
		l.PerSecond = r
	}
	return l, nil
}

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(observe.LogHandler{Handler: requestid.LogHandler{Handler: slog.NewJSONHandler(os.Stderr, nil)}})
	}
	return slog.New(observe.LogHandler{Handler: requestid.LogHandler{Handler: slog.NewTextHandler(os.Stderr, nil)}})
}

func main() {
	commands := map[string]func(context.Context, []string, func(string) string, io.Writer) error{
		"keys": cli.Keys, "workspaces": cli.Workspaces, "schema": cli.Schema,
	}
	if len(os.Args) > 1 && commands[os.Args[1]] != nil {
		command := commands[os.Args[1]]
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := command(ctx, os.Args[2:], os.Getenv, os.Stdout)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "import" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := cli.Import(ctx, os.Args[2:], os.Getenv, os.Stdout, newLogger(os.Getenv("LOG_FORMAT")))
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	cfg, err := loadConfig(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	logger := newLogger(cfg.logFormat)
	slog.SetDefault(logger)
	if cfg.export != nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := export.Command(ctx, cfg.export, os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			logger.Error("export failed", "error", err)
			os.Exit(1)
		}
		return
	}
	if cfg.migrate {
		if err := runMigrate(cfg, logger, os.Stdout); err != nil {
			logger.Error("migrate failed", "error", err)
			os.Exit(1)
		}
		return
	}
	gctune.Apply()
	if err := run(cfg, logger); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}

// runMigrate is the migrate command: it applies pending migrations (under
// the migration lock, as servers do at start) or, with --status, lists
// them. Its report goes to w.
func runMigrate(cfg config, logger *slog.Logger, w io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := db.Open(ctx, cfg.databaseURL, db.WithLogger(logger))
	if err != nil {
		return err
	}
	defer d.Close()
	if !cfg.status {
		if err := d.Migrate(ctx, db.MigrateLogger(logger)); err != nil {
			return err
		}
	}
	status, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if cfg.status {
		return printStatus(w, status)
	}
	fmt.Fprintf(w, "database schema is up to date at version %d\n", status[len(status)-1].Version)
	return nil
}

// printStatus writes one line per migration, then what to do.
func printStatus(w io.Writer, status []db.Migration) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tFILE")
	pending, newer := 0, false
	for _, m := range status {
		state, at, file := string(m.State), "", m.File
		if !m.AppliedAt.IsZero() {
			at = m.AppliedAt.Format(time.DateTime)
		}
		switch m.State {
		case db.MigrationPending:
			pending++
		case db.MigrationBaseline:
			pending++
			state = "pending (baseline: its tables exist, it will be recorded as applied without running)"
		case db.MigrationUnknown:
			newer = true
			file = "(no file here: the database is newer than this program)"
		}
		fmt.Fprintf(tw, "%05d\t%s\t%s\t%s\n", m.Version, state, at, file)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case newer:
		_, err := fmt.Fprintln(w, "the database is newer than this program: run a release at least as new as the one that migrated it")
		return err
	case pending > 0:
		_, err := fmt.Fprintf(w, "%d pending: run crm migrate\n", pending)
		return err
	}
	_, err := fmt.Fprintln(w, "up to date")
	return err
}

func run(cfg config, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	d, err := db.Open(ctx, cfg.databaseURL, db.WithLogger(logger))
	if err != nil {
		return err
	}
	defer d.Close()
	started := time.Now()
	var workspaceID int
	if cfg.noMigrate {
		workspaceID, err = install.DefaultMigrated(ctx, d)
	} else {
		workspaceID, err = install.Default(ctx, d, db.MigrateLogger(logger))
	}
	if pe := (*db.PendingMigrationsError)(nil); errors.As(err, &pe) {
		return fmt.Errorf("refusing to start with --no-migrate: %w: run crm migrate first, or start without --no-migrate", err)
	}
	if ne := (*db.DatabaseNewerError)(nil); errors.As(err, &ne) {
		return fmt.Errorf("refusing to start: %w", err)
	}
	if err != nil {
		return err
	}
	logger.Info("database ready", "dialect", d.Dialect.Name(), "took", time.Since(started).Round(time.Millisecond))
	if !cfg.noDemo {
		started = time.Now()
		loaded, err := demo.Load(ctx, d, domain.New(d, "", logger).Imports, workspaceID)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if loaded {
			logger.Info("the database was empty: demo data loaded (start with --no-demo or NO_DEMO=1 not to)", "took", time.Since(started).Round(time.Millisecond))
		}
	}
	mode, err := authMode(ctx, cfg, auth.New(d), logger)
	if err != nil {
		return err
	}
	if observe.TracingWanted(os.Getenv) {
		stopTracing, err := observe.StartTracing(ctx, os.Getenv)
		if err != nil {
			return err
		}
		defer stopTracing(context.Background())
		logger.Info("tracing: spans are sent over OTLP/HTTP as the OTEL_* variables say")
	}
	var metrics *observe.Metrics
	if !cfg.noMetrics {
		metrics = observe.New(d.SQL)
	}
	relative := write.New(d)
	relativeLists := lists.New(d, relative)
	// The records a relative date moves in or out of a list are webhook
	// events too (after the lists' hook, which may move more).
	webhooks.Outbox(relative)
	go relativeLists.KeepRelativeCurrent(ctx, cmp.Or(cfg.listRefresh, lists.DefaultRefresh), logger)
	go events.KeepFor(ctx, d, cmp.Or(cfg.eventsRetention, events.DefaultRetention), logger)
	go importer.WatchStopped(ctx, d, logger)
	// The webhooks' worker stops when the server does, however it stops;
	// the server waits for it, so that the database stays open until the
	// worker has recorded what it sent (what it had not is sent again).
	workerCtx, stopWorker := context.WithCancel(ctx)
	delivering := make(chan struct{})
	go func() {
		defer close(delivering)
		webhooks.New(d, cfg.webhooks).Run(workerCtx, logger)
	}()
	defer func() {
		stopWorker()
		<-delivering
	}()

	srv := &http.Server{
		Addr: cfg.addr,
		Handler: routes(d, graph.Config{Auth: mode, WorkspaceID: workspaceID, CORSOrigins: cfg.corsOrigins, Limits: graph.Limits{Timeout: cfg.requestTimeout},
			RateLimit: cfg.rateLimit, Metrics: metrics, Webhooks: cfg.webhooks}, logger),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      max(120*time.Second, cfg.requestTimeout+10*time.Second),
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() {
		logger.Info("listening", "addr", cfg.addr, "graphiql", "http://localhost"+portOf(cfg.addr)+"/", "cors_origins", strings.Join(cfg.corsOrigins, ","))
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// authMode decides whether requests need a key (see --require-auth),
// refusing to start a server that would serve another machine without
// one, and says in the log which it is.
func authMode(ctx context.Context, cfg config, keys *auth.Store, logger *slog.Logger) (graph.AuthMode, error) {
	exists, err := keys.Exists(ctx)
	if err != nil {
		return 0, err
	}
	switch {
	case !exists && (cfg.requireAuth || !loopback(cfg.addr)):
		why := "it listens on " + cfg.addr + ", which other machines may reach"
		if cfg.requireAuth {
			why = "--require-auth (REQUIRE_AUTH) asks every request for one"
		}
		return 0, fmt.Errorf("refusing to start: no API key exists and %s; make one with: crm keys create --workspace %s --scopes ADMIN (then send it as Authorization: Bearer <secret>)", why, tenant.DefaultName)
	case cfg.requireAuth || !loopback(cfg.addr):
		logger.Info("authentication: every request needs an API key")
		return graph.AuthRequired, nil
	case exists:
		logger.Info("authentication: API keys exist, every request needs one")
		return graph.AuthLocal, nil
	}
	logger.Warn("local mode: no API key exists, serving WITHOUT authentication to this machine only; the first key made (crm keys create, or createApiKey) turns it off")
	return graph.AuthLocal, nil
}

// loopback tells whether addr is bound to this machine only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i:]
		}
	}
	return ""
}

// routes serves the API configured by api (its database and logger are
// d's and logger), GraphiQL, the metrics (unless api.Metrics is nil) and
// the probes, each request logged, measured and traced.
func routes(d *db.DB, api graph.Config, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	api.DB, api.Logger = d, logger
	h := graph.NewHandler(api)
	mux.Handle("/graphql", h)
	mux.Handle(graph.TypedPath, h.Typed())
	mux.Handle("GET /imports/{id}/errors.csv", h.ImportErrors())
	mux.Handle(export.Route, export.New(d).NewHandler(logger))
	if api.Metrics != nil {
		mux.Handle("GET /metrics", h.MetricsHandler(api.Metrics))
	}
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"status":"ok"}`)
	})
	mux.Handle("GET /readyz", probe(logger, "readiness", func(ctx context.Context) (string, error) {
		if err := d.SQL.PingContext(ctx); err != nil {
			return "unreachable", err
		}
		if err := d.CheckMigrations(ctx); err != nil {
			return "not migrated", err
		}
		return "", nil
	}))
	mux.Handle("GET /healthz", probe(logger, "health", func(ctx context.Context) (string, error) {
		if err := d.SQL.PingContext(ctx); err != nil {
			return "unreachable", err
		}
		return "", nil
	}))
	mux.Handle("/", graphiql.Pages("CRM",
		graphiql.Endpoint{Name: "generic", Label: "Generic schema", URL: "/graphql", Query: graphiql.DefaultQuery},
		graphiql.Endpoint{Name: "typed", Label: "Typed schema", URL: graph.TypedPath, Query: graphiql.TypedQuery}))
	return requestid.Handler(observe.Traced(observe.Requests(logger, api.Metrics, mux)))
}

// probe answers 200 {"status":"ok","database":"ok"} while check passes,
// else 503 with what is wrong with the database.
func probe(logger *slog.Logger, name string, check func(context.Context) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if state, err := check(ctx); err != nil {
			logger.ErrorContext(ctx, name+" check failed", "database", state, "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "{\"status\":\"unavailable\",\"database\":%q}\n", state)
			return
		}
		fmt.Fprintln(w, `{"status":"ok","database":"ok"}`)
	})
}
