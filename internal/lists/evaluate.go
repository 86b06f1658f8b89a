package lists

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/timeline"
	"github.com/acme/crm/internal/write"
)

// evaluate brings each target's list to what its filter says of its set
// of records, and returns the lists whose members changed, each with the
// set evaluated. Records that join get addedAt now; those that stay keep
// theirs.
func (s *Store) evaluate(ctx context.Context, tx *write.Tx, targets []target) (map[int]*set, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	if !tx.Exclusive() && tx.Dialect.WritesInWith() {
		// Other writes run beside this one: every record evaluated is
		// locked first (see current.go).
		for i := range targets {
			if targets[i].set.all {
				ids, err := changing(ctx, tx, targets[i])
				if err != nil {
					return nil, err
				}
				targets[i].set = idSet(ids...)
			}
		}
	}
	targets = slices.DeleteFunc(targets, func(t target) bool { return t.set.empty() })
	if len(targets) == 0 {
		return nil, nil
	}
	now := clock.Now()
	byIDs := tx.Dialect.WritesInWith()
	for _, t := range targets {
		byIDs = byIDs && !t.set.all
	}
	var counts map[int]int
	var err error
	if byIDs {
		counts, err = evaluateIDs(ctx, tx, targets, now)
	} else {
		counts, err = evaluateEach(ctx, tx, targets, now)
	}
	if err != nil {
		return nil, err
	}
	changed := map[int]*set{}
	for _, t := range targets {
		if counts[t.list.ID] > 0 {
			changed[t.list.ID] = t.set
		}
	}
	return changed, nil
}

// evaluateEach evaluates each target with a DELETE and an INSERT of its
// own, and counts the rows each list's statements changed.
func evaluateEach(ctx context.Context, tx *write.Tx, targets []target, now time.Time) (map[int]int, error) {
	ws := tx.Model.WorkspaceID
	counts := map[int]int{}
	for _, t := range targets {
		for _, step := range []struct {
			stmt  *db.SQL
			event timeline.Type
		}{
			{deleteUnmatched(db.Build(tx.Dialect, ""), ws, t), timeline.ListRemoved},
			{insertMatched(db.Build(tx.Dialect, ""), ws, t, now), timeline.ListAdded},
		} {
			ids, err := step.stmt.T(" RETURNING record_id").IDs(ctx, tx)
			if err != nil {
				return nil, fmt.Errorf("keep list %d current: %w", t.list.ID, err)
			}
			tx.Joined(t.list.ID, step.event == timeline.ListAdded, ids...)
			if err := timeline.Members(ctx, tx, tx.Dialect, ws, step.event, t.list.ID, now, ids); err != nil {
				return nil, err
			}
			counts[t.list.ID] += len(ids)
		}
	}
	return counts, nil
}

