package activity

import (
	"context"
	"fmt"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// Tasks are a to-do list: hs_task_status (NOT_STARTED, IN_PROGRESS,
// WAITING, COMPLETED, DEFERRED), hs_timestamp the due date,
// hs_task_priority, and hs_task_completion_date, which the server keeps:
// set when the status becomes COMPLETED, by CompleteTask or any write,
// cleared when it leaves COMPLETED (rollups.go). "My open tasks due this
// week" is a records query of tasks with a filter on status and due date.

// CompleteTask sets task id's status to COMPLETED and its completion time
// to now (clock.Now). A task completed already is left as it is, its
// completion time kept; a record that is not a task is BAD_USER_INPUT.
func (s *Store) CompleteTask(ctx context.Context, m *meta.Model, id int) (*records.Record, error) {
	var out *records.Record
	err := s.w.Records(ctx, m, write.Options{LockWithRecords: true}, func(tx *write.Tx) error {
		recs, err := s.records.Lock(ctx, tx, []int{id})
		if err != nil {
			return err
		}
		r, ok := recs[id]
		switch {
		case !ok || r.MergedInto != 0:
			return &apierr.Error{Code: apierr.NotFound, Property: "id", Message: fmt.Sprintf("no record %d", id)}
		case r.Type == nil || r.Type.Name != Tasks:
			return apierr.Invalid("id", "record %d is not a task", id)
		case r.Archived():
			return &apierr.Error{Code: apierr.NotFound, Property: "id", Message: fmt.Sprintf("task %d is archived; restore it first", id)}
		}
		if _, has := r.Properties[TaskCompletion]; has && r.Properties[TaskStatus] == Completed {
			out = r
			return nil
		}
		out, err = s.records.SetDerived(ctx, tx, r, map[string]any{TaskStatus: Completed, TaskCompletion: completionTime()})
		return err
	})
	return out, err
}
