package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/tenant"
	"github.com/acme/crm/internal/typed"
)

// SchemaUsage is crm schema's usage line.
const SchemaUsage = `  crm schema print [--workspace NAME] [--database-url URL]   (the workspace's typed SDL, as /graphql/typed serves it)
`

// Schema runs crm schema print: the typed schema's SDL of a workspace (the
// default one unless --workspace names another) at its current schema
// version, on out, as the typed endpoint serves it; SDK generators read it
// (graphql-codegen, genqlient). A database without the default workspace
// gets it first, as every command's does.
func Schema(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 || args[0] != "print" {
		return errors.New("usage:\n" + SchemaUsage)
	}
	fs := flag.NewFlagSet("crm schema print", flag.ContinueOnError)
	fs.SetOutput(out)
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "postgres://... or sqlite:FILE (env DATABASE_URL; default "+db.DefaultURL+")")
	name := fs.String("workspace", tenant.DefaultName, "the workspace whose schema to print")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("crm schema print takes no arguments, only flags: %q", fs.Args())
	}
	d, _, err := openDefault(ctx, *databaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	ws, err := workspaceNamed(ctx, d, *name)
	if err != nil {
		return err
	}
	m, err := meta.NewCache(d).Get(ctx, ws.ID)
	if err != nil {
		return err
	}
	s, err := typed.Build(m)
	if err != nil {
		return fmt.Errorf("the typed schema of workspace %q: %w", *name, err)
	}
	_, err = io.WriteString(out, s.SDL)
	return err
}
