package graph_test

import (
	"bytes"
	"encoding/json"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
)

// httpAnswer is an answer of the endpoint as a client sees it.
type httpAnswer struct {
	status int
	header http.Header
	keys   map[string]json.RawMessage // the top-level keys of the body
	errors []gqlError
	body   string
}

func (a httpAnswer) mediaType() string {
	mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type"))
	return mt
}

// code is the code of the answer's first error, "" if none.
func (a httpAnswer) code() any {
	if len(a.errors) == 0 {
		return ""
	}
	return a.errors[0].Extensions["code"]
}

// send makes one request of the handler; header holds name, value pairs.
func send(t *testing.T, h http.Handler, method, target, body string, header ...string) httpAnswer {
	t.Helper()
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	a := httpAnswer{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if method == http.MethodHead || rec.Body.Len() == 0 {
		return a
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &a.keys); err != nil {
		t.Fatalf("%s %s: the answer is not a JSON object: %v\n%s", method, target, err, rec.Body.String())
	}
	if raw, ok := a.keys["errors"]; ok {
		if err := json.Unmarshal(raw, &a.errors); err != nil {
			t.Fatalf("errors: %v", err)
		}
	}
	return a
}

// multipartBody is a GraphQL multipart request (operations, map) of query.
func multipartBody(t *testing.T, query string) (body, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	ops, _ := json.Marshal(map[string]any{"query": query})
	if err := mw.WriteField("operations", string(ops)); err != nil {
		t.Fatal(err)
	}
	if err := mw.WriteField("map", "{}"); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

func getTarget(query string, vars string) string {
	v := url.Values{"query": {query}}
	if vars != "" {
		v.Set("variables", vars)
	}
	return "/graphql?" + v.Encode()
}

const (
	ctJSON     = "application/json"
	ctResponse = "application/graphql-response+json"
	createOne  = `mutation { createRecord(input: {objectType: "contacts", properties: {email: "csrf@example.com"}}) { record { id } } }`
)

// Every answer of the endpoint, whatever refuses the request, carries a
// code, the status GraphQL over HTTP gives it, the media type the Accept
// header negotiated, and no data key when the request did not run.
func TestHTTPStatusesAndCodes(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		h := a.h
		jsonBody := func(q string) string { b, _ := json.Marshal(map[string]any{"query": q}); return string(b) }
		mp, mpType := multipartBody(t, `{ __typename }`)
		cases := []struct {
			name, method, target, body string
			header                     []string
			status                     int
			code                       string // "" for an answer with data and no error
			mediaType                  string
			allow                      string
		}{
			// Methods and media types.
			{"PUT", "PUT", "/graphql", jsonBody(`{ __typename }`), []string{"Content-Type", ctJSON}, 405, "BAD_USER_INPUT", ctJSON, "GET, POST, OPTIONS"},
			{"DELETE", "DELETE", "/graphql", "", nil, 405, "BAD_USER_INPUT", ctJSON, "GET, POST, OPTIONS"},
			{"PATCH", "PATCH", "/graphql", jsonBody(`{ __typename }`), []string{"Content-Type", ctJSON}, 405, "BAD_USER_INPUT", ctJSON, "GET, POST, OPTIONS"},
			{"text/plain", "POST", "/graphql", jsonBody(`{ __typename }`), []string{"Content-Type", "text/plain"}, 415, "BAD_USER_INPUT", ctJSON, ""},
			{"no content type", "POST", "/graphql", jsonBody(`{ __typename }`), nil, 415, "BAD_USER_INPUT", ctJSON, ""},
			{"application/graphql", "POST", "/graphql", `{ __typename }`, []string{"Content-Type", "application/graphql"}, 415, "BAD_USER_INPUT", ctJSON, ""},
			{"415 in the negotiated type", "POST", "/graphql", "x", []string{"Content-Type", "text/plain", "Accept", ctResponse}, 415, "BAD_USER_INPUT", ctResponse, ""},
			{"Accept neither JSON type", "POST", "/graphql", jsonBody(`{ __typename }`), []string{"Content-Type", ctJSON, "Accept", "text/html"}, 406, "BAD_USER_INPUT", ctJSON, ""},

			// Negotiation of the answer's media type.
			{"no Accept", "POST", "/graphql", jsonBody(`{ __typename }`), []string{"Content-Type", ctJSON}, 200, "", ctJSON, ""},
			{"Accept */*", "POST", "/graphql", jsonBody(`{ __typename }`), []string{"Content-Type", ctJSON, "Accept", "*/*"}, 200, "", ctJSON, ""},
			{"Accept graphql-response", "POST", "/graphql", jsonBody(`{ __typename }`), []string{"Content-Type", ctJSON, "Accept", ctResponse}, 200, "", ctResponse, ""},
			{"Accept both, as Apollo Client sends", "POST", "/graphql", jsonBody(`{ __typename }`),
				[]string{"Content-Type", ctJSON, "Accept", ctResponse + ",application/json;q=0.9"}, 200, "", ctResponse, ""},
			{"Accept prefers json by quality", "POST", "/graphql", jsonBody(`{ __typename }`),
				[]string{"Content-Type", ctJSON, "Accept", ctResponse + ";q=0.5, application/json"}, 200, "", ctJSON, ""},
			{"Accept text/html, */*", "POST", "/graphql", jsonBody(`{ __typename }`), []string{"Content-Type", ctJSON, "Accept", "text/html,*/*;q=0.8"}, 200, "", ctJSON, ""},
			{"an Upgrade is ignored", "POST", "/graphql", jsonBody(`{ __typename }`), []string{"Content-Type", ctJSON, "Upgrade", "websocket"}, 200, "", ctJSON, ""},

			// Request errors: 200 under application/json, 400 under
			// application/graphql-response+json.
			{"parse error, json", "POST", "/graphql", jsonBody(`{`), []string{"Content-Type", ctJSON, "Accept", ctJSON}, 200, "BAD_USER_INPUT", ctJSON, ""},
			{"parse error, no Accept", "POST", "/graphql", jsonBody(`{`), []string{"Content-Type", ctJSON}, 200, "BAD_USER_INPUT", ctJSON, ""},
			{"parse error, graphql-response", "POST", "/graphql", jsonBody(`{`), []string{"Content-Type", ctJSON, "Accept", ctResponse}, 400, "BAD_USER_INPUT", ctResponse, ""},
			{"validation error, json", "POST", "/graphql", jsonBody(`{ nope }`), []string{"Content-Type", ctJSON}, 200, "BAD_USER_INPUT", ctJSON, ""},
			{"validation error, graphql-response", "POST", "/graphql", jsonBody(`{ nope }`), []string{"Content-Type", ctJSON, "Accept", ctResponse}, 400, "BAD_USER_INPUT", ctResponse, ""},
			{"variable coercion, json", "POST", "/graphql",
				`{"query":"query($n: Int) { records(objectType: \"contacts\", first: $n) { totalCount } }","variables":{"n":"ten"}}`,
				[]string{"Content-Type", ctJSON}, 200, "BAD_USER_INPUT", ctJSON, ""},
			{"variable coercion, graphql-response", "POST", "/graphql",
				`{"query":"query($n: Int) { records(objectType: \"contacts\", first: $n) { totalCount } }","variables":{"n":"ten"}}`,
				[]string{"Content-Type", ctJSON, "Accept", ctResponse}, 400, "BAD_USER_INPUT", ctResponse, ""},
			{"unknown operation name", "POST", "/graphql", `{"query":"query A { __typename }","operationName":"B"}`, []string{"Content-Type", ctJSON}, 200, "BAD_USER_INPUT", ctJSON, ""},

			// Not a GraphQL request at all: 400 under both.
			{"body not JSON", "POST", "/graphql", `{"query":`, []string{"Content-Type", ctJSON}, 400, "BAD_USER_INPUT", ctJSON, ""},
			{"body not JSON, graphql-response", "POST", "/graphql", `{"query":`, []string{"Content-Type", ctJSON, "Accept", ctResponse}, 400, "BAD_USER_INPUT", ctResponse, ""},
			{"no body", "POST", "/graphql", "", []string{"Content-Type", ctJSON}, 400, "BAD_USER_INPUT", ctJSON, ""},
			{"no query", "POST", "/graphql", `{"qeury":"{ __typename }"}`, []string{"Content-Type", ctJSON}, 400, "BAD_USER_INPUT", ctJSON, ""},
			{"query not a string", "POST", "/graphql", `{"query":0}`, []string{"Content-Type", ctJSON}, 400, "BAD_USER_INPUT", ctJSON, ""},
			{"variables not an object", "POST", "/graphql", `{"query":"{ __typename }","variables":"x"}`, []string{"Content-Type", ctJSON, "Accept", ctResponse}, 400, "BAD_USER_INPUT", ctResponse, ""},
			{"bad multipart", "POST", "/graphql", "--x\r\n", []string{"Content-Type", "multipart/form-data; boundary=x", "GraphQL-Require-Preflight", "1"}, 400, "BAD_USER_INPUT", ctJSON, ""},

			// GET, with the header that proves a preflight.
			{"GET query", "GET", getTarget(`{ __typename }`, ""), "", []string{"GraphQL-Require-Preflight", "1"}, 200, "", ctJSON, ""},
			{"GET with variables", "GET", getTarget(`query($n: String!) { __type(name: $n) { name } }`, `{"n":"Record"}`), "",
				[]string{"X-Requested-With", "XMLHttpRequest", "Accept", ctResponse}, 200, "", ctResponse, ""},
			{"GET bad variables", "GET", getTarget(`{ __typename }`, `[1`), "", []string{"GraphQL-Require-Preflight", "1"}, 400, "BAD_USER_INPUT", ctJSON, ""},
			{"GET no query", "GET", "/graphql", "", []string{"GraphQL-Require-Preflight", "1"}, 400, "BAD_USER_INPUT", ctJSON, ""},
			{"GET validation error", "GET", getTarget(`{ nope }`, ""), "", []string{"GraphQL-Require-Preflight", "1", "Accept", ctResponse}, 400, "BAD_USER_INPUT", ctResponse, ""},
			{"mutation over GET", "GET", getTarget(createOne, ""), "", []string{"GraphQL-Require-Preflight", "1"}, 405, "BAD_USER_INPUT", ctJSON, "POST"},
			{"mutation over GET, graphql-response", "GET", getTarget(createOne, ""), "", []string{"Apollo-Require-Preflight", "true", "Accept", ctResponse}, 405, "BAD_USER_INPUT", ctResponse, "POST"},

			// CSRF: what a plain form or tag could send is refused.
			{"GET without a preflight header", "GET", getTarget(`{ __typename }`, ""), "", nil, 400, "BAD_USER_INPUT", ctJSON, ""},
			{"GET with only Accept", "GET", getTarget(`{ __typename }`, ""), "", []string{"Accept", ctJSON}, 400, "BAD_USER_INPUT", ctJSON, ""},
			{"multipart without a preflight header", "POST", "/graphql", mp, []string{"Content-Type", mpType}, 400, "BAD_USER_INPUT", ctJSON, ""},
			{"multipart with one", "POST", "/graphql", mp, []string{"Content-Type", mpType, "Apollo-Require-Preflight", "true"}, 200, "", ctJSON, ""},
			{"form-urlencoded", "POST", "/graphql", "query=" + url.QueryEscape(`{ __typename }`), []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "BAD_USER_INPUT", ctJSON, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got := send(t, h, tc.method, tc.target, tc.body, tc.header...)
				if got.status != tc.status {
					t.Errorf("status %d, want %d: %s", got.status, tc.status, got.body)
				}
				if got.mediaType() != tc.mediaType {
					t.Errorf("Content-Type %q, want %s", got.header.Get("Content-Type"), tc.mediaType)
				}
				if got.header.Get("Allow") != tc.allow {
					t.Errorf("Allow %q, want %q", got.header.Get("Allow"), tc.allow)
				}
				if tc.code == "" {
					if len(got.errors) > 0 || got.keys["data"] == nil {
						t.Errorf("want data and no error, got %s", got.body)
					}
					return
				}
				if len(got.errors) == 0 {
					t.Fatalf("want an error %s, got %s", tc.code, got.body)
				}
				for _, e := range got.errors {
					if e.Extensions["code"] != tc.code {
						t.Errorf("code %v, want %s: %s", e.Extensions["code"], tc.code, e.Message)
					}
				}
				if _, ok := got.keys["data"]; ok {
					t.Errorf("a request error has a data key: %s", got.body)
				}
			})
		}
		t.Run("OPTIONS", func(t *testing.T) {
			got := send(t, h, http.MethodOptions, "/graphql", "")
			if got.status != http.StatusNoContent || got.header.Get("Allow") != "GET, POST, OPTIONS" {
				t.Fatalf("OPTIONS: %d, Allow %q", got.status, got.header.Get("Allow"))
			}
		})
		t.Run("HEAD", func(t *testing.T) {
			got := send(t, h, http.MethodHead, "/graphql", "")
			if got.status != http.StatusMethodNotAllowed || got.header.Get("Allow") != "GET, POST, OPTIONS" {
				t.Fatalf("HEAD: %d, Allow %q", got.status, got.header.Get("Allow"))
			}
		})
		t.Run("a budget's refusal is a request error", func(t *testing.T) {
			small := graph.NewHandler(graph.Config{DB: a.d, WorkspaceID: a.ws, Limits: graph.Limits{Fields: 3}})
			body := jsonBody(`{ a: __typename b: __typename c: __typename d: __typename }`)
			for accept, status := range map[string]int{ctJSON: 200, ctResponse: 400} {
				got := send(t, small, http.MethodPost, "/graphql", body, "Content-Type", ctJSON, "Accept", accept)
				if _, hasData := got.keys["data"]; got.status != status || got.code() != "LIMIT_EXCEEDED" || hasData || got.mediaType() != accept {
					t.Errorf("Accept %s: %d %s %s", accept, got.status, got.header.Get("Content-Type"), got.body)
				}
			}
		})
		t.Run("an execution error keeps its data", func(t *testing.T) {
			got := send(t, h, http.MethodPost, "/graphql", jsonBody(`{ record(id: "nope") { id } }`), "Content-Type", ctJSON, "Accept", ctResponse)
			if got.status != http.StatusOK || len(got.errors) == 0 || got.code() != "BAD_USER_INPUT" {
				t.Fatalf("%d %s", got.status, got.body)
			}
			if _, ok := got.keys["data"]; !ok {
				t.Fatalf("an execution error lost its data key: %s", got.body)
			}
		})
	})
}

