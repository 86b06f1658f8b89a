package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"text/tabwriter"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/db"
)

// benchAuth measures the nested read with authentication on (a key with
// RECORDS_READ, checked at every request, the scope of every root field
// and the key's rate limit) beside the read in local mode that the reads part measured, in
// the same run. Local mode lasts only while no key exists, so the two
// cannot take turns: the authenticated read is measured after, again
// beside the baseline, and the two are compared by their ratios to the
// baseline of their own turn, which takes out what the machine did
// meanwhile. local holds the reads part's results, the API's first.
func benchAuth(ctx context.Context, c *http.Client, d *db.DB, ws int, logger *slog.Logger, local []result, baseline server,
	plans bool, duration time.Duration, counter *db.Counter, out io.Writer) (clean bool, err error) {
	// A rate no run reaches: the limiter's check is measured, never a
	// refusal.
	burst, perSecond := math.MaxInt32, 1e12
	_, secret, err := auth.New(d).Create(ctx, ws, "bench", []auth.Scope{auth.RecordsRead}, nil, auth.Rate{Burst: &burst, PerSecond: &perSecond}, 0)
	if err != nil {
		return false, err
	}
	api := httptest.NewServer(graph.NewHandler(graph.Config{DB: d, Auth: graph.AuthRequired, Logger: logger, NoReadPlans: !plans}))
	defer api.Close()
	servers := []server{{name: "api, authenticated", url: api.URL + "/graphql", graphQL: true, bearer: secret}, baseline}
	fmt.Fprintf(out, "\nauthentication: the nested read with a key (RECORDS_READ) beside the baseline, after the reads above in local mode\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "concurrency\tlocal p50\tlocal/baseline\tauthenticated p50\tauthenticated/baseline\tauth cost of p50\tstmts/req local, auth\tfailed\t")
	clean = true
	for _, l := range local {
		r, err := measure(ctx, c, servers, l.conc, duration, counter)
		if err != nil {
			return false, err
		}
		lp50, ap50 := l.samples[0].percentile(50), r.samples[0].percentile(50)
		lRatio := float64(lp50) / float64(l.base().percentile(50))
		aRatio := float64(ap50) / float64(r.base().percentile(50))
		fmt.Fprintf(tw, "%d\t%s\t%.3fx\t%s\t%.3fx\t%+.1f%%\t%.2f, %.2f\t%d\t\n", l.conc, ms(lp50), lRatio, ms(ap50), aRatio,
			100*(aRatio/lRatio-1), l.stmtsPerReq[0], r.stmtsPerReq[0], r.samples[0].failures)
		if r.samples[0].failures > 0 {
			clean = false
		}
	}
	if err := tw.Flush(); err != nil {
		return false, err
	}
	fmt.Fprintln(out, "goal: the key check and scope checks cost under 5% of p50")
	return clean, nil
}
