package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
)

// plan is what EXPLAIN says of one statement: its nodes, outermost first.
type plan struct {
	nodes   []string
	seqScan bool // a sequential scan of records
}

func (p plan) String() string { return strings.Join(p.nodes, " > ") }

// planner explains the API's statement of a request: a handler of its own,
// over a pool that keeps the statements it sends with their arguments.
type planner struct {
	counter *db.Counter
	d       *db.DB
	srv     *httptest.Server
	client  *http.Client
	base    *sql.DB
	names   map[int]string // property names by id, to name the indexes
}

func newPlanner(ctx context.Context, schemaURL string, ws int, base *sql.DB) (*planner, error) {
	p := &planner{counter: &db.Counter{Keep: true}, base: base, client: newClient(), names: map[int]string{}}
	var err error
	if p.d, err = db.Open(ctx, schemaURL, db.WithCounter(p.counter)); err != nil {
		return nil, err
	}
	m, err := meta.NewCache(p.d).Get(ctx, ws)
	if err != nil {
		p.d.Close()
		return nil, err
	}
	for _, ot := range m.ObjectTypes {
		for _, prop := range ot.Properties {
			p.names[prop.ID] = ot.Name + "." + prop.Name
		}
	}
	p.srv = httptest.NewServer(graph.NewHandler(graph.Config{DB: p.d, WorkspaceID: ws}))
	return p, nil
}

func (p *planner) close() {
	p.srv.Close()
	p.client.CloseIdleConnections()
	p.d.Close()
}

// api sends body once and explains the last statement it sent that holds
// marker.
func (p *planner) api(ctx context.Context, body []byte, marker string) (plan, error) {
	p.counter.Reset()
	if _, err := fetch(ctx, p.client, server{name: "api", url: p.srv.URL + "/graphql", graphQL: true, body: body}); err != nil {
		return plan{}, err
	}
	var stmt *db.Statement
	for _, s := range p.counter.Sent() {
		if strings.Contains(s.Text, marker) {
			stmt = &s
		}
	}
	if stmt == nil {
		return plan{}, fmt.Errorf("the API sent no statement holding %q: %q", marker, p.counter.Statements())
	}
	return p.explain(ctx, p.base, stmt.Text, stmt.Args)
}

// planNode is the node of a line of EXPLAIN's text: what comes before its
// costs, without the arrow.
var planNode = regexp.MustCompile(`^\s*(?:->\s+)?(.*?)\s+\(cost=`)

// searchIndex is the name of an index internal/indexes keeps.
var searchIndex = regexp.MustCompile(`records_search_\d+_(\d+)_[0-9a-f]+`)

// explain runs EXPLAIN of a statement, planned for its arguments.
func (p *planner) explain(ctx context.Context, q *sql.DB, text string, args []any) (plan, error) {
	rows, err := q.QueryContext(ctx, "EXPLAIN "+text, args...)
	if err != nil {
		return plan{}, fmt.Errorf("explain %.200s: %w", text, err)
	}
	var out plan
	err = scanAll(rows, func(s scanner) error {
		var line string
		if err := s.Scan(&line); err != nil {
			return err
		}
		m := planNode.FindStringSubmatch(line)
		if m == nil {
			return nil
		}
		node := searchIndex.ReplaceAllStringFunc(m[1], func(name string) string {
			id, _ := strconv.Atoi(searchIndex.FindStringSubmatch(name)[1])
			return "index of " + p.names[id]
		})
		if strings.HasPrefix(node, "Seq Scan on records") || strings.HasPrefix(node, "Parallel Seq Scan on records") {
			out.seqScan = true
		}
		out.nodes = append(out.nodes, node)
		return nil
	})
	return out, err
}

// reportSearch prints the cases' table, their plans and the goal of a
// part (search, timeline), and fails when a request failed.
func reportSearch(out io.Writer, part string, results []searchResult) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tapi p50\tapi p99\tsql p50\tsql p99\tp50 ratio\tp99 ratio\trequests\t")
	failed := 0
	for _, r := range results {
		if r.c.missing != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t\n", r.c.name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2fx\t%.2fx\t%d+%d\t\n", r.c.name,
			ms(r.api.percentile(50)), ms(r.api.percentile(99)), ms(r.base.percentile(50)), ms(r.base.percentile(99)),
			float64(r.api.percentile(50))/float64(r.base.percentile(50)), float64(r.api.percentile(99))/float64(r.base.percentile(99)),
			r.api.requests(), r.base.requests())
		failed += r.api.failures + r.base.failures
	}
	tw.Flush()
	fmt.Fprintln(out, "\nplans (EXPLAIN of each statement for its arguments; the API's as it sent it):")
	for _, r := range results {
		if r.c.missing != "" {
			fmt.Fprintf(out, "  %s: not measured: %s\n", r.c.name, r.c.missing)
			continue
		}
		flag := ""
		if r.apiPlan.seqScan {
			flag = "  <- SEQUENTIAL SCAN OF RECORDS"
		}
		fmt.Fprintf(out, "  %s (%s)\n    api:      %s%s\n    baseline: %s\n", r.c.name, r.same, r.apiPlan, flag, r.basePlan)
	}
	fmt.Fprintln(out)
	met, measured := 0, 0
	for _, r := range results {
		if r.c.missing != "" {
			continue
		}
		measured++
		ratio := float64(r.api.percentile(50)) / float64(r.base.percentile(50))
		if ratio <= maxRatioP50 {
			met++
		} else {
			fmt.Fprintf(out, "goal MISSED: %s: API p50 %.2fx the baseline's\n", r.c.name, ratio)
		}
		if r.api.firstErr != nil || r.base.firstErr != nil {
			fmt.Fprintf(out, "FAILED requests in %s: api %v, baseline %v\n", r.c.name, r.api.firstErr, r.base.firstErr)
		}
	}
	fmt.Fprintf(out, "goal: API p50 within %.0fx of the baseline in every %s case: %d of %d\n", maxRatioP50, part, met, measured)
	if failed > 0 {
		return fmt.Errorf("%d %s requests failed: see above", failed, part)
	}
	return nil
}
