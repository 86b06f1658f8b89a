package graph_test

// Imports (issue 16): the fixtures (../shared/fixtures, copied into
// internal/importer/testdata/fixtures so that a clone holds them) through
// startImport's multipart upload, end to end.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/ent/importjob"
	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/importer"
)

// fixtures is the folder of the CSV files every import test reads.
var fixtures = filepath.Join("..", "internal", "importer", "testdata", "fixtures")

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return b
}

// upload is one file of an import request and its ImportFileInput fields
// besides file.
type upload struct {
	name    string
	content []byte
	fields  map[string]any
}

const importFields = `id name state message counters { rowsRead created updated skipped failed } unmappedColumns
	errors(first: 100) { edges { node { file row column property code message warning } } } errorsCsvUrl list { name size }`

type importJSON struct {
	ID              string
	Name            string
	State           string
	Message         *string
	Counters        struct{ RowsRead, Created, Updated, Skipped, Failed int }
	UnmappedColumns []string
	Errors          struct {
		Edges []struct{ Node importErrorJSON }
	}
	ErrorsCsvURL *string
	List         *struct {
		Name string
		Size int
	}
}

type importErrorJSON struct {
	File     string
	Row      int
	Column   *string
	Property *string
	Code     string
	Message  string
	Warning  bool
}

