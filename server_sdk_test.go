package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/npmtest"
)

// goldenSchema is the contract both examples generate their clients
// from; typedSchema the standard catalog's typed SDL, the typed examples'.
const (
	goldenSchema = "graph/testdata/schema.graphql"
	typedSchema  = "internal/typed/testdata/catalog.graphqls"
)

// TestSDKExamples builds the SDK examples and runs each against a live
// server on each database, as a user runs them against make run: the
// example creates a company and a contact, associates them, reads them
// back through its typed client and exits non-zero on any mismatch. The
// server holds an API key, so the example must send it (CRM_API_KEY);
// without it, it must fail.
//
// go: examples/go, whose genqlient client make check-generate keeps in
// sync. typescript: examples/typescript's npm packages installed once into
// the user's cache folder, graphql-codegen's output compared with the
// committed src/gql/, tsc in strict mode (no error: nothing is emitted
// otherwise), then node. Without node or npm the typescript test skips,
// saying how to run it; CRM_REQUIRE_SDK=1 (as .ci/run sets it) makes that
// a failure.
//
// Each has its typed variant (go/typed: examples/go/typed;
// typescript/typed: examples/typescript/src/typed, its client in
// src/typed/gql/), generated from the standard catalog's typed SDL and
// run the same way against /graphql/typed; then a misspelt property must
// not compile (goMisspelt, typescriptMisspelt).
func TestSDKExamples(t *testing.T) {
	t.Run("go", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "example")
		execOK(t, "", "go", "build", "-o", bin, "./examples/go")
		runExample(t, "/graphql", bin)
		t.Run("typed", func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "example")
			execOK(t, "", "go", "build", "-o", bin, "./examples/go/typed")
			runExample(t, graph.TypedPath, bin)
			goMisspelt(t)
		})
	})
	t.Run("typescript", func(t *testing.T) {
		const require, run = "CRM_REQUIRE_SDK", "with node >= 18 and npm reaching the registry, go test -run TestSDKExamples/typescript ."
		node, installed := npmtest.Ready(t, require, run, "examples/typescript", "@graphql-codegen/cli")
		dir := typescriptCopy(t, installed)
		bin := filepath.Join(dir, "node_modules", ".bin")
		execOK(t, dir, node, filepath.Join(bin, "graphql-codegen"), "--config", "codegen.ts")
		for _, gql := range []string{filepath.Join("src", "gql"), filepath.Join("src", "typed", "gql")} {
			sameFiles(t, filepath.Join(dir, gql), filepath.Join("examples", "typescript", gql),
				"cd examples/typescript && npm ci && npm run codegen, and commit "+gql)
		}
		execOK(t, dir, node, filepath.Join(bin, "tsc"))
		runExample(t, "/graphql", node, filepath.Join(dir, "dist", "main.js"))
		t.Run("typed", func(t *testing.T) {
			runExample(t, graph.TypedPath, node, filepath.Join(dir, "dist", "typed", "main.js"))
			typescriptMisspelt(t, node, filepath.Join(bin, "tsc"), dir)
		})
	})
}

// typescriptCopy copies examples/typescript (without what npm and tsc
// make there) and the golden schema into a temporary folder, in the
// layout codegen.ts expects, with node_modules the installed packages of
// the user's cache folder; it returns the example's folder.
func typescriptCopy(t *testing.T, installed string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "examples", "typescript")
	src := filepath.Join("examples", "typescript")
	err := filepath.WalkDir(src, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if e.IsDir() {
			if rel == "node_modules" || rel == "dist" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		return copyFile(path, filepath.Join(dir, rel))
	})
	for _, schema := range []string{goldenSchema, typedSchema} {
		if err == nil {
			err = os.MkdirAll(filepath.Join(root, filepath.Dir(schema)), 0o755)
		}
		if err == nil {
			err = copyFile(schema, filepath.Join(root, schema))
		}
	}
	if err == nil {
		err = os.Symlink(filepath.Join(installed, "node_modules"), filepath.Join(dir, "node_modules"))
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// sameFiles fails the test unless the folders hold the same files with the
// same contents; fix says how to bring want up to date.
func sameFiles(t *testing.T, got, want, fix string) {
	t.Helper()
	read := func(dir string) map[string][]byte {
		files := map[string][]byte{}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = b
		}
		return files
	}
	g, w := read(got), read(want)
	for name, b := range g {
		if wb, ok := w[name]; !ok {
			t.Errorf("%s is generated but not committed in %s", name, want)
		} else if !bytes.Equal(b, wb) {
			t.Errorf("%s in %s differs from what codegen generates", name, want)
		}
	}
	for name := range w {
		if _, ok := g[name]; !ok {
			t.Errorf("%s in %s is no longer generated", name, want)
		}
	}
	if t.Failed() {
		t.Fatalf("the generated client is out of date: %s", fix)
	}
}

