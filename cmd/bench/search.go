package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/write"
)

// The search benchmark (BENCH_ONLY=search, and part of make bench): on a
// schema of its own, 1,000,000 contacts (BENCH_SEARCH_CONTACTS) at 50,000
// companies, then each case of searchCases through the HTTP API beside a
// bare handler running hand-written SQL for the same rows over the index a
// person would pick, the two taking turns. It prints p50 and p99 of both,
// their ratio, the plan of the API's statement beside the baseline's, and
// flags a sequential scan of records. Goal: the API's p50 within 2x of the
// baseline's in every case.
const (
	defaultSearchContacts = 1_000_000
	searchPage            = 20
	searchWarmup          = 20
	searchSlices          = 4
	searchPerServer       = 3 * time.Second // measured time of each server in each case
	searchDeepPage        = 1000
)

// searchQuery is the API's request of every case: a page of contacts
// with three properties, filtered, sorted and placed by variables.
const searchQuery = `query Search($filter: RecordFilter, $sort: [RecordSort!], $query: String, $after: String) {
  records(objectType: "contacts", first: 20, filter: $filter, sort: $sort, query: $query, after: $after) {
    edges { node { recordId properties(names: ["email", "firstname", "lastname"]) } }
    pageInfo { hasNextPage endCursor }
  }
}`

// searchSchema is a schema of its own holding the search data set.
type searchSchema struct {
	url string
	d   *db.DB
	ws  int
	m   *meta.Model
	s   *searchSet
}

// openSearchSchema makes a schema, installs the catalog and loads the
// search data set of cfg.searchContacts contacts into it; done closes and
// drops it.
func openSearchSchema(ctx context.Context, cfg config, out io.Writer) (_ *searchSchema, done func() error, err error) {
	schemaURL, d, m, done, err := freshWorkspace(ctx, cfg.databaseURL)
	if err != nil {
		return nil, nil, err
	}
	ss := &searchSchema{url: schemaURL, d: d, ws: m.WorkspaceID, m: m}
	if ss.s, err = newSearchSet(m, cfg.searchContacts); err == nil {
		err = loadSearch(ctx, d.SQL, ss.s, out)
	}
	if err != nil {
		return nil, nil, errors.Join(err, done())
	}
	return ss, done, nil
}

func benchSearch(ctx context.Context, cfg config, out io.Writer) (err error) {
	fmt.Fprintf(out, "\n== search: filters and sorts over %d contacts through the API beside hand-written SQL\n", cfg.searchContacts)
	ss, done, err := openSearchSchema(ctx, cfg, out)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, done()) }()
	d, ws, s, schemaURL := ss.d, ss.ws, ss.s, ss.url
	if err := markSortable(ctx, d, ws, out); err != nil {
		return err
	}
	start := time.Now()
	for _, table := range []string{"records", "associations"} {
		if _, err := d.SQL.ExecContext(ctx, "ANALYZE "+table); err != nil {
			return fmt.Errorf("analyze %s: %w", table, err)
		}
	}
	fmt.Fprintf(out, "ANALYZE %.1fs\n", time.Since(start).Seconds())

	api, baseDB, err := apiAndBaselineDB(ctx, d, ws, schemaURL)
	if err != nil {
		return err
	}
	defer api.Close()
	defer baseDB.Close()
	cases, err := searchCases(ctx, baseDB, s)
	if err != nil {
		return err
	}
	client := newClient()
	defer client.CloseIdleConnections()
	if err := deepPage(ctx, client, api.URL+"/graphql", baseDB, ws, cases, out); err != nil {
		return err
	}
	base := &searchBaseline{sql: baseDB, cases: cases}
	baseSrv := httptest.NewServer(base)
	defer baseSrv.Close()

	return measureCases(ctx, out, "search", client, schemaURL, ws, baseDB, cases, api.URL+"/graphql", baseSrv.URL)
}

// apiAndBaselineDB starts the API over d and opens the baseline's pool
// on the same schema.
func apiAndBaselineDB(ctx context.Context, d *db.DB, ws int, schemaURL string) (*httptest.Server, *sql.DB, error) {
	baseDB, err := openBaselineDB(ctx, schemaURL)
	if err != nil {
		return nil, nil, err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return httptest.NewServer(graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws, Logger: logger})), baseDB, nil
}

// measureCases measures each case of a part (search, timeline) through
// the API at apiURL beside the baseline at baseURL, which answers
// /<case index> over baseDB, and reports them.
func measureCases(ctx context.Context, out io.Writer, part string, client *http.Client, schemaURL string, ws int, baseDB *sql.DB,
	cases []*searchCase, apiURL, baseURL string) error {
	plans, err := newPlanner(ctx, schemaURL, ws, baseDB)
	if err != nil {
		return err
	}
	defer plans.close()
	fmt.Fprintf(out, "method: per case, %d warm-up requests per server, then %s per server in %d slices, API and baseline taking turns; one client\n\n",
		searchWarmup, searchPerServer, searchSlices)
	var results []searchResult
	for i, c := range cases {
		if c.missing != "" {
			results = append(results, searchResult{c: c})
			continue
		}
		r, err := measureSearch(ctx, client, plans, c, i, apiURL, baseURL)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		results = append(results, r)
	}
	return reportSearch(out, part, results)
}

