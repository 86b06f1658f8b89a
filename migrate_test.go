package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
)

// catalogTables are the tables install.Default seeds.
var catalogTables = []string{"workspaces", "object_types", "property_groups", "properties",
	"pipelines", "pipeline_stages", "association_types"}

// TestServersStartTogether is issue 10's test: server processes started at
// the same moment on an empty database all serve, and the database is
// migrated and seeded once.
func TestServersStartTogether(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server and starts processes")
	}
	bin := buildServer(t)
	// What one server alone seeds, to compare with.
	want := rowCounts(t, seeded(t))
	for _, tc := range []struct {
		dialect string
		n       int
	}{{"postgres", 8}, {"sqlite", 4}} {
		t.Run(tc.dialect, func(t *testing.T) {
			url := dbtest.URL(t, tc.dialect)
			procs := startServers(t, bin, tc.n, url)
			for _, p := range procs {
				p.waitHealthy(t, 2*time.Minute)
			}
			for _, p := range procs {
				p.checkGraphQL(t)
			}

			d, err := db.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			status, err := d.MigrationStatus(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range status {
				if m.State != db.MigrationApplied {
					t.Errorf("migration %+v, want applied", m)
				}
			}
			// One row per migration, and goose's version 0 marker once.
			rows, err := d.SQL.Query("SELECT version_id, count(*) FROM " + db.VersionTable + " GROUP BY version_id ORDER BY version_id")
			if err != nil {
				t.Fatal(err)
			}
			var versions []int64
			for rows.Next() {
				var v int64
				var n int
				if err := rows.Scan(&v, &n); err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Errorf("version %d recorded %d times", v, n)
				}
				versions = append(versions, v)
			}
			rows.Close()
			if len(versions) != len(status)+1 {
				t.Errorf("%s holds versions %v, want 0 and one per migration (%d)", db.VersionTable, versions, len(status))
			}
			var applied int
			for _, p := range procs {
				applied += strings.Count(p.output(), `msg="migration applied"`)
			}
			if applied != len(status) {
				t.Errorf("the servers applied %d migrations between them, want %d (one each)", applied, len(status))
			}
			got := rowCounts(t, d)
			for _, table := range catalogTables {
				if got[table] != want[table] {
					t.Errorf("%s: %d rows, want %d as one server seeds", table, got[table], want[table])
				}
			}
			// Seeding bumps the schema version when it creates anything:
			// once, if only one server seeded.
			var sv int
			if err := d.SQL.QueryRow("SELECT schema_version FROM workspaces").Scan(&sv); err != nil {
				t.Fatal(err)
			}
			if sv != 1 {
				t.Errorf("workspace schema_version = %d, want 1: seeded more than once", sv)
			}
			if t.Failed() {
				for i, p := range procs {
					t.Logf("server %d output:\n%s", i, p.output())
				}
			}
		})
	}
}

