// Package graphiql serves the GraphiQL IDE fully offline: the HTML page and
// the GraphiQL, React and ReactDOM browser bundles it loads, all embedded in
// the binary (see assets/README.md for where they come from and how to
// refresh them). It replaces gqlgen's playground handler, which loads
// GraphiQL from a CDN and shows a blank page without internet.
//
// The handler answers two kinds of paths:
//
//	/                 the GraphiQL page
//	/graphiql/NAME    an embedded asset (JavaScript or CSS)
//
// and 404 to everything else. Pages serves one page per GraphQL endpoint:
// the first at /, each other at /?endpoint=NAME, with links between them
// (the CRM's generic schema at /graphql and its typed one at
// /graphql/typed). The page refers to its assets by relative URLs
// ("graphiql/NAME"), so it works wherever the handler's root is mounted.
// Mount it once at the root:
//
//	mux.Handle("/graphql", srv)
//	mux.Handle("/", graphiql.Handler("CRM", "/graphql"))
//
// or, if "/" must stay free for something else, mount the same handler on
// both the page and the asset paths:
//
//	h := graphiql.Handler("CRM", "/graphql")
//	mux.Handle("/{$}", h)
//	mux.Handle("/graphiql/", h)
//
// or under a prefix, stripping it:
//
//	mux.Handle("/ide/", http.StripPrefix("/ide", graphiql.Handler("CRM", "/graphql")))
//
// which serves the page at /ide/ and the assets at /ide/graphiql/NAME.
package graphiql

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// AssetPrefix is the path, relative to the handler's root, under which the
// embedded assets are served.
const AssetPrefix = "/graphiql/"

//go:embed assets/*.js assets/*.css
var assetFS embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	data        []byte
	contentType string
	etag        string // quoted, strong
	version     string // short content hash, used to bust caches
}

// assets holds every embedded file by its base name.
var assets = loadAssets()

