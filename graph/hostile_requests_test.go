package graph_test

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// hostileCase is a request a hostile or careless client sends, and what
// the server must answer: the code of its (first) error, or none.
type hostileCase struct {
	name  string
	query string
	vars  map[string]any
	// body, when set, is sent as it is instead of query and vars.
	body string
	code string
	// status is the HTTP status wanted: 200 unless set (a refused
	// operation is a GraphQL request error, 200 under application/json).
	status int
	// wrote is how many contacts the request may add.
	wrote int
}

// maxAnswer bounds every answer of the hostile table: nothing echoes an
// unbounded part of a request.
const maxAnswer = 64 << 10

func hostileCases() []hostileCase {
	fields := func(n int) string { return "{ objectTypes { " + strings.Repeat("name ", n) + "} }" }
	aliases := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("query { ")
		for i := range n {
			fmt.Fprintf(&b, "a%d: %s ", i, field)
		}
		return b.String() + "}"
	}
	batch := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"properties": map[string]any{"email": fmt.Sprintf("bomb%d@example.com", i)}}
		}
		return out
	}
	createMany := func(aliases int) string {
		var b strings.Builder
		b.WriteString(`mutation($in: [NewRecordInput!]!) { `)
		for i := range aliases {
			fmt.Fprintf(&b, `a%d: createRecords(input: {objectType: "contacts", inputs: $in}) { written } `, i)
		}
		return b.String() + "}"
	}
	links := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"to": "UmVjb3JkOjE"}
		}
		return out
	}
	deep := func(levels int) string {
		q := "recordId"
		for range levels {
			q = `associations(toObjectType: "contacts", first: 1) { edges { node { ` + q + ` } } }`
		}
		return `{ records(objectType: "contacts", first: 1) { edges { node { ` + q + ` } } } }`
	}
	return []hostileCase{
		{name: "100,000 fields", query: fields(100_000), code: "LIMIT_EXCEEDED"},
		{name: "10,000 fields", query: fields(10_000), code: "LIMIT_EXCEEDED"},
		{name: "1,000 fields", query: fields(1_000)},
		{name: "a document over the token limit", query: "{ objectTypes { " + strings.Repeat("name @skip(if: false) ", 5_000) + "} }", code: "LIMIT_EXCEEDED"},
		{name: "1,000 aliases of a page of 1,000 records", query: aliases(1_000, `records(objectType: "contacts", first: 1000) { totalCount edges { node { properties } } }`), code: "LIMIT_EXCEEDED"},
		{name: "20 aliases of a batch of 1,000", query: createMany(20), vars: map[string]any{"in": batch(1000)}, code: "LIMIT_EXCEEDED"},
		{name: "2 aliases of a batch of 600", query: createMany(2), vars: map[string]any{"in": batch(600)}, code: "LIMIT_EXCEEDED"},
		{name: "2 aliases of a batch of 500", query: createMany(2), vars: map[string]any{"in": batch(500)}, wrote: 500},
		{name: "nesting 30 levels deep", query: deep(30), code: "LIMIT_EXCEEDED"},
		{name: "an unused fragment of 10,000 fields", query: "{ __typename } fragment F on ObjectType { " + strings.Repeat("name ", 10_000) + "}", code: "LIMIT_EXCEEDED"},
		{name: "page sizes whose product overflows", query: `{ records(objectType: "companies", first: 512) { edges { node { ` +
			strings.Repeat(`associations(toObjectType: "contacts", first: 1000) { edges { node { `, 5) + `recordId` + strings.Repeat(` } } }`, 5) + ` } } } }`, code: "LIMIT_EXCEEDED"},
		{name: "a batch of one record with 3,000 associations", query: `mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { written } }`,
			vars: map[string]any{"in": []map[string]any{{"properties": map[string]any{"email": "many@example.com"}, "associations": links(3000)}}}, code: "LIMIT_EXCEEDED"},
		{name: "33 aliases of 1,000 records with their definitions", query: aliases(33, `records(objectType: "contacts", first: 1000) { edges { node { objectType { properties { name options { value label } } } } } }`), code: "LIMIT_EXCEEDED"},
		{name: "a fragment cycle", query: `{ records(objectType: "contacts") { edges { node { ...A } } } } fragment A on Record { ...B } fragment B on Record { ...A }`, code: "BAD_USER_INPUT"},
		{name: "fragments spread 100 times in 4 levels", query: `{ objectTypes { ...D } } fragment A on ObjectType { name label: name } fragment B on ObjectType { ` +
			strings.Repeat("...A ", 10) + `} fragment C on ObjectType { ` + strings.Repeat("...B ", 10) + `} fragment D on ObjectType { ` + strings.Repeat("...C ", 10) + `}`, code: "LIMIT_EXCEEDED"},
		{name: "5,000 unknown directives", query: "{ objectTypes { name " + strings.Repeat("@nope ", 5_000) + "} }", code: "BAD_USER_INPUT"},
		{name: "a 1 MB object type name", query: `query($t: String!) { records(objectType: $t) { totalCount } }`, vars: map[string]any{"t": strings.Repeat("x", 1<<20)}, code: "NOT_FOUND"},
		{name: "a 1 MB property name", query: createMutation, vars: map[string]any{"t": "contacts", "p": map[string]any{strings.Repeat("p", 1<<20): 1}}, code: "BAD_USER_INPUT"},
		{name: "a 2 MB value", query: createMutation, vars: map[string]any{"t": "contacts", "p": map[string]any{"firstname": strings.Repeat("v", 2<<20)}}, code: "BAD_USER_INPUT"},
		{name: "100,000 ids", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": make([]string, 100_000)}, code: "LIMIT_EXCEEDED"},
		{name: "15 MB of variables that are not an object", body: `{"query":"{objectTypes{name}}","variables":["` + strings.Repeat("x", 15<<20) + `"]}`, code: "BAD_USER_INPUT", status: 400},
		{name: "a bad cursor", query: `{ records(objectType: "contacts", after: "'; DROP TABLE records; --") { totalCount } }`, code: "BAD_USER_INPUT"},
		{name: "a bad id", query: `{ node(id: "\u0000\u0001") { id } }`, code: "BAD_USER_INPUT"},
		{name: "NUL in a value", query: createMutation, vars: map[string]any{"t": "contacts", "p": map[string]any{"email": "nu\u0000l@example.com"}}, code: "BAD_USER_INPUT"},
		{name: "NUL in one item of a batch", query: `mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { written failed } }`,
			vars: map[string]any{"in": []map[string]any{{"properties": map[string]any{"email": "ok1@example.com"}}, {"properties": map[string]any{"firstname": "a\u0000b"}},
				{"properties": map[string]any{"email": "ok2@example.com"}}}}, wrote: 2},
		{name: "a number below a float64's range", query: createMutation, vars: map[string]any{"t": "deals", "p": map[string]any{"dealname": "x", "amount": json.Number("1e-400"), "pipeline": "default", "dealstage": "qualifiedtobuy"}}, code: "BAD_USER_INPUT"},
		{name: "an unknown label", query: `{ records(objectType: "companies") { edges { node { associations(toObjectType: "contacts", labels: ["Nobody"]) { totalCount } } } } }`, code: "BAD_USER_INPUT"},
	}
}