// buildServer builds the crm binary from this package, once per test.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "crm")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func seeded(t *testing.T) *db.DB {
	t.Helper()
	d := dbtest.Open(t, "sqlite")
	if _, err := install.Default(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

func rowCounts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range catalogTables {
		var n int
		if err := d.SQL.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	return counts
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type serverProc struct {
	addr string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // its exit, once done
}

func (p *serverProc) output() string { return p.out.String() }

// startServers starts n servers on url at once, each on a free port, and
// stops them when the test ends.
func startServers(t *testing.T, bin string, n int, url string) []*serverProc {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "DATABASE_URL", "ADDR", "PORT", "NO_MIGRATE", "LOG_FORMAT":
		default:
			env = append(env, kv)
		}
	}
	procs := make([]*serverProc, n)
	for i := range procs {
		p := &serverProc{addr: freeAddr(t), out: &syncBuffer{}, done: make(chan struct{})}
		p.cmd = exec.Command(bin)
		p.cmd.Env = append(env[:len(env):len(env)], "DATABASE_URL="+url, "ADDR="+p.addr, "LOG_FORMAT=text")
		p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
		procs[i] = p
	}
	// Everything is ready: start them back to back.
	for _, p := range procs {
		if err := p.cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", bin, err)
		}
		go func() {
			p.err = p.cmd.Wait()
			close(p.done)
		}()
	}
	t.Cleanup(func() {
		for _, p := range procs {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			select {
			case <-p.done:
			case <-time.After(30 * time.Second):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
	})
	return procs
}

func (p *serverProc) waitHealthy(t *testing.T, limit time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-p.done:
			t.Fatalf("server %s exited before serving: %v\n%s", p.addr, p.err, p.output())
		default:
		}
		resp, err := client.Get("http://" + p.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server %s not healthy after %v: %v\n%s", p.addr, limit, err, p.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *serverProc) checkGraphQL(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Post("http://"+p.addr+"/graphql", "application/json", strings.NewReader(`{"query":"{objectTypes{name}}"}`))
	if err != nil {
		t.Fatalf("server %s: %v", p.addr, err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			ObjectTypes []struct{ Name string }
		}
		Errors []json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("server %s: %d: %v", p.addr, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || len(out.Errors) > 0 || len(out.Data.ObjectTypes) == 0 {
		t.Fatalf("server %s: %d, errors %s, %d object types", p.addr, resp.StatusCode, out.Errors, len(out.Data.ObjectTypes))
	}
}

// TestMigrateCommand runs crm migrate [--status] and the server with
// --no-migrate as main does, on SQLite.
func TestMigrateCommand(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "crm.db")
	migrate := func(args ...string) string {
		t.Helper()
		cfg, err := loadConfig(append([]string{"migrate", "--database-url", url}, args...), env(nil))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := runMigrate(cfg, testLogger(t), &out); err != nil {
			t.Fatalf("crm migrate %v: %v", args, err)
		}
		return out.String()
	}
	// A port in use: run returns after the database checks instead of serving.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	serveNoMigrate := func() error {
		cfg, err := loadConfig([]string{"--no-migrate", "--database-url", url, "--addr", busy.Addr().String()}, env(nil))
		if err != nil {
			t.Fatal(err)
		}
		return run(cfg, testLogger(t))
	}

	out := migrate("--status")
	if !strings.Contains(out, "00001_initial.sql") || !strings.Contains(out, "pending") || !strings.Contains(out, "crm migrate") {
		t.Errorf("status of an empty database:\n%s", out)
	}
	// --no-migrate refuses, changing nothing, and says what to do.
	err = serveNoMigrate()
	if err == nil || !strings.Contains(err.Error(), "crm migrate") || !strings.Contains(err.Error(), "pending") {
		t.Errorf("serving with --no-migrate and pending migrations = %v, want a refusal saying to run crm migrate", err)
	}
	if out := migrate("--status"); strings.Contains(out, "applied") {
		t.Errorf("the refusal applied migrations:\n%s", out)
	}

	out = migrate()
	latest, found := strings.CutPrefix(strings.TrimSpace(out), "database schema is up to date at version ")
	if !found {
		t.Errorf("crm migrate printed %q", out)
	}
	out = migrate("--status")
	if !strings.Contains(out, "applied") || strings.Contains(out, "pending") || !strings.Contains(out, "up to date") {
		t.Errorf("status after migrating:\n%s", out)
	}
	// Migrated: --no-migrate passes the check and reaches listening.
	if err := serveNoMigrate(); err == nil || strings.Contains(err.Error(), "migrat") {
		t.Errorf("serving with --no-migrate on a migrated database = %v, want only the listen error", err)
	}

	// A newer database: both ways of starting refuse, naming both versions.
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.SQL.Exec("INSERT INTO "+db.VersionTable+" (version_id, is_applied) VALUES (?, ?)", 999, true); err != nil {
		t.Fatal(err)
	}
	for _, noMigrate := range []bool{false, true} {
		cfg := config{addr: freeAddr(t), databaseURL: url, logFormat: "text", noMigrate: noMigrate}
		err := run(cfg, testLogger(t))
		if err == nil || !strings.Contains(err.Error(), "version 999") || !strings.Contains(err.Error(), "version "+latest+":") {
			t.Errorf("run (no-migrate %v) on a newer database = %v, want a refusal naming versions 999 and %s", noMigrate, err, latest)
		}
	}
	if out := migrate("--status"); !strings.Contains(out, "00999") || !strings.Contains(out, "newer") {
		t.Errorf("status of a newer database:\n%s", out)
	}
	cfg, _ := loadConfig([]string{"migrate", "--database-url", url}, env(nil))
	if err := runMigrate(cfg, testLogger(t), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "999") {
		t.Errorf("crm migrate on a newer database = %v, want a refusal", err)
	}
}
