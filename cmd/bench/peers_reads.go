package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/acme/crm/internal/db"
)

// flatPage is the number of companies of the flat read.
const flatPage = 100

// The reads as each server is asked for them. The API's nested read is the
// one make bench measures (apiQuery); PostGraphile's asks for the same
// records in the same order (newest first, ties by id, at every level,
// through the join tables by pg-many-to-many) and for the columns the API's
// fields are made of: a company's name is its display name, a contact's is
// its first and last name (else its email), a deal's its name.
var (
	apiFlatQuery = fmt.Sprintf(`{
  records(objectType: "companies", first: %d) {
    edges { node { recordId properties(names: ["name", "domain"]) } }
  }
}`, flatPage)

	pglNestedQuery = fmt.Sprintf(`{
  allCompanies(first: %d, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
    edges { node {
      rowId name domain
      contactsByCompanyContactCompanyIdAndContactId(first: %d, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
        edges { node {
          rowId email firstname lastname
          dealsByContactDealContactIdAndDealId(first: %d, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
            edges { node { rowId dealname amount dealstage } }
          }
        } }
      }
    } }
  }
}`, companiesPage, contactsPage, dealsPage)

	pglFlatQuery = fmt.Sprintf(`{
  allCompanies(first: %d, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
    edges { node { rowId name domain } }
  }
}`, flatPage)
)

// peerServers are the names of the measured servers, in the order of a
// peerRead's servers.
var peerServers = []string{"api", "postgraphile", "baseline", "api typed"}

// peerRead is one of the two reads and the four servers that answer it;
// bodies are the request bodies by URL fragment (peersTransport).
type peerRead struct {
	name    string
	servers []server
	bodies  map[string][]byte
}

// apiTypedFlatQuery is apiFlatQuery through the typed endpoint.
var apiTypedFlatQuery = fmt.Sprintf(`{
  companies(first: %d) {
    edges { node { recordId name domain } }
  }
}`, flatPage)

func peerReads(apiURL, typedURL, pglURL, baseNestedURL, baseFlatURL string) []peerRead {
	read := func(name, apiQuery, typedQuery, pglQuery, baseURL string) peerRead {
		return peerRead{
			name: name,
			servers: []server{
				{name: "api", url: apiURL + "#" + name + "-api", graphQL: true},
				{name: "postgraphile", url: pglURL + "#" + name + "-postgraphile", graphQL: true},
				{name: "baseline", url: baseURL},
				{name: "api typed", url: typedURL + "#" + name + "-typed", graphQL: true},
			},
			bodies: map[string][]byte{name + "-api": graphQLBody(apiQuery), name + "-postgraphile": graphQLBody(pglQuery),
				name + "-typed": graphQLBody(typedQuery)},
		}
	}
	return []peerRead{
		read("nested", apiQuery, typedQuery, pglNestedQuery, baseNestedURL),
		read("flat", apiFlatQuery, apiTypedFlatQuery, pglFlatQuery, baseFlatURL),
	}
}

func graphQLBody(query string) []byte {
	b, err := json.Marshal(map[string]string{"query": query})
	if err != nil {
		panic(err)
	}
	return b
}

// peersTransport sends, instead of the body fetch (loadgen.go) gives every
// request, the body its URL's fragment names; a fragment is not sent.
type peersTransport struct {
	base   *http.Transport
	bodies map[string][]byte
}

