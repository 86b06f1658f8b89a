package graph_test

import (
	"slices"
	"testing"
	"time"

	"github.com/acme/crm/internal/clock"
)

const pinMutation = `mutation($r: ID!, $a: ID!) { pinActivity(input: {recordId: $r, activityId: $a}) { record { id properties(names: ["hs_pinned_engagement_id"]) } } }`

const unpinMutation = `mutation($r: ID!) { unpinActivity(input: {recordId: $r}) { record { id properties(names: ["hs_pinned_engagement_id"]) } } }`

// pinnedOf is the global id of the activity pinned to r, "" for none.
func (a *api) pinnedOf(r recordJSON) string {
	a.t.Helper()
	var out struct {
		Record struct{ PinnedActivity *struct{ ID string } }
	}
	a.ok(`query($id: ID!) { record(id: $id) { pinnedActivity { id } } }`, map[string]any{"id": r.ID}, &out)
	if out.Record.PinnedActivity == nil {
		return ""
	}
	return out.Record.PinnedActivity.ID
}

func TestPinActivity(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "ann@example.com"})
		other := a.create("contacts", map[string]any{"email": "bob@example.com"})
		n1 := a.logActivity("notes", map[string]any{"hs_timestamp": at(2, 9)}, c)
		n2 := a.logActivity("notes", map[string]any{"hs_timestamp": at(3, 9)}, c)
		elsewhere := a.logActivity("notes", map[string]any{"hs_timestamp": at(3, 9)}, other)
		if got := a.pinnedOf(c); got != "" {
			t.Fatalf("pinned before any pin: %q", got)
		}
		a.ok(pinMutation, map[string]any{"r": c.ID, "a": n1.ID}, nil)
		if got := a.pinnedOf(c); got != n1.ID {
			t.Fatalf("pinned %q, want %s", got, n1.ID)
		}
		t.Run("one pin: a second replaces the first", func(t *testing.T) {
			var out struct {
				PinActivity struct{ Record recordJSON }
			}
			a.ok(pinMutation, map[string]any{"r": c.ID, "a": n2.ID}, &out)
			if got := out.PinActivity.Record.Properties["hs_pinned_engagement_id"]; got != float64(mustAtoi(t, n2.RecordID)) {
				t.Fatalf("hs_pinned_engagement_id %v, want %s", got, n2.RecordID)
			}
			if got := a.pinnedOf(c); got != n2.ID {
				t.Fatalf("pinned %q, want %s", got, n2.ID)
			}
		})
		t.Run("archived, the pinned activity shows as none until restored", func(t *testing.T) {
			a.archiveRecord(n2)
			if got := a.pinnedOf(c); got != "" {
				t.Fatalf("archived pinned activity answers %q", got)
			}
			a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": n2.ID}, nil)
			if got := a.pinnedOf(c); got != n2.ID {
				t.Fatalf("restored pinned activity answers %q", got)
			}
		})
		t.Run("refusals", func(t *testing.T) {
			gone := a.logActivity("notes", map[string]any{"hs_timestamp": at(3, 9)}, c)
			a.archiveRecord(gone)
			for _, tc := range []struct {
				name, record, activity, code, property string
			}{
				{"not associated", c.ID, elsewhere.ID, "BAD_USER_INPUT", "activityId"},
				{"not an activity", c.ID, other.ID, "BAD_USER_INPUT", "activityId"},
				{"an archived activity", c.ID, gone.ID, "BAD_USER_INPUT", "activityId"},
				{"a record without pins", n1.ID, n1.ID, "BAD_USER_INPUT", "recordId"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					a.fails(pinMutation, map[string]any{"r": tc.record, "a": tc.activity}, tc.code, tc.property)
				})
			}
			if got := a.pinnedOf(c); got != n2.ID {
				t.Fatalf("a refused pin changed the pin to %q", got)
			}
		})
		t.Run("disassociated, the pin goes", func(t *testing.T) {
			a.ok(disassociateMutation, map[string]any{"from": n2.ID, "to": c.ID}, nil)
			if got := a.pinnedOf(c); got != "" {
				t.Fatalf("pinned %q after the activity left the record", got)
			}
		})
		t.Run("unpin", func(t *testing.T) {
			a.ok(pinMutation, map[string]any{"r": c.ID, "a": n1.ID}, nil)
			var out struct {
				UnpinActivity struct{ Record recordJSON }
			}
			a.ok(unpinMutation, map[string]any{"r": c.ID}, &out)
			if len(out.UnpinActivity.Record.Properties) != 0 || a.pinnedOf(c) != "" {
				t.Fatalf("unpinned: %v, pinned %q", out.UnpinActivity.Record.Properties, a.pinnedOf(c))
			}
			a.ok(unpinMutation, map[string]any{"r": c.ID}, nil)
		})
		t.Run("erased, the pin goes", func(t *testing.T) {
			a.ok(pinMutation, map[string]any{"r": c.ID, "a": n1.ID}, nil)
			a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedRecords } }`, map[string]any{"id": n1.ID}, nil)
			if _, ok := a.read(c).Properties["hs_pinned_engagement_id"]; ok || a.pinnedOf(c) != "" {
				t.Fatalf("the erased activity is still pinned")
			}
		})
		t.Run("read-only to clients", func(t *testing.T) {
			a.fails(updateRecordMutation, map[string]any{"id": c.ID, "p": map[string]any{"hs_pinned_engagement_id": n1.RecordID}}, "BAD_USER_INPUT", "hs_pinned_engagement_id")
		})
	})
}

const completeTaskMutation = `mutation($id: ID!) { completeTask(input: {id: $id}) { record { ` + recordFields + ` } } }`

func TestCompleteTask(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		done := time.Date(2026, 3, 10, 15, 4, 5, 0, time.UTC)
		defer clock.Set(done)()
		c := a.create("contacts", map[string]any{"email": "ann@example.com"})
		task := a.logActivity("tasks", map[string]any{"hs_task_subject": "Send the quote", "hs_timestamp": at(12, 9), "hs_task_status": "NOT_STARTED"}, c)
		complete := func(r recordJSON) recordJSON {
			var out struct {
				CompleteTask struct{ Record recordJSON }
			}
			a.ok(completeTaskMutation, map[string]any{"id": r.ID}, &out)
			return out.CompleteTask.Record
		}
		got := complete(task)
		if got.Properties["hs_task_status"] != "COMPLETED" || got.Properties["hs_task_completion_date"] != "2026-03-10T15:04:05.000Z" {
			t.Fatalf("completed task: %v", got.Properties)
		}
		t.Run("completing again keeps the first completion", func(t *testing.T) {
			// Restoring a set clock restores the real one: set it back.
			clock.Set(done.Add(time.Hour))
			defer clock.Set(done)
			if again := complete(task); again.Properties["hs_task_completion_date"] != "2026-03-10T15:04:05.000Z" {
				t.Fatalf("completed again: %v", again.Properties)
			}
		})
		t.Run("reopened, the completion time goes; completed by an update, it comes", func(t *testing.T) {
			// The write's hook keeps the completion time after the update
			// wrote the status: the next read shows both.
			a.updateRecord(task, map[string]any{"hs_task_status": "IN_PROGRESS"})
			if open := a.read(task); open.Properties["hs_task_completion_date"] != nil {
				t.Fatalf("reopened task: %v", open.Properties)
			}
			a.updateRecord(task, map[string]any{"hs_task_status": "COMPLETED"})
			if got := a.read(task).Properties["hs_task_completion_date"]; got != "2026-03-10T15:04:05.000Z" {
				t.Fatalf("completed by an update: completion %v", got)
			}
		})
		t.Run("refusals", func(t *testing.T) {
			note := a.logActivity("notes", map[string]any{"hs_timestamp": at(12, 9)}, c)
			a.fails(completeTaskMutation, map[string]any{"id": note.ID}, "BAD_USER_INPUT", "id")
			a.fails(completeTaskMutation, map[string]any{"id": c.ID}, "BAD_USER_INPUT", "id")
			a.fails(updateRecordMutation, map[string]any{"id": task.ID, "p": map[string]any{"hs_task_completion_date": at(1, 1)}}, "BAD_USER_INPUT", "hs_task_completion_date")
		})
	})
}

// "My open tasks due this week" is a records query with the filter
// language: status not COMPLETED, due between now and seven days on (and,
// once records have owners, owned by me).
func TestOpenTasksDueThisWeek(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		defer clock.Set(now)()
		due := func(subject string, in time.Duration, status string) recordJSON {
			return a.create("tasks", map[string]any{"hs_task_subject": subject, "hs_timestamp": now.Add(in).Format(time.RFC3339), "hs_task_status": status})
		}
		due("overdue", -48*time.Hour, "NOT_STARTED")
		tomorrow := due("tomorrow", 24*time.Hour, "NOT_STARTED")
		inSixDays := due("in six days", 6*24*time.Hour, "WAITING")
		done := due("done tomorrow", 24*time.Hour, "NOT_STARTED")
		due("next month", 30*24*time.Hour, "IN_PROGRESS")
		a.ok(completeTaskMutation, map[string]any{"id": done.ID}, nil)
		var out struct {
			Records struct{ Edges []struct{ Node recordJSON } }
		}
		a.ok(`{ records(objectType: "tasks", sort: [{property: "hs_timestamp"}], filter: {and: [
			{property: "hs_task_status", operator: NEQ, value: "COMPLETED", includeMissing: true},
			{property: "hs_timestamp", operator: BETWEEN, value: "P0D", highValue: "P7D"}
		]}) { edges { node { `+recordFields+` } } } }`, nil, &out)
		var got []string
		for _, e := range out.Records.Edges {
			got = append(got, e.Node.ID)
		}
		if want := []string{tomorrow.ID, inSixDays.ID}; !slices.Equal(got, want) {
			t.Fatalf("open tasks due this week: %v, want %v", got, want)
		}
	})
}
