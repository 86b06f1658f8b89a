package graph_test

// The fixture of the search tests, and the means to run many filters
// through the API at once: gadgets, a custom object type with a property
// of every type, a few hundred records drawn with a fixed seed (missing
// values, ties, case variants, words for tokens, values rewritten for
// history), read back into an evaluator (search_eval_test.go).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

func gadgetsInput() map[string]any {
	return map[string]any{
		"name": "gadgets", "singularLabel": "Gadget", "pluralLabel": "Gadgets",
		"properties": []map[string]any{
			{"name": "label", "label": "Label", "type": "STRING", "fieldType": "TEXT"},
			{"name": "notes", "label": "Notes", "type": "STRING", "fieldType": "TEXTAREA"},
			{"name": "qty", "label": "Quantity", "type": "NUMBER", "fieldType": "NUMBER"},
			{"name": "active", "label": "Active", "type": "BOOL", "fieldType": "BOOLEANCHECKBOX"},
			{"name": "due", "label": "Due", "type": "DATE", "fieldType": "DATE"},
			{"name": "seen", "label": "Seen", "type": "DATETIME", "fieldType": "DATE"},
			{"name": "tier", "label": "Tier", "type": "ENUMERATION", "fieldType": "SELECT", "options": optionsInput("gold", "silver", "bronze")},
			{"name": "tags", "label": "Tags", "type": "ENUMERATION", "fieldType": "CHECKBOX", "options": optionsInput("red", "green", "blue", "black")},
		},
		"primaryDisplayProperty": "label",
		"associatedObjects":      []string{"contacts", "companies"},
	}
}

// The values gadgets draw from: ties, case variants, LIKE's special
// characters, words for tokens, days and moments either side of
// midnight. nil draws no value.
var gadgetValues = map[string][]any{
	"label": {nil, "Alpha", "alpha", "ALPHA", "Beta", "beta", "Gamma ray", "gamma", "Émile", "émile", "ÉMILE", "zeta", "Zeta",
		"a_b", "a%b", "ab", "100%", `back\slash`, "apple", "Apple pie", "apples", "Ärger", "ärger"},
	"notes": {nil, "The quick brown fox", "quick-thinking Fox", "ACME corp rocks", "acme corporation", "Acme's deal",
		"foo_bar baz", "café au lait", "CAFÉ", "x1 y2 z3", "line one\nline two", "acme", "nothing here", "fox", "Fox; acme!"},
	"qty":    {nil, -5, -0.25, 0, 0.1, 1, 1.5, 2, 2, 3, 10, 100, 1000, int64(12345678901234567), int64(12345678901234568)},
	"active": {nil, true, false, true},
	"due":    {nil, "2024-02-28", "2024-02-29", "2024-02-29", "2024-03-01", "2024-12-31", "2025-01-01", "1999-12-31"},
	"seen": {nil, "2024-02-29T00:00:00Z", "2024-02-29T23:59:59.999Z", "2024-03-01T00:00:00Z", "2024-03-01T12:30:00.5Z",
		"2024-03-01T12:30:00.500Z", "2024-03-01T11:59:59Z", "2025-01-01T00:00:00.001Z", "1999-12-31T23:59:59Z"},
	"tier": {nil, "gold", "silver", "bronze", "gold"},
	"tags": {nil, []any{"red"}, []any{"red", "green"}, []any{"green", "red"}, []any{"blue"}, []any{"red", "green", "blue", "black"},
		[]any{"black"}, []any{"green"}},
}

// gadgetProps draws one gadget's values.
func gadgetProps(r *rand.Rand) map[string]any {
	p := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(gadgetValues)) {
		if v := gadgetValues[name][r.IntN(len(gadgetValues[name]))]; v != nil {
			p[name] = v
		}
	}
	return p
}

