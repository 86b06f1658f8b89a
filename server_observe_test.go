package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/observe"
)

// observedServer serves routes() with metrics and read plans off (so that
// nested pages go through the loaders), logging into log.
func observedServer(t *testing.T, d *db.DB, log io.Writer) *httptest.Server {
	t.Helper()
	workspaceID, err := install.Default(context.Background(), d)
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	m := observe.New(d.SQL)
	srv := httptest.NewServer(routes(d, graph.Config{WorkspaceID: workspaceID, Metrics: m, NoReadPlans: true}, slog.New(slog.NewTextHandler(log, nil))))
	t.Cleanup(srv.Close)
	return srv
}

func postQuery(t *testing.T, url, query string, header http.Header) (*http.Response, string) {
	t.Helper()
	return post(t, url, map[string]string{"query": query}, header)
}

func post(t *testing.T, url string, params map[string]string, header http.Header) (*http.Response, string) {
	t.Helper()
	body, _ := json.Marshal(params)
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(out)
}

// nestedQuery reads companies with their contacts (a page per level,
// prefetched by the root field) and the lists of each company (through a
// loader).
const nestedQuery = `query Nested { records(objectType: "companies", first: 3) { edges { node { id lists { id }
	associations(toObjectType: "contacts", first: 2) { edges { node { id } } } } } } }`

// seed makes a company with a contact, so that the nested read has pages
// below its first level.
func seed(t *testing.T, url string) {
	t.Helper()
	resp, body := postQuery(t, url, `mutation { createRecord(input: {objectType: "contacts", properties: {email: "ada@example.com"}}) { record { id } } }`, nil)
	var out struct {
		Data struct {
			CreateRecord struct{ Record struct{ ID string } }
		}
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != 200 || out.Data.CreateRecord.Record.ID == "" {
		t.Fatalf("create contact: %d %s", resp.StatusCode, body)
	}
	resp, body = postQuery(t, url, `mutation { createRecord(input: {objectType: "companies", properties: {name: "Acme"}, associations: [{to: "`+
		out.Data.CreateRecord.Record.ID+`"}]}) { record { id } } }`, nil)
	if resp.StatusCode != 200 || strings.Contains(body, "errors") {
		t.Fatalf("create company: %d %s", resp.StatusCode, body)
	}
}

// metricValue finds the sample of name whose labels are exactly labels
// (sorted by name, as the exposition format writes them).
func metricValue(t *testing.T, text, name, labels string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name+labels) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no sample %s%s in /metrics:\n%s", name, labels, grepLines(text, name))
	}
	return m[1]
}