func (t *peersTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	b, ok := t.bodies[req.URL.Fragment]
	if !ok {
		return t.base.RoundTrip(req)
	}
	if req.Body != nil {
		req.Body.Close()
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r.ContentLength = int64(len(b))
	return t.base.RoundTrip(r)
}

func (t *peersTransport) CloseIdleConnections() { t.base.CloseIdleConnections() }

// newPeersClient is the load generator's client (newClient) sending each
// read's bodies.
func newPeersClient(reads []peerRead) *http.Client {
	c := newClient()
	t := &peersTransport{base: c.Transport.(*http.Transport), bodies: map[string][]byte{}}
	for _, r := range reads {
		for k, v := range r.bodies {
			t.bodies[k] = v
		}
	}
	c.Transport = t
	return c
}

// flatBaseline answers the flat read with one hand-written statement.
type flatBaseline struct {
	sql   *sql.DB
	ds    *dataset
	query string
}

func newFlatBaseline(sqlDB *sql.DB, d db.Dialect, ds *dataset) *flatBaseline {
	return &flatBaseline{sql: sqlDB, ds: ds, query: d.Rebind("SELECT id, properties->'name', properties->'domain' FROM records" +
		" WHERE workspace_id = ? AND object_type_id = ? AND archived_at IS NULL" +
		" ORDER BY created_at DESC, id DESC LIMIT " + strconv.Itoa(flatPage))}
}

type flatResponse struct {
	Data struct {
		Records struct {
			Edges []flatEdge `json:"edges"`
		} `json:"records"`
	} `json:"data"`
}

type flatEdge struct {
	Node flatNode `json:"node"`
}

type flatNode struct {
	RecordID   string                     `json:"recordId"`
	Properties map[string]json.RawMessage `json:"properties"`
}

func (b *flatBaseline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	rows, err := b.sql.QueryContext(r.Context(), b.query, b.ds.workspaceID, b.ds.companies.ID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var resp flatResponse
	resp.Data.Records.Edges = make([]flatEdge, 0, flatPage)
	err = scanAll(rows, func(s scanner) error {
		var id int64
		var name, domain []byte
		if err := s.Scan(&id, &name, &domain); err != nil {
			return err
		}
		resp.Data.Records.Edges = append(resp.Data.Records.Edges,
			flatEdge{Node: flatNode{RecordID: strconv.FormatInt(id, 10), Properties: props("name", name, "domain", domain)}})
		return nil
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// A canonical answer is one line per record, in answer order: its level,
// parent and id, and the values of the fields read.
// canonTyped is canonAPI of a typed answer: its fields renamed to the
// generic ones (a list or association field to records or associations,
// a property field into properties).
func canonTyped(read string, body []byte) ([]string, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	var rename func(v any) any
	rename = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			out := map[string]any{}
			props := map[string]any{}
			for k, item := range v {
				switch k {
				case "companies":
					out["records"] = rename(item)
				case "contacts", "deals":
					out["associations"] = rename(item)
				case "name", "domain", "email", "amount", "dealstage":
					props[k] = item
				default:
					out[k] = rename(item)
				}
			}
			if len(props) > 0 {
				out["properties"] = props
			}
			return out
		case []any:
			for i := range v {
				v[i] = rename(v[i])
			}
		}
		return v
	}
	generic, err := json.Marshal(rename(v))
	if err != nil {
		return nil, err
	}
	return canonAPI(read, generic)
}

func canonAPI(read string, body []byte) ([]string, error) {
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if len(r.Errors) > 0 || r.Data == nil {
		return nil, fmt.Errorf("errors or no data: %.300s", body)
	}
	var lines []string
	var walk func(c *connection, parent string, level int)
	walk = func(c *connection, parent string, level int) {
		if c == nil {
			return
		}
		for _, e := range c.Edges {
			n := e.Node
			p := func(k string) string { return jsonValue(n.Properties[k]) }
			var vals []string
			switch {
			case read == "flat":
				vals = []string{p("name"), p("domain")}
			case level == 0:
				vals = []string{n.DisplayName, p("name"), p("domain")}
			case level == 1:
				vals = []string{n.DisplayName, p("email")}
			default:
				vals = []string{n.DisplayName, p("amount"), p("dealstage")}
			}
			lines = append(lines, canonLine(level, parent, n.RecordID, vals))
			walk(n.Associations, n.RecordID, level+1)
		}
	}
	walk(&r.Data.Records, "", 0)
	return lines, nil
}

type pglResponse struct {
	Data *struct {
		AllCompanies struct {
			Edges []struct {
				Node pglCompany `json:"node"`
			} `json:"edges"`
		} `json:"allCompanies"`
	} `json:"data"`
	Errors []map[string]any `json:"errors"`
}

type pglCompany struct {
	RowID    string  `json:"rowId"`
	Name     *string `json:"name"`
	Domain   *string `json:"domain"`
	Contacts *struct {
		Edges []struct {
			Node pglContact `json:"node"`
		} `json:"edges"`
	} `json:"contactsByCompanyContactCompanyIdAndContactId"`
}

type pglContact struct {
	RowID     string  `json:"rowId"`
	Email     *string `json:"email"`
	Firstname *string `json:"firstname"`
	Lastname  *string `json:"lastname"`
	Deals     *struct {
		Edges []struct {
			Node pglDeal `json:"node"`
		} `json:"edges"`
	} `json:"dealsByContactDealContactIdAndDealId"`
}

type pglDeal struct {
	RowID     string          `json:"rowId"`
	Dealname  *string         `json:"dealname"`
	Amount    json.RawMessage `json:"amount"`
	Dealstage *string         `json:"dealstage"`
}

// canonPostGraphile is canonAPI for PostGraphile's answer: display names are
// made from the columns as the API makes them from the properties.
func canonPostGraphile(read string, ds *dataset, body []byte) ([]string, error) {
	var r pglResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if len(r.Errors) > 0 || r.Data == nil {
		return nil, fmt.Errorf("errors or no data: %.300s", body)
	}
	str := func(s *string) string {
		if s == nil {
			return "∅"
		}
		return *s
	}
	text := func(s *string) string {
		if s == nil {
			return ""
		}
		return strings.TrimSpace(*s)
	}
	var lines []string
	for _, c := range r.Data.AllCompanies.Edges {
		co := c.Node
		if read == "flat" {
			lines = append(lines, canonLine(0, "", co.RowID, []string{str(co.Name), str(co.Domain)}))
			continue
		}
		id, _ := strconv.ParseInt(co.RowID, 10, 64)
		lines = append(lines, canonLine(0, "", co.RowID,
			[]string{displayName(ds.companies, id, text(co.Name)), str(co.Name), str(co.Domain)}))
		if co.Contacts == nil {
			continue
		}
		for _, e := range co.Contacts.Edges {
			ct := e.Node
			id, _ := strconv.ParseInt(ct.RowID, 10, 64)
			full := strings.TrimSpace(text(ct.Firstname) + " " + text(ct.Lastname))
			if full == "" {
				full = text(ct.Email)
			}
			lines = append(lines, canonLine(1, co.RowID, ct.RowID, []string{displayName(ds.contacts, id, full), str(ct.Email)}))
			if ct.Deals == nil {
				continue
			}
			for _, e := range ct.Deals.Edges {
				d := e.Node
				id, _ := strconv.ParseInt(d.RowID, 10, 64)
				lines = append(lines, canonLine(2, ct.RowID, d.RowID,
					[]string{displayName(ds.deals, id, text(d.Dealname)), jsonValue(d.Amount), str(d.Dealstage)}))
			}
		}
	}
	return lines, nil
}

func canonLine(level int, parent, id string, vals []string) string {
	return fmt.Sprintf("%d %s>%s %q", level, parent, id, vals)
}

// jsonValue is a JSON value's text: a string's contents, a number in
// shortest form, ∅ for null or nothing.
func jsonValue(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == nil {
		return "∅"
	}
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	default:
		return string(raw)
	}
}

// checkPeers fetches each read once from each server and fails unless all
// three answer the same records under the same parents, in the same order,
// with the same values.
func checkPeers(ctx context.Context, c *http.Client, reads []peerRead, ds *dataset, out io.Writer) error {
	for _, r := range reads {
		var want []string
		sizes := make([]string, len(r.servers))
		for i, s := range r.servers {
			body, err := fetch(ctx, c, s)
			if err != nil {
				return fmt.Errorf("%s read, first request: %w", r.name, err)
			}
			sizes[i] = fmt.Sprintf("%s %d", s.name, len(body))
			var got []string
			switch s.name {
			case "postgraphile":
				got, err = canonPostGraphile(r.name, ds, body)
			case "api typed":
				got, err = canonTyped(r.name, body)
			default:
				got, err = canonAPI(r.name, body)
			}
			if err != nil {
				return fmt.Errorf("%s read, %s: %w", r.name, s.name, err)
			}
			if i == 0 {
				want = got
				continue
			}
			if err := sameLines(want, got); err != nil {
				return fmt.Errorf("%s read: %s and %s answer differently: %w", r.name, r.servers[0].name, s.name, err)
			}
		}
		var levels [levels]int
		for _, l := range want {
			levels[l[0]-'0']++
		}
		what := fmt.Sprintf("%d companies", levels[0])
		if r.name == "nested" {
			what += fmt.Sprintf(", %d contacts, %d deals", levels[1], levels[2])
		}
		fmt.Fprintf(out, "check %s: api, postgraphile, baseline and api typed answer the same %s: the same ids under the same parents, "+
			"in the same order, with the same values (bytes: %s)\n", r.name, what, strings.Join(sizes, ", "))
	}
	return nil
}

func sameLines(want, got []string) error {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Errorf("record %d: %s vs %s", i+1, want[i], got[i])
		}
	}
	if len(want) != len(got) {
		return fmt.Errorf("%d records vs %d", len(want), len(got))
	}
	return nil
}
