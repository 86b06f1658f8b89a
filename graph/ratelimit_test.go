package graph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/ratelimit"
)

// The requests of the rate-limit tests and their costs (README, Rate
// limits): a field costs 1 and what it selects; a connection, what each
// item selects times its page.
const (
	cheap  = `{ viewer { local } }`                                                    // 2
	costly = `{ records(objectType: "contacts", first: 5) { edges { node { id } } } }` // 1 + 5 × 3 = 16
	// tooCostly costs 31, over the bursts of 20 below.
	tooCostly = `{ records(objectType: "contacts", first: 10) { edges { node { id } } } }`
)

// rateKey makes a key of RECORDS_READ through a with its own rate limit,
// and returns its secret.
func (a *api) rateKey(name string, burst int, perSecond float64) string {
	a.t.Helper()
	var out struct {
		CreateAPIKey struct {
			Secret string
			APIKey struct {
				RateBurst     int
				RatePerSecond float64
			}
		} `json:"createApiKey"`
	}
	a.ok(`mutation($n: String!, $b: Int, $r: Float) {
	  createApiKey(input: {name: $n, scopes: [RECORDS_READ], rateBurst: $b, ratePerSecond: $r}) { secret apiKey { rateBurst ratePerSecond } } }`,
		map[string]any{"n": name, "b": burst, "r": perSecond}, &out)
	if k := out.CreateAPIKey.APIKey; k.RateBurst != burst || k.RatePerSecond != perSecond {
		a.t.Fatalf("key %+v", k)
	}
	return out.CreateAPIKey.Secret
}

// post sends query and returns the answer as it is, headers included.
func (a *api) post(query string) (*http.Response, response) {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	rec := a.serve(body)
	var resp response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		a.t.Fatalf("answer is not JSON: %v\n%s", err, rec.Body.String())
	}
	return rec.Result(), resp
}

// rateLimited posts query, which must be refused with 429, RATE_LIMITED
// and Retry-After: retryAfter, and nothing else.
func (a *api) rateLimited(query, retryAfter string) {
	a.t.Helper()
	h, resp := a.post(query)
	if h.StatusCode != http.StatusTooManyRequests || h.Header.Get("Retry-After") != retryAfter || resp.Data != nil || len(resp.Errors) != 1 ||
		resp.Errors[0].Extensions["code"] != "RATE_LIMITED" || resp.Errors[0].Extensions["retryAfter"] != float64(mustAtoi(a.t, retryAfter)) ||
		!strings.Contains(resp.Errors[0].Message, retryAfter+" s") {
		a.t.Fatalf("want 429 RATE_LIMITED, Retry-After %s; got %d, Retry-After %q, %+v %s", retryAfter, h.StatusCode, h.Header.Get("Retry-After"), resp.Errors, resp.Data)
	}
}

