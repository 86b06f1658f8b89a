package graph_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/internal/npmtest"
)

// subscribeSource is the script of the npm subscription clients and its
// pinned packages.
const subscribeSource = "../test/subscribe"

// Subscriptions through the clients SPAs use, on both databases: the npm
// graphql-ws client (graphql-transport-ws over a WebSocket) and the npm
// graphql-sse client (distinct connections) subscribe to the same
// recordChanged, and each hears a create, an update with the properties
// it changed, and an archive, with the record read when sent. Without
// node, npm or the registry the test skips, saying so; CRM_REQUIRE_AUDIT=1
// (as .ci/run sets it) makes that a failure.
func TestSubscriptionsThroughNPMClients(t *testing.T) {
	const require, run = "CRM_REQUIRE_AUDIT", "with node >= 18 and npm reaching the registry, go test ./graph -run TestSubscriptionsThroughNPMClients"
	node, dir := npmtest.Ready(t, require, run, subscribeSource, "graphql-sse")
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "subscribe.mjs"), srv.URL+"/graphql", "3")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Written once the server holds both subscriptions.
		awaitSubscribers(t, a.h, 2)
		ada := a.create("contacts", map[string]any{"firstname": "Ada"})
		a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {jobtitle: "Analyst"}}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
		a.archiveRecord(ada)

		type event struct {
			Kind              string
			RecordID          string
			ChangedProperties []string
			Record            struct{ Properties map[string]any }
		}
		got := map[string][]event{}
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			var line struct {
				Transport string
				Payload   struct {
					Data   struct{ RecordChanged event }
					Errors []any
				}
			}
			if err := json.Unmarshal(lines.Bytes(), &line); err != nil {
				t.Fatalf("%v: %s", err, lines.Text())
			}
			if len(line.Payload.Errors) > 0 {
				t.Fatalf("%s answered errors: %s", line.Transport, lines.Text())
			}
			got[line.Transport] = append(got[line.Transport], line.Payload.Data.RecordChanged)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("node subscribe.mjs: %v\n%s", err, stderr.String())
		}
		for _, transport := range []string{"ws", "sse"} {
			evs := got[transport]
			if len(evs) != 3 {
				t.Fatalf("%s: %d events: %+v", transport, len(evs), evs)
			}
			for i, want := range []struct {
				kind, changed, jobtitle string
			}{{"CREATED", "", ""}, {"UPDATED", "jobtitle,lastmodifieddate", "Analyst"}, {"ARCHIVED", "", "Analyst"}} {
				e := evs[i]
				if e.Kind != want.kind || e.RecordID != ada.RecordID || strings.Join(e.ChangedProperties, ",") != want.changed ||
					e.Record.Properties["firstname"] != "Ada" || (want.jobtitle != "" && e.Record.Properties["jobtitle"] != want.jobtitle) {
					t.Errorf("%s event %d: %+v, want %s of %s", transport, i, e, want.kind, ada.RecordID)
				}
			}
		}
	})
}