// execOK runs name with args in dir and fails the test, showing the
// output, if it fails; it returns the output.
func execOK(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// runExample runs the example (program and arguments) against a
// server on each database holding an API key, at its endpoint path: it
// must succeed with the key and fail without.
func runExample(t *testing.T, path string, example ...string) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		endpoint := server(t, d).URL + path
		ctx := audit.WithActor(context.Background(), audit.CLI)
		ws, err := install.Default(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := auth.New(d).Create(ctx, ws, "sdk example", []auth.Scope{auth.RecordsRead, auth.RecordsWrite}, nil, auth.Rate{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		run := func(env ...string) (string, error) {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, example[0], example[1:]...)
			cmd.Env = append(os.Environ(), append([]string{"CRM_ENDPOINT=" + endpoint, "CRM_API_KEY="}, env...)...)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		out, err := run("CRM_API_KEY=" + secret)
		if err != nil || !strings.HasPrefix(out, "contact ") || !strings.Contains(out, " is the Primary contact of company ") {
			t.Errorf("with the key: %v\n%s", err, out)
		} else {
			t.Log(strings.TrimSpace(out))
		}
		if out, err := run(); err == nil || !strings.Contains(out, "UNAUTHENTICATED") {
			t.Errorf("without the key it must fail, UNAUTHENTICATED: %v\n%s", err, out)
		}
	})
}

// goMisspelt proves that the Go typed example does not compile a
// misspelt property: genqlient refuses an operation selecting
// contact.emial (the typed schema has no such field), and the Go compiler
// a use of ContactRead.Emial (the generated type has no such field), each
// naming it.
func goMisspelt(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "genqlient.yaml")
	schema, err := filepath.Abs(typedSchema)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		config: "schema: " + schema + "\noperations: [misspelt.graphql]\ngenerated: generated.go\npackage: main\noptional: pointer\n" +
			"bindings: {DateTime: {type: time.Time}, Date: {type: string}}\n",
		filepath.Join(dir, "misspelt.graphql"): "query Misspelt($id: ID!) {\n  contact(id: $id) {\n    id\n    emial\n  }\n}\n",
		filepath.Join(dir, "misspelt.go"):      "package main\n\nfunc misspelt(c ContactRead) *string { return c.Emial }\n",
	}
	for name, text := range files {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("go", "tool", "genqlient", config).CombinedOutput(); err == nil ||
		!strings.Contains(string(out), `Cannot query field "emial" on type "Contact"`) {
		t.Errorf("genqlient of an operation selecting contact.emial: %v, want it refused naming emial:\n%s", err, out)
	}
	// The example's package with misspelt.go added (go build -overlay),
	// the tree unchanged.
	overlay := filepath.Join(dir, "overlay.json")
	added, err := filepath.Abs(filepath.Join("examples", "go", "typed", "misspelt.go"))
	if err == nil {
		err = os.WriteFile(overlay, []byte(fmt.Sprintf(`{"Replace": {%q: %q}}`, added, filepath.Join(dir, "misspelt.go"))), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("go", "build", "-overlay", overlay, "-o", os.DevNull, "./examples/go/typed").CombinedOutput(); err == nil ||
		!strings.Contains(string(out), "c.Emial undefined (type ContactRead has no field or method Emial)") {
		t.Errorf("go build of a use of ContactRead.Emial: %v, want it refused naming Emial:\n%s", err, out)
	}
}

// typescriptMisspelt proves that the TypeScript typed example does not
// compile a misspelt property: tsc refuses examples/typescript/misspelt
// (in dir, the example's copy), which reads contact.emial from the typed
// query's answer and writes emial in a ContactInput, with an error naming
// each and no other.
func typescriptMisspelt(t *testing.T, node, tsc, dir string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, tsc, "-p", "misspelt")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	want := []string{
		"error TS2551: Property 'emial' does not exist on type '{ id: string; displayName: string; email: string | null;",
		"error TS2561: Object literal may only specify known properties, but 'emial' does not exist in type 'ContactInput'.",
	}
	if err == nil || strings.Count(string(out), "error TS") != len(want) {
		t.Fatalf("tsc -p misspelt: %v, want it to fail with %d errors:\n%s", err, len(want), out)
	}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("tsc -p misspelt does not say %q:\n%s", w, out)
		}
	}
}