func grepLines(text, prefix string) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestMetrics(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var log bytes.Buffer
		srv := observedServer(t, d, &log)
		seed(t, srv.URL)
		for range 2 {
			if resp, body := postQuery(t, srv.URL, `query Types { objectTypes { name } }`, nil); resp.StatusCode != 200 || strings.Contains(body, "errors") {
				t.Fatalf("Types: %d %s", resp.StatusCode, body)
			}
		}
		// A refused operation is named by the operationName sent, if any:
		// gqlgen parses and validates in one step.
		for _, params := range []map[string]string{{"query": `query Broken { noSuchField }`, "operationName": "Broken"}, {"query": `query Unnamed { noSuchField }`}} {
			resp, body := post(t, srv.URL, params, nil)
			if resp.StatusCode != 200 || !strings.Contains(body, `"BAD_USER_INPUT"`) {
				t.Fatalf("%v: %d %s", params, resp.StatusCode, body)
			}
		}
		if resp, body := postQuery(t, srv.URL, nestedQuery, nil); resp.StatusCode != 200 || strings.Contains(body, "errors") {
			t.Fatalf("Nested: %d %s", resp.StatusCode, body)
		}
		resp, body := get(t, srv.URL+"/no-such-page")
		if resp.StatusCode != 404 {
			t.Fatalf("GET /no-such-page = %d %s", resp.StatusCode, body)
		}

		resp, text := get(t, srv.URL+"/metrics")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("GET /metrics = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []struct{ name, labels, value string }{
			{"crm_http_requests_total", `{code="OK",operation="Types",route="/graphql",status="200"}`, "2"},
			{"crm_http_requests_total", `{code="BAD_USER_INPUT",operation="Broken",route="/graphql",status="200"}`, "1"},
			{"crm_http_requests_total", `{code="BAD_USER_INPUT",operation="",route="/graphql",status="200"}`, "1"},
			{"crm_http_requests_total", `{code="OK",operation="Nested",route="/graphql",status="200"}`, "1"},
			// GraphiQL's route "/" answers every other path: 404.
			{"crm_http_requests_total", `{code="",operation="",route="/",status="404"}`, "1"},
			{"crm_http_request_duration_seconds_count", `{operation="Types",route="/graphql"}`, "2"},
			// Every /graphql request so far: 2 seeds, 2 Types, 2 refused, Nested.
			{"crm_sql_statements_per_request_count", `{route="/graphql"}`, "7"},
			// The nested read: one batch of the companies' lists.
			{"crm_loader_batch_size_count", `{loader="record_lists"}`, "1"},
			{"go_sql_max_open_connections", `{db_name="crm"}`, map[string]string{"postgres": "32", "sqlite3": "8"}[d.Dialect.Name()]},
		} {
			if got := metricValue(t, text, want.name, want.labels); got != want.value {
				t.Errorf("%s%s = %s, want %s", want.name, want.labels, got, want.value)
			}
		}
		// The nested read sent statements: a page of companies and one of
		// their contacts at least.
		if sum := metricValue(t, text, "crm_sql_statements_per_request_sum", `{route="/graphql"}`); sum == "0" {
			t.Errorf("no statement counted: %s", grepLines(text, "crm_sql_statements"))
		}
		// The log line of each request names its operation and code.
		for _, want := range []string{`operation=Types code=OK`, `operation=Broken code=BAD_USER_INPUT`, `operation=Nested code=OK`} {
			if !strings.Contains(log.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, log.String())
			}
		}

		// Once a key exists, the metrics need one of scope ADMIN.
		newKey := func(scope string, header http.Header) string {
			resp, body := postQuery(t, srv.URL, `mutation { createApiKey(input: {name: "k", scopes: [`+scope+`]}) { secret } }`, header)
			var out struct {
				Data struct{ CreateApiKey struct{ Secret string } }
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != 200 || out.Data.CreateApiKey.Secret == "" {
				t.Fatalf("createApiKey: %d %s", resp.StatusCode, body)
			}
			return out.Data.CreateApiKey.Secret
		}
		admin := newKey("ADMIN", nil)
		reader := newKey("RECORDS_READ", http.Header{"Authorization": {"Bearer " + admin}})
		for _, c := range []struct {
			secret string
			status int
		}{{"", 401}, {reader, 403}, {admin, 200}} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
			if c.secret != "" {
				req.Header.Set("Authorization", "Bearer "+c.secret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("GET /metrics with %q = %d, want %d", c.secret, resp.StatusCode, c.status)
			}
		}
	})
}

// TestMetricsOperationNames: a client chooses operation names, so the
// series they make are bounded.
func TestMetricsOperationNames(t *testing.T) {
	d := dbtest.Open(t, "sqlite")
	srv := observedServer(t, d, io.Discard)
	for i := range observe.MaxOperations + 5 {
		postQuery(t, srv.URL, fmt.Sprintf(`query Op%d { objectTypes { name } }`, i), nil)
	}
	postQuery(t, srv.URL, `{ objectTypes { name } }`, nil)
	_, text := get(t, srv.URL+"/metrics")
	if got := metricValue(t, text, "crm_http_requests_total", `{code="OK",operation="other",route="/graphql",status="200"}`); got != "5" {
		t.Errorf("other = %s, want 5", got)
	}
	if got := metricValue(t, text, "crm_http_requests_total", `{code="OK",operation="",route="/graphql",status="200"}`); got != "1" {
		t.Errorf("anonymous = %s, want 1", got)
	}
	if n := strings.Count(text, "crm_http_requests_total{"); n != observe.MaxOperations+2 {
		t.Errorf("%d series of crm_http_requests_total, want %d", n, observe.MaxOperations+2)
	}
}