// TestHostileRequests sends the hostile table to the API on both
// databases: each answer carries its code, stays small, and writes only
// what it may; the server's memory stays bounded through all of it.
func TestHostileRequests(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.create("companies", map[string]any{"name": "Acme"})
		for _, c := range hostileCases() {
			t.Run(c.name, func(t *testing.T) {
				before := a.count("contacts")
				body, err := json.Marshal(map[string]any{"query": c.query, "variables": c.vars})
				if err != nil {
					t.Fatal(err)
				}
				if c.body != "" {
					body = []byte(c.body)
				}
				rec := a.serve(body)
				raw := rec.Body.Bytes()
				if want := cmp.Or(c.status, 200); rec.Code != want {
					t.Fatalf("status %d, want %d: %.300s", rec.Code, want, raw)
				}
				if len(raw) > maxAnswer {
					t.Fatalf("answered %d bytes: %.300s", len(raw), raw)
				}
				var resp response
				if err := json.Unmarshal(raw, &resp); err != nil {
					t.Fatalf("answer is not JSON: %v: %.300s", err, raw)
				}
				for _, e := range resp.Errors {
					if e.Extensions["code"] == nil {
						t.Fatalf("an error without a code: %+v", e)
					}
				}
				switch {
				case c.code == "" && len(resp.Errors) > 0:
					t.Fatalf("refused: %+v", resp.Errors)
				case c.code != "" && (len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != c.code):
					t.Fatalf("want %s, got %.500s", c.code, raw)
				}
				if wrote := a.count("contacts") - before; wrote != c.wrote {
					t.Fatalf("wrote %d contacts, want %d", wrote, c.wrote)
				}
			})
		}
		if rss := residentMB(t); rss > 300 && !raceDetector {
			t.Fatalf("resident memory %d MB after the hostile table, over 300 MB", rss)
		}
	})
}

// residentMB is this process's resident memory (VmRSS) in MB.
func residentMB(t *testing.T) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return kb / 1024
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