// TestRateLimit: each key spends the cost of its requests from a token
// bucket of its own; a request it cannot pay for now is 429 RATE_LIMITED
// with Retry-After, and runs once the bucket has filled again. The clock
// stands still but where the test moves it.
func TestRateLimit(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		t0 := time.Now()
		defer clock.Set(t0)()
		a.create("contacts", map[string]any{"email": "ada@example.com"})
		t.Run("local mode has no limit", func(t *testing.T) {
			tight := a.withConfig(graph.Config{RateLimit: ratelimit.Limit{Burst: 1, PerSecond: 1}})
			for range 3 {
				tight.ok(costly, nil, nil)
			}
		})
		_, admin := a.newKey("admin", []string{"ADMIN"}, nil)
		slow := a.as(admin).rateKey("slow", 20, 1)
		other := a.as(admin).rateKey("other", 20, 1)

		t.Run("a costly request spends more than a cheap one", func(t *testing.T) {
			k := a.as(slow)
			k.ok(costly, nil, nil)      // 20 - 16 = 4 left
			k.rateLimited(costly, "12") // 12 tokens short at 1 a second
			k.ok(cheap, nil, nil)       // 2 left: a refusal spent nothing
			k.ok(cheap, nil, nil)
			k.rateLimited(cheap, "2")
		})
		t.Run("each key has its own bucket", func(t *testing.T) {
			a.as(other).ok(costly, nil, nil)
		})
		t.Run("the bucket fills again as time passes", func(t *testing.T) {
			clock.Set(t0.Add(2 * time.Second))
			a.as(slow).ok(cheap, nil, nil)
			a.as(slow).rateLimited(costly, "16")
			clock.Set(t0.Add(time.Hour)) // full, and no fuller than its burst
			a.as(slow).ok(costly, nil, nil)
			a.as(slow).rateLimited(costly, "12")
		})
		t.Run("Retry-After rounds up", func(t *testing.T) {
			clock.Set(t0.Add(time.Hour + 100*time.Millisecond)) // 4.1 tokens
			a.as(slow).rateLimited(costly, "12")                // 11.9 s
		})
		t.Run("a request over the burst is refused for good, not made to wait", func(t *testing.T) {
			clock.Set(t0.Add(2 * time.Hour))
			h, resp := a.as(slow).post(tooCostly)
			if h.StatusCode != http.StatusOK || h.Header.Get("Retry-After") != "" || resp.Data != nil || len(resp.Errors) != 1 ||
				resp.Errors[0].Extensions["code"] != "LIMIT_EXCEEDED" || !strings.Contains(resp.Errors[0].Message, "costs 31, over the burst of 20") {
				t.Fatalf("got %d %+v", h.StatusCode, resp.Errors)
			}
			a.as(slow).ok(costly, nil, nil) // the refusal spent nothing
		})
		t.Run("what a mutation writes costs too", func(t *testing.T) {
			writer := a.as(admin)
			var out struct {
				CreateAPIKey struct{ Secret string } `json:"createApiKey"`
			}
			writer.ok(`mutation { createApiKey(input: {name: "writer", scopes: [RECORDS_WRITE], rateBurst: 100}) { secret } }`, nil, &out)
			inputs := []any{}
			for _, e := range []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com"} {
				inputs = append(inputs, map[string]any{"properties": map[string]any{"email": e}})
			}
			before := a.count("contacts")
			// 2 for what it answers, 20 for each record it writes.
			e := a.as(out.CreateAPIKey.Secret).fails(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { written } }`,
				map[string]any{"in": inputs}, "LIMIT_EXCEEDED", "")
			if !strings.Contains(e.Message, "costs 102, over the burst of 100") {
				t.Fatalf("message %q", e.Message)
			}
			if n := a.count("contacts"); n != before {
				t.Fatalf("%d contacts, %d before: the refused batch wrote", n, before)
			}
		})
		t.Run("a key without a limit of its own takes the server's", func(t *testing.T) {
			var keys struct {
				APIKeys []struct {
					Name          string
					RateBurst     *int
					RatePerSecond *float64
				} `json:"apiKeys"`
			}
			a.as(admin).ok(`{ apiKeys { name rateBurst ratePerSecond } }`, nil, &keys)
			if k := keys.APIKeys[0]; k.Name != "admin" || k.RateBurst != nil || k.RatePerSecond != nil {
				t.Fatalf("admin key %+v", k)
			}
			tight := a.withConfig(graph.Config{RateLimit: ratelimit.Limit{Burst: 20, PerSecond: 1}}).as(admin)
			tight.ok(costly, nil, nil)
			tight.rateLimited(costly, "12")
			// And its own where it has one: 20 a burst, 1 a second.
			own := a.withConfig(graph.Config{RateLimit: ratelimit.Limit{Burst: 1000, PerSecond: 1000}}).as(slow)
			own.ok(costly, nil, nil)
			own.rateLimited(costly, "12")
		})
		t.Run("a limit no request could run under is refused", func(t *testing.T) {
			a.as(admin).fails(`mutation { createApiKey(input: {name: "stuck", scopes: [RECORDS_READ], rateBurst: 0}) { secret } }`, nil, "BAD_USER_INPUT", "")
			a.as(admin).fails(`mutation { createApiKey(input: {name: "stuck", scopes: [RECORDS_READ], ratePerSecond: 0}) { secret } }`, nil, "BAD_USER_INPUT", "")
			var keys struct {
				APIKeys []struct{ Name string } `json:"apiKeys"`
			}
			a.as(admin).ok(`{ apiKeys { name } }`, nil, &keys)
			for _, k := range keys.APIKeys {
				if k.Name == "stuck" {
					t.Fatal("a refused key was made")
				}
			}
		})
	})
}
