package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
)

var update = flag.Bool("update", false, "rewrite golden files")

// api is the whole HTTP API over a fresh database, called in-process.
type api struct {
	t       *testing.T
	h       http.Handler
	d       *db.DB
	ws      int
	counter *db.Counter
	// bearer is the API key's secret the requests carry; none when "".
	bearer string
	// requestID is the X-Request-Id the requests carry; none when "".
	requestID string
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// each runs fn against the API on every database.
func each(t *testing.T, fn func(t *testing.T, a *api)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, d *db.DB) { fn(t, newAPI(t, d, nil)) })
}

// eachCounting is each with a statement counter on the client.
func eachCounting(t *testing.T, fn func(t *testing.T, a *api)) {
	t.Helper()
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			c := &db.Counter{}
			fn(t, newAPI(t, dbtest.Open(t, name, db.WithCounter(c)), c))
		})
	}
}

func newAPI(t *testing.T, d *db.DB, c *db.Counter) *api {
	ws, err := install.Default(context.Background(), d)
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	h := graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws, NoReadPlans: plansOff})
	// The server as it runs once it hears definition changes (PostgreSQL).
	if err := d.AwaitDefinitionsWatch(t.Context()); err != nil {
		t.Fatalf("listen for definition changes: %v", err)
	}
	return &api{t: t, h: h, d: d, ws: ws, counter: c}
}

// plansOff runs the suite with every field answered by gqlgen's executor
// (CRM_READ_PLANS=off, as make test's second pass sets it); the tests of
// read plans make their own planning handlers.
var plansOff = os.Getenv("CRM_READ_PLANS") == "off"

// executorOnly is a over the same database with every field answered by
// gqlgen's executor, never a read plan.
func (a *api) executorOnly() *api {
	return a.withConfig(graph.Config{NoReadPlans: true})
}

// withConfig is a over the same database through a handler of its own,
// configured by cfg (its database and workspace are a's).
func (a *api) withConfig(cfg graph.Config) *api {
	b := *a
	cfg.DB, cfg.WorkspaceID = a.d, a.ws
	b.h = graph.NewHandler(cfg)
	return &b
}

// as is a whose requests carry the API key of secret.
func (a *api) as(secret string) *api {
	b := *a
	b.bearer = secret
	return &b
}

// withRequestID is a whose requests carry the X-Request-Id id.
func (a *api) withRequestID(id string) *api {
	b := *a
	b.requestID = id
	return &b
}

// headers sets on req the headers every request of a carries.
func (a *api) headers(req *http.Request) {
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	if a.requestID != "" {
		req.Header.Set("X-Request-Id", a.requestID)
	}
}

// do posts a GraphQL request and decodes the response.
func (a *api) do(query string, vars map[string]any) *response {
	a.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		a.t.Fatal(err)
	}
	return a.raw(body)
}

func (a *api) raw(body []byte) *response {
	a.t.Helper()
	rec := a.serve(body)
	var resp response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		a.t.Fatalf("response is not JSON: %v\n%s", err, rec.Body.String())
	}
	resp.Status = rec.Code
	return &resp
}

// serve posts a JSON request body and records the answer as it is.
func (a *api) serve(body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	a.headers(req)
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}

// ok posts a request that must succeed and decodes its data into out.
func (a *api) ok(query string, vars map[string]any, out any) {
	a.t.Helper()
	resp := a.do(query, vars)
	if len(resp.Errors) > 0 {
		a.t.Fatalf("unexpected errors: %+v", resp.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			a.t.Fatalf("decode data: %v\n%s", err, resp.Data)
		}
	}
}

// fails posts a request that must fail with one error of code and, when
// property is not "", naming that property.
func (a *api) fails(query string, vars map[string]any, code, property string) gqlError {
	a.t.Helper()
	resp := a.do(query, vars)
	if len(resp.Errors) != 1 {
		a.t.Fatalf("want one error %s, got %+v (data %s)", code, resp.Errors, resp.Data)
	}
	e := resp.Errors[0]
	if e.Extensions["code"] != code {
		a.t.Fatalf("want code %s, got %v: %s", code, e.Extensions["code"], e.Message)
	}
	if property != "" && e.Extensions["property"] != property {
		a.t.Fatalf("want property %q, got %v: %s", property, e.Extensions["property"], e.Message)
	}
	return e
}

// count is the number of records of an object type in the database, live
// and archived.
func (a *api) count(objectType string) int {
	a.t.Helper()
	var n int
	q := a.d.Dialect.Rebind("SELECT COUNT(*) FROM records r JOIN object_types o ON o.id = r.object_type_id WHERE o.name = ? AND r.workspace_id = ?")
	if err := a.d.SQL.QueryRow(q, objectType, a.ws).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// golden compares got, indented, with testdata/name; -update rewrites it.
func golden(t *testing.T, name string, got json.RawMessage) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./graph -update to create it): %v", err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Fatalf("response differs from %s (go test ./graph -update rewrites it):\n%s", path, buf.String())
	}
}

func readQuery(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const recordFields = `id recordId displayName archived properties objectType { name }`

type recordJSON struct {
	ID          string         `json:"id"`
	RecordID    string         `json:"recordId"`
	DisplayName string         `json:"displayName"`
	Archived    bool           `json:"archived"`
	Properties  map[string]any `json:"properties"`
	ObjectType  struct {
		Name string `json:"name"`
	} `json:"objectType"`
}

// create makes one record and returns it.
func (a *api) create(objectType string, props map[string]any) recordJSON {
	a.t.Helper()
	var out struct {
		CreateRecord struct{ Record recordJSON } `json:"createRecord"`
	}
	a.ok(`mutation($t: String!, $p: JSON!) { createRecord(input: {objectType: $t, properties: $p}) { record { `+recordFields+` } } }`,
		map[string]any{"t": objectType, "p": props}, &out)
	return out.CreateRecord.Record
}

// typed is a whose requests go to the typed endpoint (typed.go).
func (a *api) typed() *api {
	b := *a
	b.h = a.h.(*graph.Handler).Typed()
	return &b
}