// freshWorkspace makes a fresh schema with the default workspace
// installed, for a part with data of its own; done closes d and drops the
// schema.
func freshWorkspace(ctx context.Context, databaseURL string) (schemaURL string, d *db.DB, m *meta.Model, done func() error, err error) {
	schemaURL, drop, err := freshSchema(ctx, databaseURL)
	if err != nil {
		return "", nil, nil, nil, err
	}
	done = drop
	defer func() {
		if err != nil {
			err = errors.Join(err, done())
		}
	}()
	if d, err = db.Open(ctx, schemaURL); err != nil {
		return "", nil, nil, nil, err
	}
	done = func() error {
		d.Close()
		return drop()
	}
	ws, err := install.Default(ctx, d)
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("install: %w", err)
	}
	if m, err = meta.NewCache(d).Get(ctx, ws); err != nil {
		return "", nil, nil, nil, err
	}
	return schemaURL, d, m, done, nil
}

// markSortable makes two custom properties of contacts, their values
// already loaded, as an admin would on a live database: each sortable
// property's index is built by the definition change, CONCURRENTLY on a
// table this large.
func markSortable(ctx context.Context, d *db.DB, ws int, out io.Writer) error {
	defs := definition.New(d, write.New(d))
	for _, in := range []definition.PropertyInput{
		{Name: "annualrevenue", Label: "Annual revenue", Type: propdef.Number, FieldType: propdef.NumberField, Sortable: true},
		{Name: "last_contacted", Label: "Last contacted", Type: propdef.Date, FieldType: propdef.DateField, Sortable: true},
	} {
		m, err := meta.NewCache(d).Get(ctx, ws)
		if err != nil {
			return err
		}
		start := time.Now()
		id, err := defs.CreateProperty(ctx, m, "contacts", in)
		if err != nil {
			return fmt.Errorf("create contacts.%s: %w", in.Name, err)
		}
		var built int
		if err := d.SQL.QueryRowContext(ctx, `SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			WHERE i.indrelid = 'records'::regclass AND i.indisvalid AND c.relname LIKE $1`, "records\\_search\\_%\\_"+strconv.Itoa(id)+"\\_%").Scan(&built); err != nil {
			return err
		}
		if built != 1 {
			return fmt.Errorf("contacts.%s has %d valid indexes after its creation, want 1", in.Name, built)
		}
		fmt.Fprintf(out, "created sortable contacts.%s over the loaded values: definition change and its index built concurrently in %.1fs\n",
			in.Name, time.Since(start).Seconds())
	}
	return nil
}

// searchResult is one case's measurements.
type searchResult struct {
	c         *searchCase
	api, base sample
	same      string // how the two answers compare
	apiPlan   plan
	basePlan  plan
}

// measureSearch checks that the API and the baseline answer case i with
// the same rows, explains both statements, then measures them in turns.
func measureSearch(ctx context.Context, client *http.Client, plans *planner, c *searchCase, i int, apiURL, baseURL string) (searchResult, error) {
	r := searchResult{c: c}
	query, statement, rows := c.query, c.statement, c.rows
	if query == "" {
		query = searchQuery
	}
	if statement == "" {
		statement = `FROM records "r"`
	}
	if rows == nil {
		rows = recordIDs
	}
	body, err := json.Marshal(map[string]any{"query": query, "variables": c.vars})
	if err != nil {
		return r, err
	}
	servers := [2]server{
		{name: "api", url: apiURL, graphQL: true, body: body},
		{name: "baseline", url: baseURL + "/" + strconv.Itoa(i)},
	}
	var ids [2][]string
	for k, s := range servers {
		resp, err := fetch(ctx, client, s)
		if err != nil {
			return r, err
		}
		if ids[k], err = rows(resp); err != nil {
			return r, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	r.same = compareIDs(ids[0], ids[1])
	if r.apiPlan, err = plans.api(ctx, body, statement); err != nil {
		return r, err
	}
	if r.basePlan, err = plans.explain(ctx, plans.base, c.sql, c.args); err != nil {
		return r, err
	}
	for _, s := range servers {
		if w := hammer(ctx, client, s, 1, 0, searchWarmup); w.firstErr != nil {
			return r, fmt.Errorf("warm-up of %s: %w", s.name, w.firstErr)
		}
	}
	slice := searchPerServer / searchSlices
	for j := 0; j < searchSlices && ctx.Err() == nil; j++ {
		for k := range servers {
			k = (j + k) % 2
			got := hammer(ctx, client, servers[k], 1, slice, 0)
			if k == 0 {
				r.api.add(got)
			} else {
				r.base.add(got)
			}
		}
	}
	return r, ctx.Err()
}

// recordIDs reads the record ids of a page, in order.
func recordIDs(body []byte) ([]string, error) {
	var resp struct {
		Data struct {
			Records struct {
				Edges []struct {
					Node struct {
						RecordID string `json:"recordId"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"records"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	ids := make([]string, len(resp.Data.Records.Edges))
	for i, e := range resp.Data.Records.Edges {
		ids[i] = e.Node.RecordID
	}
	return ids, nil
}

func compareIDs(api, base []string) string {
	if len(api) != len(base) {
		return fmt.Sprintf("DIFFER: %d rows beside %d", len(api), len(base))
	}
	for i := range api {
		if api[i] != base[i] {
			return fmt.Sprintf("DIFFER at row %d: %s beside %s", i+1, api[i], base[i])
		}
	}
	return fmt.Sprintf("same %d rows in the same order", len(api))
}
