package export_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/export"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// crm export writes the CSV of its flags' spec to stdout, from the
// database its URL names; a refused spec writes nothing.
func TestCommand(t *testing.T) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, name)
			d := dbtest.OpenURL(t, url)
			ws, err := install.Default(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			m, err := meta.NewCache(d).Get(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			w := write.New(d)
			store := records.New(d, w, assoc.New(d, w))
			ids := map[string]string{}
			for _, email := range []string{"ann@acme.io", "bob@other.io", "cy@acme.io"} {
				r, err := store.Create(ctx, m, "contacts", records.NewRecord{Properties: map[string]any{"email": email, "lifecyclestage": "lead"}}, records.Options{})
				if err != nil {
					t.Fatal(err)
				}
				ids[email] = strconv.Itoa(r.ID)
			}
			getenv := func(string) string { return "" }
			var stdout, stderr bytes.Buffer
			err = export.Command(ctx, []string{"--object", "contacts", "--database-url", url, "--properties", "email,lifecyclestage",
				"--filter", `{"property": "email", "operator": "CONTAINS", "value": "acme"}`, "--sort", `[{"property": "email", "direction": "DESC"}]`,
				"--headers", "names", "--enumerations", "labels"}, getenv, &stdout, &stderr)
			want := "hs_object_id,email,lifecyclestage\r\n" + ids["cy@acme.io"] + ",cy@acme.io,Lead\r\n" + ids["ann@acme.io"] + ",ann@acme.io,Lead\r\n"
			if err != nil || stdout.String() != want {
				t.Fatalf("crm export: %v\n%s\nwant\n%s", err, stdout.String(), want)
			}

			stdout.Reset()
			err = export.Command(ctx, []string{"--object", "contacts", "--database-url", url, "--properties", "email,nope"}, getenv, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), `"nope"`) || stdout.Len() != 0 {
				t.Fatalf("unknown property: %v, wrote %q", err, stdout.String())
			}
			err = export.Command(ctx, []string{"--database-url", url}, getenv, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), "--object") {
				t.Fatalf("no object: %v", err)
			}
		})
	}
}
