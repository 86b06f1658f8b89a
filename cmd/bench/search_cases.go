package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// searchCase is one measured search: the API request's variables, and the
// hand-written statement that reads the same rows ($1 is the workspace).
// The timeline part's cases are searchCases too, with a request and rows
// of their own.
type searchCase struct {
	name string
	// query is the API's request: searchQuery when empty.
	query string
	vars  map[string]any
	// statement picks the API statement explained: the last one sent
	// holding it, `FROM records "r"` when empty.
	statement string
	// rows reads the rows of an answer, in order, to compare the API's
	// with the baseline's: recordIDs when nil.
	rows func(body []byte) ([]string, error)
	sql  string
	args []any
	// missing, when set, says why the case is not measured.
	missing string
	// deep: the variables and arguments are those of the page past
	// searchDeepPage-1 pages, which deepPage finds.
	deep bool
}

// baseSQL is a baseline statement: a page of contacts with three
// properties, where and order written by hand.
func baseSQL(s *searchSet, where, order string) string {
	return "SELECT r.id, r.properties->'email', r.properties->'firstname', r.properties->'lastname' FROM records r" +
		" WHERE r.workspace_id = $1 AND r.object_type_id = " + strconv.Itoa(s.contacts.ID) + " AND r.archived_at IS NULL" + where +
		" ORDER BY " + order + " LIMIT " + strconv.Itoa(searchPage+1)
}

const newestFirst = "r.created_at DESC, r.id DESC"

func leafOf(property, op string, value any) map[string]any {
	return map[string]any{"property": property, "operator": op, "value": value}
}