// startImport sends startImport as a multipart request with the files, and
// answers the response.
func (a *api) startImport(input map[string]any, files ...upload) *response {
	a.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	var list []any
	fileMap := map[string][]string{}
	for i, f := range files {
		fi := map[string]any{"file": nil}
		for k, v := range f.fields {
			fi[k] = v
		}
		list = append(list, fi)
		fileMap[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.input.files.%d.file", i)}
	}
	in := map[string]any{"files": list}
	for k, v := range input {
		in[k] = v
	}
	ops, _ := json.Marshal(map[string]any{"query": `mutation($input: StartImportInput!) { startImport(input: $input) { import { ` + importFields + ` } } }`,
		"variables": map[string]any{"input": in}})
	m, _ := json.Marshal(fileMap)
	if err := mw.WriteField("operations", string(ops)); err != nil {
		a.t.Fatal(err)
	}
	if err := mw.WriteField("map", string(m)); err != nil {
		a.t.Fatal(err)
	}
	for i, f := range files {
		w, err := mw.CreateFormFile(fmt.Sprint(i), f.name)
		if err != nil {
			a.t.Fatal(err)
		}
		if _, err := w.Write(f.content); err != nil {
			a.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		a.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("GraphQL-Require-Preflight", "1")
	a.headers(req)
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	var resp response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		a.t.Fatalf("response is not JSON: %v\n%s", err, rec.Body.String())
	}
	resp.Status = rec.Code
	return &resp
}

// importFiles starts an import that must start, and waits for its end.
func (a *api) importFiles(input map[string]any, files ...upload) importJSON {
	a.t.Helper()
	resp := a.startImport(input, files...)
	if len(resp.Errors) > 0 {
		a.t.Fatalf("startImport: %+v", resp.Errors)
	}
	var out struct{ StartImport struct{ Import importJSON } }
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		a.t.Fatal(err)
	}
	return a.awaitImport(out.StartImport.Import.ID)
}

// awaitImport reads an import until it has ended (a minute at most: the
// machine may be slow; no timing is asserted).
func (a *api) awaitImport(id string) importJSON {
	a.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		job := a.readImport(id)
		if job.State != "PENDING" && job.State != "PROCESSING" {
			return job
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("import %s still %s after a minute: %+v", id, job.State, job.Counters)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (a *api) readImport(id string) importJSON {
	a.t.Helper()
	var out struct{ Import importJSON }
	a.ok(`query($id: ID!) { import(id: $id) { `+importFields+` } }`, map[string]any{"id": id}, &out)
	return out.Import
}

// csvRows reads a fixture's rows as maps by header.
func csvRows(t *testing.T, content []byte) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// recordBy reads the live record of objectType whose property holds value.
func (a *api) recordBy(objectType, property, value string) recordJSON {
	a.t.Helper()
	var out struct {
		Records struct{ Edges []struct{ Node recordJSON } }
	}
	a.ok(`query($o: String!, $f: RecordFilter) { records(objectType: $o, filter: $f, first: 2) { edges { node { `+recordFields+` } } } }`,
		map[string]any{"o": objectType, "f": map[string]any{"property": property, "operator": "EQ", "value": value}}, &out)
	if len(out.Records.Edges) != 1 {
		a.t.Fatalf("%d %s with %s %q", len(out.Records.Edges), objectType, property, value)
	}
	return out.Records.Edges[0].Node
}

func TestImportFixtureFilesJoined(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		companies, contacts, deals := fixture(t, "companies.csv"), fixture(t, "contacts.csv"), fixture(t, "deals.csv")
		// Listed in any order: companies go first, as the others name them.
		job := a.importFiles(map[string]any{"name": "CRM move"},
			upload{name: "deals.csv", content: deals}, upload{name: "contacts.csv", content: contacts}, upload{name: "companies.csv", content: companies})
		if job.State != "DONE" || job.Counters.RowsRead != 1500 || job.Counters.Created != 1500 || job.Counters.Failed != 0 {
			t.Fatalf("import: %+v", job)
		}
		if len(job.UnmappedColumns) != 0 || len(job.Errors.Edges) != 0 || job.ErrorsCsvURL != nil {
			t.Fatalf("unmapped %v, errors %+v", job.UnmappedColumns, job.Errors.Edges)
		}
		for name, want := range map[string]int{"companies": 200, "contacts": 1000, "deals": 300} {
			if n := a.count(name); n != want {
				t.Fatalf("%d %s, want %d", n, name, want)
			}
		}
		// Every row's values and associations.
		for _, row := range csvRows(t, contacts) {
			c := a.recordBy("contacts", "email", row["Email"])
			p := c.Properties
			if p["firstname"] != row["First Name"] || p["lastname"] != row["Last Name"] || p["phone"] != row["Phone Number"] ||
				p["jobtitle"] != row["Job Title"] || p["lifecyclestage"] != row["Lifecycle Stage"] {
				t.Fatalf("contact %s: %v", row["Email"], p)
			}
			ids, _ := a.associatedIDs(c, "companies")
			co := a.recordBy("companies", "domain", row["Company Domain Name"])
			if !slices.Equal(ids, []string{co.ID}) {
				t.Fatalf("contact %s: companies %v, want %s", row["Email"], ids, co.ID)
			}
		}
		for _, row := range csvRows(t, deals)[:50] {
			d := a.recordBy("deals", "dealname", row["Deal Name"])
			if fmt.Sprint(d.Properties["amount"]) != strings.TrimRight(strings.TrimRight(row["Amount"], "0"), ".") || d.Properties["closedate"] != row["Close Date"] ||
				d.Properties["dealstage"] != row["Deal Stage"] {
				t.Fatalf("deal %s: %v", row["Deal Name"], d.Properties)
			}
			cos, _ := a.associatedIDs(d, "companies")
			cts, _ := a.associatedIDs(d, "contacts")
			if len(cos) != 1 || len(cts) != 1 || cts[0] != a.recordBy("contacts", "email", row["Contact Email"]).ID {
				t.Fatalf("deal %s: companies %v contacts %v", row["Deal Name"], cos, cts)
			}
		}
		co := a.recordBy("companies", "domain", "cyberdynehooli0.example")
		if p := co.Properties; p["name"] != "Cyberdyne Hooli 0" || p["industry"] != "EDUCATION_MANAGEMENT" || p["city"] != "Bergen" ||
			p["numberofemployees"] != float64(3165) || p["annualrevenue"] != float64(75964000) {
			t.Fatalf("company: %v", p)
		}
		// The same files again create nothing new: companies and contacts
		// match by domain and email, deals by their name among the deals
		// of the company and contact their row names.
		again := a.importFiles(nil, upload{name: "companies.csv", content: companies}, upload{name: "contacts.csv", content: contacts}, upload{name: "deals.csv", content: deals})
		if again.State != "DONE" || again.Counters != (struct{ RowsRead, Created, Updated, Skipped, Failed int }{1500, 0, 1500, 0, 0}) || len(again.Errors.Edges) != 0 {
			t.Fatalf("again: %+v %+v", again.Counters, again.Errors.Edges)
		}
		for name, want := range map[string]int{"companies": 200, "contacts": 1000, "deals": 300} {
			if n := a.count(name); n != want {
				t.Fatalf("after again: %d %s, want %d", n, name, want)
			}
		}
		// A second deal of the first row's name, company and contact: the
		// row matches two deals and fails, naming them; it writes nothing.
		first := csvRows(t, deals)[0]
		dup := a.create("deals", map[string]any{"dealname": first["Deal Name"], "amount": 1, "pipeline": "default", "dealstage": first["Deal Stage"]})
		a.associate(dup, a.recordBy("companies", "domain", first["Company Domain Name"]))
		a.associate(dup, a.recordBy("contacts", "email", first["Contact Email"]))
		third := a.importFiles(nil, upload{name: "deals.csv", content: deals})
		if third.State != "DONE" || third.Counters != (struct{ RowsRead, Created, Updated, Skipped, Failed int }{300, 0, 299, 0, 1}) || len(third.Errors.Edges) != 1 {
			t.Fatalf("third: %+v %+v", third.Counters, third.Errors.Edges)
		}
		if e := third.Errors.Edges[0].Node; e.Row != 2 || deref(e.Column) != "Deal Name" || deref(e.Property) != "dealname" || e.Code != "CONFLICT" ||
			!strings.Contains(e.Message, "Record ID") {
			t.Fatalf("third's error: %+v", e)
		}
		if a.count("deals") != 301 || a.read(dup).Properties["amount"] != float64(1) {
			t.Fatalf("after third: %d deals, duplicate %v", a.count("deals"), a.read(dup).Properties)
		}
	})
}

func TestImportContactsWithTheirCompanies(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		content := fixture(t, "contacts_with_companies.csv")
		job := a.importFiles(map[string]any{"createList": true}, upload{name: "people.csv", content: content,
			fields: map[string]any{"objectTypes": []string{"contacts", "companies"}}})
		rows := csvRows(t, content)
		domains := map[string]bool{}
		for _, r := range rows {
			domains[r["Company Domain Name"]] = true
		}
		if job.State != "DONE" || job.Counters.Created != len(rows) || job.Counters.Failed != 0 {
			t.Fatalf("import: %+v %+v", job.Counters, job.Errors.Edges)
		}
		if a.count("contacts") != len(rows) || a.count("companies") != len(domains) {
			t.Fatalf("%d contacts, %d companies; want %d, %d", a.count("contacts"), a.count("companies"), len(rows), len(domains))
		}
		for _, r := range rows[:40] {
			c := a.recordBy("contacts", "email", r["Email"])
			co := a.recordBy("companies", "domain", r["Company Domain Name"])
			// "Company name" is the company's name, not the contact's
			// company property.
			if co.Properties["name"] != r["Company name"] || c.Properties["company"] != nil {
				t.Fatalf("row %v: company %v, contact %v", r, co.Properties, c.Properties)
			}
			if ids, _ := a.associatedIDs(c, "companies"); !slices.Equal(ids, []string{co.ID}) {
				t.Fatalf("contact %s: companies %v", r["Email"], ids)
			}
		}
		if job.List == nil || job.List.Size != len(rows) {
			t.Fatalf("list: %+v", job.List)
		}
	})
}

