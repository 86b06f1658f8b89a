package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/cli"
	"github.com/acme/crm/internal/dbtest"
)

// TestKeysCommands: a workspace made by crm workspaces create gets a key
// from crm keys create, whose secret authenticates to that workspace until
// crm keys revoke; crm keys list shows it, never its secret.
func TestKeysCommands(t *testing.T) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, name)
			getenv := databaseEnv(url)
			var out bytes.Buffer
			if err := cli.Workspaces(ctx, []string{"create", "acme"}, getenv, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if err := cli.Workspaces(ctx, []string{"create", "acme"}, getenv, &out); err == nil || !strings.Contains(err.Error(), "exists") {
				t.Fatalf("a second acme: %v", err)
			}
			if err := cli.Keys(ctx, []string{"create", "--workspace", "nowhere", "--scopes", "ADMIN"}, getenv, &out); err == nil {
				t.Fatal("a key of a missing workspace")
			}
			if err := cli.Keys(ctx, []string{"create", "--workspace", "acme", "--scopes", "ADMIN,OWNER"}, getenv, &out); err == nil {
				t.Fatal("a key with an unknown scope")
			}
			if err := cli.Keys(ctx, []string{"create", "--workspace", "acme", "--scopes", "ADMIN", "--rate-burst", "0"}, getenv, &out); err == nil || !strings.Contains(err.Error(), "rateBurst") {
				t.Fatalf("a key with a burst of 0: %v", err)
			}
			out.Reset()
			if err := cli.Keys(ctx, []string{"create", "--workspace", "acme", "--scopes", "records_read,IMPORT_EXPORT", "--name", "ci", "--expires", "24h",
				"--rate-burst", "1000", "--rate-per-second", "2.5"}, getenv, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			secret := lines[len(lines)-1]
			d := dbtest.OpenURL(t, url)
			k, err := auth.New(d).Authenticate(ctx, "Bearer "+secret)
			if err != nil {
				t.Fatalf("the printed secret: %v\n%s", err, out.String())
			}
			if k.WorkspaceName != "acme" || k.Name != "ci" || k.ExpiresAt == nil || !k.Allows(auth.ImportExport) || k.Allows(auth.RecordsWrite) ||
				k.RateBurst == nil || *k.RateBurst != 1000 || k.RatePerSecond == nil || *k.RatePerSecond != 2.5 {
				t.Fatalf("key %+v", k)
			}
			out.Reset()
			if err := cli.Keys(ctx, []string{"list"}, getenv, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "acme") || !strings.Contains(out.String(), "RECORDS_READ,IMPORT_EXPORT") || !strings.Contains(out.String(), "1000 burst, 2.5/s") || strings.Contains(out.String(), secret) {
				t.Fatalf("list:\n%s", out.String())
			}
			if err := cli.Keys(ctx, []string{"revoke", k.GlobalID()}, getenv, &out); err != nil {
				t.Fatal(err)
			}
			if _, err := auth.New(d).Authenticate(ctx, "Bearer "+secret); err == nil {
				t.Fatal("a revoked key authenticates")
			}
		})
	}
}

// databaseEnv is an environment that holds DATABASE_URL=url alone.
func databaseEnv(url string) func(string) string {
	return func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
}