// A write that a plain HTML form, an <img> or a fetch without preflight
// could send from any web page is refused, and writes nothing.
func TestCSRFRefusedWritesWriteNothing(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		before := a.count("contacts")
		mp, mpType := multipartBody(t, createOne)
		ops, _ := json.Marshal(map[string]any{"query": createOne})
		refused := []struct {
			name, method, target, body string
			header                     []string
		}{
			{"form-urlencoded POST", "POST", "/graphql", "query=" + url.QueryEscape(createOne), []string{"Content-Type", "application/x-www-form-urlencoded"}},
			{"text/plain POST of JSON", "POST", "/graphql", string(ops), []string{"Content-Type", "text/plain"}},
			{"POST without a content type", "POST", "/graphql", string(ops), nil},
			{"multipart without a preflight header", "POST", "/graphql", mp, []string{"Content-Type", mpType}},
			{"GET without a preflight header", "GET", getTarget(createOne, ""), "", nil},
			{"GET with one", "GET", getTarget(createOne, ""), "", []string{"GraphQL-Require-Preflight", "1"}},
			{"PUT of JSON", "PUT", "/graphql", string(ops), []string{"Content-Type", ctJSON}},
		}
		for _, tc := range refused {
			got := send(t, a.h, tc.method, tc.target, tc.body, tc.header...)
			if got.status < 400 || got.status > 499 || got.code() != "BAD_USER_INPUT" {
				t.Errorf("%s: %d %s, want a 4xx refusal with BAD_USER_INPUT", tc.name, got.status, got.body)
			}
			if n := a.count("contacts"); n != before {
				t.Fatalf("%s: %d contacts after the refusal, %d before", tc.name, n, before)
			}
		}
		// The same write, sent as a client may: it writes.
		got := send(t, a.h, http.MethodPost, "/graphql", mp, "Content-Type", mpType, "GraphQL-Require-Preflight", "1")
		if got.status != http.StatusOK || len(got.errors) > 0 {
			t.Fatalf("multipart with the header: %d %s", got.status, got.body)
		}
		if n := a.count("contacts"); n != before+1 {
			t.Fatalf("%d contacts after the accepted write, want %d", n, before+1)
		}
	})
}

