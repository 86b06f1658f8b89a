package typed_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/typed"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestCatalogSDL is the typed schema of a fresh workspace, the standard
// catalog's, as a golden file.
func TestCatalogSDL(t *testing.T) {
	d := dbtest.Open(t, "sqlite")
	ctx := context.Background()
	ws, err := install.DefaultMigrated(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	m, err := meta.NewCache(d).Get(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	s, err := typed.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "catalog.graphqls")
	if *update {
		if err := os.WriteFile(golden, []byte(s.SDL), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != s.SDL {
		t.Errorf("the typed SDL differs from %s (go test ./internal/typed -run TestCatalogSDL -update, and read the diff)", golden)
	}
}
