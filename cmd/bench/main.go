// Command bench measures what one nested read costs through the GraphQL
// HTTP API next to the least a hand-written server could do.
//
// On a fresh PostgreSQL schema it loads 10,000 companies, 100,000 contacts
// (10 a company) and 50,000 deals (4 each for 12,500 contacts), then runs
//
//	records(objectType: "companies", first: 20)
//	  -> associations(toObjectType: "contacts", first: 10)
//	    -> associations(toObjectType: "deals", first: 5)
//
// against three servers on loopback: the API (graph.NewHandler over ent)
// with read plans, the API with plans off (every field through gqlgen's
// executor), and a baseline, a bare net/http handler that fetches the same
// rows with three hand-written SQL statements over database/sql and
// encodes the same JSON shape. At concurrency 1 and 8 the servers take
// turns for a fixed time; it prints requests/s, p50 and p99 latency of
// each, the ratios to the baseline and of plans to plans off, and the SQL
// statements the API sends per request.
//
// Goals: API p50 at concurrency 1 within 2x of the baseline's; SQL
// statements per request at most nesting levels (3): one a level, the
// definitions version not read (it is heard: db.DB.DefinitionsUnchanged).
//
// Then the writes (writes.go): 20,000 more contacts, and a copy of the
// records table without history (bench_records_plain). Single-record
// updates (records.Store.Update) and batches of 1,000 (UpdateMany), each
// changing firstname and jobtitle and so appending 2 history rows a
// record, alternate with the same updates by hand over database/sql on the
// copy. It prints records/s of each, the ratios, where the time of a call
// goes, and checks that the history grew by exactly 2 rows per record.
// Goal: history on at least 0.7x the baseline's records/s in both modes.
//
// Then the lists (lists.go): 20 dynamic lists on the 100,000 contacts (by
// property, by a multi-select, by association), made and evaluated, then
// the same single and 1,000-record updates through a store whose writes
// keep the lists current, alternating with a store without lists. It
// prints records/s of each, the ratios and where the time of a call goes,
// and checks every list against its filter. Goal: lists on at least 0.7x
// the records/s without lists in both modes.
//
// Then search (search.go), on a schema of its own: 1,000,000 contacts
// with ten properties in realistic distributions (a unique email, names
// drawn from lists, a skewed annual revenue, a lifecycle stage, a date...)
// at 50,000 companies with an industry, loaded with COPY; then filters and
// sorts through the API (equality, a range sorted by its property, an
// enumeration sorted by createdate, CONTAINS, an association filter, page 1
// and page 1,000 by cursor), each beside hand-written SQL for the same rows
// over the index a person would pick, with the plans of both statements.
// Goal: each API p50 within 2x of its baseline's.
//
// Then the timeline (timeline.go), on a schema of its own: 100,000
// contacts with 1,000,000 activities (notes, emails, calls, meetings,
// tasks; log-normal per contact: most have a few, the busiest hundreds)
// associated both ways, at realistic hs_timestamps over four years, with
// the history of their values and the events writes append, loaded with
// COPY; then one contact's timeline (first: 50) for the busiest contact,
// one at the 99th percentile of activities and a median one, and the index
// page of 50 contacts with timeline(first: 3) each, through the API beside
// hand-written SQL for the same events (per contact, each source's newest
// over its index, LATERAL ... LIMIT), with the plans of both statements.
// Goal: each API p50 within 2x of its baseline's.
//
// After the reads, the same read with metrics on (tracing off, as a server
// runs by default) beside metrics off (metrics.go), both behind the
// request log, taking turns with the baseline. Goal: metrics cost under 3%
// of p50.
//
// Then the same read with authentication on (auth.go): a key with
// RECORDS_READ, checked at every request, and in local mode (no key), the
// two taking turns four times at each concurrency, each beside the
// baseline, compared by their median ratios to the baseline.
// Goal: the key check and scope checks cost under 5% of p50.
//
// Then the export (export.go), on a schema of its own holding the search
// data set: a CSV of every contact, ten columns, downloaded through the
// export's HTTP handler beside COPY (SELECT ...) TO STDOUT WITH CSV of the
// same columns run by psql, printing seconds, rows/s and the resident
// memory of the process serving it. Goal: a million records in under 30 s,
// memory flat.
//
// Then the import (imports.go), on a schema of its own: a CSV file of
// contacts of the search data set, ten columns, imported by crm import
// (the server binary, built once, as a child process), beside COPY of the
// same rows into a table made like records with its indexes, printing
// seconds, rows/s, the ratio and the child's peak resident memory. Goal:
// at least 0.5x the baseline's rows/s, a million rows in under 60 s,
// under 200 MB.
//
// Then the subscriptions (subscriptions.go), on a schema of its own: the
// server binary, built once, runs as a child process; 1,000 graphql-ws
// connections each subscribe (one in ten to recordUpdated of one of 100
// contacts, the others to recordChanged of contacts) while 200
// updateRecord mutations a second go to those contacts for 20 s, beside
// the same writes heard by one subscriber (the baseline: no fan-out). It
// prints the latency of every event every subscriber got, from its
// occurredAt (stamped in the write's transaction just before COMMIT) to
// its arrival, p50, p99 and max, the events delivered beside those due,
// the mutations' latency and the child's resident memory (/proc VmRSS,
// VmHWM). Goal: p99 under 100 ms, memory under 300 MB.
//
// Environment: BENCH_DATABASE_URL, else TEST_DATABASE_URL (a PostgreSQL
// URL; the schema made here is dropped at the end unless BENCH_KEEP); BENCH_SECONDS, the
// measured time per server per concurrency (default 5); BENCH_CPUPROFILE,
// a file to write a CPU profile of an extra API-only run to;
// BENCH_MEMPROFILE, one to write its allocation profile to;
// BENCH_WRITES_CPUPROFILE, one of an extra run of the history-on writes;
// BENCH_ONLY=reads, writes, search, lists, timeline, export, import or
// subscriptions, to measure one part; BENCH_SUBSCRIBERS,
// BENCH_SUBSCRIPTION_RATE (updates a second) and BENCH_SUBSCRIPTION_SECONDS
// (default 20), the size of the subscriptions part; BENCH_IMPORT_ROWS, the rows of the imported file
// (default 1,000,000); BENCH_SEARCH_CONTACTS, the contacts of the search data set
// (default 1,000,000); BENCH_TIMELINE_CONTACTS and BENCH_TIMELINE_ACTIVITIES,
// the size of the timeline data set (default 100,000 and 1,000,000);
// BENCH_PLANS=off measures the API with plans off alone beside
// the baseline; BENCH_KEEP=1 keeps the schemas (their names are printed)
// for EXPLAIN ANALYZE by hand.
//
//	TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' make bench
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/gctune"
)

func main() {
	// A closed stdout (| head) must not kill the run before it drops its
	// schema: writes fail instead.
	signal.Ignore(syscall.SIGPIPE)
	// The API runs here as the server runs it.
	gctune.Apply()
	// The bench changes definitions as a command does.
	ctx, stop := signal.NotifyContext(audit.WithActor(context.Background(), audit.CLI), os.Interrupt, syscall.SIGTERM)
	var err error
	if len(os.Args) == 2 && os.Args[1] == "peers" { // make bench-peers (peers.go)
		err = runPeers(ctx, os.Stdout)
	} else {
		err = run(ctx)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
