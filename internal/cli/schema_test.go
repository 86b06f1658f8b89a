package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/crm/ent/workspace"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/cli"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/typed"
	"github.com/acme/crm/internal/write"
)

// TestSchemaPrint: crm schema print writes a workspace's typed SDL, as
// typed.Build makes it: the default workspace's on a new database is the
// standard catalog's golden SDL (what the SDK examples generate from),
// another workspace's holds the custom property created in it, and a
// workspace that does not exist is an error naming it, printing nothing.
func TestSchemaPrint(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("..", "typed", "testdata", "catalog.graphqls"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, name)
			getenv := databaseEnv(url)
			var out bytes.Buffer
			if err := cli.Schema(ctx, []string{"print"}, getenv, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if out.String() != string(golden) {
				t.Errorf("crm schema print of the default workspace differs from the standard catalog's golden SDL:\n%.2000s", out.String())
			}

			if err := cli.Workspaces(ctx, []string{"create", "acme"}, getenv, &out); err != nil {
				t.Fatal(err)
			}
			d := dbtest.OpenURL(t, url)
			ws := d.Client.Workspace.Query().Where(workspace.Name("acme")).OnlyIDX(ctx)
			cache := meta.NewCache(d)
			m, err := cache.Get(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			tier := definition.PropertyInput{Name: "tier", Label: "Tier", Type: propdef.Enumeration, FieldType: propdef.Select,
				Options: []propdef.Option{{Label: "Gold", Value: "gold"}, {Label: "Silver", Value: "silver"}}}
			if _, err := definition.New(d, write.New(d)).CreateProperty(audit.WithActor(ctx, audit.CLI), m, "contacts", tier); err != nil {
				t.Fatal(err)
			}
			if m, err = cache.Get(ctx, ws); err != nil {
				t.Fatal(err)
			}
			want, err := typed.Build(m)
			if err != nil {
				t.Fatal(err)
			}
			out.Reset()
			if err := cli.Schema(ctx, []string{"print", "--workspace", "acme"}, getenv, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if out.String() != want.SDL {
				t.Errorf("crm schema print --workspace acme differs from typed.Build's SDL of acme:\n%.2000s", out.String())
			}
			for _, s := range []string{"\n  tier: ContactTier\n", "\nenum ContactTier {\n", "\n  gold\n"} {
				if !strings.Contains(out.String(), s) {
					t.Errorf("the custom property tier: %q is not in acme's SDL", s)
				}
			}

			out.Reset()
			err = cli.Schema(ctx, []string{"print", "--workspace", "nowhere"}, getenv, &out)
			if err == nil || !strings.Contains(err.Error(), `no workspace called "nowhere"`) || out.Len() != 0 {
				t.Errorf("an unknown workspace: %v, printed:\n%.200s", err, out.String())
			}
			if err := cli.Schema(ctx, []string{"show"}, getenv, &out); err == nil || !strings.Contains(err.Error(), "crm schema print") {
				t.Errorf("crm schema show: %v", err)
			}
		})
	}
}