func TestImportBadRows(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createProperty("contacts", map[string]any{"name": "numberofemployees", "label": "Number of Employees", "type": "NUMBER", "fieldType": "NUMBER"})
		a.createProperty("contacts", map[string]any{"name": "date_of_birth", "label": "Date of birth", "type": "DATE", "fieldType": "DATE"})
		job := a.importFiles(nil, upload{name: "contacts_bad_rows.csv", content: fixture(t, "contacts_bad_rows.csv"), fields: map[string]any{"objectType": "contacts"}})
		if job.State != "DONE" || job.Counters != (struct{ RowsRead, Created, Updated, Skipped, Failed int }{8, 3, 0, 0, 5}) {
			t.Fatalf("counters: %+v", job.Counters)
		}
		var got []string
		for _, e := range job.Errors.Edges {
			n := e.Node
			got = append(got, fmt.Sprintf("%s row %d %s %s %s", n.File, n.Row, deref(n.Column), deref(n.Property), n.Code))
		}
		want := []string{
			"contacts_bad_rows.csv row 3 Lifecycle Stage lifecyclestage BAD_USER_INPUT",
			"contacts_bad_rows.csv row 4 Number of Employees numberofemployees BAD_USER_INPUT",
			"contacts_bad_rows.csv row 5 Date of birth date_of_birth BAD_USER_INPUT",
			"contacts_bad_rows.csv row 6 Email email CONFLICT",
			"contacts_bad_rows.csv row 7 Email email BAD_USER_INPUT",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("errors:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		// Exactly the good rows landed, whole.
		var emails []string
		var out struct {
			Records struct{ Edges []struct{ Node recordJSON } }
		}
		a.ok(`{ records(objectType: "contacts", first: 10, sort: [{property: "email"}]) { edges { node { `+recordFields+` } } } }`, nil, &out)
		for _, e := range out.Records.Edges {
			emails = append(emails, e.Node.Properties["email"].(string))
		}
		if !slices.Equal(emails, []string{"aero@ok.example", "good.row@ok.example", "quote@ok.example"}) {
			t.Fatalf("contacts: %v", emails)
		}
		q := a.recordBy("contacts", "email", "quote@ok.example")
		if q.Properties["lastname"] != `Comma, Inc "x"` || q.Properties["numberofemployees"] != nil {
			t.Fatalf("quoted row: %v", q.Properties)
		}
		if u := a.recordBy("contacts", "email", "aero@ok.example"); u.Properties["lastname"] != "Ærøskøbing" || u.Properties["date_of_birth"] != "1985-12-24" {
			t.Fatalf("unicode row: %v", u.Properties)
		}
		// The errors as CSV.
		req := httptest.NewRequest(http.MethodGet, *job.ErrorsCsvURL, nil)
		rec := httptest.NewRecorder()
		a.routes().ServeHTTP(rec, req)
		lines, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || rec.Code != http.StatusOK || len(lines) != 6 || lines[0][0] != "file" || lines[1][1] != "3" {
			t.Fatalf("errors csv: %d %v %v", rec.Code, lines, err)
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

func TestImportLifecycleStageNeverMovesBack(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.create("contacts", map[string]any{"email": "ann@acme.io", "lifecyclestage": "customer"})
		job := a.importFiles(nil, upload{name: "contacts.csv", content: []byte("Email,First Name,Lifecycle Stage\nann@acme.io,Ann,lead\nbob@acme.io,Bob,lead\n")})
		if job.Counters.Updated != 1 || job.Counters.Created != 1 || job.Counters.Failed != 0 || len(job.Errors.Edges) != 1 {
			t.Fatalf("import: %+v %+v", job.Counters, job.Errors.Edges)
		}
		if w := job.Errors.Edges[0].Node; !w.Warning || w.Code != "LIFECYCLE_STAGE_KEPT" || w.Row != 2 || deref(w.Column) != "Lifecycle Stage" {
			t.Fatalf("warning: %+v", w)
		}
		if p := a.recordBy("contacts", "email", "ann@acme.io").Properties; p["lifecyclestage"] != "customer" || p["firstname"] != "Ann" {
			t.Fatalf("ann: %v", p)
		}
	})
}

func TestImportRefusedAtOnce(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		for name, c := range map[string]struct {
			content string
			fields  map[string]any
		}{
			"empty":          {"", nil},
			"no header":      {"ann@acme.io,Ann\nbob@acme.io,Bob\n", nil},
			"not csv":        {"\"unterminated,quote\nx", nil},
			"binary":         {"\x00\x01\x02PK", nil},
			"unknown object": {"Email\nann@acme.io\n", map[string]any{"objectType": "unicorns"}},
			"unknown column": {"Email\nann@acme.io\n", map[string]any{"columns": []any{map[string]any{"column": "Nope", "property": "email"}}}},
		} {
			t.Run(name, func(t *testing.T) {
				fields := c.fields
				if fields == nil {
					fields = map[string]any{"objectType": "contacts"}
				}
				resp := a.with(t).startImport(nil, upload{name: "x.csv", content: []byte(c.content), fields: fields})
				if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
					t.Fatalf("%+v", resp.Errors)
				}
			})
		}
		var out struct {
			Imports struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		a.ok(`{ imports { edges { node { id } } } }`, nil, &out)
		if len(out.Imports.Edges) != 0 {
			t.Fatalf("refused imports left jobs: %+v", out.Imports.Edges)
		}
	})
}

