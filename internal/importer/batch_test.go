package importer_test

import (
	"bytes"
	"context"
	stdsql "database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/cli"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/domain"
	"github.com/acme/crm/internal/importer"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
)

// mixed holds every kind of row a contacts file can: new contacts (the
// batch's), one matching a live contact whose lifecycle stage it would move
// back, an erased email, the same email twice (once in another case), bad
// values, a row without email, an empty row.
const mixed = `Email,First Name,Last Name,Lifecycle Stage,Phone Number
new1@example.com,Ann,One,lead,+1 555 0001
kept@example.com,Kay,Kept,lead,
gone@example.com,Gina,Gone,lead,
NEW1@example.com,Ann,Again,lead,
not an email,Bad,Email,lead,
,No,Email,subscriber,
,,,,
new2@example.com,Bo,Two,nosuchstage,
new3@example.com,Cy,Three,customer,+1 555 0003
new2@example.com,Bo,Twice,lead,
`

// TestFastPathsAnswerAsRowsAlone: the rows records.CreateNewIn creates
// together, those records.CopyNewIn streams through COPY on PostgreSQL, and
// those they leave, give the job's counters and errors, the contacts, their
// history, a dynamic list's members and the timeline's events exactly as
// every row written alone does, on both databases. The file holds mixed
// and then enough new contacts (one of them repeating a row of mixed) to
// take several chunks of either size.
func TestFastPathsAnswerAsRowsAlone(t *testing.T) {
	var file strings.Builder
	file.WriteString(mixed)
	for i := range importer.CopiedChunkRows + 300 {
		if i == importer.CopiedChunkRows-5 {
			file.WriteString("new3@example.com,Cy,Again,lead,\n")
		}
		fmt.Fprintf(&file, "bulk%d@example.com,Bulk,%d,%s,\n", i, i, []string{"lead", "subscriber", "customer"}[i%3])
	}
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			alone := importMixed(t, name, file.String(), false, false)
			if !strings.Contains(alone, "2304 created, 1 updated, 1 skipped, 5 failed") {
				t.Fatalf("unexpected outcome:\n%s", alone[:min(len(alone), 2000)])
			}
			for _, copying := range []bool{false, true} {
				if fast := importMixed(t, name, file.String(), true, copying); fast != alone {
					t.Fatalf("copying %v: the answers differ from the rows written alone:\n%s", copying, firstDifference(alone, fast))
				}
			}
		})
	}
}

// progressLine is a line crm import prints after each chunk.
var progressLine = regexp.MustCompile(`^\d+/\d+ rows: `)

// firstDifference is the first line where b differs from a, with both.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		if i >= len(al) || i >= len(bl) || al[i] != bl[i] {
			line := func(l []string) string {
				if i < len(l) {
					return l[i]
				}
				return "<end>"
			}
			return fmt.Sprintf("line %d\nalone: %s\nfast:  %s", i+1, line(al), line(bl))
		}
	}
	return ""
}

// importMixed imports content into a fresh database with a live contact, an
// erased one and a dynamic list of leads, and answers what the import
// said and left, record ids aside (a batch's conflicting insert may use
// one up).
func importMixed(t *testing.T, dialect, content string, batching, copying bool) string {
	t.Helper()
	defer importer.SetBatching(importer.SetBatching(batching))
	defer importer.SetCopying(importer.SetCopying(copying))
	ctx := audit.WithActor(context.Background(), audit.CLI)
	url := dbtest.URL(t, dialect)
	d := dbtest.OpenURL(t, url)
	ws, err := install.Default(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	m, err := meta.NewCache(d).Get(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	st := domain.New(d, t.TempDir(), slog.Default())
	for _, email := range []string{"kept@example.com", "gone@example.com"} {
		r, err := st.Records.Create(ctx, m, "contacts", records.NewRecord{Properties: map[string]any{"email": email, "lifecyclestage": "customer"}}, records.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if email == "gone@example.com" {
			if _, err := st.Records.DeletePermanently(ctx, m, r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	name := "Leads"
	if _, err := st.Lists.Create(ctx, m, "contacts", lists.Input{Name: &name, Kind: meta.Dynamic, FilterSet: true,
		Filter: map[string]any{"property": "lifecyclestage", "operator": "EQ", "value": "lead"}}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	getenv := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	var said bytes.Buffer
	_ = cli.Import(ctx, []string{"--object", "contacts", file}, getenv, &said, slog.Default())
	// The progress lines follow the chunks, whose size is the fast path's.
	for _, line := range strings.SplitAfter(said.String(), "\n") {
		if !progressLine.MatchString(line) {
			out.WriteString(line)
		}
	}
	fmt.Fprintln(&out, "== contacts")
	rows, err := d.SQL.QueryContext(ctx, "SELECT properties FROM records ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var props []string
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatal(err)
		}
		props = append(props, fmt.Sprint(p))
	}
	rows.Close()
	slices.Sort(props)
	fmt.Fprintln(&out, strings.Join(props, "\n"))
	fmt.Fprintln(&out, "== history")
	rows, err = d.SQL.QueryContext(ctx, "SELECT r.properties, h.property, h.value, h.source_type, h.source_id FROM property_histories h JOIN records r ON r.id = h.record_id ORDER BY h.id")
	if err != nil {
		t.Fatal(err)
	}
	var hist []string
	for rows.Next() {
		var rec, prop, src, srcID string
		var value *string
		if err := rows.Scan(&rec, &prop, &value, &src, &srcID); err != nil {
			t.Fatal(err)
		}
		v := "<nil>"
		if value != nil {
			v = *value
		}
		hist = append(hist, strings.Join([]string{rec, prop, v, src, srcID}, " "))
	}
	rows.Close()
	slices.Sort(hist)
	fmt.Fprintln(&out, strings.Join(hist, "\n"))
	var members int
	if err := d.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM list_members").Scan(&members); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(&out, "== leads:", members)
	fmt.Fprintln(&out, "== events")
	rows, err = d.SQL.QueryContext(ctx, "SELECT r.properties, e.type, e.list_id FROM timeline_events e JOIN records r ON r.id = e.record_id")
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for rows.Next() {
		var rec, typ string
		var list stdsql.NullInt64
		if err := rows.Scan(&rec, &typ, &list); err != nil {
			t.Fatal(err)
		}
		events = append(events, fmt.Sprint(rec, " ", typ, " ", list.Int64))
	}
	rows.Close()
	slices.Sort(events)
	fmt.Fprintln(&out, strings.Join(events, "\n"))
	return out.String()
}
