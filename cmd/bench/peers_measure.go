package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// peerWarmup is the number of requests each server gets for each read
// before the rounds, at concurrency 8 (node's JIT, the query caches, the
// pools' connections).
const peerWarmup = 200

// The goals, API / PostGraphile.
const (
	goalReqsC8  = 2.0 // nested and flat req/s at concurrency 8: at least
	goalP50C1   = 0.6 // nested p50 at concurrency 1: at most
	goalCPUReqs = 0.5 // CPU per request, server and its PostgreSQL backends: at most
)

// serverProc is where a server's CPU is read: its process (this one for
// the in-process API and baseline) and its connections' backends.
type serverProc struct {
	pid       int
	app       string // application_name of its connections
	inProcess bool
}

// cpuSnap is the CPU used so far by this process, a server's process and
// the backends of its connections, by pid.
type cpuSnap struct {
	self, proc time.Duration
	backends   map[int]time.Duration
}

func takeCPU(ctx context.Context, admin *sql.DB, p serverProc) (cpuSnap, error) {
	s := cpuSnap{backends: map[int]time.Duration{}}
	var err error
	if s.self, err = procCPU(os.Getpid()); err != nil {
		return s, err
	}
	if s.proc, err = procCPU(p.pid); err != nil {
		return s, err
	}
	rows, err := admin.QueryContext(ctx, "SELECT pid FROM pg_stat_activity WHERE application_name = $1", p.app)
	if err != nil {
		return s, fmt.Errorf("read the backends of %s: %w", p.app, err)
	}
	err = scanAll(rows, func(sc scanner) error {
		var pid int
		if err := sc.Scan(&pid); err != nil {
			return err
		}
		if t, err := procCPU(pid); err == nil { // else it has just ended
			s.backends[pid] = t
		}
		return nil
	})
	return s, err
}

// turnCPU is the CPU of one turn.
type turnCPU struct {
	self, proc, pg time.Duration
	lost           int // backends that ended during the turn: their CPU is not counted
}

// since is the CPU used from b to a. A backend that started in between
// counts whole.
func (a cpuSnap) since(b cpuSnap) turnCPU {
	t := turnCPU{self: a.self - b.self, proc: a.proc - b.proc}
	for pid, v := range a.backends {
		t.pg += v - b.backends[pid]
	}
	for pid := range b.backends {
		if _, ok := a.backends[pid]; !ok {
			t.lost++
		}
	}
	return t
}

// procCPU is the user and system time of a process, all its threads, from
// /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// turn is one server's turn at one read and concurrency.
type turn struct {
	sample sample
	cpu    turnCPU
}

// peerResults holds every turn: [read][concurrency][server][round].
type peerResults struct {
	reads []string
	turns [][][][]turn
}

func measurePeers(ctx context.Context, c *http.Client, admin *sql.DB, reads []peerRead, procs map[string]serverProc,
	cfg peersConfig) (*peerResults, error) {
	for _, r := range reads {
		for _, s := range r.servers {
			if w := hammer(ctx, c, s, 8, 0, peerWarmup); w.firstErr != nil {
				return nil, fmt.Errorf("warm-up of %s, %s read: %w", s.name, r.name, w.firstErr)
			}
		}
	}
	res := &peerResults{turns: make([][][][]turn, len(reads))}
	for ri, r := range reads {
		res.reads = append(res.reads, r.name)
		res.turns[ri] = make([][][]turn, len(concurrencies))
		for ci := range concurrencies {
			res.turns[ri][ci] = make([][]turn, len(r.servers))
			for k := range r.servers {
				res.turns[ri][ci][k] = make([]turn, cfg.rounds)
			}
		}
	}
	for round := range cfg.rounds {
		for ri, r := range reads {
			for ci, conc := range concurrencies {
				for j := range r.servers {
					k := (round + ci + j) % len(r.servers)
					s := r.servers[k]
					// Each turn opens its connections: none idles out
					// (node closes them after its keep-alive timeout).
					c.CloseIdleConnections()
					before, err := takeCPU(ctx, admin, procs[s.name])
					if err != nil {
						return nil, errors.Join(ctx.Err(), err)
					}
					smp := hammer(ctx, c, s, conc, cfg.turn, 0)
					after, err := takeCPU(ctx, admin, procs[s.name])
					if err != nil {
						return nil, errors.Join(ctx.Err(), err)
					}
					res.turns[ri][ci][k][round] = turn{sample: smp, cpu: after.since(before)}
				}
				if err := ctx.Err(); err != nil {
					return nil, fmt.Errorf("interrupted: %w", err)
				}
			}
		}
	}
	return res, nil
}

