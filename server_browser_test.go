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
// installed once into the cache folder), and checks that it opens on its
// example query, shows the explorer, loads nothing from elsewhere (it
// works offline), and that running the query fills the result pane with
// the demo's companies. Without node, npm or Chromium it skips, saying
// how to run it; CRM_REQUIRE_BROWSER=1 (as .ci/run sets it) makes that a
// failure.
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

	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, node, filepath.Join(dir, "graphiql.mjs"), srv.URL+"/")
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node graphiql.mjs: %v\n%s\n%s", err, out, stderr)
	}
	var got struct {
		Query, Result string
		Explorer      int
		Failed        []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Query != graphiql.DefaultQuery {
		t.Errorf("the editor opened on:\n%s\nwant graphiql.DefaultQuery", got.Query)
	}
	if got.Explorer != 1 {
		t.Errorf("%d explorer buttons, want 1", got.Explorer)
	}
	if len(got.Failed) > 0 {
		t.Errorf("requests failed or the page threw: %v", got.Failed)
	}
	var result struct {
		Data struct {
			Records struct {
				Edges []struct {
					Node struct {
						DisplayName  string
						Associations struct{ Edges []any }
					}
				}
			}
		}
		Errors []any
	}
	if err := json.Unmarshal([]byte(got.Result), &result); err != nil {
		t.Fatalf("the result pane holds no JSON: %v\n%s", err, got.Result)
	}
	edges := result.Data.Records.Edges
	if len(result.Errors) > 0 || len(edges) != 5 || edges[0].Node.DisplayName == "" || !strings.Contains(got.Result, `"associations"`) {
		t.Errorf("the result pane: %s", got.Result)
	}
}