// searchNow is the clock of the search tests: relative values ("-P1D")
// resolve against it, near the fixture's days.
var searchNow = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// gadgets makes the gadgets object type and n records of it, in three
// batches (so that creation moments tie within a batch), then rewrites
// some values three times (history for ever, varied modification
// moments), and returns the evaluator's world read back from the API.
func (a *api) gadgets(n int) *evalWorld {
	a.t.Helper()
	a.createObjectType(gadgetsInput())
	r := rand.New(rand.NewPCG(13, 2026))
	var ids []string
	for start := 0; start < n; start += (n + 2) / 3 {
		var inputs []map[string]any
		for range min(n, start+(n+2)/3) - start {
			inputs = append(inputs, map[string]any{"properties": gadgetProps(r)})
		}
		for _, rec := range a.createAll("gadgets", inputs) {
			ids = append(ids, rec.ID)
		}
	}
	for round := range 3 {
		var inputs []map[string]any
		for i, id := range ids {
			if i%7 > round { // some are rewritten three times
				continue
			}
			next := gadgetProps(r)
			p := map[string]any{}
			for _, name := range []string{"label", "qty", "tier", "tags", "seen"} {
				p[name] = next[name] // nil clears
			}
			inputs = append(inputs, map[string]any{"id": id, "properties": p})
		}
		var out struct{ UpdateRecords batchJSON }
		a.ok(`mutation($in: [UpdateRecordInput!]!) { updateRecords(input: {objectType: "gadgets", inputs: $in}) { `+batchFields+` } }`,
			map[string]any{"in": inputs}, &out)
		if out.UpdateRecords.Failed != 0 {
			a.t.Fatalf("update gadgets: %+v", out.UpdateRecords)
		}
	}
	a.analyze()
	w := newEvalWorld()
	w.now = searchNow
	a.readWorld(w, "gadgets", true)
	if len(w.recs) != n {
		a.t.Fatalf("read %d gadgets, made %d", len(w.recs), n)
	}
	return w
}

// analyze gives PostgreSQL the statistics of the tables just filled, as
// autovacuum would in a while: planned on empty tables' estimates,
// association filters over a hundred records run nested loops that take
// seconds, some past the request's deadline.
func (a *api) analyze() {
	a.t.Helper()
	if a.d.Dialect.Name() != "postgres" {
		return
	}
	if _, err := a.d.SQL.Exec("ANALYZE records, associations, property_histories"); err != nil {
		a.t.Fatal(err)
	}
}

// createAll creates records in one createRecords call.
func (a *api) createAll(objectType string, inputs []map[string]any) []recordJSON {
	a.t.Helper()
	var res struct {
		CreateRecords struct {
			Failed  int
			Results []struct {
				Record recordJSON
				Error  *struct{ Message string }
			}
		}
	}
	a.ok(`mutation($t: String!, $in: [NewRecordInput!]!) { createRecords(input: {objectType: $t, inputs: $in}) { failed results { record { `+recordFields+` } error { message } } } }`,
		map[string]any{"t": objectType, "in": inputs}, &res)
	if res.CreateRecords.Failed != 0 {
		a.t.Fatalf("create %s: %+v", objectType, res.CreateRecords.Results)
	}
	out := make([]recordJSON, len(res.CreateRecords.Results))
	for i, r := range res.CreateRecords.Results {
		out[i] = r.Record
	}
	return out
}

// decode decodes a response's data keeping numbers as json.Number.
func decodeNumbers(t interface{ Fatalf(string, ...any) }, data json.RawMessage, out any) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(out); err != nil {
		t.Fatalf("decode: %v\n%s", err, data)
	}
}

