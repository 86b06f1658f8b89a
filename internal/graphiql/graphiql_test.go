package graphiql

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", target, err)
	}
	return res, string(body)
}

func TestPage(t *testing.T) {
	h := Handler("CRM <test>", "/graphql")
	res, body := get(t, h, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /: status %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET /: Content-Type %q, want text/html", ct)
	}
	if !strings.Contains(body, `"/graphql"`) {
		t.Errorf("page does not contain the endpoint:\n%s", body)
	}
	if !strings.Contains(body, "<title>CRM &lt;test&gt;</title>") {
		t.Errorf("page does not contain the escaped title:\n%s", body)
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("page refers to an external URL:\n%s", body)
	}
	for _, want := range []string{"GraphiQL.createFetcher", "isHeadersEditorEnabled: true"} {
		if !strings.Contains(body, want) {
			t.Errorf("page does not contain %q", want)
		}
	}

	if strings.Contains(body, `id="endpoints"`) {
		t.Errorf("a page of one endpoint links to others:\n%s", body)
	}
	loadsEveryAsset(t, h, body)
}

// loadsEveryAsset checks that every asset the page body loads is relative
// and served by h, and that it loads every one.
func loadsEveryAsset(t *testing.T, h http.Handler, body string) {
	t.Helper()
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(body, -1)
	loaded := map[string]bool{}
	for _, m := range refs {
		ref := m[1]
		if strings.HasPrefix(ref, "data:") || ref == "./" || strings.HasPrefix(ref, "?endpoint=") {
			continue
		}
		if strings.HasPrefix(ref, "/") || strings.Contains(ref, "//") {
			t.Errorf("page refers to %q, want a relative URL", ref)
			continue
		}
		res, _ := get(t, h, "/"+strings.ReplaceAll(ref, "&amp;", "&"))
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET /%s (from the page): status %d, want 200", ref, res.StatusCode)
		}
		loaded[strings.SplitN(strings.TrimPrefix(ref, "graphiql/"), "?", 2)[0]] = true
	}
	for name := range assets {
		if !loaded[name] {
			t.Errorf("page does not load asset %s", name)
		}
	}
}

// endpoints are the pages the CRM serves: its generic and typed schemas.
var endpoints = []Endpoint{
	{Name: "generic", Label: "Generic schema", URL: "/graphql", Query: DefaultQuery},
	{Name: "typed", Label: "Typed schema", URL: "/graphql/typed", Query: TypedQuery},
}

// TestPages: a page per endpoint, the first at /, the other at
// /?endpoint=typed, each linking to both and keeping its own storage.
func TestPages(t *testing.T) {
	h := Pages("CRM", endpoints...)
	_, generic := get(t, h, "/")
	res, typed := get(t, h, "/?endpoint=typed")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /?endpoint=typed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, c := range []struct {
		name, body, endpoint, storage, current string
		query                                  string
	}{
		{"/", generic, `"/graphql"`, `var prefix = "";`, `<a href="./" aria-current="page">Generic schema <code>/graphql</code></a>`, `records(objectType: \"companies\", first: 5)`},
		{"/?endpoint=typed", typed, `"/graphql/typed"`, `var prefix = "typed:";`, `<a href="?endpoint=typed" aria-current="page">Typed schema <code>/graphql/typed</code></a>`, `companies(first: 5)`},
	} {
		for _, want := range []string{c.endpoint, c.storage, c.current, c.query, `<nav id="endpoints">`, `href="./"`, `href="?endpoint=typed"`} {
			if !strings.Contains(c.body, want) {
				t.Errorf("GET %s: the page does not hold %s:\n%s", c.name, want, c.body)
			}
		}
		if strings.Count(c.body, `aria-current="page"`) != 1 {
			t.Errorf("GET %s: not one current link", c.name)
		}
		loadsEveryAsset(t, h, c.body)
	}
	if strings.Contains(typed, `"/graphql"`) || strings.Contains(typed, "records(objectType") {
		t.Errorf("the typed page aims at the generic endpoint or opens on its query")
	}
	if _, body := get(t, h, "/?endpoint=generic"); body != generic {
		t.Errorf("GET /?endpoint=generic is not the page at /")
	}
	for _, target := range []string{"/?endpoint=nope", "/?endpoint=Typed"} {
		if res, body := get(t, h, target); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "no GraphiQL page") {
			t.Errorf("GET %s: %d %q, want 404", target, res.StatusCode, body)
		}
	}
}

