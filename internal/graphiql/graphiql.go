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
// and 404 to everything else. The page refers to its assets by relative URLs
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
#graphiql { height: 100vh; }
</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="{{.React}}"></script>
<script src="{{.ReactDOM}}"></script>
<script src="{{.GraphiQL}}"></script>
<script src="{{.Explorer}}"></script>
<script>
(function () {
  var endpoint = new URL({{.Endpoint}}, window.location.href).toString();
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
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

// Handler returns the handler serving a GraphiQL page titled title that
// sends its queries to endpoint (a path such as "/graphql", or a full URL),
// together with the assets the page loads. See the package doc for how to
// mount it.
func Handler(title, endpoint string) http.Handler {
	var buf bytes.Buffer
	err := pageTmpl.Execute(&buf, pageData{
		Title:       title,
		Endpoint:    endpoint,
		Query:       DefaultQuery,
		CSS:         assetURL("graphiql.min.css"),
		React:       assetURL("react.production.min.js"),
		ReactDOM:    assetURL("react-dom.production.min.js"),
		GraphiQL:    assetURL("graphiql.min.js"),
		Explorer:    assetURL("plugin-explorer.umd.js"),
		ExplorerCSS: assetURL("plugin-explorer.css"),
	})
	if err != nil {
		panic("graphiql: rendering page: " + err.Error())
	}
	return &handler{page: buf.Bytes()}
}

type handler struct {
	page []byte
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
		hdr := w.Header()
		hdr.Set("Content-Type", "text/html; charset=utf-8")
		hdr.Set("Cache-Control", "no-cache")
		hdr.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.page))
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
