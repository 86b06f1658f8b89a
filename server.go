// Command server serves the CRM GraphQL API: GraphiQL at /, the API at
// /graphql, a health check at /healthz.
//
// Configuration, flags first, then environment:
//
//	--addr, ADDR       listen address (default :8080; PORT=n alone means :n)
//	--database-url, DATABASE_URL
//	                   postgres://... for PostgreSQL; default sqlite:crm.db,
//	                   an embedded SQLite file in the working directory
//	--log-format, LOG_FORMAT
//	                   text (default) or json
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gctune"
	"github.com/acme/crm/internal/graphiql"
	"github.com/acme/crm/internal/install"
)

type config struct {
	addr        string
	databaseURL string
	logFormat   string
}

func loadConfig(args []string, getenv func(string) string) (config, error) {
	defAddr := ":8080"
	if port := getenv("PORT"); port != "" {
		defAddr = ":" + port
	}
	if addr := getenv("ADDR"); addr != "" {
		defAddr = addr
	}
	defLog := getenv("LOG_FORMAT")
	if defLog == "" {
		defLog = "text"
	}
	var c config
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", defAddr, "listen address (env ADDR, or PORT)")
	fs.StringVar(&c.databaseURL, "database-url", getenv("DATABASE_URL"), "postgres://... or sqlite:FILE (env DATABASE_URL; default "+db.DefaultURL+")")
	fs.StringVar(&c.logFormat, "log-format", defLog, "text or json (env LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return config{}, fmt.Errorf("--log-format must be text or json, got %q", c.logFormat)
	}
	return c, nil
}

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

func main() {
	cfg, err := loadConfig(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	logger := newLogger(cfg.logFormat)
	slog.SetDefault(logger)
	gctune.Apply()
	if err := run(cfg, logger); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}

func run(cfg config, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	d, err := db.Open(ctx, cfg.databaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	started := time.Now()
	workspaceID, err := install.Default(ctx, d)
	if err != nil {
		return err
	}
	logger.Info("database ready", "dialect", d.Dialect.Name(), "took", time.Since(started).Round(time.Millisecond))

	srv := &http.Server{
		Addr:              cfg.addr,
		Handler:           routes(d, workspaceID, logger),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() {
		logger.Info("listening", "addr", cfg.addr, "graphiql", "http://localhost"+portOf(cfg.addr)+"/")
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

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i:]
		}
	}
	return ""
}

func routes(d *db.DB, workspaceID int, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(graph.Config{DB: d, WorkspaceID: workspaceID, Logger: logger}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := d.SQL.PingContext(ctx); err != nil {
			logger.Error("health check failed", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, `{"status":"unavailable","database":"unreachable"}`)
			return
		}
		fmt.Fprintln(w, `{"status":"ok","database":"ok"}`)
	})
	mux.Handle("/", graphiql.Handler("CRM", "/graphql"))
	return logRequests(logger, mux)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration", time.Since(start).Round(time.Microsecond))
	})
}