func TestImportRevertAndCancel(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		keep := a.create("contacts", map[string]any{"email": "kept@acme.io"})
		var b strings.Builder
		b.WriteString("Email,First Name\nkept@acme.io,Kept\n")
		for i := range 30 {
			fmt.Fprintf(&b, "new%d@acme.io,New\n", i)
		}
		job := a.importFiles(nil, upload{name: "contacts.csv", content: []byte(b.String())})
		if job.Counters.Created != 30 || job.Counters.Updated != 1 {
			t.Fatalf("import: %+v", job.Counters)
		}
		var out struct{ RevertImport struct{ Archived int } }
		a.ok(`mutation($id: ID!) { revertImport(input: {id: $id}) { archived } }`, map[string]any{"id": job.ID}, &out)
		if out.RevertImport.Archived != 30 {
			t.Fatalf("reverted %d", out.RevertImport.Archived)
		}
		var live struct{ Records struct{ TotalCount int } }
		a.ok(`{ records(objectType: "contacts") { totalCount } }`, nil, &live)
		if live.Records.TotalCount != 1 || a.read(keep).Properties["firstname"] != "Kept" {
			t.Fatalf("after revert: %d live", live.Records.TotalCount)
		}
		// An import that ended cannot be canceled.
		a.fails(`mutation($id: ID!) { cancelImport(input: {id: $id}) { import { state } } }`, map[string]any{"id": job.ID}, "CONFLICT", "")

		// Canceled at once: it stops before or between chunks, and what
		// it counted is exactly what landed.
		b.Reset()
		b.WriteString("Email\n")
		for i := range 2000 {
			fmt.Fprintf(&b, "bulk%d@acme.io\n", i)
		}
		resp := a.startImport(nil, upload{name: "contacts.csv", content: []byte(b.String())})
		var started struct{ StartImport struct{ Import importJSON } }
		if err := json.Unmarshal(resp.Data, &started); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("%v %+v", err, resp.Errors)
		}
		id := started.StartImport.Import.ID
		var canceled struct{ CancelImport struct{ Import importJSON } }
		if r := a.do(`mutation($id: ID!) { cancelImport(input: {id: $id}) { import { state } } }`, map[string]any{"id": id}); len(r.Errors) == 0 {
			_ = json.Unmarshal(r.Data, &canceled)
		}
		end := a.awaitImport(id)
		bulk := a.count("contacts") - 31
		if end.State == "CANCELED" && end.Counters.Created != bulk || end.State == "DONE" && bulk != 2000 || end.Counters.Created%200 != 0 && end.Counters.Created != 2000 {
			t.Fatalf("canceled import: %s %+v, %d landed", end.State, end.Counters, bulk)
		}
	})
}

