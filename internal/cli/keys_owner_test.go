package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/acme/crm/ent/workspace"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/cli"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/owners"
	"github.com/acme/crm/internal/write"
)

// TestKeysCreateForAnOwner: crm keys create --owner EMAIL ties the key to
// the workspace's live owner of that email; an unknown or archived one is
// refused and makes no key.
func TestKeysCreateForAnOwner(t *testing.T) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, name)
			getenv := databaseEnv(url)
			var out bytes.Buffer
			if err := cli.Workspaces(ctx, []string{"create", "acme"}, getenv, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			d := dbtest.OpenURL(t, url)
			ws := d.Client.Workspace.Query().Where(workspace.Name("acme")).OnlyIDX(ctx)
			m, err := meta.NewCache(d).Get(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			email := "ann@acme.io"
			store := owners.New(d, write.New(d))
			ann, err := store.CreateOwner(ctx, m, owners.OwnerInput{Email: &email})
			if err != nil {
				t.Fatal(err)
			}
			gone := "gone@acme.io"
			cache := meta.NewCache(d)
			if m, err = cache.Get(ctx, ws); err != nil {
				t.Fatal(err)
			}
			goneID, err := store.CreateOwner(ctx, m, owners.OwnerInput{Email: &gone})
			if err != nil {
				t.Fatal(err)
			}
			if m, err = cache.Get(ctx, ws); err != nil {
				t.Fatal(err)
			}
			if err := store.ArchiveOwner(ctx, m, goneID); err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{"bob@acme.io", "not an email", gone} {
				if err := cli.Keys(ctx, []string{"create", "--workspace", "acme", "--scopes", "ADMIN", "--owner", bad}, getenv, &out); err == nil {
					t.Fatalf("--owner %s made a key", bad)
				}
			}
			out.Reset()
			if err := cli.Keys(ctx, []string{"create", "--workspace", "acme", "--scopes", "ADMIN", "--owner", "ANN@acme.io"}, getenv, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			k, err := auth.New(d).Authenticate(ctx, "Bearer "+lines[len(lines)-1])
			if err != nil || k.OwnerID != ann {
				t.Fatalf("key %+v, %v; want owner %d", k, err, ann)
			}
			if keys, err := auth.New(d).List(ctx, ws); err != nil || len(keys) != 1 {
				t.Fatalf("keys %d, %v", len(keys), err)
			}
		})
	}
}
