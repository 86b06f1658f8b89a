package graph_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/graph/generated"
)

// TestSchemaGolden prints the schema the server runs, every type sorted by
// name, and compares it with testdata/schema.graphql: a change of the
// contract, whichever schema file it comes from, shows in review as a diff
// of that one file. go test ./graph -run TestSchemaGolden -update rewrites
// it.
func TestSchemaGolden(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	var buf bytes.Buffer
	if s.Description != "" {
		// The formatter leaves out the schema's description; introspection
		// answers it.
		buf.WriteString("\"\"\"\n" + s.Description + "\n\"\"\"\nschema {\n  query: " + s.Query.Name +
			"\n  mutation: " + s.Mutation.Name + "\n}\n")
	}
	formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatSchema(s)
	path := filepath.Join("testdata", "schema.graphql")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./graph -run TestSchemaGolden -update to create it): %v", err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Fatalf("the schema differs from %s (go test ./graph -run TestSchemaGolden -update rewrites it):\n%s", path, buf.String())
	}
}
