package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// report is what the run saw and what the database holds.
type report struct {
	requests, singles, batches int
	ackedSingles, ackedBatches int
	ackedRecords               int
	rolledBack, unknown        int // answers UNAVAILABLE, retryable or not
	unknownApplied             int // of unknown: found written
	ackedAfter                 int // acknowledged writes sent once the server was up again
	lost, twice, wrongID       int // acknowledged records missing or another's; records written twice
	retryableWritten, partial  int // answers retryable: true that wrote; batches half written
	other                      int // answers neither a result nor UNAVAILABLE
	slowest                    time.Duration
	rows                       int // chaos records in the database
	violations                 []string
}

// check reads every record the run may have written and holds the
// answers to them.
func check(ctx context.Context, dbURL string, outcomes []outcome, r restart) (*report, error) {
	found, rows, err := readTokens(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	rep := &report{requests: len(outcomes), rows: rows}
	broke := func(format string, args ...any) {
		rep.violations = append(rep.violations, fmt.Sprintf(format, args...))
	}
	for token, ids := range found {
		if len(ids) > 1 {
			rep.twice++
			broke("%s written %d times (ids %s)", token, len(ids), strings.Join(ids, ", "))
		}
	}
	for _, o := range outcomes {
		if o.batch {
			rep.batches++
		} else {
			rep.singles++
		}
		rep.slowest = max(rep.slowest, o.took)
		written := 0
		for _, t := range o.tokens {
			if len(found[t]) > 0 {
				written++
			}
		}
		switch o.kind {
		case broken:
			rep.other++
			broke("%s", o.problem)
		case acked:
			if o.batch {
				rep.ackedBatches++
			} else {
				rep.ackedSingles++
			}
			rep.ackedRecords += len(o.ids)
			if !r.ready.IsZero() && o.sent.After(r.ready) {
				rep.ackedAfter++
			}
			for i, t := range o.tokens {
				switch ids := found[t]; {
				case len(ids) == 0:
					rep.lost++
					broke("acknowledged record %s (%s) is lost", o.ids[i], t)
				case ids[0] != o.ids[i]:
					rep.wrongID++
					broke("acknowledged record %s (%s) is %s in the database", o.ids[i], t, ids[0])
				}
			}
		case rolledBack, unknown:
			if o.kind == rolledBack {
				rep.rolledBack++
				if written > 0 {
					rep.retryableWritten++
					broke("answered retryable: true, but %d of its %d records were written (%s)", written, len(o.tokens), o.tokens[0])
				}
			} else {
				rep.unknown++
				if written > 0 {
					rep.unknownApplied++
				}
			}
			if written != 0 && written != len(o.tokens) {
				rep.partial++
				broke("a batch answered UNAVAILABLE wrote %d of its %d records (%s)", written, len(o.tokens), o.tokens[0])
			}
		}
	}
	if rep.ackedAfter == 0 {
		broke("no write was acknowledged after the restart: the server does not serve again")
	}
	return rep, nil
}

// readTokens reads the id of every chaos record by its first name, on a
// connection of its own.
func readTokens(ctx context.Context, dbURL string) (map[string][]string, int, error) {
	conn, err := sql.Open("postgres", dbURL)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "SELECT id, properties->>'firstname' FROM records WHERE properties->>'lastname' = 'Chaos' ORDER BY id")
	if err != nil {
		return nil, 0, fmt.Errorf("read the records written: %w", err)
	}
	defer rows.Close()
	found := map[string][]string{}
	n := 0
	for rows.Next() {
		var id int
		var token string
		if err := rows.Scan(&id, &token); err != nil {
			return nil, 0, err
		}
		found[token] = append(found[token], strconv.Itoa(id))
		n++
	}
	return found, n, rows.Err()
}

func (r *report) print(elapsed time.Duration) {
	fmt.Printf("chaos: %d requests (%d createRecord, %d createRecords of %d) in %s, the slowest %s\n",
		r.requests, r.singles, r.batches, BatchSize, elapsed.Round(100*time.Millisecond), r.slowest.Round(time.Millisecond))
	fmt.Printf("chaos: acknowledged %d createRecord and %d createRecords: %d records; lost %d, another id %d, written twice %d\n",
		r.ackedSingles, r.ackedBatches, r.ackedRecords, r.lost, r.wrongID, r.twice)
	fmt.Printf("chaos: UNAVAILABLE retryable=true %d (%d of them wrote something), retryable=false %d (%d of them had been applied); batches half written %d\n",
		r.rolledBack, r.retryableWritten, r.unknown, r.unknownApplied, r.partial)
	fmt.Printf("chaos: other answers (INTERNAL, no code, failed items, no answer): %d\n", r.other)
	fmt.Printf("chaos: %d writes acknowledged after the restart; the database holds %d chaos records\n", r.ackedAfter, r.rows)
	if n := len(r.violations); n > 0 {
		fmt.Printf("chaos: %d broken promises:\n", n)
		for i, v := range r.violations {
			if i == 20 {
				fmt.Printf("  ... and %d more\n", n-20)
				break
			}
			fmt.Printf("  %s\n", v)
		}
	}
}
