package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// report prints the table and whether the goals are met, and reports
// whether every request succeeded. A missed goal is reported, not failed.
func report(out io.Writer, results []result) (clean bool) {
	clean = true
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "concurrency\tserver\trequests\treq/s\tp50\tp99\tstmts/req\tfailed\t")
	var ratioP50c1, worstStmts float64
	for _, r := range results {
		for _, row := range []struct {
			name  string
			s     *sample
			stmts string
		}{{"api", &r.api, fmt.Sprintf("%.2f", r.stmtsPerReq)}, {"baseline", &r.base, "3 (by hand)"}} {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%.1f\t%s\t%s\t%s\t%d\t\n", r.conc, row.name, row.s.requests(),
				row.s.perSecond(), ms(row.s.percentile(50)), ms(row.s.percentile(99)), row.stmts, row.s.failures)
			if row.s.failures > 0 {
				clean = false
			}
		}
		rps := r.api.perSecond() / r.base.perSecond()
		p50 := float64(r.api.percentile(50)) / float64(r.base.percentile(50))
		p99 := float64(r.api.percentile(99)) / float64(r.base.percentile(99))
		fmt.Fprintf(tw, "%d\tapi/baseline\t\t%.2fx\t%.2fx\t%.2fx\t\t\t\n", r.conc, rps, p50, p99)
		if r.conc == 1 {
			ratioP50c1 = p50
		}
		worstStmts = max(worstStmts, r.stmtsPerReq)
	}
	tw.Flush()

	fmt.Fprintln(out)
	for _, r := range results {
		for _, s := range []struct {
			name string
			s    *sample
		}{{"api", &r.api}, {"baseline", &r.base}} {
			if s.s.firstErr != nil {
				fmt.Fprintf(out, "FAILED requests (%s, concurrency %d): %d, first: %v\n", s.name, r.conc, s.s.failures, s.s.firstErr)
			}
		}
	}
	if clean {
		fmt.Fprintln(out, "every response was HTTP 200; no API response had GraphQL errors")
	}
	met := func(ok bool) string {
		if ok {
			return "MET"
		}
		return "MISSED"
	}
	okP50 := ratioP50c1 <= maxRatioP50
	detail := ""
	if !okP50 {
		detail = fmt.Sprintf(", %.0f%% over the goal", (ratioP50c1/maxRatioP50-1)*100)
	}
	fmt.Fprintf(out, "goal: API p50 at concurrency 1 within %.0fx of the baseline: %s (%.2fx%s)\n",
		maxRatioP50, met(okP50), ratioP50c1, detail)
	fmt.Fprintf(out, "goal: SQL statements per API request <= levels + 1 = %d: %s (%.2f)\n",
		maxStmtsPerRequest, met(worstStmts <= maxStmtsPerRequest), worstStmts)
	return clean
}
