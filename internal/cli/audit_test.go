package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/acme/crm/ent/workspace"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/cli"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/page"
)

// TestCommandsAreAudited: crm workspaces create, crm keys create and
// revoke and crm import leave their entries, with the actor CLI and no
// request id, in the workspace they changed.
func TestCommandsAreAudited(t *testing.T) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, name)
			getenv := databaseEnv(url)
			var out bytes.Buffer
			if err := cli.Workspaces(ctx, []string{"create", "acme"}, getenv, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if err := cli.Keys(ctx, []string{"create", "--workspace", "acme", "--scopes", "ADMIN", "--name", "ops"}, getenv, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			d := dbtest.OpenURL(t, url)
			acme, err := d.Client.Workspace.Query().Where(workspace.Name("acme")).Only(ctx)
			if err != nil {
				t.Fatal(err)
			}
			key, err := d.Client.APIKey.Query().Only(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := cli.Keys(ctx, []string{"revoke", fmt.Sprint(key.ID)}, getenv, &out); err != nil {
				t.Fatal(err)
			}
			csv := filepath.Join(t.TempDir(), "contacts.csv")
			if err := os.WriteFile(csv, []byte("Email\nada@example.com\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := cli.Import(ctx, []string{csv}, getenv, &out, slog.Default()); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			def, err := d.Client.Workspace.Query().Where(workspace.Name("default")).Only(ctx)
			if err != nil {
				t.Fatal(err)
			}
			job, err := d.Client.ImportJob.Query().Only(ctx)
			if err != nil {
				t.Fatal(err)
			}

			trail := audit.NewTrail(d)
			read := func(ws int) []string {
				p, err := trail.List(ctx, ws, audit.Query{Page: page.Args{}})
				if err != nil {
					t.Fatal(err)
				}
				var lines []string
				for _, e := range p.Entries {
					lines = append(lines, strings.Join([]string{string(e.Actor.Kind), e.Actor.Name, string(e.Action), e.Target.GlobalID(), e.Target.Summary, e.RequestID}, "|"))
				}
				return lines
			}
			wantAcme := []string{
				"CLI|cli|REVOKE_API_KEY|" + gid.Encode(gid.APIKey, key.ID) + `|revoked API key "ops"|`,
				"CLI|cli|CREATE_API_KEY|" + gid.Encode(gid.APIKey, key.ID) + `|created API key "ops" with scopes ADMIN|`,
				"CLI|cli|CREATE_WORKSPACE|" + gid.Encode(gid.Workspace, acme.ID) + `|created workspace "acme"|`,
			}
			if got := read(acme.ID); !reflect.DeepEqual(got, wantAcme) {
				t.Fatalf("acme's trail:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantAcme, "\n"))
			}
			wantDefault := []string{fmt.Sprintf("CLI|cli|START_IMPORT|%s|started import %d with 1 file(s)|", gid.Encode(gid.Import, job.ID), job.ID)}
			if got := read(def.ID); !reflect.DeepEqual(got, wantDefault) {
				t.Fatalf("default's trail:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantDefault, "\n"))
			}
		})
	}
}
