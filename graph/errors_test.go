package graph_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
)

func TestRequestErrorsCarryCodes(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		cases := []struct {
			name, body, code string
			status           int
		}{
			{"malformed GraphQL", `{"query":"{ records(objectType: \"contacts\" }"}`, "BAD_USER_INPUT", http.StatusOK},
			{"unknown field", `{"query":"{ nope }"}`, "BAD_USER_INPUT", http.StatusOK},
			{"wrong variable type", `{"query":"query($n: Int) { records(objectType: \"contacts\", first: $n) { totalCount } }","variables":{"n":"ten"}}`, "BAD_USER_INPUT", http.StatusOK},
			{"properties not an object", `{"query":"mutation { createRecord(input: {objectType: \"contacts\", properties: [1]}) { record { id } } }"}`, "BAD_USER_INPUT", http.StatusOK},
			{"body not JSON", `{"query":`, "BAD_USER_INPUT", http.StatusBadRequest},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				resp := a.raw([]byte(tc.body))
				if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != tc.code {
					t.Fatalf("want %s, got %+v", tc.code, resp.Errors)
				}
				if resp.Status != tc.status {
					t.Fatalf("status %d, want %d", resp.Status, tc.status)
				}
			})
		}
		t.Run("oversized request", func(t *testing.T) {
			body := `{"query":"{ objectTypes { name } }","variables":{"pad":"` + strings.Repeat("x", graph.MaxBodyBytes) + `"}}`
			resp := a.raw([]byte(body))
			if resp.Status != http.StatusRequestEntityTooLarge || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "LIMIT_EXCEEDED" {
				t.Fatalf("status %d errors %+v", resp.Status, resp.Errors)
			}
		})
	})
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.d.SQL.Close() // every statement now fails inside the database layer
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewBufferString(`{"query":"{ objectTypes { name } }"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, req)
		var resp response
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "INTERNAL" || resp.Errors[0].Message != "internal server error" {
			t.Fatalf("got %s", rec.Body.String())
		}
	})
}

// Automatic persisted queries: a query registered with its hash is
// answered from the hash alone.
func TestPersistedQueries(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		const query = `{ objectTypes { name } }`
		sum := sha256.Sum256([]byte(query))
		ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
		body := func(withQuery bool) []byte {
			req := map[string]any{"extensions": ext}
			if withQuery {
				req["query"] = query
			}
			b, err := json.Marshal(req)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if resp := a.raw(body(false)); len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "NOT_FOUND" {
			t.Fatalf("an unknown hash answered %+v", resp.Errors)
		}
		for _, withQuery := range []bool{true, false} {
			if resp := a.raw(body(withQuery)); len(resp.Errors) > 0 || len(resp.Data) < 20 {
				t.Fatalf("with the query %v: %s %+v", withQuery, resp.Data, resp.Errors)
			}
		}
	})
}
