package graph_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/export"
	"github.com/acme/crm/internal/gid"
)

const exportMutation = `mutation($in: ExportRecordsInput!) { exportRecords(input: $in) { export { id objectType url createdAt expiresAt } } }`

type exportJSON struct {
	ID, ObjectType, URL  string
	CreatedAt, ExpiresAt time.Time
}

// exportOf makes an export that must be accepted.
func (a *api) exportOf(in map[string]any) exportJSON {
	a.t.Helper()
	var out struct{ ExportRecords struct{ Export exportJSON } }
	a.ok(exportMutation, map[string]any{"in": in}, &out)
	return out.ExportRecords.Export
}

// download GETs path from the server's export route.
func (a *api) download(path string) *httptest.ResponseRecorder {
	a.t.Helper()
	mux := http.NewServeMux()
	mux.Handle(export.Route, export.New(a.d).NewHandler(nil))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// csvOf downloads an export that must answer its CSV.
func (a *api) csvOf(e exportJSON) string {
	a.t.Helper()
	rec := a.download(e.URL)
	if rec.Code != http.StatusOK {
		a.t.Fatalf("download %s: %d %s", e.URL, rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// goldenCSV compares got with testdata/name; -update rewrites it.
func goldenCSV(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./graph -update to create it): %v", err)
	}
	if string(want) != got {
		t.Fatalf("CSV differs from %s (go test ./graph -update rewrites it):\n%s", path, got)
	}
}

// exportFixture makes the records the export tests read: contacts with a
// value of every type, some associated with companies.
func exportFixture(t *testing.T, a *api) map[string]recordJSON {
	t.Helper()
	a.createProperty("contacts", map[string]any{"name": "score", "label": "Score", "type": "NUMBER", "fieldType": "NUMBER"})
	a.createProperty("contacts", map[string]any{"name": "birthday", "label": "Birthday", "type": "DATE", "fieldType": "DATE"})
	a.createProperty("contacts", map[string]any{"name": "vip", "label": "VIP", "type": "BOOL", "fieldType": "BOOLEANCHECKBOX"})
	a.createProperty("contacts", map[string]any{"name": "tags", "label": "Tags", "type": "ENUMERATION", "fieldType": "CHECKBOX",
		"options": optionsInput("a:Alpha", "b:Beta", "c:Gamma")})
	r := map[string]recordJSON{
		"acme":   a.create("companies", map[string]any{"name": "Acme", "domain": "acme.io"}),
		"globex": a.create("companies", map[string]any{"name": "Globex; Inc", "domain": "globex.com"}),
		"ann": a.create("contacts", map[string]any{"email": "ann@acme.io", "firstname": "Ann", "lastname": "Lee", "lifecyclestage": "lead",
			"score": 10.5, "birthday": "1990-02-03", "vip": true, "tags": []any{"a", "c"}}),
		"bob": a.create("contacts", map[string]any{"email": "bob@acme.io", "firstname": "Bob", "lastname": `O'Neil, "Jr."`, "lifecyclestage": "customer",
			"score": 3, "vip": false, "tags": []any{"b"}}),
		"cy":  a.create("contacts", map[string]any{"email": "cy@other.io", "firstname": "Cy", "lastname": "Multi\nline", "lifecyclestage": "lead"}),
		"dee": a.create("contacts", map[string]any{"email": "dee@acme.io", "firstname": "Dée", "lastname": "Zed", "lifecyclestage": "subscriber"}),
	}
	a.associate(r["ann"], r["acme"])
	a.associate(r["bob"], r["acme"])
	a.associate(r["bob"], r["globex"])
	return r
}

var everyType = []any{"email", "firstname", "lastname", "lifecyclestage", "score", "birthday", "vip", "tags"}

func TestExportRecords(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		r := exportFixture(t, a)
		filtered := map[string]any{"objectType": "contacts",
			"filter":     map[string]any{"property": "email", "operator": "CONTAINS", "value": "acme"},
			"sort":       []any{map[string]any{"property": "lastname"}},
			"properties": everyType, "associations": []any{"companies"}}

		t.Run("filtered", func(t *testing.T) {
			e := a.exportOf(filtered)
			if e.ObjectType != "contacts" || !regexp.MustCompile(`^/exports/[A-Za-z0-9_-]{43}\.csv$`).MatchString(e.URL) ||
				e.ExpiresAt.Sub(e.CreatedAt) != 24*time.Hour {
				t.Fatalf("export: %+v", e)
			}
			goldenCSV(t, "export_filtered.csv", a.csvOf(e))
		})
		t.Run("names and option labels", func(t *testing.T) {
			in := map[string]any{"options": map[string]any{"headers": "NAMES", "enumerations": "LABELS"}}
			for k, v := range filtered {
				in[k] = v
			}
			goldenCSV(t, "export_names_labels.csv", a.csvOf(a.exportOf(in)))
		})
		t.Run("view", func(t *testing.T) {
			var created struct{ CreateView struct{ View viewJSON } }
			a.ok(createViewMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "Leads",
				"filter": map[string]any{"property": "lifecyclestage", "operator": "EQ", "value": "lead"},
				"sort":   []any{map[string]any{"property": "firstname", "direction": "DESC"}}}}, &created)
			e := a.exportOf(map[string]any{"objectType": "contacts", "view": created.CreateView.View.ID, "properties": []any{"email", "lifecyclestage"}})
			want := "Record ID,Email,Lifecycle Stage\r\n" + r["cy"].RecordID + ",cy@other.io,lead\r\n" + r["ann"].RecordID + ",ann@acme.io,lead\r\n"
			if got := a.csvOf(e); got != want {
				t.Fatalf("view export:\n%s\nwant\n%s", got, want)
			}
		})
		t.Run("list", func(t *testing.T) {
			l := a.createList("contacts", "Picked", "MANUAL", nil)
			a.changeMembers("addToList", l.ID, r["dee"].ID, r["bob"].ID)
			e := a.exportOf(map[string]any{"objectType": "contacts", "list": l.ID, "properties": []any{"email"},
				"sort": []any{map[string]any{"property": "email"}}, "associations": []any{"companies"}})
			want := "Record ID,Email,Associated Company IDs,Associated Company names\r\n" +
				r["bob"].RecordID + ",bob@acme.io," + r["acme"].RecordID + ";" + r["globex"].RecordID + ",Acme;Globex; Inc\r\n" +
				r["dee"].RecordID + ",dee@acme.io,,\r\n"
			if got := a.csvOf(e); got != want {
				t.Fatalf("list export:\n%s\nwant\n%s", got, want)
			}
		})
		t.Run("default columns", func(t *testing.T) {
			got := a.csvOf(a.exportOf(map[string]any{"objectType": "contacts"}))
			lines := strings.Split(got, "\r\n")
			goldenCSV(t, "export_default_header.csv", lines[0]+"\r\n")
			// Four contacts, newest first, each row with its creation time.
			if len(lines) != 7 || !strings.HasPrefix(lines[1], r["dee"].RecordID+",,dee@acme.io,") ||
				!regexp.MustCompile(`,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,`).MatchString(lines[1]) {
				t.Fatalf("default export:\n%s", got)
			}
		})
	})
}

