package graph_test

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/npmtest"
)

// auditSource is the audit script and its pinned npm packages.
const auditSource = "../test/audit"

// The GraphQL-over-HTTP audit of graphql-http (test/audit/audit.mjs)
// against the API on a loopback server: no warning and no error, once as
// any client calls it and once with the CSRF preflight header, which lets
// the audit's GET requests through. The npm packages are installed once
// into the user's cache folder. Without node, npm or the registry the test
// skips, saying so; CRM_REQUIRE_AUDIT=1 (as .ci/run sets it) makes that a
// failure.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	const require, run = "CRM_REQUIRE_AUDIT", "with node >= 18 and npm reaching the registry, go test ./graph -run TestGraphQLOverHTTPAudit"
	node, dir := npmtest.Ready(t, require, run, auditSource, "graphql-http")

	d := dbtest.Open(t, "sqlite")
	ws, err := install.Default(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws}))
	defer srv.Close()
	url := srv.URL + "/graphql"
	for _, extra := range [][]string{nil, {"--header", "GraphQL-Require-Preflight: 1"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, node, append([]string{filepath.Join(dir, "audit.mjs"), url}, extra...)...)
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("node audit.mjs %s %s: %v\n%s", url, strings.Join(extra, " "), err, out)
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		t.Log(lines[len(lines)-1])
	}
}
