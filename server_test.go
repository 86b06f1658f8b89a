package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/events"
	"github.com/acme/crm/internal/graphiql"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/ratelimit"
	"github.com/acme/crm/internal/requestid"
	"github.com/acme/crm/internal/webhooks"
)

// env is a fake environment for loadConfig.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		// Only this machine can reach a server started without an address.
		{"defaults", nil, nil, config{addr: "127.0.0.1:8080", databaseURL: "", logFormat: "text"}},
		// Platforms such as Heroku or Cloud Run only set PORT, and route
		// to every interface of the container: PORT keeps meaning :PORT.
		{"PORT alone", nil, map[string]string{"PORT": "9000"}, config{addr: ":9000", logFormat: "text"}},
		// A container says so.
		{"ADDR every interface", nil, map[string]string{"ADDR": ":8080"}, config{addr: ":8080", logFormat: "text"}},
		{"ADDR beats PORT", nil, map[string]string{"PORT": "9000", "ADDR": "127.0.0.1:7000"},
			config{addr: "127.0.0.1:7000", logFormat: "text"}},
		{"ADDR alone", nil, map[string]string{"ADDR": "127.0.0.1:7000"}, config{addr: "127.0.0.1:7000", logFormat: "text"}},
		{"--addr beats ADDR and PORT", []string{"--addr", ":6000"}, map[string]string{"PORT": "9000", "ADDR": "127.0.0.1:7000"},
			config{addr: ":6000", logFormat: "text"}},
		{"--addr=value form", []string{"--addr=:6001"}, map[string]string{"PORT": "9000"}, config{addr: ":6001", logFormat: "text"}},
		{"single-dash flag", []string{"-addr", ":6002"}, nil, config{addr: ":6002", logFormat: "text"}},
		{"DATABASE_URL", nil, map[string]string{"DATABASE_URL": "postgres://db/crm"},
			config{addr: "127.0.0.1:8080", databaseURL: "postgres://db/crm", logFormat: "text"}},
		{"--database-url beats DATABASE_URL", []string{"--database-url", "sqlite:other.db"}, map[string]string{"DATABASE_URL": "postgres://db/crm"},
			config{addr: "127.0.0.1:8080", databaseURL: "sqlite:other.db", logFormat: "text"}},
		{"LOG_FORMAT json", nil, map[string]string{"LOG_FORMAT": "json"}, config{addr: "127.0.0.1:8080", logFormat: "json"}},
		{"--log-format json", []string{"--log-format", "json"}, nil, config{addr: "127.0.0.1:8080", logFormat: "json"}},
		// The flag is checked, not the environment it overrides.
		{"--log-format beats a bad LOG_FORMAT", []string{"--log-format", "text"}, map[string]string{"LOG_FORMAT": "xml"},
			config{addr: "127.0.0.1:8080", logFormat: "text"}},
		{"all flags", []string{"--addr", "0.0.0.0:1", "--database-url", "sqlite:x.db", "--log-format", "json"}, nil,
			config{addr: "0.0.0.0:1", databaseURL: "sqlite:x.db", logFormat: "json"}},
		{"--no-migrate", []string{"--no-migrate"}, nil, config{addr: "127.0.0.1:8080", logFormat: "text", noMigrate: true}},
		{"NO_MIGRATE=1", nil, map[string]string{"NO_MIGRATE": "1"}, config{addr: "127.0.0.1:8080", logFormat: "text", noMigrate: true}},
		{"NO_MIGRATE=true", nil, map[string]string{"NO_MIGRATE": "true"}, config{addr: "127.0.0.1:8080", logFormat: "text", noMigrate: true}},
		{"NO_MIGRATE=0", nil, map[string]string{"NO_MIGRATE": "0"}, config{addr: "127.0.0.1:8080", logFormat: "text"}},
		{"--no-migrate=false beats NO_MIGRATE", []string{"--no-migrate=false"}, map[string]string{"NO_MIGRATE": "1"},
			config{addr: "127.0.0.1:8080", logFormat: "text"}},
		{"CORS_ORIGINS", nil, map[string]string{"CORS_ORIGINS": "https://app.example.com, http://localhost:3000"},
			config{addr: "127.0.0.1:8080", logFormat: "text", corsOrigins: []string{"https://app.example.com", "http://localhost:3000"}}},
		{"--cors-origins beats CORS_ORIGINS", []string{"--cors-origins", "*"}, map[string]string{"CORS_ORIGINS": "https://app.example.com"},
			config{addr: "127.0.0.1:8080", logFormat: "text", corsOrigins: []string{"*"}}},
		{"--cors-origins normalized", []string{"--cors-origins=https://App.Example.com:443/"}, nil,
			config{addr: "127.0.0.1:8080", logFormat: "text", corsOrigins: []string{"https://app.example.com"}}},
		{"--cors-origins empty beats CORS_ORIGINS", []string{"--cors-origins="}, map[string]string{"CORS_ORIGINS": "*"},
			config{addr: "127.0.0.1:8080", logFormat: "text"}},
		{"migrate", []string{"migrate"}, nil, config{migrate: true, logFormat: "text"}},
		{"migrate --status", []string{"migrate", "--status"}, nil, config{migrate: true, status: true, logFormat: "text"}},
		{"migrate with its flags", []string{"migrate", "-database-url", "sqlite:m.db", "--log-format=json", "--status"}, nil,
			config{migrate: true, status: true, databaseURL: "sqlite:m.db", logFormat: "json"}},
		// The environment a server runs with runs the command too: its
		// serve-only settings are no concern of migrate.
		{"migrate in a server's environment", []string{"migrate"},
			map[string]string{"DATABASE_URL": "postgres://db/crm", "ADDR": ":7000", "NO_MIGRATE": "1", "LOG_FORMAT": "json", "CORS_ORIGINS": "not an origin"},
			config{migrate: true, databaseURL: "postgres://db/crm", logFormat: "json"}},
		{"migrate ignores a bad NO_MIGRATE", []string{"migrate"}, map[string]string{"NO_MIGRATE": "maybe"},
			config{migrate: true, logFormat: "text"}},
		// export parses its own flags (internal/export).
		{"export", []string{"export", "--object", "contacts", "--database-url", "sqlite:m.db"}, map[string]string{"LOG_FORMAT": "json", "ADDR": ":1"},
			config{export: []string{"--object", "contacts", "--database-url", "sqlite:m.db"}, logFormat: "json"}},
		{"REQUEST_TIMEOUT", nil, map[string]string{"REQUEST_TIMEOUT": "5s"}, config{addr: "127.0.0.1:8080", logFormat: "text", requestTimeout: 5 * time.Second}},
		{"--request-timeout beats REQUEST_TIMEOUT", []string{"--request-timeout", "2m"}, map[string]string{"REQUEST_TIMEOUT": "5s"},
			config{addr: "127.0.0.1:8080", logFormat: "text", requestTimeout: 2 * time.Minute}},
		{"LIST_REFRESH", nil, map[string]string{"LIST_REFRESH": "10s"}, config{addr: "127.0.0.1:8080", logFormat: "text", listRefresh: 10 * time.Second}},
		{"--list-refresh beats LIST_REFRESH", []string{"--list-refresh", "30s"}, map[string]string{"LIST_REFRESH": "10s"},
			config{addr: "127.0.0.1:8080", logFormat: "text", listRefresh: 30 * time.Second}},
		{"EVENTS_RETENTION", nil, map[string]string{"EVENTS_RETENTION": "24h"}, config{addr: "127.0.0.1:8080", logFormat: "text", eventsRetention: 24 * time.Hour}},
		{"--events-retention beats EVENTS_RETENTION", []string{"--events-retention", "720h"}, map[string]string{"EVENTS_RETENTION": "24h"},
			config{addr: "127.0.0.1:8080", logFormat: "text", eventsRetention: 720 * time.Hour}},
		{"--require-auth", []string{"--require-auth"}, nil, config{addr: "127.0.0.1:8080", logFormat: "text", requireAuth: true}},
		{"REQUIRE_AUTH=1", nil, map[string]string{"REQUIRE_AUTH": "1"}, config{addr: "127.0.0.1:8080", logFormat: "text", requireAuth: true}},
		{"RATE_BURST and RATE_PER_SECOND", nil, map[string]string{"RATE_BURST": "1000", "RATE_PER_SECOND": "2.5"},
			config{addr: "127.0.0.1:8080", logFormat: "text", rateLimit: ratelimit.Limit{Burst: 1000, PerSecond: 2.5}}},
		{"--rate-per-second beats RATE_PER_SECOND", []string{"--rate-per-second", "10"}, map[string]string{"RATE_PER_SECOND": "2.5"},
			config{addr: "127.0.0.1:8080", logFormat: "text", rateLimit: ratelimit.Limit{Burst: ratelimit.Default.Burst, PerSecond: 10}}},
		{"WEBHOOK_ALLOW_PRIVATE_TARGETS and WEBHOOK_RETRY_FOR", nil, map[string]string{"WEBHOOK_ALLOW_PRIVATE_TARGETS": "true", "WEBHOOK_RETRY_FOR": "2h"},
			config{addr: "127.0.0.1:8080", logFormat: "text", webhooks: webhooks.Config{AllowPrivateTargets: true, RetryFor: 2 * time.Hour}}},
		{"--webhook-retry-for beats WEBHOOK_RETRY_FOR", []string{"--webhook-retry-for", "48h"}, map[string]string{"WEBHOOK_RETRY_FOR": "2h"},
			config{addr: "127.0.0.1:8080", logFormat: "text", webhooks: webhooks.Config{RetryFor: 48 * time.Hour}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadConfig(tt.args, env(tt.env))
			if err != nil {
				t.Fatalf("loadConfig: %v", err)
			}
			serves := !tt.want.migrate && tt.want.export == nil
			if serves && tt.want.requestTimeout == 0 {
				tt.want.requestTimeout = graph.DefaultLimits.Timeout // the server's default
			}
			if serves && tt.want.listRefresh == 0 {
				tt.want.listRefresh = lists.DefaultRefresh
			}
			if serves && tt.want.eventsRetention == 0 {
				tt.want.eventsRetention = events.DefaultRetention
			}
			if serves && tt.want.rateLimit == (ratelimit.Limit{}) {
				tt.want.rateLimit = ratelimit.Default
			}
			if serves && tt.want.webhooks.RetryFor == 0 {
				tt.want.webhooks.RetryFor = webhooks.DefaultRetryFor
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("loadConfig = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoadConfigRefuses(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		mention string // the error must tell the operator what is wrong
	}{
		{"--log-format unknown", []string{"--log-format", "xml"}, nil, "xml"},
		{"--log-format case", []string{"--log-format", "JSON"}, nil, "JSON"},
		{"LOG_FORMAT unknown", nil, map[string]string{"LOG_FORMAT": "pretty"}, "pretty"},
		{"unknown flag", []string{"--port", "9000"}, nil, "port"},
		{"flag without its value", []string{"--addr"}, nil, "addr"},
		{"NO_MIGRATE unknown", nil, map[string]string{"NO_MIGRATE": "maybe"}, "NO_MIGRATE"},
		{"REQUEST_TIMEOUT not a duration", nil, map[string]string{"REQUEST_TIMEOUT": "30"}, "REQUEST_TIMEOUT"},
		{"LIST_REFRESH not a duration", nil, map[string]string{"LIST_REFRESH": "60"}, "LIST_REFRESH"},
		{"--list-refresh not positive", []string{"--list-refresh", "0s"}, nil, "list-refresh"},
		{"EVENTS_RETENTION not a duration", nil, map[string]string{"EVENTS_RETENTION": "7d"}, "EVENTS_RETENTION"},
		{"--events-retention not positive", []string{"--events-retention", "-1h"}, nil, "events-retention"},
		{"WEBHOOK_RETRY_FOR not a duration", nil, map[string]string{"WEBHOOK_RETRY_FOR": "1d"}, "WEBHOOK_RETRY_FOR"},
		{"--webhook-retry-for not positive", []string{"--webhook-retry-for", "0s"}, nil, "webhook-retry-for"},
		{"WEBHOOK_ALLOW_PRIVATE_TARGETS unknown", nil, map[string]string{"WEBHOOK_ALLOW_PRIVATE_TARGETS": "yes please"}, "WEBHOOK_ALLOW_PRIVATE_TARGETS"},
		{"--status without migrate", []string{"--status"}, nil, "status"},
		{"migrate --addr", []string{"migrate", "--addr", ":1"}, nil, "addr"},
		{"migrate --no-migrate", []string{"migrate", "--no-migrate"}, nil, "no-migrate"},
		{"command after flags", []string{"--database-url", "sqlite:x.db", "migrate"}, nil, "crm migrate"},
		{"unknown command", []string{"serve-now"}, nil, "serve-now"},
		{"argument after migrate's flags", []string{"migrate", "--status", "now"}, nil, "now"},
		{"migrate with a bad --log-format", []string{"migrate", "--log-format", "xml"}, nil, "xml"},
		{"CORS_ORIGINS not an origin", nil, map[string]string{"CORS_ORIGINS": "app.example.com"}, "app.example.com"},
		{"--cors-origins with a path", []string{"--cors-origins", "https://a.example, https://b.example/app"}, nil, "https://b.example/app"},
		{"migrate --cors-origins", []string{"migrate", "--cors-origins", "*"}, nil, "cors-origins"},
		{"RATE_BURST not a number", nil, map[string]string{"RATE_BURST": "lots"}, "RATE_BURST"},
		{"RATE_PER_SECOND not a number", nil, map[string]string{"RATE_PER_SECOND": "fast"}, "RATE_PER_SECOND"},
		{"--rate-burst 0", []string{"--rate-burst", "0"}, nil, "rate-burst"},
		{"--rate-per-second not positive", []string{"--rate-per-second", "-1"}, nil, "rate-per-second"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadConfig(tt.args, env(tt.env))
			if err == nil {
				t.Fatalf("loadConfig = %+v, want an error", got)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

// server serves routes() over a freshly installed database.
func server(t *testing.T, d *db.DB) *httptest.Server {
	t.Helper()
	workspaceID, err := install.Default(context.Background(), d)
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	srv := httptest.NewServer(routes(d, graph.Config{WorkspaceID: workspaceID}, testLogger(t)))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func mediaType(t *testing.T, resp *http.Response) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	return mt
}

func TestRoutes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := server(t, d)

		t.Run("GraphiQL page at the root", func(t *testing.T) {
			resp, body := get(t, srv.URL+"/")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET / = %d", resp.StatusCode)
			}
			if mt := mediaType(t, resp); mt != "text/html" {
				t.Errorf("Content-Type = %s, want text/html", mt)
			}
			// The page must point the IDE at the API.
			if !strings.Contains(strings.ToLower(body), "graphiql") || !strings.Contains(body, "/graphql") {
				t.Errorf("GET / is not the GraphiQL page for /graphql: %.300s", body)
			}
		})

		t.Run("GraphiQL page of the typed endpoint, whose example query runs", func(t *testing.T) {
			resp, body := get(t, srv.URL+"/?endpoint=typed")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"/graphql/typed"`) || !strings.Contains(body, `href="./"`) {
				t.Fatalf("GET /?endpoint=typed = %d, not the page for /graphql/typed: %.300s", resp.StatusCode, body)
			}
			for path, query := range map[string]string{"/graphql": graphiql.DefaultQuery, graph.TypedPath: graphiql.TypedQuery} {
				req, _ := json.Marshal(map[string]string{"query": query})
				resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(req))
				if err != nil {
					t.Fatal(err)
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || strings.Contains(string(out), `"errors"`) {
					t.Errorf("the example query of %s: %d %s", path, resp.StatusCode, out)
				}
			}
		})

		t.Run("unknown path is 404", func(t *testing.T) {
			resp, _ := get(t, srv.URL+"/no-such-page")
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET /no-such-page = %d, want 404", resp.StatusCode)
			}
		})

		t.Run("health check", func(t *testing.T) {
			resp, body := get(t, srv.URL+"/healthz")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /healthz = %d %s", resp.StatusCode, body)
			}
			if mt := mediaType(t, resp); mt != "application/json" {
				t.Errorf("Content-Type = %s, want application/json", mt)
			}
			var got map[string]string
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if got["status"] != "ok" {
				t.Errorf("status = %q, want ok (%s)", got["status"], body)
			}
		})

		t.Run("GraphQL API", func(t *testing.T) {
			resp, err := http.Post(srv.URL+"/graphql", "application/json",
				strings.NewReader(`{"query":"{ objectTypes { name } }"}`))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("POST /graphql = %d", resp.StatusCode)
			}
			var out struct {
				Data struct {
					ObjectTypes []struct{ Name string }
				}
				Errors []json.RawMessage
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if len(out.Errors) > 0 {
				t.Fatalf("errors: %s", out.Errors)
			}
			names := map[string]bool{}
			for _, ot := range out.Data.ObjectTypes {
				names[ot.Name] = true
			}
			// The standard catalog is installed: a fresh server is usable.
			for _, want := range []string{"contacts", "companies", "deals", "tickets"} {
				if !names[want] {
					t.Errorf("objectTypes lacks %q: %v", want, names)
				}
			}
		})

		// Last: it closes the database under the server. A load balancer
		// must see the instance as unhealthy when its database is gone.
		t.Run("health check without a database", func(t *testing.T) {
			if err := d.SQL.Close(); err != nil {
				t.Fatal(err)
			}
			resp, body := get(t, srv.URL+"/healthz")
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("GET /healthz = %d %s, want 503", resp.StatusCode, body)
			}
			var got map[string]string
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if got["status"] == "ok" {
				t.Errorf("status = ok with the database closed")
			}
		})
	})
}

// freeAddr returns a loopback address no one listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestRunShutsDownOnSignal runs the whole server as main does and stops it
// the way an orchestrator does, with SIGINT: it must return nil (exit 0)
// and release its port. run installs its signal handler before it listens,
// so once /healthz answers the signal is run's to catch and cannot kill the
// test binary.
//
// That requests in flight are finished during shutdown is not tested here:
// without a hook into the server, a test cannot know that a request is
// in flight at the moment shutdown starts without relying on timing.
func TestRunShutsDownOnSignal(t *testing.T) {
	cfg := config{
		addr:        freeAddr(t),
		databaseURL: "sqlite:" + filepath.Join(t.TempDir(), "crm.db"),
		logFormat:   "text",
	}
	done := make(chan error, 1)
	go func() { done <- run(cfg, testLogger(t)) }()

	// Wait until the server answers. The deadline only bounds a hang.
	deadline := time.Now().Add(60 * time.Second)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		select {
		case err := <-done:
			t.Fatalf("run returned before serving: %v", err)
		default:
		}
		resp, err := client.Get("http://" + cfg.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server at %s never became healthy: %v", cfg.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after SIGINT = %v, want nil", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("run did not return after SIGINT")
	}

	// The port is free again: a restarted server can bind it.
	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		t.Fatalf("port still held after shutdown: %v", err)
	}
	l.Close()
}

// Without a key, a server serves this machine only (local mode); bound to
// another address, or asked to require keys, it refuses to start and says
// how to make one; with a key it starts wherever it is bound.
func TestAuthMode(t *testing.T) {
	d := dbtest.Open(t, "sqlite")
	ws, err := install.Default(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	keys := auth.New(d)
	type mode struct {
		cfg  config
		want graph.AuthMode
	}
	modes := func(t *testing.T, cases []mode) {
		for _, c := range cases {
			got, err := authMode(context.Background(), c.cfg, keys, testLogger(t))
			if err != nil || got != c.want {
				t.Errorf("%+v: mode %v, %v; want %v", c.cfg, got, err, c.want)
			}
		}
	}
	t.Run("no key", func(t *testing.T) {
		modes(t, []mode{{config{addr: "127.0.0.1:8080"}, graph.AuthLocal}, {config{addr: "localhost:8080"}, graph.AuthLocal}, {config{addr: "[::1]:8080"}, graph.AuthLocal}})
		for _, cfg := range []config{{addr: ":8080"}, {addr: "0.0.0.0:8080"}, {addr: "10.0.0.5:8080"}, {addr: "127.0.0.1:8080", requireAuth: true}} {
			_, err := authMode(context.Background(), cfg, keys, testLogger(t))
			if err == nil || !strings.Contains(err.Error(), "crm keys create --workspace default --scopes ADMIN") {
				t.Errorf("%+v: %v, want a refusal saying how to make a key", cfg, err)
			}
		}
	})
	t.Run("a key", func(t *testing.T) {
		if _, _, err := keys.Create(audit.WithActor(context.Background(), audit.CLI), ws, "first", []auth.Scope{auth.Admin}, nil, auth.Rate{}, 0); err != nil {
			t.Fatal(err)
		}
		modes(t, []mode{{config{addr: "127.0.0.1:8080"}, graph.AuthLocal}, {config{addr: ":8080"}, graph.AuthRequired},
			{config{addr: "127.0.0.1:8080", requireAuth: true}, graph.AuthRequired}})
	})
}

func TestRunFailsFast(t *testing.T) {
	t.Run("address in use", func(t *testing.T) {
		// A second instance on the same port must exit with an error, not
		// hang waiting for a signal.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		cfg := config{addr: l.Addr().String(), databaseURL: "sqlite:" + filepath.Join(t.TempDir(), "crm.db"), logFormat: "text"}
		err = run(cfg, testLogger(t))
		if err == nil {
			t.Fatal("run on a busy port returned nil")
		}
		var opErr *net.OpError
		if !errors.As(err, &opErr) {
			t.Errorf("run = %v, want the listen error", err)
		}
	})
	t.Run("every interface without an API key", func(t *testing.T) {
		cfg := config{addr: "0.0.0.0" + portOf(freeAddr(t)), databaseURL: "sqlite:" + filepath.Join(t.TempDir(), "crm.db"), logFormat: "text", noDemo: true}
		err := run(cfg, testLogger(t))
		if err == nil || !strings.Contains(err.Error(), "crm keys create") {
			t.Fatalf("run = %v, want a refusal saying how to make a key", err)
		}
	})
	t.Run("unsupported database URL, password not shown", func(t *testing.T) {
		cfg := config{addr: freeAddr(t), databaseURL: "mysql://crm:s3cret@db/crm", logFormat: "text"}
		err := run(cfg, testLogger(t))
		if err == nil {
			t.Fatal("run with a mysql URL returned nil")
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), "postgres://") {
			t.Errorf("error %q does not say which URLs are accepted", err)
		}
	})
}

// The CORS origins reach the API: a page of an allowed origin may call it,
// another may not, and GraphiQL (same origin, JSON POSTs) is untouched.
func TestRoutesCORS(t *testing.T) {
	d := dbtest.Open(t, "sqlite")
	workspaceID, err := install.Default(context.Background(), d)
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	srv := httptest.NewServer(routes(d, graph.Config{WorkspaceID: workspaceID, CORSOrigins: []string{"https://app.example.com"}}, testLogger(t)))
	t.Cleanup(srv.Close)
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := preflight("https://app.example.com"); resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("preflight from the allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := preflight("https://evil.example"); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", resp.StatusCode, resp.Header)
	}
	// A GET without a preflight header is refused with a code.
	resp, body := get(t, srv.URL+"/graphql?query=%7B__typename%7D")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"code":"BAD_USER_INPUT"`) {
		t.Errorf("GET without a preflight header: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, srv.URL+"/"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET / = %d", resp.StatusCode)
	}
}

// TestRequestIDInLogLine: the request's log line names its id, the one
// the client sent or the one the server gave it, as the answer does.
func TestRequestIDInLogLine(t *testing.T) {
	d := dbtest.Open(t, "sqlite")
	workspaceID, err := install.Default(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(requestid.LogHandler{Handler: slog.NewTextHandler(&logs, nil)})
	h := routes(d, graph.Config{WorkspaceID: workspaceID}, logger)
	for _, sent := range []string{"trace-7", ""} {
		logs.Reset()
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		if sent != "" {
			req.Header.Set("X-Request-Id", sent)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		id := rec.Header().Get("X-Request-Id")
		if sent != "" && id != sent || id == "" {
			t.Fatalf("sent %q, answered %q", sent, id)
		}
		if line := logs.String(); !strings.Contains(line, "msg=request") || !strings.Contains(line, "request_id="+id) {
			t.Fatalf("log line %q does not name request %q", line, id)
		}
	}
}