func TestAssets(t *testing.T) {
	h := Handler("CRM", "/graphql")
	cases := []struct {
		name, contentType string
		minSize           int
	}{
		{"react.production.min.js", "text/javascript", 5_000},
		{"react-dom.production.min.js", "text/javascript", 50_000},
		{"graphiql.min.js", "text/javascript", 500_000},
		{"graphiql.min.css", "text/css", 50_000},
		{"plugin-explorer.umd.js", "text/javascript", 40_000},
		{"plugin-explorer.css", "text/css", 1_000},
	}
	if len(cases) != len(assets) {
		t.Errorf("%d embedded assets, test knows %d", len(assets), len(cases))
	}
	for _, c := range cases {
		res, body := get(t, h, AssetPrefix+c.name)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", c.name, res.StatusCode)
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, c.contentType) {
			t.Errorf("GET %s: Content-Type %q, want %s", c.name, ct, c.contentType)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("GET %s: Cache-Control %q, want a long max-age", c.name, cc)
		}
		if len(body) < c.minSize {
			t.Errorf("GET %s: %d bytes, want at least %d", c.name, len(body), c.minSize)
		}
	}
}

func TestAssetNotModified(t *testing.T) {
	h := Handler("CRM", "/graphql")
	res, _ := get(t, h, AssetPrefix+"graphiql.min.css")
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on an asset")
	}
	req := httptest.NewRequest(http.MethodGet, AssetPrefix+"graphiql.min.css", nil)
	req.Header.Set("If-None-Match", etag)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("conditional GET: status %d, want 304", rec.Code)
	}
}

func TestNotFound(t *testing.T) {
	h := Handler("CRM", "/graphql")
	for _, p := range []string{
		AssetPrefix + "nope.js",
		AssetPrefix,
		AssetPrefix + "README.md",
		AssetPrefix + "assets/graphiql.min.js",
		"/graphiql",
		"/favicon.ico",
		"/index.html",
		"/graphql",
	} {
		if res, _ := get(t, h, p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, res.StatusCode)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	h := Handler("CRM", "/graphql")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}")))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d, want 405", rec.Code)
	}
}

// TestMounts checks the mountings the package doc shows, through a real
// ServeMux: the page and every asset it loads resolve, and the GraphQL
// endpoint registered beside it is left alone.
func TestMounts(t *testing.T) {
	gql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "graphql")
	})
	h := Pages("CRM", endpoints...)
	mounts := map[string]func(*http.ServeMux){
		"root": func(mux *http.ServeMux) {
			mux.Handle("/", h)
		},
		"page and assets": func(mux *http.ServeMux) {
			mux.Handle("/{$}", h)
			mux.Handle(AssetPrefix, h)
		},
		"prefix": func(mux *http.ServeMux) {
			mux.Handle("/ide/", http.StripPrefix("/ide", h))
		},
	}
	for name, mount := range mounts {
		t.Run(name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.Handle("/graphql", gql)
			mount(mux)
			pageURL := "/"
			if name == "prefix" {
				pageURL = "/ide/"
			}
			res, body := get(t, mux, pageURL)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: status %d", pageURL, res.StatusCode)
			}
			refs := regexp.MustCompile(`(?:src|href)="(graphiql/[^"]*)"`).FindAllStringSubmatch(body, -1)
			if len(refs) != len(assets) {
				t.Errorf("page loads %d assets from graphiql/, want %d", len(refs), len(assets))
			}
			for _, m := range refs {
				u := pageURL + m[1]
				if res, _ := get(t, mux, u); res.StatusCode != http.StatusOK {
					t.Errorf("GET %s: status %d, want 200", u, res.StatusCode)
				}
			}
			// The typed page is the same path with its query.
			if res, body := get(t, mux, pageURL+"?endpoint=typed"); res.StatusCode != http.StatusOK || !strings.Contains(body, `"/graphql/typed"`) {
				t.Errorf("GET %s?endpoint=typed: status %d, want the typed page", pageURL, res.StatusCode)
			}
			if _, body := get(t, mux, "/graphql"); body != "graphql" {
				t.Errorf("GET /graphql reached %q, want the GraphQL handler", body)
			}
		})
	}
}
