package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"text/tabwriter"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
)

// typedQuery is apiQuery in the typed schema (issue 20): the same
// records, values and levels.
const typedQuery = `{
  companies(first: 20) {
    edges { node {
      recordId displayName name domain
      contacts(first: 10) {
        edges { node {
          recordId displayName email
          deals(first: 5) {
            edges { node { recordId displayName amount dealstage } }
          }
        } }
      }
    } }
  }
}`

// goalTyped bounds the typed read's p50 over the generic one's, and the
// generic one's req/s over the typed one's.
const goalTyped = 1.1

// benchTyped measures the nested read through the typed endpoint beside
// the same read through the generic one, on one handler, taking turns
// with the baseline.
func benchTyped(ctx context.Context, c *http.Client, d *db.DB, ws int, logger *slog.Logger, baseline server,
	plans bool, duration time.Duration, counter *db.Counter, out io.Writer) (clean bool, err error) {
	h := graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws, Logger: logger, NoReadPlans: !plans})
	mux := http.NewServeMux()
	mux.Handle("/graphql", h)
	mux.Handle(graph.TypedPath, h.Typed())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	servers := []server{
		{name: "api, typed", url: srv.URL + graph.TypedPath, graphQL: true, body: graphQLBody(typedQuery)},
		{name: "api, generic", url: srv.URL + "/graphql", graphQL: true},
		baseline,
	}
	typed, err := fetch(ctx, c, servers[0])
	if err != nil {
		return false, fmt.Errorf("typed: %w", err)
	}
	generic, err := fetch(ctx, c, servers[1])
	if err != nil {
		return false, fmt.Errorf("generic: %w", err)
	}
	if t, g := bytes.Count(typed, []byte(`"recordId"`)), bytes.Count(generic, []byte(`"recordId"`)); t != g || g == 0 {
		return false, fmt.Errorf("the typed answer holds %d records, the generic one %d", t, g)
	}
	fmt.Fprintf(out, "\ntyped endpoint: the nested read through %s beside the same read through /graphql and the baseline, taking turns\n", graph.TypedPath)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "concurrency\ttyped p50\tgeneric p50\tbaseline p50\ttyped/generic p50\ttyped req/s\tgeneric req/s\tgeneric/typed req/s\tstmts/req typed\tgeneric\tfailed\t")
	clean = true
	for _, conc := range concurrencies {
		r, err := measure(ctx, c, servers, conc, duration, counter)
		if err != nil {
			return false, err
		}
		t, g := &r.samples[0], &r.samples[1]
		failed := t.failures + g.failures
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.2fx\t%.0f\t%.0f\t%.2fx\t%.2f\t%.2f\t%d\t\n", conc, ms(t.percentile(50)), ms(g.percentile(50)),
			ms(r.base().percentile(50)), float64(t.percentile(50))/float64(g.percentile(50)), t.perSecond(), g.perSecond(),
			g.perSecond()/t.perSecond(), r.stmtsPerReq[0], r.stmtsPerReq[1], failed)
		clean = clean && failed == 0
	}
	if err := tw.Flush(); err != nil {
		return false, err
	}
	fmt.Fprintf(out, "goal: typed within %.1fx of generic, in p50 and in req/s\n", goalTyped)
	return clean, nil
}