// routes is the server's mux around a's handler, for its downloads.
func (a *api) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", a.h)
	mux.Handle("GET /imports/{id}/errors.csv", a.h.(*graph.Handler).ImportErrors())
	return mux
}

// TestImportOfAStoppedServerFails: an import that committed nothing for
// importer.StaleAfter (its server went) is FAILED, saying so.
func TestImportOfAStoppedServerFails(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ctx := t.Context()
		old := time.Now().Add(-importer.StaleAfter - time.Minute)
		stuck, err := a.d.Client.ImportJob.Create().SetWorkspaceID(a.ws).SetName("stuck").SetSpec(map[string]any{}).
			SetState(importjob.StatePROCESSING).SetUpdatedAt(old).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		running, err := a.d.Client.ImportJob.Create().SetWorkspaceID(a.ws).SetName("running").SetSpec(map[string]any{}).
			SetState(importjob.StatePROCESSING).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := importer.FailStopped(ctx, a.d); err != nil || n != 1 {
			t.Fatalf("failed %d imports: %v", n, err)
		}
		job := a.readImport(gid.Encode(gid.Import, stuck.ID))
		if job.State != "FAILED" || job.Message == nil || !strings.Contains(*job.Message, "server stopped") {
			t.Fatalf("stuck: %+v", job)
		}
		if job := a.readImport(gid.Encode(gid.Import, running.ID)); job.State != "PROCESSING" {
			t.Fatalf("running: %+v", job)
		}
	})
}