// evaluateIDs evaluates every target, each over a set of ids, in one
// statement (PostgreSQL): each candidate record is read once and each
// list's filter evaluated on it once (e); the memberships of the
// candidates are found by record (c), so that the planner cannot misjudge
// a list it has no statistics of yet (a list made since the last ANALYZE
// holds "no" rows); then one DELETE and one INSERT apply the difference.
// It counts the rows each list changed.
func evaluateIDs(ctx context.Context, tx *write.Tx, targets []target, now time.Time) (map[int]int, error) {
	ws := tx.Model.WorkspaceID
	union := &set{}
	lists := make([]int, len(targets))
	for i, t := range targets {
		union.add(t.set.sorted()...)
		lists[i] = t.list.ID
	}
	ids := union.sorted()
	q := db.Build(tx.Dialect, "WITH e AS MATERIALIZED (SELECT r.id AS record_id, l.list_id, l.ok FROM records r CROSS JOIN LATERAL (")
	for i, t := range targets {
		if i > 0 {
			q.T(" UNION ALL ")
		}
		q.T("SELECT ").Int(t.list.ID).T(" AS list_id, ")
		matches(q, ws, t, "r").T(" AS ok WHERE r.object_type_id = ").Int(t.list.ObjectType.ID)
		if len(t.set.ids) < len(ids) {
			t.set.restrict(q, "r", "id")
		}
	}
	q.T(") l WHERE r.workspace_id = ").Arg(ws).T(" AND ")
	oneOf(q, "r", "id", ids).T("), c AS MATERIALIZED (SELECT id, list_id, record_id FROM list_members WHERE workspace_id = ").Arg(ws).T(" AND ")
	oneOf(q, "", "record_id", ids).T(" AND list_id IN (")
	for i, id := range lists {
		if i > 0 {
			q.T(", ")
		}
		q.Int(id)
	}
	q.T(")), d AS (DELETE FROM list_members WHERE id IN (SELECT c.id FROM c JOIN e ON e.record_id = c.record_id AND e.list_id = c.list_id WHERE NOT e.ok) RETURNING list_id, record_id)"+
		", i AS (INSERT INTO list_members (workspace_id, list_id, record_id, added_at) SELECT ").Arg(ws).T(", e.list_id, e.record_id, ").Cast(now, "timestamptz").
		T(" FROM e WHERE e.ok AND NOT EXISTS (SELECT 1 FROM c WHERE c.list_id = e.list_id AND c.record_id = e.record_id) RETURNING list_id, record_id)"+
			", n AS (SELECT list_id, record_id, 'LIST_REMOVED' AS type FROM d UNION ALL SELECT list_id, record_id, 'LIST_ADDED' FROM i)"+
			// The timeline events of the changes, in the same statement.
			", ev AS ("+timeline.InsertHead+"SELECT ").Arg(ws).
		T(", n.record_id, n.type, ").Cast(now, "timestamptz").T(", NULL, n.list_id, NULL FROM n)" +
		" SELECT n.list_id, n.record_id, n.type = 'LIST_ADDED' FROM n")
	// Most writes send this text again (the same lists over other
	// records): planning it costs more than running it.
	rows, err := q.Query(db.Prepared(ctx), tx)
	if err != nil {
		return nil, fmt.Errorf("keep lists current: %w", err)
	}
	defer rows.Close()
	counts := map[int]int{}
	for rows.Next() {
		var list, record int
		var added bool
		if err := rows.Scan(&list, &record, &added); err != nil {
			return nil, err
		}
		counts[list]++
		tx.Joined(list, added, record)
	}
	return counts, rows.Err()
}

// oneOf appends "column of alias is one of ids": an equality for one id.
// The statement of a single-record write then has a generic plan as good
// as its custom ones, which PostgreSQL comes to prefer, and stops
// planning it; a list of ids of unknown length would keep it planning
// every time.
func oneOf(q *db.SQL, alias, column string, ids []int) *db.SQL {
	if len(ids) != 1 {
		return q.InIDs(alias, column, ids)
	}
	if alias != "" {
		q.Ident(alias, column)
	} else {
		q.Ident(column)
	}
	return q.T(" = ").Arg(ids[0])
}

// matches appends "the record aliased alias is one t's filter keeps": not
// merged into another, and matching. An archived record is evaluated as
// any other: its membership is hidden while it is archived, and holds
// when it comes back.
func matches(q *db.SQL, workspaceID int, t target, alias string) *db.SQL {
	q.Ident(alias, "merged_into_id").T(" IS NULL AND ")
	return t.filter.Where(q, alias, workspaceID)
}

// insertMatched appends the INSERT of the records of t's set that match
// and are not members.
func insertMatched(q *db.SQL, workspaceID int, t target, now time.Time) *db.SQL {
	q.T("INSERT INTO list_members (workspace_id, list_id, record_id, added_at) SELECT r.workspace_id, ").Int(t.list.ID).
		T(", r.id, ").Cast(now, "timestamptz").T(" FROM records r WHERE r.workspace_id = ").Arg(workspaceID).
		T(" AND r.object_type_id = ").Int(t.list.ObjectType.ID)
	t.set.restrict(q, "r", "id")
	q.T(" AND ")
	matches(q, workspaceID, t, "r")
	return q.T(" AND NOT EXISTS (SELECT 1 FROM list_members m WHERE m.workspace_id = ").Arg(workspaceID).
		T(" AND m.list_id = ").Int(t.list.ID).T(" AND m.record_id = r.id)")
}

