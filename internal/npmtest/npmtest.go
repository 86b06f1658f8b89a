// Package npmtest runs the suite's node scripts: it finds node and npm,
// and installs a script folder's npm packages (as its package-lock.json
// pins them) once into the user's cache folder. Without node, npm or the
// registry a test skips, saying how to run it; with its require variable
// set (as .ci/run sets them) it fails instead.
package npmtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Unable skips t with why and how to run it, or fails it when the
// environment variable require is "1".
func Unable(t testing.TB, require, run, why string) {
	t.Helper()
	if os.Getenv(require) == "1" {
		t.Fatalf("%s; %s=1 requires this test to run", why, require)
	}
	t.Skipf("SKIPPED: %s; to run it: %s", why, run)
}

// Tools finds node (18 or newer) and npm, or calls Unable.
func Tools(t testing.TB, require, run string) (node, npm string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		Unable(t, require, run, "node is not installed")
	}
	npm, err = exec.LookPath("npm")
	if err != nil {
		Unable(t, require, run, "npm is not installed")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		Unable(t, require, run, fmt.Sprintf("node --version: %v", err))
	}
	if major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".", 2)[0]); major < 18 {
		Unable(t, require, run, fmt.Sprintf("node %s is older than 18", strings.TrimSpace(string(out))))
	}
	return node, npm
}

// Install makes a folder in the user's cache (XDG_CACHE_HOME, or
// ~/.cache) holding the files of source (package.json, package-lock.json
// and the scripts) and their packages, named by the hash of the files, and
// returns it; marker is a package the install must hold. The folder is
// made under another name and renamed into place, so that tests running
// at once never see half of it.
func Install(npm, source, marker string) (string, error) {
	entries, err := os.ReadDir(source)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	contents := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(source, e.Name()))
		if err != nil {
			return "", err
		}
		contents[e.Name()] = b
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(b))
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	parent := filepath.Join(cache, "crm-test", "npm")
	dir := filepath.Join(parent, filepath.Base(source)+"-"+hex.EncodeToString(h.Sum(nil))[:16])
	installed := filepath.Join(dir, "node_modules", marker, "package.json")
	if _, err := os.Stat(installed); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(parent, "installing-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // gone once renamed
	for name, b := range contents {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			return "", err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--prefix", tmp, "--no-audit", "--no-fund", "--loglevel=error",
		"--fetch-timeout=60000", "--fetch-retries=1")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		// npm's first lines say what failed (ECONNREFUSED...), then a
		// stack and where its log is.
		var msg []string
		for line := range strings.Lines(stderr.String()) {
			if line = strings.TrimSpace(strings.TrimPrefix(line, "npm error")); line != "" && !strings.HasPrefix(line, "at ") && len(msg) < 4 {
				msg = append(msg, line)
			}
		}
		return "", fmt.Errorf("npm ci could not install %s (is the npm registry reachable?): %v: %s", marker, err, strings.Join(msg, "; "))
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another test installed it first.
		if _, statErr := os.Stat(installed); statErr == nil {
			return dir, nil
		}
		return "", errors.Join(errors.New("installing the packages of "+source), err)
	}
	return dir, nil
}

// Ready finds node and npm and installs source's packages (Tools, then
// Install), or calls Unable; it returns node and the installed folder.
func Ready(t testing.TB, require, run, source, marker string) (node, dir string) {
	node, npm := Tools(t, require, run)
	dir, err := Install(npm, source, marker)
	if err != nil {
		Unable(t, require, run, err.Error())
	}
	return node, dir
}