// canon is a filter or sort as its JSON reads back: lists as []any,
// numbers as json.Number — what the evaluator reads.
func canon[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

// readWorld reads every live record of objectType into w, with the kinds
// of its properties and, when history is set, every value each held.
func (a *api) readWorld(w *evalWorld, objectType string, history bool) {
	a.t.Helper()
	var defs struct {
		ObjectType struct {
			Properties []struct{ Name, Type, FieldType string }
		}
	}
	a.ok(`query($t: String!) { objectType(name: $t) { properties { name type fieldType } } }`, map[string]any{"t": objectType}, &defs)
	kinds := map[string]string{}
	for _, p := range defs.ObjectType.Properties {
		k := map[string]string{"STRING": kindString, "NUMBER": kindNumber, "BOOL": kindBool, "DATE": kindDate, "DATETIME": kindDateTime, "ENUMERATION": kindEnum}[p.Type]
		if p.Type == "ENUMERATION" && p.FieldType == "CHECKBOX" {
			k = kindMulti
		}
		if p.Name == "createdate" || p.Name == "lastmodifieddate" {
			k = kindMoment
		}
		kinds[p.Name] = k
	}
	w.kinds[objectType] = kinds
	hist := ""
	if history {
		hist = "propertyHistory(first: 100) { edges { node { property value } } }"
	}
	var after any
	for {
		resp := a.do(`query($t: String!, $after: String) { records(objectType: $t, first: 500, after: $after) {
			edges { node { recordId createdAt updatedAt properties `+hist+` } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"t": objectType, "after": after})
		if len(resp.Errors) > 0 {
			a.t.Fatalf("read %s: %+v", objectType, resp.Errors)
		}
		var out struct {
			Records struct {
				Edges []struct {
					Node struct {
						RecordID             string
						CreatedAt, UpdatedAt time.Time
						Properties           map[string]any
						PropertyHistory      struct {
							Edges []struct {
								Node struct {
									Property string
									Value    any
								}
							}
						}
					}
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		decodeNumbers(a.t, resp.Data, &out)
		for _, e := range out.Records.Edges {
			n := e.Node
			id, err := strconv.Atoi(n.RecordID)
			if err != nil {
				a.t.Fatal(err)
			}
			for _, name := range []string{"hs_object_id", "createdate", "lastmodifieddate"} {
				delete(n.Properties, name)
			}
			rec := &evalRecord{ID: id, Type: objectType, Props: n.Properties, Created: n.CreatedAt, Updated: n.UpdatedAt, History: map[string][]any{}}
			for _, h := range n.PropertyHistory.Edges {
				if h.Node.Value != nil {
					rec.History[h.Node.Property] = append(rec.History[h.Node.Property], h.Node.Value)
				}
			}
			w.recs[id] = rec
		}
		if !out.Records.PageInfo.HasNextPage {
			return
		}
		after = out.Records.PageInfo.EndCursor
	}
}

// searchCase is one filter, and sort, to run through records(...) or,
// with a parent, through the parent's associations(...).
type searchCase struct {
	name   string
	filter map[string]any
	sort   []map[string]any
	parent *recordJSON // the record whose associations are read
	labels []string    // associations' labels
}

// connection is the field a case pages: records, or a parent's
// associations under the alias c.
func (c searchCase) connection(i int, paging, selection string) string {
	if c.parent == nil {
		return fmt.Sprintf(`r%d: records(objectType: $t, filter: $f%d, sort: $s%d, %s) { %s }`, i, i, i, paging, selection)
	}
	labels := ""
	if c.labels != nil {
		labels = ", labels: " + jsonText(c.labels)
	}
	return fmt.Sprintf(`r%d: record(id: %q) { c: associations(toObjectType: $t%s, filter: $f%d, sort: $s%d, %s) { %s } }`,
		i, c.parent.ID, labels, i, i, paging, selection)
}

// searchPages runs each case through records(objectType, filter, sort)
// (or its parent's associations),
// following every page of pageSize forwards (first/after) or, when
// backward, backwards (last/before); many cases to a request. It returns
// the ids of each case in the order the pages give them (forwards), and
// the totalCount the first page answered.
func (a *api) searchPages(objectType string, cases []searchCase, pageSize int, backward bool) (ids [][]int, totals []int) {
	a.t.Helper()
	const perRequest = 25
	ids, totals = make([][]int, len(cases)), make([]int, len(cases))
	cursors := make([]any, len(cases))
	pending := make([]int, len(cases))
	for i := range pending {
		pending[i] = i
	}
	for round := 0; len(pending) > 0; round++ {
		if round > 1000 {
			a.t.Fatal("pages do not end")
		}
		batch := pending[:min(perRequest, len(pending))]
		var defs, fields []string
		vars := map[string]any{"t": objectType, "n": pageSize}
		for _, i := range batch {
			defs = append(defs, fmt.Sprintf("$f%d: RecordFilter, $s%d: [RecordSort!], $c%d: String", i, i, i))
			vars[fmt.Sprint("f", i)], vars[fmt.Sprint("s", i)], vars[fmt.Sprint("c", i)] = cases[i].filter, cases[i].sort, cursors[i]
			paging := fmt.Sprintf("first: $n, after: $c%d", i)
			if backward {
				paging = fmt.Sprintf("last: $n, before: $c%d", i)
			}
			count := "" // counted once, on the first page
			if cursors[i] == nil {
				count = "totalCount"
			}
			fields = append(fields, cases[i].connection(i, paging,
				count+" edges { node { recordId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"))
		}
		resp := a.do("query($t: String!, $n: Int, "+strings.Join(defs, ", ")+") { "+strings.Join(fields, "\n")+" }", vars)
		if len(resp.Errors) > 0 {
			var lines []string
			for _, e := range resp.Errors {
				c := "?"
				if len(e.Path) > 0 {
					if i, err := strconv.Atoi(strings.TrimPrefix(fmt.Sprint(e.Path[0]), "r")); err == nil {
						c = fmt.Sprintf("%s %s", cases[i].name, jsonText(cases[i].filter))
					}
				}
				lines = append(lines, fmt.Sprintf("%s: %s %v", c, e.Message, e.Extensions))
			}
			a.t.Fatalf("searches failed:\n%s", strings.Join(lines, "\n"))
		}
		type page struct {
			TotalCount int
			Edges      []struct{ Node struct{ RecordID string } }
			PageInfo   struct {
				HasNextPage, HasPreviousPage bool
				StartCursor, EndCursor       *string
			}
		}
		var out map[string]struct {
			page
			C *page
		}
		decodeNumbers(a.t, resp.Data, &out)
		var next []int
		for _, i := range batch {
			p := out[fmt.Sprint("r", i)].page
			if c := out[fmt.Sprint("r", i)].C; c != nil {
				p = *c
			}
			if cursors[i] == nil {
				totals[i] = p.TotalCount
			}
			var page []int
			for _, e := range p.Edges {
				id, _ := strconv.Atoi(e.Node.RecordID)
				page = append(page, id)
			}
			more := p.PageInfo.HasNextPage
			if backward {
				more = p.PageInfo.HasPreviousPage
				ids[i] = append(page, ids[i]...)
				if p.PageInfo.StartCursor != nil {
					cursors[i] = *p.PageInfo.StartCursor
				}
			} else {
				ids[i] = append(ids[i], page...)
				if p.PageInfo.EndCursor != nil {
					cursors[i] = *p.PageInfo.EndCursor
				}
			}
			if len(page) > pageSize || (more && len(page) != pageSize) {
				a.t.Fatalf("%s: a page of %d (size %d, more: %v)", cases[i].name, len(page), pageSize, more)
			}
			if more {
				next = append(next, i)
			}
		}
		pending = append(next, pending[len(batch):]...)
	}
	return ids, totals
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// checkSearches runs every case through the API, paging by pageSize
// forwards, and compares ids, order and totalCount with what w selects.
func (a *api) checkSearches(w *evalWorld, objectType string, cases []searchCase, pageSize int) {
	a.t.Helper()
	got, totals := a.searchPages(objectType, cases, pageSize, false)
	a.compareSearches(w, objectType, cases, got, totals, "")
}

// checkBothWays is checkSearches walking the pages forwards and then
// backwards (last/before): each way visits every record once, in the
// evaluator's order.
func (a *api) checkBothWays(w *evalWorld, objectType string, cases []searchCase, pageSize int) {
	a.t.Helper()
	got, totals := a.searchPages(objectType, cases, pageSize, false)
	a.compareSearches(w, objectType, cases, got, totals, "forwards")
	got, totals = a.searchPages(objectType, cases, pageSize, true)
	a.compareSearches(w, objectType, cases, got, totals, "backwards")
}

func (a *api) compareSearches(w *evalWorld, objectType string, cases []searchCase, got [][]int, totals []int, way string) {
	a.t.Helper()
	failed := 0
	for i, c := range cases {
		want := w.selects(objectType, canon(c.filter), canon(c.sort))
		if c.parent != nil {
			want = w.associated(mustAtoi(a.t, c.parent.RecordID), objectType, c.labels, canon(c.filter), canon(c.sort))
		}
		if slices.Equal(got[i], want) && totals[i] == len(want) {
			continue
		}
		failed++
		if failed > 10 {
			continue
		}
		a.t.Errorf("%s %s: %s sort %s\n got %d (totalCount %d)\nwant %d\n%s", c.name, way, jsonText(c.filter), jsonText(c.sort),
			len(got[i]), totals[i], len(want), w.explain(got[i], want))
	}
	if failed > 0 {
		a.t.Fatalf("%d of %d searches differ from the evaluator", failed, len(cases))
	}
}

// explain shows the records found by one side only, or the first place
// the two orders part.
func (w *evalWorld) explain(got, want []int) string {
	var b strings.Builder
	show := func(what string, ids []int, other []int) {
		n := 0
		for _, id := range ids {
			if !slices.Contains(other, id) && n < 5 {
				n++
				r := w.recs[id]
				if r == nil {
					fmt.Fprintf(&b, "%s %d (unknown)\n", what, id)
					continue
				}
				fmt.Fprintf(&b, "%s %d %s created %s history %s\n", what, id, jsonText(r.Props), r.Created.Format(time.RFC3339Nano), jsonText(r.History))
			}
		}
	}
	show("only found:", got, want)
	show("only evaluated:", want, got)
	if b.Len() == 0 {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				fmt.Fprintf(&b, "orders part at %d: got %v, want %v\n", i, got[i:min(i+5, len(got))], want[i:min(i+5, len(want))])
				for _, id := range []int{got[i], want[i]} {
					fmt.Fprintf(&b, "  %d %s\n", id, jsonText(w.recs[id].Props))
				}
				break
			}
		}
	}
	return b.String()
}
