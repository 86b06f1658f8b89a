package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/workspace"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/owners"
)

// KeysUsage is the usage of crm keys and crm workspaces.
const KeysUsage = `  crm keys create --workspace NAME --scopes SCOPE,... [--name N] [--expires DURATION] [--owner EMAIL]
                  [--rate-burst N] [--rate-per-second R] [--database-url URL]
  crm keys list [--database-url URL]
  crm keys revoke [--database-url URL] ID
  crm workspaces create [--database-url URL] NAME
`

// Keys runs crm keys create, list or revoke. create prints the secret on
// the last line of out: it is shown this once. Keys made and revoked are
// audited with the actor CLI.
func Keys(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	ctx = audit.WithActor(ctx, audit.CLI)
	if len(args) == 0 {
		return errors.New("usage:\n" + KeysUsage)
	}
	fs := flag.NewFlagSet("crm keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(out)
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "postgres://... or sqlite:FILE (env DATABASE_URL; default "+db.DefaultURL+")")
	var ws, scopes, name, owner *string
	var expires *time.Duration
	var rate auth.Rate
	if args[0] == "create" {
		ws = fs.String("workspace", "", "the workspace the key works in (crm workspaces create makes one; the first is called default)")
		scopes = fs.String("scopes", "", "comma-separated: "+strings.Join(scopeNames(), ", "))
		name = fs.String("name", "crm keys create", "what the key is for")
		expires = fs.Duration("expires", 0, "how long the key works, such as 2160h; default: until revoked")
		fs.Func("rate-burst", "the most cost the key's requests may spend at once (its token bucket's size); default: the server's", func(s string) error {
			n, err := strconv.Atoi(s)
			rate.Burst = &n
			return err
		})
		fs.Func("rate-per-second", "the cost the key's token bucket regains a second; default: the server's", func(s string) error {
			r, err := strconv.ParseFloat(s, 64)
			rate.PerSecond = &r
			return err
		})
		owner = fs.String("owner", "", "the email of the owner the key's requests are tied to (private views, \"me\" filters, team layouts)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	d, _, err := openDefault(ctx, *databaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	keys := auth.New(d)
	switch args[0] {
	case "create":
		return createKey(ctx, d, keys, out, keySpec{workspace: *ws, scopes: *scopes, name: *name, expires: *expires, owner: *owner, rate: rate})
	case "list":
		return listKeys(ctx, keys, out)
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("crm keys revoke ID: one key id (crm keys list shows them)")
		}
		id, err := keyID(fs.Arg(0))
		if err != nil {
			return err
		}
		k, err := keys.Revoke(ctx, 0, id)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "key %d %q of workspace %s revoked at %s\n", k.ID, k.Name, k.WorkspaceName, k.RevokedAt.Format(time.RFC3339))
		return err
	}
	return fmt.Errorf("unknown command crm keys %s: the commands are create, list and revoke", args[0])
}

// keySpec is what crm keys create was asked for.
type keySpec struct {
	workspace, scopes, name, owner string
	expires                        time.Duration
	rate                           auth.Rate
}

func createKey(ctx context.Context, d *db.DB, keys *auth.Store, out io.Writer, spec keySpec) error {
	wsName, scopeList, name, expires := spec.workspace, spec.scopes, spec.name, spec.expires
	if wsName == "" {
		return errors.New("crm keys create: --workspace NAME is needed (the first workspace is called default)")
	}
	scopes, err := auth.ParseScopes(strings.Split(scopeList, ","))
	if err != nil {
		return fmt.Errorf("crm keys create --scopes: %w", err)
	}
	ws, err := workspaceNamed(ctx, d, wsName)
	if err != nil {
		return err
	}
	var expiresAt *time.Time
	if expires < 0 {
		return errors.New("crm keys create --expires must be a positive duration")
	}
	if expires > 0 {
		t := time.Now().Add(expires)
		expiresAt = &t
	}
	ownerID, err := ownerNamed(ctx, d, ws.ID, spec.owner)
	if err != nil {
		return err
	}
	k, secret, err := keys.Create(ctx, ws.ID, name, scopes, expiresAt, spec.rate, ownerID)
	if err != nil {
		return err
	}
	until := "until revoked"
	if k.ExpiresAt != nil {
		until = "until " + k.ExpiresAt.Format(time.RFC3339)
	}
	_, err = fmt.Fprintf(out, "key %d %q of workspace %s, scopes %s, works %s.\n"+
		"Send it as Authorization: Bearer <secret>. The secret is shown this once (only its hash is kept):\n%s\n",
		k.ID, k.Name, ws.Name, scopeList, until, secret)
	return err
}

