package graph_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// TestRelativeListFollowsTheClock: "not contacted in 90 days" gains the
// contacts that cross the line as time passes, with no write, in one pass
// of the background job; a list reading it follows in the same pass.
func TestRelativeListFollowsTheClock(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		t0 := time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
		defer clock.Set(t0)()
		a.createProperty("contacts", map[string]any{"name": "lastcontacted", "label": "Last contacted", "type": "DATETIME", "fieldType": "DATE"})
		contacted := func(email string, daysAgo int) recordJSON {
			at := t0.AddDate(0, 0, -daysAgo).Format(values.DateTimeLayout)
			return a.create("contacts", map[string]any{"email": email, "lastcontacted": at})
		}
		contacted("recent@acme.io", 10)
		soon := contacted("soon@acme.io", 80)
		old := contacted("old@acme.io", 100)
		stale := map[string]any{"property": "lastcontacted", "operator": "LT", "value": "-P90D"}
		l := a.createList("contacts", "Not contacted in 90 days", "DYNAMIC", stale)
		reader := a.createList("contacts", "Stale", "DYNAMIC", map[string]any{"inList": l.ID})
		if got := a.memberEmails(l.ID); !slices.Equal(got, []string{"old@acme.io"}) {
			t.Fatalf("at first: %v", got)
		}

		t1 := t0.AddDate(0, 0, 15)
		clock.Set(t1)
		pass := lists.New(a.d, write.New(a.d))
		ran, err := pass.RefreshRelative(context.Background(), a.ws)
		if err != nil || !ran {
			t.Fatalf("pass: ran %v, %v", ran, err)
		}
		got := a.members(l.ID)
		if len(got) != 2 || got[0].Email != "soon@acme.io" || !got[0].AddedAt.Equal(t1) || got[1].Email != "old@acme.io" {
			t.Fatalf("after the pass: %+v", got)
		}
		exact(t, a, "the pass", dynamic{l, stale}, dynamic{reader, map[string]any{"inList": l.ID}})
		// Joining by the pass is on the timeline, at the moment of the pass.
		joined := a.timelineOf(soon.ID, map[string]any{"types": []string{"LIST_ADDED", "LIST_REMOVED"}})
		// The list reading the other is evaluated after it: its event is
		// the newer of the two that share the moment.
		if got := joined.summary(); !slices.Equal(got, []string{"LIST_ADDED Stale", "LIST_ADDED Not contacted in 90 days"}) {
			t.Fatalf("soon's timeline after the pass: %v", got)
		}
		for _, e := range joined.Edges {
			if e.Node.OccurredAt != t1.Format(time.RFC3339) {
				t.Fatalf("joined at %s, the pass ran at %s", e.Node.OccurredAt, t1)
			}
		}

		// A write keeps it current too, at once.
		a.updateRecord(old, map[string]any{"lastcontacted": t1.Format(values.DateTimeLayout)})
		exact(t, a, "a write", dynamic{l, stale}, dynamic{reader, map[string]any{"inList": l.ID}})
		if names := a.listNames(soon); !slices.Equal(names, []string{"Not contacted in 90 days", "Stale"}) {
			t.Fatalf("soon's lists: %v", names)
		}
		// Another server process in the middle of its pass: this one skips.
		if a.d.Dialect.Name() == "postgres" {
			other, err := a.d.SQL.Begin()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := other.Exec("SELECT pg_advisory_xact_lock($1, $2)", lists.AdvisoryLockClass, a.ws); err != nil {
				t.Fatal(err)
			}
			ran, err := pass.RefreshRelative(context.Background(), a.ws)
			if err := other.Rollback(); err != nil {
				t.Fatal(err)
			}
			if err != nil || ran {
				t.Fatalf("a pass while another process holds the lock: ran %v, %v", ran, err)
			}
		}
		// Nothing crossed the line since: the pass changes nothing.
		if _, err := pass.RefreshRelative(context.Background(), a.ws); err != nil {
			t.Fatal(err)
		}
		if again := a.members(l.ID); len(again) != 1 || !again[0].AddedAt.Equal(t1) {
			t.Fatalf("after a second pass: %+v", again)
		}
	})
}
