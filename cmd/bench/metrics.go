package main

import (
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
	"github.com/acme/crm/internal/observe"
)

// benchMetrics measures the nested read with metrics on (tracing off, as
// a server runs by default) beside the same read with metrics off, both
// behind the request log the server always has, taking turns with the
// baseline; the cost of the metrics is the ratio of the two p50s.
func benchMetrics(ctx context.Context, c *http.Client, d *db.DB, ws int, logger *slog.Logger, baseline server,
	plans bool, duration time.Duration, counter *db.Counter, out io.Writer) (clean bool, err error) {
	metrics := observe.New(d.SQL)
	on := httptest.NewServer(observe.Requests(logger, metrics, graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws, Logger: logger, NoReadPlans: !plans, Metrics: metrics})))
	defer on.Close()
	off := httptest.NewServer(observe.Requests(logger, nil, graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws, Logger: logger, NoReadPlans: !plans})))
	defer off.Close()
	servers := []server{{name: "api, metrics on", url: on.URL + "/graphql", graphQL: true}, {name: "api, metrics off", url: off.URL + "/graphql", graphQL: true}, baseline}
	fmt.Fprintf(out, "\nmetrics: the nested read with metrics on (tracing off) beside metrics off and the baseline, taking turns\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "concurrency\tmetrics on p50\tmetrics off p50\tbaseline p50\tmetrics cost of p50\tfailed\t")
	clean = true
	for _, conc := range concurrencies {
		r, err := measure(ctx, c, servers, conc, duration, counter)
		if err != nil {
			return false, err
		}
		p50on, p50off := r.samples[0].percentile(50), r.samples[1].percentile(50)
		failed := r.samples[0].failures + r.samples[1].failures
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%+.1f%%\t%d\t\n", conc, ms(p50on), ms(p50off), ms(r.base().percentile(50)),
			100*(float64(p50on)/float64(p50off)-1), failed)
		clean = clean && failed == 0
	}
	if err := tw.Flush(); err != nil {
		return false, err
	}
	fmt.Fprintln(out, "goal: metrics cost under 3% of p50")
	return clean, nil
}