// pooled is one server's turns at one read and concurrency taken
// together.
type pooled struct {
	sample           sample
	self, proc, pg   time.Duration
	lost             int
	server, postgres float64 // ms of CPU per request; server: less the load generator for in-process ones
}

func (p *pooled) total() float64 { return p.server + p.postgres }

func pool(turns []turn) pooled {
	var p pooled
	for _, t := range turns {
		p.sample.add(t.sample)
		p.self += t.cpu.self
		p.proc += t.cpu.proc
		p.pg += t.cpu.pg
		p.lost += t.cpu.lost
	}
	return p
}

func perReq(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(d) / float64(time.Millisecond) / float64(n)
}

// reportPeers prints the table, each round's figures, the ratios and the
// goals; it reports whether every request succeeded.
func reportPeers(out io.Writer, res *peerResults, cfg peersConfig) (clean bool) {
	clean = true
	const api, pgl, base, typed = 0, 1, 2, 3
	// pools[read][conc][server]; loadgen[read][conc]: this process's CPU per
	// request while only the load generator ran in it (PostGraphile's turns).
	pools := make([][][]pooled, len(res.reads))
	loadgen := make([][]float64, len(res.reads))
	for ri := range res.reads {
		pools[ri] = make([][]pooled, len(concurrencies))
		loadgen[ri] = make([]float64, len(concurrencies))
		for ci := range concurrencies {
			ps := make([]pooled, len(peerServers))
			for k := range peerServers {
				ps[k] = pool(res.turns[ri][ci][k])
			}
			lg := perReq(ps[pgl].self, ps[pgl].sample.requests())
			loadgen[ri][ci] = lg
			for k := range ps {
				n := ps[k].sample.requests()
				ps[k].postgres = perReq(ps[k].pg, n)
				ps[k].server = perReq(ps[k].proc, n)
				if k != pgl {
					ps[k].server = max(0, ps[k].server-lg)
				}
			}
			pools[ri][ci] = ps
		}
	}

	fmt.Fprintf(out, "all %d rounds together (CPU in ms per request):\n", cfg.rounds)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "read\tc\tserver\trequests\treq/s\tp50\tp99\tCPU server\tCPU postgres\tCPU total\tfailed\t")
	for ri, read := range res.reads {
		for ci, conc := range concurrencies {
			ps := pools[ri][ci]
			for k, name := range peerServers {
				p := &ps[k]
				s := &p.sample
				fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%.1f\t%s\t%s\t%.2f\t%.2f\t%.2f\t%d\t\n", read, conc, name, s.requests(), s.perSecond(),
					ms(s.percentile(50)), ms(s.percentile(99)), p.server, p.postgres, p.total(), s.failures)
				if s.failures > 0 {
					clean = false
				}
			}
			for _, pair := range [][2]int{{api, pgl}, {api, base}, {typed, api}} {
				a, b := &ps[pair[0]], &ps[pair[1]]
				fmt.Fprintf(tw, "%s\t%d\t%s/%s\t\t%.2fx\t%.2fx\t%.2fx\t%.2fx\t%.2fx\t%.2fx\t\t\n", read, conc, peerServers[pair[0]], peerServers[pair[1]],
					a.sample.perSecond()/b.sample.perSecond(),
					float64(a.sample.percentile(50))/float64(b.sample.percentile(50)),
					float64(a.sample.percentile(99))/float64(b.sample.percentile(99)),
					ratio(a.server, b.server), ratio(a.postgres, b.postgres), ratio(a.total(), b.total()))
			}
		}
	}
	tw.Flush()
	fmt.Fprint(out, "CPU: a server's process and its connections' PostgreSQL backends, from /proc/<pid>/stat (1/100 s ticks). "+
		"The API and the baseline run in this process beside the load generator: theirs is this process's CPU less the load generator's, "+
		"measured as this process's CPU per request during PostGraphile's turns:")
	for ri, read := range res.reads {
		for ci, conc := range concurrencies {
			fmt.Fprintf(out, " %s c=%d %.2f ms;", read, conc, loadgen[ri][ci])
		}
	}
	fmt.Fprintln(out)
	for ri, read := range res.reads {
		for ci, conc := range concurrencies {
			for k, name := range peerServers {
				if l := pools[ri][ci][k].lost; l > 0 {
					fmt.Fprintf(out, "note: %d PostgreSQL backends of %s ended during its %s c=%d turns: their CPU there is not counted\n", l, name, read, conc)
				}
			}
		}
	}

	fmt.Fprintln(out, "\neach round (req/s, p50):")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "read\tc\tround\tapi\tpostgraphile\tbaseline\tapi typed\tapi/postgraphile req/s\tp50\t")
	for ri, read := range res.reads {
		for ci, conc := range concurrencies {
			var rr, pr []float64
			for round := range cfg.rounds {
				line := fmt.Sprintf("%s\t%d\t%d\t", read, conc, round+1)
				for k := range peerServers {
					s := &res.turns[ri][ci][k][round].sample
					line += fmt.Sprintf("%.1f, %s\t", s.perSecond(), ms(s.percentile(50)))
				}
				a, b := &res.turns[ri][ci][api][round].sample, &res.turns[ri][ci][pgl][round].sample
				rr = append(rr, a.perSecond()/b.perSecond())
				pr = append(pr, float64(a.percentile(50))/float64(b.percentile(50)))
				fmt.Fprintf(tw, "%s%.2fx\t%.2fx\t\n", line, rr[len(rr)-1], pr[len(pr)-1])
			}
			fmt.Fprintf(tw, "%s\t%d\tmedian\t\t\t\t%.2fx\t%.2fx\t\n", read, conc, median(rr), median(pr))
		}
	}
	tw.Flush()

	fmt.Fprintln(out)
	for ri, read := range res.reads {
		for ci, conc := range concurrencies {
			for k, name := range peerServers {
				if s := &pools[ri][ci][k].sample; s.firstErr != nil {
					fmt.Fprintf(out, "FAILED requests (%s, %s read, concurrency %d): %d, first: %v\n", name, read, conc, s.failures, s.firstErr)
				}
			}
		}
	}
	if clean {
		fmt.Fprintln(out, "every response was HTTP 200 without GraphQL errors")
	}
	met := func(ok bool) string {
		if ok {
			return "MET"
		}
		return "MISSED"
	}
	idx := func(xs []string, x string) int {
		for i, v := range xs {
			if v == x {
				return i
			}
		}
		return -1
	}
	c1, c8 := 0, 1 // concurrencies
	nested, flat := pools[idx(res.reads, "nested")], pools[idx(res.reads, "flat")]
	reqs := func(ps []pooled) float64 { return ps[api].sample.perSecond() / ps[pgl].sample.perSecond() }
	p50 := func(ps []pooled) float64 {
		return float64(ps[api].sample.percentile(50)) / float64(ps[pgl].sample.percentile(50))
	}
	fmt.Fprintln(out, "goals, API / PostGraphile (all rounds together; a missed goal is reported, not failed):")
	r := reqs(nested[c8])
	fmt.Fprintf(out, "  nested, req/s at concurrency 8 >= %.1fx: %s (%.2fx)\n", goalReqsC8, met(r >= goalReqsC8), r)
	r = p50(nested[c1])
	fmt.Fprintf(out, "  nested, p50 at concurrency 1 <= %.1fx: %s (%.2fx)\n", goalP50C1, met(r <= goalP50C1), r)
	r = reqs(flat[c8])
	fmt.Fprintf(out, "  flat, req/s at concurrency 8 >= %.1fx: %s (%.2fx)\n", goalReqsC8, met(r >= goalReqsC8), r)
	for ri, read := range res.reads {
		for ci, conc := range concurrencies {
			ps := pools[ri][ci]
			r := ratio(ps[api].total(), ps[pgl].total())
			raw := ratio(perReq(ps[api].proc, ps[api].sample.requests())+ps[api].postgres, ps[pgl].total())
			fmt.Fprintf(out, "  %s, CPU per request (server + PostgreSQL) at concurrency %d <= %.1fx: %s (%.2fx: %.2f + %.2f ms vs %.2f + %.2f; %.2fx with the load generator's CPU counted)\n",
				read, conc, goalCPUReqs, met(r <= goalCPUReqs), r, ps[api].server, ps[api].postgres, ps[pgl].server, ps[pgl].postgres, raw)
		}
	}
	fmt.Fprintln(out, "  (the executor and write goals of the issue are make bench's)")
	fmt.Fprintln(out, "goal of the typed endpoint (issue 20), api typed / api:")
	for ri, read := range res.reads {
		for ci, conc := range concurrencies {
			ps := pools[ri][ci]
			p := float64(ps[typed].sample.percentile(50)) / float64(ps[api].sample.percentile(50))
			r := ps[api].sample.perSecond() / ps[typed].sample.perSecond()
			fmt.Fprintf(out, "  %s, concurrency %d: p50 %.2fx, req/s %.2fx (api / typed), within %.1fx: %s\n", read, conc, p, r, goalTyped, met(p <= goalTyped && r <= goalTyped))
		}
	}
	return clean
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