func listKeys(ctx context.Context, keys *auth.Store, out io.Writer) error {
	all, err := keys.List(ctx, 0)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWORKSPACE\tNAME\tSCOPES\tRATE\tCREATED\tEXPIRES\tREVOKED\tLAST USED")
	for _, k := range all {
		names := make([]string, len(k.Scopes))
		for i, s := range k.Scopes {
			names[i] = string(s)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.WorkspaceName, k.Name, strings.Join(names, ","), rateOf(k),
			k.CreatedAt.Format(time.RFC3339), orDash(k.ExpiresAt), orDash(k.RevokedAt), orDash(k.LastUsedAt))
	}
	return tw.Flush()
}

// keyID reads a key's id as crm keys list prints it, or as the API does.
func keyID(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n, nil
	}
	return gid.DecodeKind(s, gid.APIKey)
}

func orDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func scopeNames() []string {
	names := make([]string, len(auth.AllScopes))
	for i, s := range auth.AllScopes {
		names[i] = string(s)
	}
	return names
}

// Workspaces runs crm workspaces create NAME: a workspace with its
// standard catalog, audited with the actor CLI.
func Workspaces(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	ctx = audit.WithActor(ctx, audit.CLI)
	fs := flag.NewFlagSet("crm workspaces create", flag.ContinueOnError)
	fs.SetOutput(out)
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "postgres://... or sqlite:FILE (env DATABASE_URL; default "+db.DefaultURL+")")
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage:\n" + KeysUsage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 || strings.TrimSpace(fs.Arg(0)) == "" {
		return errors.New("crm workspaces create NAME: one name")
	}
	d, err := db.Open(ctx, *databaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	name := strings.TrimSpace(fs.Arg(0))
	id, err := install.CreateWorkspace(ctx, d, name)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "workspace %d %q made with the standard catalog; give it a key: crm keys create --workspace %s --scopes ADMIN\n", id, name, name)
	return err
}

// openDefault opens the database at url, migrated, with its default
// workspace, whose id it returns: what every command starts with.
func openDefault(ctx context.Context, url string) (*db.DB, int, error) {
	d, err := db.Open(ctx, url)
	if err != nil {
		return nil, 0, err
	}
	ws, err := install.Default(ctx, d)
	if err != nil {
		return nil, 0, errors.Join(err, d.Close())
	}
	return d, ws, nil
}

// workspaceNamed is the workspace called name; none of that name is an
// error saying how to make it.
func workspaceNamed(ctx context.Context, d *db.DB, name string) (*ent.Workspace, error) {
	ws, err := d.Client.Workspace.Query().Where(workspace.Name(name)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("no workspace called %q (crm workspaces create %s makes one)", name, name)
	}
	if err != nil {
		return nil, fmt.Errorf("workspace %q: %w", name, err)
	}
	return ws, nil
}

// rateOf is a key's rate limit as crm keys list shows it: its burst and
// rate a second, "default" for what it leaves to the server.
func rateOf(k *auth.Key) string {
	burst, perSecond := "default", "default"
	if k.RateBurst != nil {
		burst = strconv.Itoa(*k.RateBurst)
	}
	if k.RatePerSecond != nil {
		perSecond = strconv.FormatFloat(*k.RatePerSecond, 'g', -1, 64)
	}
	return burst + " burst, " + perSecond + "/s"
}

// ownerNamed finds the live owner of workspace ws whose email is email;
// 0 for no email.
func ownerNamed(ctx context.Context, d *db.DB, ws int, email string) (int, error) {
	if email == "" {
		return 0, nil
	}
	m, err := meta.NewCache(d).Get(ctx, ws)
	if err != nil {
		return 0, err
	}
	o, err := owners.ByEmail(m, email)
	if err != nil {
		return 0, fmt.Errorf("crm keys create --owner: %w", err)
	}
	return o.ID, nil
}
