package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"sort"
	"strconv"

	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
)

// The timeline benchmark (BENCH_ONLY=timeline, and part of make bench): on
// a schema of its own, 100,000 contacts (BENCH_TIMELINE_CONTACTS) with
// 1,000,000 activities (BENCH_TIMELINE_ACTIVITIES), their history and
// events (timeline_data.go); then, through the HTTP API beside a bare
// handler running hand-written SQL for the same rows, the two taking
// turns: one contact's timeline (first: 50) for the busiest contact, one
// at the 99th percentile of activities and a median one, and the index
// page of 50 contacts with 3 events each. It prints p50 and p99 of both,
// their ratio, and the plans of the API's timeline statement and of the
// baseline's. Goal: the API's p50 within 2x of the baseline's in every
// case.
const (
	timelinePage      = 50
	timelineIndexPage = 50
	timelineIndexEach = 3
)

// timelineEventFields are what a UI shows of an event: its type and
// moment, an activity's id, name (a note's body, an email's subject...)
// and date, a change's property and values.
const timelineEventFields = `id type occurredAt
      ... on ActivityEvent { activity { recordId displayName properties(names: ["hs_timestamp"]) } }
      ... on PropertyChangedEvent { property value previousValue }`

// timelineOneQuery reads a page of one record's timeline.
var timelineOneQuery = `query Timeline($id: ID!) {
  record(id: $id) {
    timeline(first: ` + strconv.Itoa(timelinePage) + `) {
      edges { node { ` + timelineEventFields + ` } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`

// timelineIndexQuery reads the index page: the newest contacts, each with
// its newest events.
var timelineIndexQuery = `query Index {
  records(objectType: "contacts", first: ` + strconv.Itoa(timelineIndexPage) + `) {
    edges { node { recordId properties(names: ["email", "firstname", "lastname"])
      timeline(first: ` + strconv.Itoa(timelineIndexEach) + `) { edges { node { ` + timelineEventFields + ` } } } } }
    pageInfo { hasNextPage endCursor }
  }
}`

func benchTimeline(ctx context.Context, cfg config, out io.Writer) (err error) {
	fmt.Fprintf(out, "\n== timeline: record timelines over %d contacts and %d activities through the API beside hand-written SQL\n",
		cfg.timelineContacts, cfg.timelineActivities)
	schemaURL, d, m, done, err := freshWorkspace(ctx, cfg.databaseURL)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, done()) }()
	ws := m.WorkspaceID
	s, err := newTimelineSet(m, cfg.timelineContacts, cfg.timelineActivities)
	if err != nil {
		return err
	}
	if err := loadTimeline(ctx, d.SQL, s, out); err != nil {
		return err
	}

	api, baseDB, err := apiAndBaselineDB(ctx, d, ws, schemaURL)
	if err != nil {
		return err
	}
	defer api.Close()
	defer baseDB.Close()
	cases, base := timelineCases(s, out)
	kinds := map[int64]*meta.ObjectType{}
	for _, ot := range s.kinds {
		kinds[int64(ot.ID)] = ot
	}
	baseSrv := httptest.NewServer(&timelineBaseline{sql: baseDB, cases: base, kinds: kinds})
	defer baseSrv.Close()
	client := newClient()
	defer client.CloseIdleConnections()
	return measureCases(ctx, out, "timeline", client, schemaURL, ws, baseDB, cases, api.URL+"/graphql", baseSrv.URL)
}

// timelineCases are the measured reads, each with the baseline's
// statement for the same rows: the timelines of the busiest contact, of
// one at the 99th percentile of activities and of a median one, then the
// index page.
func timelineCases(s *timelineSet, out io.Writer) ([]*searchCase, []*timelineBaseCase) {
	byCount := make([]int, s.numContacts)
	for i := range byCount {
		byCount[i] = i
	}
	sort.SliceStable(byCount, func(a, b int) bool { return s.activities[byCount[a]] > s.activities[byCount[b]] })
	var cases []*searchCase
	var base []*timelineBaseCase
	for _, pick := range []struct {
		name string
		rank int
	}{{"busiest contact", 0}, {"contact at p99 of activities", s.numContacts / 100}, {"median contact", s.numContacts / 2}} {
		i := byCount[pick.rank]
		id := s.firstContact + i
		name := fmt.Sprintf("%s (%d activities), first: %d", pick.name, s.activities[i], timelinePage)
		cases = append(cases, &searchCase{name: name, query: timelineOneQuery, vars: map[string]any{"id": gid.Encode(gid.Record, id)},
			statement: "timeline_events", rows: timelineEventIDs, sql: timelineOneSQL(s), args: []any{s.workspaceID, id, s.activityLinks(), s.readOnlyArray()}})
		base = append(base, &timelineBaseCase{sql: timelineOneSQL(s), args: cases[len(cases)-1].args})
	}
	indexArgs := []any{s.workspaceID, s.contacts.ID, s.activityLinks(), s.readOnlyArray()}
	cases = append(cases, &searchCase{name: fmt.Sprintf("index page: %d contacts, timeline(first: %d) each", timelineIndexPage, timelineIndexEach),
		query: timelineIndexQuery, vars: map[string]any{}, statement: "timeline_events", rows: timelineIndexIDs, sql: timelineIndexSQL(s), args: indexArgs})
	base = append(base, &timelineBaseCase{index: true, sql: timelineIndexSQL(s), args: indexArgs})
	total := 0
	for _, n := range s.activities {
		total += n
	}
	fmt.Fprintf(out, "activities a contact: mean %.1f, median %d, p90 %d, p99 %d, max %d; %d contacts have none\n",
		float64(total)/float64(s.numContacts), s.activities[byCount[s.numContacts/2]], s.activities[byCount[s.numContacts/10]],
		s.activities[byCount[s.numContacts/100]], s.activities[byCount[0]], countZero(s.activities))
	return cases, base
}

func countZero(counts []int) int {
	n := 0
	for _, c := range counts {
		if c == 0 {
			n++
		}
	}
	return n
}
