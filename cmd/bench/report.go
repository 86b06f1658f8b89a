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
		for k := range r.samples {
			s := &r.samples[k]
			stmts := "3 (by hand)"
			if k < len(r.samples)-1 {
				stmts = fmt.Sprintf("%.2f", r.stmtsPerReq[k])
				worstStmts = max(worstStmts, r.stmtsPerReq[k])
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%.1f\t%s\t%s\t%s\t%d\t\n", r.conc, r.names[k], s.requests(),
				s.perSecond(), ms(s.percentile(50)), ms(s.percentile(99)), stmts, s.failures)
			if s.failures > 0 {
				clean = false
			}
		}
		ratio := func(name string, a, b *sample) {
			fmt.Fprintf(tw, "%d\t%s\t\t%.2fx\t%.2fx\t%.2fx\t\t\t\n", r.conc, name, a.perSecond()/b.perSecond(),
				float64(a.percentile(50))/float64(b.percentile(50)), float64(a.percentile(99))/float64(b.percentile(99)))
		}
		for k := range len(r.samples) - 1 {
			ratio(r.names[k]+"/baseline", &r.samples[k], r.base())
		}
		if len(r.samples) == 3 {
			ratio("plans/plans off", &r.samples[0], &r.samples[1])
		}
		if r.conc == 1 {
			ratioP50c1 = float64(r.samples[0].percentile(50)) / float64(r.base().percentile(50))
		}
	}
	tw.Flush()
	if len(results) > 0 && len(results[0].samples) == 3 {
		for _, r := range results {
			plan, exec := r.samples[0].percentile(50), r.samples[1].percentile(50)
			fmt.Fprintf(out, "read plans at concurrency %d: p50 %s vs %s with plans off, %.0f%% saved (plans stay if they save 25%% or more)\n",
				r.conc, ms(plan), ms(exec), 100*(1-float64(plan)/float64(exec)))
		}
	}

	fmt.Fprintln(out)
	for _, r := range results {
		for k := range r.samples {
			if s := &r.samples[k]; s.firstErr != nil {
				fmt.Fprintf(out, "FAILED requests (%s, concurrency %d): %d, first: %v\n", r.names[k], r.conc, s.failures, s.firstErr)
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
	fmt.Fprintf(out, "goal: %s p50 at concurrency 1 within %.0fx of the baseline: %s (%.2fx%s)\n",
		results[0].names[0], maxRatioP50, met(okP50), ratioP50c1, detail)
	fmt.Fprintf(out, "goal: SQL statements per API request <= levels = %d: %s (%.2f)\n",
		maxStmtsPerRequest, met(worstStmts <= maxStmtsPerRequest), worstStmts)
	return clean
}
