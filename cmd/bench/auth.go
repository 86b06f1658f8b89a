package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/db"
)

// authRounds is how many times the local and the authenticated read take
// turns at each concurrency.
const authRounds = 4

// benchAuth measures the nested read with authentication on (a key with
// RECORDS_READ, checked at every request, the scope of every root field
// and the key's rate limit) beside the same read in local mode, in the
// same run. Local mode lasts only while no key exists, so the two cannot
// be served at once: they take turns, authRounds times at each
// concurrency, the bench deleting its key before each local turn and
// making a new one before each authenticated turn, each turn on a new
// server and beside the baseline. A turn's figure is the API's p50 over
// the baseline's of the same turn, which takes out what the machine did
// meanwhile; the cost is the median authenticated figure over the median
// local one.
func benchAuth(ctx context.Context, c *http.Client, d *db.DB, ws int, logger *slog.Logger, baseline server,
	plans bool, duration time.Duration, counter *db.Counter, out io.Writer) (clean bool, err error) {
	fmt.Fprintf(out, "\nauthentication: the nested read with a key (RECORDS_READ) and in local mode, each beside the baseline, taking turns %d times\n", authRounds)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "concurrency\tlocal p50\tlocal/baseline\tauthenticated p50\tauthenticated/baseline\tauth cost of p50\tcost per turn\tstmts/req local, auth\tfailed\t")
	clean = true
	for _, conc := range concurrencies {
		var local, authed []authSample
		for range authRounds {
			l, err := authTurn(ctx, c, d, ws, logger, baseline, plans, false, conc, duration/authRounds, counter)
			if err != nil {
				return false, err
			}
			a, err := authTurn(ctx, c, d, ws, logger, baseline, plans, true, conc, duration/authRounds, counter)
			if err != nil {
				return false, err
			}
			local, authed = append(local, l), append(authed, a)
		}
		lm, am := medianTurn(local), medianTurn(authed)
		perTurn := ""
		failed := 0
		for i := range local {
			perTurn += fmt.Sprintf(" %+.0f%%", 100*(authed[i].ratio/local[i].ratio-1))
			failed += local[i].failures + authed[i].failures
		}
		fmt.Fprintf(tw, "%d\t%s\t%.3fx\t%s\t%.3fx\t%+.1f%%\t%s\t%.2f, %.2f\t%d\t\n", conc, ms(lm.p50), lm.ratio, ms(am.p50), am.ratio,
			100*(am.ratio/lm.ratio-1), perTurn, lm.stmts, am.stmts, failed)
		clean = clean && failed == 0
	}
	if err := tw.Flush(); err != nil {
		return false, err
	}
	fmt.Fprintln(out, "goal: the key check and scope checks cost under 5% of p50")
	return clean, nil
}

// authSample is one turn of the API beside the baseline.
type authSample struct {
	p50      time.Duration
	ratio    float64 // the API's p50 over the baseline's
	stmts    float64
	failures int
}

// authTurn measures the read on a new server, authenticated with a new key
// or, with no key left, in local mode.
func authTurn(ctx context.Context, c *http.Client, d *db.DB, ws int, logger *slog.Logger, baseline server,
	plans, authenticated bool, conc int, duration time.Duration, counter *db.Counter) (authSample, error) {
	// The bench's own database: its keys are the bench's to delete.
	if _, err := db.Build(d.Dialect, "DELETE FROM api_keys").Exec(ctx, d.SQL); err != nil {
		return authSample{}, fmt.Errorf("delete the bench's keys: %w", err)
	}
	cfg := graph.Config{DB: d, WorkspaceID: ws, Logger: logger, NoReadPlans: !plans}
	api := server{name: "api, local mode", graphQL: true}
	if authenticated {
		// A rate no run reaches: the limiter's check is measured, never a
		// refusal.
		burst, perSecond := math.MaxInt32, 1e12
		_, secret, err := auth.New(d).Create(ctx, ws, "bench", []auth.Scope{auth.RecordsRead}, nil, auth.Rate{Burst: &burst, PerSecond: &perSecond}, 0)
		if err != nil {
			return authSample{}, err
		}
		cfg.Auth, api.name, api.bearer = graph.AuthRequired, "api, authenticated", secret
	}
	srv := httptest.NewServer(graph.NewHandler(cfg))
	defer srv.Close()
	api.url = srv.URL + "/graphql"
	r, err := measure(ctx, c, []server{api, baseline}, conc, duration, counter)
	if err != nil {
		return authSample{}, err
	}
	p50 := r.samples[0].percentile(50)
	return authSample{p50: p50, ratio: float64(p50) / float64(r.base().percentile(50)), stmts: r.stmtsPerReq[0], failures: r.samples[0].failures}, nil
}

// medianTurn is the turn of the median ratio (the upper one of an even
// number).
func medianTurn(ts []authSample) authSample {
	s := append([]authSample(nil), ts...)
	sort.Slice(s, func(i, j int) bool { return s[i].ratio < s[j].ratio })
	return s[len(s)/2]
}
