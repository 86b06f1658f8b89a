package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/demo"
	"github.com/acme/crm/internal/domain"
	"github.com/acme/crm/internal/graphiql"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/npmtest"
)

// TestGraphiQLInABrowser loads GraphiQL from a server holding the demo
// data in headless Chromium (test/browser/graphiql.mjs, playwright-core
// installed once into the cache folder), its page of the generic schema
// and that of the typed one, and checks that each opens on its example
// query, loads its schema from its own endpoint, shows the explorer,
// loads nothing from elsewhere (it works offline), and that running the
// query fills the result pane with the demo's companies. Without node,
// npm or Chromium it skips, saying how to run it; CRM_REQUIRE_BROWSER=1
// (as .ci/run sets it) makes that a failure.
func TestGraphiQLInABrowser(t *testing.T) {
	const require, run = "CRM_REQUIRE_BROWSER", "apt-get install chromium (or CHROMIUM=/path/to/chrome), then go test -run TestGraphiQLInABrowser ."
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		npmtest.Unable(t, require, run, "no Chromium at "+chromium)
	}
	node, dir := npmtest.Ready(t, require, run, "test/browser", "playwright-core")

	ctx := context.Background()
	d := dbtest.Open(t, "sqlite")
	ws, err := install.Default(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := demo.Load(ctx, d, domain.New(d, t.TempDir(), logger).Imports, ws); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(d, graph.Config{WorkspaceID: ws}, logger))
	defer srv.Close()

	for _, page := range []struct {
		path, endpoint, query string
		// root, name and nested are the result's root field, a field of
		// its records that has a value, and one of its nested records'.
		root, name, nested string
	}{
		{"/", "/graphql", graphiql.DefaultQuery, "records", "displayName", "associations"},
		{"/?endpoint=typed", graph.TypedPath, graphiql.TypedQuery, "companies", "name", "dealname"},
	} {
		t.Run(page.path, func(t *testing.T) {
			got := runGraphiQL(t, node, dir, chromium, srv.URL+page.path)
			if got.Query != page.query {
				t.Errorf("the editor opened on:\n%s\nwant the page's example query", got.Query)
			}
			if got.Explorer != 1 {
				t.Errorf("%d explorer buttons, want 1", got.Explorer)
			}
			if len(got.Failed) > 0 {
				t.Errorf("requests failed or the page threw: %v", got.Failed)
			}
			if len(got.Introspected) == 0 || slices.ContainsFunc(got.Introspected, func(u string) bool { return u != srv.URL+page.endpoint }) {
				t.Errorf("the schema came from %v, want %s", got.Introspected, srv.URL+page.endpoint)
			}
			var result struct {
				Data map[string]struct {
					Edges []struct{ Node map[string]any }
				}
				Errors []any
			}
			if err := json.Unmarshal([]byte(got.Result), &result); err != nil {
				t.Fatalf("the result pane holds no JSON: %v\n%s", err, got.Result)
			}
			edges := result.Data[page.root].Edges
			if len(result.Errors) > 0 || len(edges) != 5 || edges[0].Node[page.name] == nil || edges[0].Node[page.name] == "" || !strings.Contains(got.Result, `"`+page.nested+`"`) {
				t.Errorf("the result pane: %s", got.Result)
			}
		})
	}
}

// graphiqlPage is what test/browser/graphiql.mjs saw of a GraphiQL page.
type graphiqlPage struct {
	Query, Result string
	Explorer      int
	Failed        []string
	Introspected  []string
}

// runGraphiQL runs test/browser/graphiql.mjs on the page at url.
func runGraphiQL(t *testing.T, node, dir, chromium, url string) graphiqlPage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "graphiql.mjs"), url)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node graphiql.mjs: %v\n%s\n%s", err, out, stderr)
	}
	var got graphiqlPage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return got
}