func TestProbes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := observedServer(t, d, io.Discard)
		for _, path := range []string{"/livez", "/readyz"} {
			if resp, body := get(t, srv.URL+path); resp.StatusCode != 200 || mediaType(t, resp) != "application/json" {
				t.Errorf("GET %s = %d %s", path, resp.StatusCode, body)
			}
		}
		// A migration the database has not applied: not ready, alive.
		if _, err := d.SQL.Exec(`DELETE FROM ` + db.VersionTable + ` WHERE version_id = (SELECT MAX(version_id) FROM ` + db.VersionTable + `)`); err != nil {
			t.Fatal(err)
		}
		if resp, body := get(t, srv.URL+"/readyz"); resp.StatusCode != 503 || body != `{"status":"unavailable","database":"not migrated"}`+"\n" {
			t.Errorf("GET /readyz, a migration pending = %d %s", resp.StatusCode, body)
		}
		if resp, _ := get(t, srv.URL+"/livez"); resp.StatusCode != 200 {
			t.Errorf("GET /livez, a migration pending = %d", resp.StatusCode)
		}
		if err := d.SQL.Close(); err != nil {
			t.Fatal(err)
		}
		if resp, body := get(t, srv.URL+"/readyz"); resp.StatusCode != 503 || body != `{"status":"unavailable","database":"unreachable"}`+"\n" {
			t.Errorf("GET /readyz, the database closed = %d %s", resp.StatusCode, body)
		}
		if resp, _ := get(t, srv.URL+"/livez"); resp.StatusCode != 200 {
			t.Errorf("GET /livez, the database closed = %d", resp.StatusCode)
		}
	})
}

// tracing is set once per process: OpenTelemetry's global provider
// delegates the tracers made before it to the first one set.
var tracing = sync.OnceValues(func() (*tracetest.InMemoryExporter, *sdktrace.TracerProvider) {
	exp := tracetest.NewInMemoryExporter()
	return exp, observe.Trace(exp, "crm-test")
})

func TestTracing(t *testing.T) {
	exp, provider := tracing()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := observedServer(t, d, io.Discard)
		seed(t, srv.URL)
		if err := provider.ForceFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		exp.Reset()
		const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		resp, body := postQuery(t, srv.URL, nestedQuery, http.Header{"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-01"}})
		if resp.StatusCode != 200 || strings.Contains(body, "errors") {
			t.Fatalf("Nested: %d %s", resp.StatusCode, body)
		}
		// Every span ended before the answer was written.
		if err := provider.ForceFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		spans := exp.GetSpans()
		byID := map[string]tracetest.SpanStub{}
		for _, s := range spans {
			byID[s.SpanContext.SpanID().String()] = s
		}
		// ancestry is a span's name and its ancestors' names.
		ancestry := func(s tracetest.SpanStub) string {
			names := []string{s.Name}
			for p, ok := byID[s.Parent.SpanID().String()]; ok; p, ok = byID[p.Parent.SpanID().String()] {
				names = append(names, p.Name)
			}
			return strings.Join(names, " < ")
		}
		seen := map[string]bool{}
		for _, s := range spans {
			if got := s.SpanContext.TraceID().String(); got != traceID {
				t.Errorf("span %s in trace %s, want the caller's %s", s.Name, got, traceID)
			}
			a := ancestry(s)
			a = regexp.MustCompile(`sql [A-Z]+`).ReplaceAllString(a, "sql")
			seen[a] = true
		}
		for _, want := range []string{
			"graphql query Nested",
			"Query.records < graphql query Nested",
			"sql < Query.records < graphql query Nested",
			"loader record_lists < Query.records < graphql query Nested",
			"sql < loader record_lists < Query.records < graphql query Nested",
		} {
			if !seen[want] {
				t.Errorf("no span %q; spans: %v", want, seen)
			}
		}
		for _, s := range spans {
			if strings.HasPrefix(s.Name, "sql ") {
				for _, a := range s.Attributes {
					if a.Key == "db.system" && a.Value.AsString() != d.Dialect.Name() {
						t.Errorf("span %s: db.system %s", s.Name, a.Value.AsString())
					}
				}
			}
		}
	})
}