// deleteUnmatched appends the DELETE of the members in t's set that no
// longer match.
func deleteUnmatched(q *db.SQL, workspaceID int, t target) *db.SQL {
	q.T("DELETE FROM list_members WHERE workspace_id = ").Arg(workspaceID).T(" AND list_id = ").Int(t.list.ID)
	t.set.restrict(q, "list_members", "record_id")
	q.T(" AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id = list_members.record_id AND ")
	return matches(q, workspaceID, t, "r").T(")")
}

// changing finds and locks the records whose membership of t's list its
// filter changes: the records that match and are not members, and the
// members that no longer match.
func changing(ctx context.Context, tx *write.Tx, t target) ([]int, error) {
	ws := tx.Model.WorkspaceID
	q := db.Build(tx.Dialect, "SELECT r.id FROM records r WHERE r.workspace_id = ").Arg(ws).
		T(" AND r.object_type_id = ").Int(t.list.ObjectType.ID).T(" AND ")
	matches(q, ws, t, "r").T(" AND NOT EXISTS (SELECT 1 FROM list_members m WHERE m.workspace_id = ").Arg(ws).
		T(" AND m.list_id = ").Int(t.list.ID).T(" AND m.record_id = r.id) UNION SELECT m.record_id FROM list_members m WHERE m.workspace_id = ").
		Arg(ws).T(" AND m.list_id = ").Int(t.list.ID).T(" AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id = m.record_id AND ")
	matches(q, ws, t, "r").T(")")
	ids, err := q.IDs(ctx, tx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return lockRecords(ctx, tx, ids)
}

// lockRecords locks records of the workspace, in id order, and returns the
// ids of those that exist.
func lockRecords(ctx context.Context, tx *write.Tx, ids []int) ([]int, error) {
	q := db.Build(tx.Dialect, "SELECT id FROM records WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).
		T(" AND ").InIDs("", "id", ids).T(" ORDER BY id").ForUpdate()
	return q.IDs(ctx, tx)
}

// moveMerged gives the primary of each merge the manual and snapshot
// memberships of the secondary (keeping their addedAt), and takes every
// membership from the secondary, which is never a member again. The lists
// of their type count as changed for both, for the lists that read them.
// What it gives and takes is noted (Tx.Joined) as an evaluation notes it:
// the lists the primary joined, then those the secondary left.
func (s *Store) moveMerged(ctx context.Context, tx *write.Tx, merges map[int]int, sd *seeds) error {
	ws := tx.Model.WorkspaceID
	for secondary, primary := range merges {
		rc := tx.Changes().Records[secondary]
		var static []int
		for _, l := range tx.Model.Lists() {
			if rc == nil || l.ObjectType.ID != rc.ObjectTypeID {
				continue
			}
			if l.Kind != meta.Dynamic {
				static = append(static, l.ID)
			}
			if sd.lists[l.ID] == nil {
				sd.lists[l.ID] = &set{}
			}
			sd.lists[l.ID].add(primary, secondary)
		}
		type step struct {
			stmt   *db.SQL
			record int
			added  bool
		}
		steps := []step{{db.Build(tx.Dialect, "DELETE FROM list_members WHERE workspace_id = ").Arg(ws).T(" AND record_id = ").Arg(secondary), secondary, false}}
		if len(static) > 0 {
			move := db.Build(tx.Dialect, "INSERT INTO list_members (workspace_id, list_id, record_id, added_at) SELECT m.workspace_id, m.list_id, ").
				Arg(primary).T(", m.added_at FROM list_members m WHERE m.workspace_id = ").Arg(ws).T(" AND m.record_id = ").Arg(secondary).
				T(" AND ").InIDs("m", "list_id", static).T(" AND NOT EXISTS (SELECT 1 FROM list_members p WHERE p.workspace_id = ").Arg(ws).
				T(" AND p.list_id = m.list_id AND p.record_id = ").Arg(primary).T(")")
			steps = append([]step{{move, primary, true}}, steps...)
		}
		for _, st := range steps {
			lists, err := st.stmt.T(" RETURNING list_id").IDs(ctx, tx)
			if err != nil {
				return fmt.Errorf("move the memberships of merged record %d: %w", secondary, err)
			}
			slices.Sort(lists)
			for _, l := range lists {
				tx.Joined(l, st.added, st.record)
			}
		}
	}
	return nil
}