func TestCORS(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		handler := func(origins ...string) http.Handler {
			return graph.NewHandler(graph.Config{DB: a.d, WorkspaceID: a.ws, CORSOrigins: origins})
		}
		const app, evil = "https://app.example.com", "https://evil.example"
		preflight := func(h http.Handler, origin, method string, extra ...string) httpAnswer {
			t.Helper()
			return send(t, h, http.MethodOptions, "/graphql", "", append([]string{"Origin", origin, "Access-Control-Request-Method", method}, extra...)...)
		}
		post := func(h http.Handler, origin string) httpAnswer {
			t.Helper()
			return send(t, h, http.MethodPost, "/graphql", `{"query":"{ __typename }"}`, "Content-Type", ctJSON, "Origin", origin)
		}
		vary := func(got httpAnswer, want string) bool { return slices.Contains(got.header.Values("Vary"), want) }

		t.Run("none allowed by default", func(t *testing.T) {
			h := handler()
			got := preflight(h, app, "POST")
			if got.status != http.StatusForbidden || got.code() != "FORBIDDEN" || got.header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatalf("preflight: %d %v %s", got.status, got.header, got.body)
			}
			if got := post(h, app); got.header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatalf("a request from %s may read the answer: %v", app, got.header)
			}
		})
		t.Run("allowed origin", func(t *testing.T) {
			h := handler("https://APP.example.com:443/", "http://localhost:3000")
			got := preflight(h, app, "POST", "Access-Control-Request-Headers", "content-type, graphql-require-preflight")
			if got.status != http.StatusNoContent {
				t.Fatalf("preflight: %d %s", got.status, got.body)
			}
			for k, want := range map[string]string{
				"Access-Control-Allow-Origin":  app,
				"Access-Control-Allow-Methods": "GET, POST",
				"Access-Control-Allow-Headers": "content-type, graphql-require-preflight",
				"Access-Control-Max-Age":       "600",
			} {
				if got.header.Get(k) != want {
					t.Errorf("%s = %q, want %q", k, got.header.Get(k), want)
				}
			}
			if !vary(got, "Origin") || got.header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("headers %v", got.header)
			}
			if got := post(h, app); got.status != http.StatusOK || got.header.Get("Access-Control-Allow-Origin") != app || !vary(got, "Origin") {
				t.Errorf("POST from %s: %d %v", app, got.status, got.header)
			}
			if got := preflight(h, "http://localhost:3000", "GET"); got.status != http.StatusNoContent || got.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
				t.Errorf("preflight from the second origin: %d %v", got.status, got.header)
			}
			// A refusal is readable by an allowed page: it sees the code.
			got = send(t, h, http.MethodPut, "/graphql", "", "Origin", app)
			if got.status != http.StatusMethodNotAllowed || got.header.Get("Access-Control-Allow-Origin") != app || got.code() != "BAD_USER_INPUT" {
				t.Errorf("PUT from %s: %d %v %s", app, got.status, got.header, got.body)
			}
			if got := preflight(h, app, "DELETE"); got.status != http.StatusMethodNotAllowed || got.header.Get("Access-Control-Allow-Methods") != "" {
				t.Errorf("preflight of DELETE: %d %v", got.status, got.header)
			}
		})
		t.Run("denied origin", func(t *testing.T) {
			h := handler(app)
			for _, origin := range []string{evil, "https://app.example.com.evil.example", "http://app.example.com", "null"} {
				got := preflight(h, origin, "POST")
				if got.status != http.StatusForbidden || got.code() != "FORBIDDEN" || got.header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("preflight from %s: %d %v %s", origin, got.status, got.header, got.body)
				}
				// Without the preflight a browser never sends it; sent
				// anyway (not from a browser), its answer is not marked
				// readable.
				if got := post(h, origin); got.header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("POST from %s readable: %v", origin, got.header)
				}
			}
		})
		t.Run("any origin", func(t *testing.T) {
			h := handler("*")
			got := preflight(h, evil, "GET")
			if got.status != http.StatusNoContent || got.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Fatalf("preflight: %d %v", got.status, got.header)
			}
			if got := post(h, evil); got.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Fatalf("POST: %v", got.header)
			}
		})
		t.Run("no Origin: not a cross-origin call", func(t *testing.T) {
			got := send(t, handler(app), http.MethodPost, "/graphql", `{"query":"{ __typename }"}`, "Content-Type", ctJSON)
			if got.status != http.StatusOK || got.header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatalf("%d %v", got.status, got.header)
			}
		})
	})
}

func TestParseCORSOrigins(t *testing.T) {
	for in, want := range map[string][]string{
		"":                          nil,
		" , ":                       nil,
		"*":                         {"*"},
		"https://App.Example.com/":  {"https://app.example.com"},
		"https://a.example:443":     {"https://a.example"},
		"http://a.example:80":       {"http://a.example"},
		"http://localhost:3000, * ": {"http://localhost:3000", "*"},
		"https://a.example:8443":    {"https://a.example:8443"},
	} {
		got, err := graph.ParseCORSOrigins(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseCORSOrigins(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"app.example.com", "https://a.example/path", "ftp://a.example", "null", "https://u:p@a.example", "https://a.example?x=1", "https://"} {
		if got, err := graph.ParseCORSOrigins(bad); err == nil {
			t.Errorf("ParseCORSOrigins(%q) = %q, want an error", bad, got)
		}
	}
}
