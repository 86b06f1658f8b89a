package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
)

// FuzzRequest posts arbitrary request bodies: the server never panics nor
// fails unforeseen (INTERNAL), every error it answers carries a code, and a request it refused as a
// whole (errors and no data) wrote nothing. make test runs 10,000 inputs
// with minimisation off (-fuzzminimizetime 0): each input that finds new
// coverage is otherwise minimised for up to 60 s, a few thousand requests
// per input that report no execs, and a short run does nothing else. The
// budget is a count, not a time: Go 1.26's engine can report a run whose
// time ran out while workers were busy as failed (context deadline
// exceeded), with no input to blame. Longer by hand:
//
//	go test -run '^$' -fuzz FuzzRequest -fuzztime 10m -fuzzminimizetime 0 ./graph/
func FuzzRequest(f *testing.F) {
	for _, c := range hostileCases() {
		if body, err := json.Marshal(map[string]any{"query": c.query, "variables": c.vars}); err == nil && c.body == "" && len(body) < 4<<10 {
			f.Add(body)
		}
	}
	for _, q := range []string{
		`{"query":"{ records(objectType: \"contacts\", first: 2) { edges { cursor node { id properties } } } }"}`,
		`{"query":"mutation($p: JSON!) { createRecord(input: {objectType: \"contacts\", properties: $p}) { record { id } } }","variables":{"p":{"email":"f@example.com"}}}`,
		`{"query":"mutation { createRecords(input: {objectType: \"contacts\", inputs: [{properties: {email: \"a@b.co\"}}, {properties: {email: 1}}]}) { written } }"}`,
		`{"query":"{ node(id: \"UmVjb3JkOjE\") { id } }"}`,
		`{"query":"query Q($n: Int) { objectTypes { name } }","operationName":"Q","variables":{"n":"x"}}`,
	} {
		f.Add([]byte(q))
	}
	d := dbtest.Open(f, "sqlite")
	ws, err := install.Default(context.Background(), d)
	if err != nil {
		f.Fatal(err)
	}
	h := graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws})
	f.Fuzz(func(t *testing.T, body []byte) {
		a := &api{t: t, h: h, d: d, ws: ws}
		before := a.count("contacts")
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, req)
		var resp struct {
			Data   json.RawMessage `json:"data"`
			Errors []gqlError      `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("status %d, not JSON: %v: %.300s", rec.Code, err, rec.Body.String())
		}
		for _, e := range resp.Errors {
			// INTERNAL is a recovered panic or a failure the server did
			// not foresee: either is a bug whatever the request.
			if e.Extensions["code"] == nil || e.Extensions["code"] == "INTERNAL" {
				t.Fatalf("an error without a code, or INTERNAL: %+v\nrequest: %.300s", e, body)
			}
		}
		refused := len(resp.Errors) > 0 && (len(resp.Data) == 0 || string(resp.Data) == "null")
		if after := a.count("contacts"); refused && after != before {
			t.Fatalf("a refused request wrote %d contacts: %.300s", after-before, body)
		}
	})
}
