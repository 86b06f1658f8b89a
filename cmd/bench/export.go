package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acme/crm/internal/export"
)

// exportProperties are the columns of the measured export after the
// record id: ten columns in all.
var exportProperties = []string{"email", "firstname", "lastname", "phone", "jobtitle", "city", "country", "lifecyclestage", "createdate"}

// Goals of the export.
const (
	maxExportSeconds = 30.0
	// maxExportGrowthMB is how far the resident memory of the process may
	// grow while it serves the download: flat, whatever the count.
	maxExportGrowthMB = 100
)

// benchExport loads the search data set (cfg.searchContacts contacts),
// then downloads an export of every contact, ten columns, through the
// HTTP handler of the server, beside COPY (SELECT ...) TO STDOUT WITH CSV of
// the same columns in the same order, run by psql, in the same run. It
// prints seconds, rows/s and the peak resident memory of this process (the
// server) while the download runs, from /proc/self/status.
func benchExport(ctx context.Context, cfg config, out io.Writer) (err error) {
	fmt.Fprintf(out, "\n== export: %d contacts, %d columns, through the HTTP download beside COPY TO STDOUT\n", cfg.searchContacts, len(exportProperties)+1)
	ss, done, err := openSearchSchema(ctx, cfg, out)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, done()) }()
	d, m, s := ss.d, ss.m, ss.s
	if _, err := d.SQL.ExecContext(ctx, "ANALYZE records"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}

	exports := export.New(d)
	e, err := exports.Create(ctx, m, export.Spec{ObjectType: "contacts", Properties: exportProperties})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(export.Route, exports.NewHandler(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	base, err := measureCopy(ctx, ss.url, s)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	api, err := measureDownload(ctx, srv.URL+e.URL())
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	fmt.Fprintf(out, "%-34s %8s %12s %10s %14s\n", "", "seconds", "rows/s", "MB", "peak RSS MB")
	fmt.Fprintf(out, "%-34s %8.2f %12.0f %10.1f %14s\n", "COPY TO STDOUT WITH CSV (psql)", base.seconds, base.rowsPerSecond(), base.mb(), "-")
	fmt.Fprintf(out, "%-34s %8.2f %12.0f %10.1f %8.1f (from %.1f)\n", "API: GET "+export.Route[4:], api.seconds, api.rowsPerSecond(), api.mb(), api.peakMB, api.beforeMB)
	fmt.Fprintf(out, "ratio: the download runs at %.2fx the baseline's rows/s; memory grew %.1f MB while it ran\n",
		api.rowsPerSecond()/base.rowsPerSecond(), api.peakMB-api.beforeMB)
	switch {
	case api.rows != base.rows || api.rows != cfg.searchContacts:
		return fmt.Errorf("the download wrote %d rows, the baseline %d, for %d contacts", api.rows, base.rows, cfg.searchContacts)
	case api.seconds > maxExportSeconds*float64(cfg.searchContacts)/1e6:
		fmt.Fprintf(out, "MISSED: goal under %.0f s a million records\n", maxExportSeconds)
	case api.peakMB-api.beforeMB > maxExportGrowthMB:
		fmt.Fprintf(out, "MISSED: goal memory flat (under %d MB of growth)\n", maxExportGrowthMB)
	default:
		fmt.Fprintf(out, "goal met: under %.0f s a million records, memory flat\n", maxExportSeconds)
	}
	return nil
}

// exportRun is one measured run: the data rows it wrote (header left
// out), its bytes and time, and for the API the resident memory before
// and at its peak.
type exportRun struct {
	rows             int
	bytes            int64
	seconds          float64
	beforeMB, peakMB float64
}

func (r exportRun) rowsPerSecond() float64 { return float64(r.rows) / r.seconds }
func (r exportRun) mb() float64            { return float64(r.bytes) / (1 << 20) }

// rowCounter counts the CSV records of what it is written, by their line
// ends outside quotes (a quoted field may hold a line end).
type rowCounter struct {
	lines    int
	bytes    int64
	inQuotes bool
}

func (c *rowCounter) Write(b []byte) (int, error) {
	c.bytes += int64(len(b))
	for _, ch := range b {
		switch {
		case ch == '"':
			c.inQuotes = !c.inQuotes
		case ch == '\n' && !c.inQuotes:
			c.lines++
		}
	}
	return len(b), nil
}

// measureDownload GETs the export, counting its rows, while sampling the
// resident memory of this process, which serves it.
func measureDownload(ctx context.Context, u string) (exportRun, error) {
	runtime.GC()
	debug.FreeOSMemory()
	before, err := residentMB("VmRSS")
	if err != nil {
		return exportRun{}, err
	}
	stop := make(chan struct{})
	var peak float64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss, err := residentMB("VmRSS"); err == nil {
				peak = max(peak, rss)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return exportRun{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return exportRun{}, err
	}
	defer resp.Body.Close()
	var c rowCounter
	_, err = io.Copy(&c, resp.Body)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return exportRun{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return exportRun{}, fmt.Errorf("status %d", resp.StatusCode)
	}
	return exportRun{rows: c.lines - 1, bytes: c.bytes, seconds: elapsed.Seconds(), beforeMB: before, peakMB: peak}, nil
}

// measureCopy runs the baseline: COPY of the same columns of the same
// records in the same order, through psql, to a row counter.
func measureCopy(ctx context.Context, schemaURL string, s *searchSet) (exportRun, error) {
	u, err := url.Parse(schemaURL)
	if err != nil {
		return exportRun{}, err
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path") // a libpq URI has no such parameter: PGOPTIONS sets it
	u.RawQuery = q.Encode()
	var cols strings.Builder
	cols.WriteString("id")
	for _, p := range exportProperties {
		if p == "createdate" {
			cols.WriteString(`, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)
			continue
		}
		cols.WriteString(", properties->>'" + p + "'")
	}
	copySQL := "COPY (SELECT " + cols.String() + " FROM records WHERE workspace_id = " + strconv.Itoa(s.workspaceID) +
		" AND object_type_id = " + strconv.Itoa(s.contacts.ID) + " AND archived_at IS NULL ORDER BY created_at DESC, id DESC) TO STDOUT WITH (FORMAT csv, HEADER)"
	cmd := exec.CommandContext(ctx, "psql", "--no-psqlrc", "-X", "-q", u.String(), "-c", copySQL)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c search_path="+schema)
	var c rowCounter
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = bufio.NewWriterSize(&c, 64<<10), &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return exportRun{}, fmt.Errorf("psql: %w: %s", err, stderr.String())
	}
	if err := cmd.Stdout.(*bufio.Writer).Flush(); err != nil {
		return exportRun{}, err
	}
	return exportRun{rows: c.lines - 1, bytes: c.bytes, seconds: time.Since(start).Seconds()}, nil
}

// residentMB reads a memory figure of this process (VmRSS, VmHWM) from
// /proc/self/status, in MB.
func residentMB(field string) (float64, error) {
	return statusMB("/proc/self/status", field)
}

// statusMB reads field (VmRSS, VmHWM) of a process's status file, in MB.
func statusMB(status, field string) (float64, error) {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0, fmt.Errorf("read the resident memory (Linux only): %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, err
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in %s", field, status)
}
