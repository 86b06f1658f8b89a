package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cluster is a local PostgreSQL cluster pg_ctlcluster manages.
type cluster struct{ version, name string }

func (c cluster) String() string { return c.version + "/" + c.name }

// findCluster returns the cluster named VERSION/NAME, or the main cluster
// of the newest version under /etc/postgresql.
func findCluster(named string) (cluster, error) {
	if named != "" {
		v, n, ok := strings.Cut(named, "/")
		if !ok || v == "" || n == "" {
			return cluster{}, fmt.Errorf("CHAOS_CLUSTER must be VERSION/NAME, got %q", named)
		}
		return cluster{v, n}, nil
	}
	entries, err := os.ReadDir("/etc/postgresql")
	if err != nil {
		return cluster{}, errors.New("no PostgreSQL cluster under /etc/postgresql")
	}
	var versions []float64
	for _, e := range entries {
		if v, err := strconv.ParseFloat(e.Name(), 64); err == nil && e.IsDir() {
			versions = append(versions, v)
		}
	}
	if len(versions) == 0 {
		return cluster{}, errors.New("no PostgreSQL cluster under /etc/postgresql")
	}
	sort.Float64s(versions)
	return cluster{strconv.FormatFloat(versions[len(versions)-1], 'f', -1, 64), "main"}, nil
}

// ctl runs pg_ctlcluster; without systemd to redirect to, as on CI
// machines, first.
func (c cluster) ctl(ctx context.Context, action string) error {
	out, err := exec.CommandContext(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", c.version, c.name, action).CombinedOutput()
	if err == nil {
		return nil
	}
	out2, err2 := exec.CommandContext(ctx, "pg_ctlcluster", c.version, c.name, action).CombinedOutput()
	if err2 == nil {
		return nil
	}
	return fmt.Errorf("pg_ctlcluster %s %s: %v: %s / %v: %s", c, action,
		err, strings.TrimSpace(string(out)), err2, strings.TrimSpace(string(out2)))
}

// ready reports whether the server of base accepts connections.
func ready(ctx context.Context, base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	args := []string{"-q", "-h", u.Hostname()}
	if p := u.Port(); p != "" {
		args = append(args, "-p", p)
	}
	return exec.CommandContext(ctx, "pg_isready", args...).Run() == nil
}

func (c cluster) waitReady(ctx context.Context, base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for !ready(ctx, base) {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the server of cluster %s does not accept connections after %s", c, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// restart is what the restart did: when pg_ctlcluster began, how long it
// took, and when the server accepted connections again.
type restart struct {
	began, ready time.Time
	took         time.Duration
	err          error
	skipped      bool // CHAOS_RESTART=off
}

// restartAt restarts the cluster at the given time and waits until it
// accepts connections.
func (c cluster) restartAt(ctx context.Context, base string, at time.Time) restart {
	select {
	case <-time.After(time.Until(at)):
	case <-ctx.Done():
		return restart{err: ctx.Err()}
	}
	r := restart{began: time.Now()}
	if err := c.ctl(ctx, "restart"); err != nil {
		r.err = err
		return r
	}
	r.took = time.Since(r.began)
	r.err = c.waitReady(ctx, base, 60*time.Second)
	r.ready = time.Now()
	return r
}

// ensureRunning starts the cluster when its server does not answer.
func (c cluster) ensureRunning(base string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if ready(ctx, base) {
		return
	}
	fmt.Printf("chaos: the server of cluster %s does not answer: starting it\n", c)
	if err := c.ctl(ctx, "start"); err != nil {
		fmt.Printf("chaos: %v\n", err)
		return
	}
	if err := c.waitReady(ctx, base, 30*time.Second); err != nil {
		fmt.Printf("chaos: %v\n", err)
	}
}