func TestExportRefusals(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		r := exportFixture(t, a)
		companiesList := a.createList("companies", "Companies", "MANUAL", nil)
		cases := []struct {
			name           string
			in             map[string]any
			path, property string
		}{
			{"unknown object type", map[string]any{"objectType": "nope"}, "objectType", ""},
			{"unknown property", map[string]any{"objectType": "contacts", "properties": []any{"email", "nope"}}, "properties[1]", "nope"},
			{"property twice", map[string]any{"objectType": "contacts", "properties": []any{"email", "email"}}, "properties[1]", "email"},
			{"unknown association", map[string]any{"objectType": "contacts", "associations": []any{"nope"}}, "associations[0]", ""},
			{"unknown view", map[string]any{"objectType": "contacts", "view": gid.Encode(gid.View, 999)}, "view", ""},
			{"a record as the view", map[string]any{"objectType": "contacts", "view": r["ann"].ID}, "view", ""},
			{"unknown list", map[string]any{"objectType": "contacts", "list": gid.Encode(gid.List, 999)}, "list", ""},
			{"a list of companies", map[string]any{"objectType": "contacts", "list": companiesList.ID}, "list", ""},
			{"bad filter", map[string]any{"objectType": "contacts", "filter": map[string]any{"property": "score", "operator": "GT", "value": "high"}}, "filter.value", "score"},
			{"bad sort", map[string]any{"objectType": "contacts", "sort": []any{map[string]any{"property": "tags"}}}, "sort[0].property", "tags"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := a.fails(exportMutation, map[string]any{"in": c.in}, "BAD_USER_INPUT", c.property)
				if e.Extensions["argumentPath"] != c.path {
					t.Fatalf("refusal %q: path %v, want %q", e.Message, e.Extensions["argumentPath"], c.path)
				}
			})
		}
		var n int
		if err := a.d.SQL.QueryRow("SELECT COUNT(*) FROM exports").Scan(&n); err != nil || n != 0 {
			t.Fatalf("refusals stored %d exports (%v)", n, err)
		}
	})
}

func TestExportDownload(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		exportFixture(t, a)
		e := a.exportOf(map[string]any{"objectType": "companies", "properties": []any{"domain"}, "sort": []any{map[string]any{"property": "domain"}}})
		rec := a.download(e.URL)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
			!regexp.MustCompile(`^attachment; filename=companies-export-\d{4}-\d\d-\d\d\.csv$`).MatchString(rec.Header().Get("Content-Disposition")) {
			t.Fatalf("download: %d %v", rec.Code, rec.Header())
		}
		// The file is written when downloaded: a company made since is in it.
		a.create("companies", map[string]any{"name": "Initech", "domain": "initech.com"})
		if got := a.csvOf(e); !strings.Contains(got, ",initech.com\r\n") || strings.Count(got, "\r\n") != 4 {
			t.Fatalf("download after a write:\n%s", got)
		}
		var node struct{ Node struct{ URL string } }
		a.ok(`query($id: ID!) { node(id: $id) { ... on Export { url } } }`, map[string]any{"id": e.ID}, &node)
		if node.Node.URL != e.URL {
			t.Fatalf("node: %+v", node)
		}
		for _, path := range []string{"/exports/nope.csv", strings.TrimSuffix(e.URL, ".csv"), strings.TrimSuffix(e.URL, ".csv") + "x.csv"} {
			if rec := a.download(path); rec.Code != http.StatusNotFound {
				t.Fatalf("%s: %d, want 404", path, rec.Code)
			}
		}
		// After 24 hours the export is gone.
		defer clock.Set(time.Now().Add(export.Lifetime + time.Minute))()
		if rec := a.download(e.URL); rec.Code != http.StatusNotFound {
			t.Fatalf("expired: %d, want 404", rec.Code)
		}
	})
}