func loadAssets() map[string]*asset {
	m := make(map[string]*asset)
	err := fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		hash := hex.EncodeToString(sum[:])
		m[path.Base(p)] = &asset{
			data:        data,
			contentType: contentType(p),
			etag:        `"` + hash + `"`,
			version:     hash[:12],
		}
		return nil
	})
	if err != nil {
		// The files are embedded at build time; failing to read them is a
		// broken build, not a runtime condition.
		panic("graphiql: reading embedded assets: " + err.Error())
	}
	return m
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// assetURL is the relative URL the page loads the named asset from. The
// content hash in the query makes a refreshed asset a new URL, so the long
// cache lifetime never serves a stale bundle.
func assetURL(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("graphiql: no embedded asset " + name)
	}
	return strings.TrimPrefix(AssetPrefix, "/") + name + "?v=" + a.version
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{{.CSS}}">
<link rel="stylesheet" href="{{.ExplorerCSS}}">
<style>
html, body { height: 100%; margin: 0; overflow: hidden; }
body { display: flex; flex-direction: column; }
#graphiql { flex: 1; min-height: 0; }
#endpoints { font: 13px system-ui, sans-serif; padding: 4px 12px; border-bottom: 1px solid #ddd; }
#endpoints a { margin-right: 16px; color: inherit; }
#endpoints a[aria-current] { font-weight: bold; text-decoration: none; }
</style>
</head>
<body>
{{- if gt (len .Links) 1}}
<nav id="endpoints">
{{- range .Links}}
<a href="{{.Href}}"{{if .Current}} aria-current="page"{{end}}>{{.Label}} <code>{{.URL}}</code></a>
{{- end}}
</nav>
{{- end}}
<div id="graphiql">Loading GraphiQL…</div>
<script src="{{.React}}"></script>
<script src="{{.ReactDOM}}"></script>
<script src="{{.GraphiQL}}"></script>
<script src="{{.Explorer}}"></script>
<script>
(function () {
  var endpoint = new URL({{.Endpoint}}, window.location.href).toString();
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  // Each endpoint's page keeps its tabs apart: a query of one schema
  // would not run against the other.
  var prefix = {{.Storage}};
  var storage = prefix === '' ? undefined : {
    getItem: function (k) { return localStorage.getItem(prefix + k); },
    setItem: function (k, v) { localStorage.setItem(prefix + k, v); },
    removeItem: function (k) { localStorage.removeItem(prefix + k); },
    get length() { return Object.keys(localStorage).filter(function (k) { return k.indexOf(prefix) === 0; }).length; },
    clear: function () { Object.keys(localStorage).forEach(function (k) { if (k.indexOf(prefix) === 0) localStorage.removeItem(k); }); }
  };
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    storage: storage,
    defaultQuery: {{.Query}},
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: true,
    plugins: [GraphiQLPluginExplorer.explorerPlugin()]
  }));
})();
</script>
</body>
</html>
`))

type pageData struct {
	Title, Endpoint, Query         string
	CSS, React, ReactDOM, GraphiQL string
	Explorer, ExplorerCSS          string
	// Storage prefixes the keys the page keeps in localStorage; "" keeps
	// GraphiQL's own.
	Storage string
	Links   []link
}

// link is one endpoint's page in the switch between them.
type link struct {
	Href, Label, URL string
	Current          bool
}

// Endpoint is a GraphQL endpoint a page sends its queries to.
type Endpoint struct {
	// Name picks its page: /?endpoint=NAME (the first endpoint's is /).
	Name string
	// Label names it in the links between the pages.
	Label string
	// URL is a path such as "/graphql", or a full URL.
	URL string
	// Query is what the editor opens on, until the browser keeps what its
	// user typed.
	Query string
}

// DefaultQuery is what the editor opens on, until the browser keeps what
// its user typed: a nested read that answers on the demo data.
const DefaultQuery = `# Companies with their contacts and those contacts' deals, paginated at
# every level, in one request: press the run button (Ctrl-Enter).
# Only contacts with a label: associations(toObjectType: "contacts",
# labels: ["Decision maker"]) once you made the label. The explorer (left)
# lists every field; the docs (book icon) describe them. Once API keys
# exist, put one in Headers (below): {"Authorization": "Bearer crm_..."}.
{
  records(objectType: "companies", first: 5) {
    edges { node {
      displayName
      associations(toObjectType: "contacts", first: 3) {
        edges { labels { label } node {
          displayName
          associations(toObjectType: "deals", first: 2) { edges { node { displayName properties(names: ["amount", "dealstage"]) } } }
        } }
        pageInfo { hasNextPage endCursor }
      }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
`

// TypedQuery is DefaultQuery for the typed endpoint (/graphql/typed):
// the same read, each object type and property by its own name.
const TypedQuery = `# The typed schema: a type per object type (Company, Contact, Deal...), a
# field per property, a connection per association; the same records as
# the generic schema's. It follows the workspace's definitions: a
# property made a minute ago is a field now (reload to see it in the
# docs). Once API keys exist, put one in Headers (below).
{
  companies(first: 5) {
    edges { node {
      name domain
      contacts(first: 3) {
        edges { labels { label } node {
          firstname lastname email
          deals(first: 2) { edges { node { dealname amount dealstage } } }
        } }
        pageInfo { hasNextPage endCursor }
      }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
`

// Handler returns the handler serving a GraphiQL page titled title that
// sends its queries to endpoint (a path such as "/graphql", or a full URL),
// together with the assets the page loads. See the package doc for how to
// mount it.
func Handler(title, endpoint string) http.Handler {
	return Pages(title, Endpoint{URL: endpoint, Query: DefaultQuery})
}

// Pages is Handler with a page per endpoint: the first at /, each other at
// /?endpoint=NAME, each linking to the others.
func Pages(title string, endpoints ...Endpoint) http.Handler {
	h := &handler{pages: map[string][]byte{}}
	for i, e := range endpoints {
		var links []link
		for j, other := range endpoints {
			href := "?endpoint=" + other.Name
			if j == 0 {
				href = "./"
			}
			links = append(links, link{Href: href, Label: other.Label, URL: other.URL, Current: i == j})
		}
		data := pageData{
			Title:       title,
			Endpoint:    e.URL,
			Query:       e.Query,
			CSS:         assetURL("graphiql.min.css"),
			React:       assetURL("react.production.min.js"),
			ReactDOM:    assetURL("react-dom.production.min.js"),
			GraphiQL:    assetURL("graphiql.min.js"),
			Explorer:    assetURL("plugin-explorer.umd.js"),
			ExplorerCSS: assetURL("plugin-explorer.css"),
			Links:       links,
		}
		name := ""
		if i > 0 {
			name = e.Name
			data.Storage = e.Name + ":"
		}
		var buf bytes.Buffer
		if err := pageTmpl.Execute(&buf, data); err != nil {
			panic("graphiql: rendering page: " + err.Error())
		}
		h.pages[name], h.pages[e.Name] = buf.Bytes(), buf.Bytes()
	}
	return h
}

type handler struct {
	// pages are the pages by endpoint name, the first endpoint's by "".
	pages map[string][]byte
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch {
	case p == "/" || p == "":
		page, ok := h.pages[r.URL.Query().Get("endpoint")]
		if !ok {
			http.Error(w, "no GraphiQL page for this endpoint", http.StatusNotFound)
			return
		}
		hdr := w.Header()
		hdr.Set("Content-Type", "text/html; charset=utf-8")
		hdr.Set("Cache-Control", "no-cache")
		hdr.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(page))
	case strings.HasPrefix(p, AssetPrefix):
		a, ok := assets[strings.TrimPrefix(p, AssetPrefix)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		hdr := w.Header()
		hdr.Set("Content-Type", a.contentType)
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
		hdr.Set("ETag", a.etag)
		hdr.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
	default:
		http.NotFound(w, r)
	}
}