// searchCases are the measured searches, with the values they ask for read
// from the loaded data: an email held by one contact, the 90th percentile
// of annual revenues, an industry of about 3% of the companies.
func searchCases(ctx context.Context, q *sql.DB, s *searchSet) ([]*searchCase, error) {
	var email, revenue, industry, lastname, firstname string
	if err := q.QueryRowContext(ctx, "SELECT properties->>'email', properties->>'lastname', properties->>'firstname' FROM records WHERE id = $1",
		s.firstContact+s.numContacts*7/9).Scan(&email, &lastname, &firstname); err != nil {
		return nil, fmt.Errorf("pick an email: %w", err)
	}
	// What a user types: a last name, then the start of a first name.
	typed := strings.ToLower(lastname) + " " + strings.ToLower(firstname[:min(2, len(firstname))])
	if err := q.QueryRowContext(ctx, `SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY CAST(properties->>'annualrevenue' AS numeric))
		FROM records WHERE object_type_id = $1 AND properties ? 'annualrevenue'`, s.contacts.ID).Scan(&revenue); err != nil {
		return nil, fmt.Errorf("pick a revenue: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT properties->>'industry' FROM records WHERE object_type_id = $1
		GROUP BY 1 ORDER BY abs(count(*) - $2::float * 0.03), 1 LIMIT 1`, s.companies.ID, s.numCompanies).Scan(&industry); err != nil {
		return nil, fmt.Errorf("pick an industry: %w", err)
	}
	ws := s.workspaceID
	industryDoc, err := json.Marshal(map[string]string{"industry": industry})
	if err != nil {
		return nil, err
	}
	return []*searchCase{
		{
			name: "EQ on email",
			vars: map[string]any{"filter": leafOf("email", "EQ", email)},
			sql:  baseSQL(s, ` AND (lower(r.properties->>'email') COLLATE "C") = lower($2)`, newestFirst),
			args: []any{ws, email},
		},
		{
			name: fmt.Sprintf("annualrevenue GTE %s, sorted by it", revenue),
			vars: map[string]any{"filter": leafOf("annualrevenue", "GTE", json.Number(revenue)),
				"sort": []any{map[string]any{"property": "annualrevenue"}}},
			sql: baseSQL(s, " AND CAST(r.properties->>'annualrevenue' AS numeric) >= $2",
				"CAST(r.properties->>'annualrevenue' AS numeric), r.id"),
			args: []any{ws, revenue},
		},
		{
			name: "lifecyclestage IN (2 of 8), sorted by createdate DESC",
			vars: map[string]any{"filter": map[string]any{"property": "lifecyclestage", "operator": "IN",
				"values": []any{"salesqualifiedlead", "opportunity"}},
				"sort": []any{map[string]any{"property": "createdate", "direction": "DESC"}}},
			sql:  baseSQL(s, " AND r.properties->>'lifecyclestage' IN ('salesqualifiedlead', 'opportunity')", "r.created_at DESC, r.id"),
			args: []any{ws},
		},
		{
			name: `lastname CONTAINS "ski"`,
			vars: map[string]any{"filter": leafOf("lastname", "CONTAINS", "ski")},
			sql:  baseSQL(s, ` AND (lower(r.properties->>'lastname') COLLATE "C") LIKE '%ski%'`, newestFirst),
			args: []any{ws},
		},
		{
			name: fmt.Sprintf("query %q (full text, by relevance)", typed),
			vars: map[string]any{"query": typed},
			// The search text's GIN index, ranked as the API ranks: every
			// word whole first, then ts_rank.
			sql: "SELECT r.id, r.properties->'email', r.properties->'firstname', r.properties->'lastname' FROM records r" +
				" JOIN (SELECT to_tsquery('simple', $2) AS query, to_tsquery('simple', $3) AS whole) s" +
				" ON array_to_tsvector(string_to_array(r.search_text, ' ')) @@ s.query" +
				" WHERE r.workspace_id = $1 AND r.object_type_id = " + strconv.Itoa(s.contacts.ID) + " AND r.archived_at IS NULL" +
				" ORDER BY CAST(ts_rank(array_to_tsvector(string_to_array(r.search_text, ' ')), s.query, 1) AS double precision) +" +
				" CASE WHEN array_to_tsvector(string_to_array(r.search_text, ' ')) @@ s.whole THEN 1 ELSE 0 END DESC, r.id" +
				" LIMIT " + strconv.Itoa(searchPage+1),
			args: []any{ws, tsWords(typed, true), tsWords(typed, false)},
		},
		{
			name: fmt.Sprintf("company's industry is %s", industry),
			vars: map[string]any{"filter": map[string]any{"association": map[string]any{"toObjectType": "companies",
				"some": leafOf("industry", "EQ", industry)}}},
			// A subquery PostgreSQL cannot turn into a join: it walks the
			// contacts newest first and asks each for its companies, which
			// for an industry of 3% finds 20 in a few thousand probes. As
			// a semi-join it may plan instead to gather every contact of
			// every such company and sort them.
			sql: baseSQL(s, " AND (SELECT bool_or(c.properties @> $2::jsonb) FROM associations a JOIN records c ON c.id = a.to_record_id"+
				" WHERE a.workspace_id = $1 AND a.from_record_id = r.id AND a.to_object_type_id = "+strconv.Itoa(s.companies.ID)+
				" AND c.archived_at IS NULL)", newestFirst),
			args: []any{ws, string(industryDoc)},
		},
		{
			name: "page 1, newest first",
			vars: map[string]any{},
			sql:  baseSQL(s, "", newestFirst),
			args: []any{ws},
		},
		{
			name: fmt.Sprintf("page %d by cursor, newest first", searchDeepPage),
			deep: true,
			sql:  baseSQL(s, " AND (r.created_at, r.id) < ($2, $3)", newestFirst),
		},
	}, nil
}

// deepPage walks the API's pages to the one past searchDeepPage-1 pages
// and sets the deep case's cursor, and the baseline's position, to it.
func deepPage(ctx context.Context, c *http.Client, apiURL string, q *sql.DB, workspaceID int, cases []*searchCase, out io.Writer) error {
	var deep *searchCase
	for _, sc := range cases {
		if sc.deep {
			deep = sc
		}
	}
	vars := map[string]any{}
	var lastID string
	start := time.Now()
	for i := 1; i < searchDeepPage; i++ {
		body, err := json.Marshal(map[string]any{"query": searchQuery, "variables": vars})
		if err != nil {
			return err
		}
		resp, err := fetch(ctx, c, server{name: "api", url: apiURL, graphQL: true, body: body})
		if err != nil {
			return fmt.Errorf("page %d: %w", i, err)
		}
		var page struct {
			Data struct {
				Records struct {
					PageInfo struct {
						HasNextPage bool   `json:"hasNextPage"`
						EndCursor   string `json:"endCursor"`
					} `json:"pageInfo"`
				} `json:"records"`
			} `json:"data"`
		}
		if err := json.Unmarshal(resp, &page); err != nil {
			return err
		}
		ids, err := recordIDs(resp)
		if err != nil || len(ids) != searchPage || !page.Data.Records.PageInfo.HasNextPage {
			return fmt.Errorf("page %d: %d records, more: %v, %v", i, len(ids), page.Data.Records.PageInfo.HasNextPage, err)
		}
		vars = map[string]any{"after": page.Data.Records.PageInfo.EndCursor}
		lastID = ids[len(ids)-1]
	}
	var created time.Time
	if err := q.QueryRowContext(ctx, "SELECT created_at FROM records WHERE id = $1", lastID).Scan(&created); err != nil {
		return err
	}
	deep.vars = vars
	deep.args = []any{workspaceID, created, lastID}
	fmt.Fprintf(out, "walked %d pages of %d through the API to page %d's cursor in %.1fs\n", searchDeepPage-1, searchPage, searchDeepPage, time.Since(start).Seconds())
	return nil
}

// searchBaseline answers /<case index> with the case's hand-written
// statement, encoded in the API's shape.
type searchBaseline struct {
	sql   *sql.DB
	cases []*searchCase
}

type baseEdge struct {
	Node struct {
		RecordID   string                     `json:"recordId"`
		Properties map[string]json.RawMessage `json:"properties"`
	} `json:"node"`
}

// caseRows runs the statement of the case a baseline request names by
// its path (/<case index>) among n, answering the request when it fails.
func caseRows(w http.ResponseWriter, r *http.Request, q *sql.DB, n int, stmt func(i int) (string, []any)) (i int, rows *sql.Rows, ok bool) {
	_, _ = io.Copy(io.Discard, r.Body)
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
	if err != nil || i < 0 || i >= n {
		http.NotFound(w, r)
		return 0, nil, false
	}
	text, args := stmt(i)
	if rows, err = q.QueryContext(r.Context(), text, args...); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return 0, nil, false
	}
	return i, rows, true
}

func (b *searchBaseline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, rows, ok := caseRows(w, r, b.sql, len(b.cases), func(i int) (string, []any) { return b.cases[i].sql, b.cases[i].args })
	if !ok {
		return
	}
	edges := make([]baseEdge, 0, searchPage+1)
	err := scanAll(rows, func(s scanner) error {
		var id int64
		var email, first, last []byte
		if err := s.Scan(&id, &email, &first, &last); err != nil {
			return err
		}
		var e baseEdge
		e.Node.RecordID = strconv.FormatInt(id, 10)
		e.Node.Properties = props("email", email, "firstname", first, "lastname", last)
		edges = append(edges, e)
		return nil
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	more := len(edges) > searchPage
	if more {
		edges = edges[:searchPage]
	}
	var resp struct {
		Data struct {
			Records struct {
				Edges    []baseEdge `json:"edges"`
				PageInfo struct {
					HasNextPage bool `json:"hasNextPage"`
				} `json:"pageInfo"`
			} `json:"records"`
		} `json:"data"`
	}
	resp.Data.Records.Edges = edges
	resp.Data.Records.PageInfo.HasNextPage = more
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// tsWords is the tsquery of the words of typed, the last one a prefix when
// prefix says: what the API binds for a query of plain words.
func tsWords(typed string, prefix bool) string {
	words := strings.Fields(typed)
	for i, w := range words {
		words[i] = "'" + w + "'"
	}
	if prefix && len(words) > 0 {
		words[len(words)-1] += ":*"
	}
	return strings.Join(words, " & ")
}
