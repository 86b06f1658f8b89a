package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/search"
)

// Usage is the command's line of the server binary's usage.
const Usage = `  crm export --object TYPE [--view ID] [--list ID] [--filter JSON] [--sort JSON] [--properties a,b] [--associations TYPE,...] [--headers labels|names] [--enumerations values|labels] [--database-url URL] > out.csv
`

// Command is crm export: it writes the CSV of the records its flags (args)
// select to stdout, from the default workspace of the database, which must
// be migrated. The spec is the one exportRecords takes: --filter and
// --sort are JSON in the RecordFilter and [RecordSort] input forms, --view
// and --list a global id or a plain id. A refused spec writes nothing.
func Command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	spec, databaseURL, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	ws, err := install.DefaultMigrated(ctx, d)
	if err != nil {
		return err
	}
	m, err := meta.NewCache(d).Get(ctx, ws)
	if err != nil {
		return err
	}
	return New(d).Write(ctx, m, spec, stdout)
}

// parseFlags reads the command's flags into a spec.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (spec Spec, databaseURL string, err error) {
	fs := flag.NewFlagSet("crm export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage:\n"+Usage)
		fs.PrintDefaults()
	}
	var view, list, filter, sort, properties, associations, headers, enumerations string
	fs.StringVar(&spec.ObjectType, "object", "", "the object type to export (contacts, companies...): required")
	fs.StringVar(&view, "view", "", "a saved view's id: its filter and sort apply")
	fs.StringVar(&list, "list", "", "a list's id: its members only")
	fs.StringVar(&filter, "filter", "", `a RecordFilter as JSON, such as {"property":"lifecyclestage","operator":"EQ","value":"lead"}`)
	fs.StringVar(&sort, "sort", "", `RecordSort keys as JSON, such as [{"property":"lastname"}]`)
	fs.StringVar(&properties, "properties", "", "comma-separated property names (default: the properties that are not hidden)")
	fs.StringVar(&associations, "associations", "", "comma-separated object types whose associated record ids and names to add")
	fs.StringVar(&headers, "headers", "labels", "labels or names: what the header row names columns by")
	fs.StringVar(&enumerations, "enumerations", "values", "values or labels: what enumeration cells hold")
	fs.StringVar(&databaseURL, "database-url", getenv("DATABASE_URL"), "postgres://... or sqlite:FILE (env DATABASE_URL; default "+db.DefaultURL+")")
	if err := fs.Parse(args); err != nil {
		return spec, "", err
	}
	if fs.NArg() > 0 {
		return spec, "", fmt.Errorf("crm export takes flags only, got %q", fs.Arg(0))
	}
	if spec.ObjectType == "" {
		return spec, "", errors.New("crm export needs --object, the object type to export")
	}
	if spec.View, err = flagID("view", view, gid.View); err != nil {
		return spec, "", err
	}
	if spec.List, err = flagID("list", list, gid.List); err != nil {
		return spec, "", err
	}
	tree, err := flagJSON("filter", filter)
	if err != nil {
		return spec, "", err
	}
	if spec.Filter, err = search.Parse(tree, "filter"); err != nil {
		return spec, "", err
	}
	if tree, err = flagJSON("sort", sort); err != nil {
		return spec, "", err
	}
	if spec.Sort, err = search.ParseSorts(tree, "sort"); err != nil {
		return spec, "", err
	}
	spec.Properties, spec.Associations = flagList(properties), flagList(associations)
	spec.Headers, spec.Enumerations = Headers(strings.ToUpper(headers)), Enumerations(strings.ToUpper(enumerations))
	return spec, databaseURL, nil
}

// flagID reads an id flag: a global id of kind, or the plain number.
func flagID(name, v, kind string) (int, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return n, nil
	}
	n, err := gid.DecodeKind(v, kind)
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	return n, nil
}

// flagJSON decodes a JSON flag as a request's variables arrive: numbers
// as json.Number.
func flagJSON(name, v string) (any, error) {
	if v == "" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(v)))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("--%s is not JSON: %w", name, err)
	}
	return tree, nil
}

func flagList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