// TestExportImportsBack: an export of a filtered set, imported into an
// empty workspace, gives the same records; imported into its own, it
// changes nothing.
func TestExportImportsBack(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			a, b := newAPI(t, dbtest.Open(t, dialect), nil), newAPI(t, dbtest.Open(t, dialect), nil)
			for _, x := range []*api{a, b} {
				x.createProperty("contacts", map[string]any{"name": "score", "label": "Score", "type": "NUMBER", "fieldType": "NUMBER"})
				x.createProperty("contacts", map[string]any{"name": "birthday", "label": "Birthday", "type": "DATE", "fieldType": "DATE"})
				x.createProperty("contacts", map[string]any{"name": "vip", "label": "VIP", "type": "BOOL", "fieldType": "BOOLEANCHECKBOX"})
				x.createProperty("contacts", map[string]any{"name": "tags", "label": "Tags", "type": "ENUMERATION", "fieldType": "CHECKBOX",
					"options": []any{map[string]any{"label": "Red", "value": "red"}, map[string]any{"label": "Blue", "value": "blue"}}})
			}
			for i := range 12 {
				p := map[string]any{"email": fmt.Sprintf("p%d@acme.io", i), "firstname": fmt.Sprintf("Pat, \"%d\"", i), "lifecyclestage": "lead",
					"score": i * 7, "birthday": fmt.Sprintf("1990-01-%02d", i+1), "vip": i%2 == 0, "tags": []string{"red", "blue"}[:i%3]}
				if i%4 == 0 {
					p["email"] = fmt.Sprintf("p%d@other.io", i)
				}
				a.create("contacts", p)
			}
			e := a.exportOf(map[string]any{"objectType": "contacts", "filter": map[string]any{"property": "email", "operator": "CONTAINS", "value": "acme"}})
			file := []byte(a.csvOf(e))
			job := b.importFiles(nil, upload{name: "contacts.csv", content: file})
			if job.State != "DONE" || job.Counters.Created != 9 || job.Counters.Failed != 0 {
				t.Fatalf("into an empty workspace: %+v %+v", job.Counters, job.Errors.Edges)
			}
			kept := []string{"email", "firstname", "lifecyclestage", "score", "birthday", "vip", "tags"}
			if got, want := b.valuesOf("contacts", kept), a.valuesOf("contacts", kept); !slices.Equal(got, filterPrefix(want, "acme")) {
				t.Fatalf("imported:\n%v\nexported:\n%v", got, want)
			}
			before := a.snapshot("contacts")
			again := a.importFiles(nil, upload{name: "contacts.csv", content: file})
			if again.Counters.Created != 0 || again.Counters.Updated != 9 || again.Counters.Failed != 0 {
				t.Fatalf("into its own workspace: %+v", again.Counters)
			}
			a.unchanged("contacts", before)
		})
	}
}

// valuesOf lists the named values of every contact, by email.
func (a *api) valuesOf(objectType string, names []string) []string {
	a.t.Helper()
	var out struct {
		Records struct{ Edges []struct{ Node recordJSON } }
	}
	a.ok(`query($o: String!, $n: [String!]) { records(objectType: $o, first: 1000, sort: [{property: "email"}]) { edges { node { properties(names: $n) } } } }`,
		map[string]any{"o": objectType, "n": names}, &out)
	var rows []string
	for _, e := range out.Records.Edges {
		raw, _ := json.Marshal(e.Node.Properties)
		rows = append(rows, string(raw))
	}
	return rows
}

func filterPrefix(rows []string, domain string) []string {
	var out []string
	for _, r := range rows {
		if strings.Contains(r, "@"+domain+".io") {
			out = append(out, r)
		}
	}
	return out
}

// TestImportFilesGo: the files an import keeps go when it ends, done or
// canceled before it began.
func TestImportFilesGo(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		dir := t.TempDir()
		a = a.withConfig(graph.Config{ImportDir: dir})
		a.importFiles(nil, upload{name: "contacts.csv", content: []byte("Email\nann@acme.io\n")})
		resp := a.startImport(nil, upload{name: "contacts.csv", content: []byte("Email\nbob@acme.io\n")})
		var started struct{ StartImport struct{ Import importJSON } }
		if err := json.Unmarshal(resp.Data, &started); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("%v %+v", err, resp.Errors)
		}
		_ = a.do(`mutation($id: ID!) { cancelImport(input: {id: $id}) { import { state } } }`, map[string]any{"id": started.StartImport.Import.ID})
		a.awaitImport(started.StartImport.Import.ID)
		deadline := time.Now().Add(time.Minute)
		for {
			left, err := os.ReadDir(dir)
			if err == nil && len(left) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("files left: %v %v", left, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// TestImportIsANode: node(id) answers an import by its id.
func TestImportIsANode(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		job := a.importFiles(nil, upload{name: "contacts.csv", content: []byte("Email\nann@acme.io\n")})
		var out struct {
			Node struct {
				Typename string `json:"__typename"`
				ID       string
				State    string
			}
		}
		a.ok(`query($id: ID!) { node(id: $id) { __typename id ... on Import { state } } }`, map[string]any{"id": job.ID}, &out)
		if out.Node.Typename != "Import" || out.Node.ID != job.ID || out.Node.State != "DONE" {
			t.Fatalf("node: %+v", out.Node)
		}
	})
}
