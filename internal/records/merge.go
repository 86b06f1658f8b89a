package records

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/history"
	"github.com/acme/crm/internal/meta"
)

// MergedIDsProperty lists, separated by ";", the records merged into a
// record; MergedValuesProperty keeps, as property=value, the unique values
// of merged records it could not take.
const (
	MergedIDsProperty    = "hs_merged_object_ids"
	MergedValuesProperty = "hs_merged_unique_values"
)

// MergedIDs are the ids of the records merged into r.
func MergedIDs(r *Record) []int {
	s, _ := r.Properties[MergedIDsProperty].(string)
	var out []int
	for _, part := range strings.Split(s, ";") {
		if id, err := strconv.Atoi(strings.TrimSpace(part)); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// Tx runs fn in one transaction with a history buffer appended before it
// commits, for domain operations that span records and more. fn must lock
// the records it writes with Lock before writing, which also checks that m
// is current (see inTx).
func (s *Store) Tx(ctx context.Context, m *meta.Model, fn func(tx *ent.Tx, h *history.Buffer) error) error {
	return s.inTx(ctx, m, versionWithRows, fn)
}

// Lock reads records, archived or not, and on PostgreSQL locks them until
// the transaction ends, in id order.
func (s *Store) Lock(ctx context.Context, q ExecQuerier, m *meta.Model, ids []int) (map[int]*Record, error) {
	out := map[int]*Record{}
	return out, s.getMany(ctx, q, m, ids, true, out)
}

// Write stores next as r's values without validating them (the caller
// took them from stored, valid records) and records the change in h.
func (s *Store) Write(ctx context.Context, q ExecQuerier, h *history.Buffer, ot *meta.ObjectType, r *Record, next map[string]any) (*Record, error) {
	return s.update(ctx, q, h, ot, r, next, false)
}

// MarkMerged archives secondary with a pointer to primary, so that reads of
// its id answer primary. It frees secondary's unique values.
func (s *Store) MarkMerged(ctx context.Context, q ExecQuerier, secondary, primary int) error {
	now := schema.Now()
	_, err := q.ExecContext(ctx, s.db.Dialect.Rebind("UPDATE records SET archived_at = ?, updated_at = ?, merged_into_id = ? WHERE id = ?"),
		now, now, primary, secondary)
	if err != nil {
		return fmt.Errorf("archive merged record %d: %w", secondary, err)
	}
	return nil
}

// maxMergeHops bounds how far a read follows merge pointers; merging into
// a merged record is refused, so a chain only grows when a merged-into
// record is merged again.
const maxMergeHops = 16

// follow replaces records merged into others by the records they were
// merged into, reading each hop's targets in one statement.
func (s *Store) follow(ctx context.Context, m *meta.Model, recs map[int]*Record) error {
	for hop := 0; hop < maxMergeHops; hop++ {
		var targets []int
		for _, r := range recs {
			if r.MergedInto != 0 {
				targets = append(targets, r.MergedInto)
			}
		}
		if len(targets) == 0 {
			return nil
		}
		found := map[int]*Record{}
		if err := s.getMany(ctx, s.db.Client, m, targets, false, found); err != nil {
			return err
		}
		for id, r := range recs {
			if r.MergedInto == 0 {
				continue
			}
			if t, ok := found[r.MergedInto]; ok {
				recs[id] = t
			} else {
				delete(recs, id)
			}
		}
	}
	return nil
}
