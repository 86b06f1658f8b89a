package records

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/write"
)

// DeletePermanently erases a record for good (GDPR), with the records
// merged into it: their values, property history and associations, in
// one transaction. A contact's emails are remembered only as hashes, so
// that creating them again is refused unless explicitly allowed. It
// returns how many records went.
func (s *Store) DeletePermanently(ctx context.Context, m *meta.Model, id int) (int, error) {
	var erased int
	var objectType string
	var mergedIDs []int
	// The entry names the records by id only, never by a value: the trail
	// keeps nothing of what was erased (README, "Audit trail").
	opts := Options{Audit: func() audit.Change {
		return audit.Of(audit.DeleteRecord, gid.Record, id, "permanently deleted %s record %d%s", objectType, id, mergedNote(mergedIDs))
	}}
	err := s.w.Records(ctx, m, opts.writeOptions(true), func(tx *write.Tx) error {
		r, err := s.lockOne(ctx, tx, id)
		if err != nil {
			return err
		}
		mergedIDs = MergedIDs(r)
		ids := append([]int{id}, mergedIDs...)
		merged, err := s.lock(ctx, tx, ids[1:])
		if err != nil {
			return err
		}
		tx.ChangedAll(write.Deleted, r.ObjectTypeID, id)
		tx.Erased(id, r.Properties)
		for _, rec := range merged {
			tx.ChangedAll(write.Deleted, rec.ObjectTypeID, rec.ID)
			tx.Erased(rec.ID, rec.Properties)
		}
		var hashes []string
		ot, ok := tx.Model.ObjectTypeByID(r.ObjectTypeID)
		if ok {
			objectType = ot.Name
		}
		if ok && ot.Name == "contacts" {
			for _, rec := range append([]*Record{r}, slices.Collect(maps.Values(merged))...) {
				emails := splitList(rec.Properties[additionalEmails])
				if e, ok := rec.Properties["email"].(string); ok {
					emails = append(emails, e)
				}
				for _, e := range emails {
					hashes = append(hashes, EmailHash(e))
				}
			}
		}
		if err := s.links.Remove(ctx, tx, ids); err != nil {
			return err
		}
		for _, stmt := range []*db.SQL{
			// The events of other records that name these go too.
			db.Build(s.db.Dialect, "DELETE FROM timeline_events WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).T(" AND (").
				InIDs("", "record_id", ids).T(" OR ").InIDs("", "other_record_id", ids).T(")"),
			db.Build(s.db.Dialect, "DELETE FROM property_histories WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).T(" AND ").InIDs("", "record_id", ids),
			db.Build(s.db.Dialect, "DELETE FROM records WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).T(" AND ").InIDs("", "id", ids),
		} {
			if _, err := stmt.Exec(ctx, tx); err != nil {
				return fmt.Errorf("erase record %d: %w", id, err)
			}
		}
		for _, h := range hashes {
			if err := tx.DeletedEmail.Create().SetWorkspaceID(tx.Model.WorkspaceID).SetEmailHash(h).
				OnConflictColumns("workspace_id", "email_hash").DoNothing().Exec(ctx); err != nil && !errors.Is(err, stdsql.ErrNoRows) {
				return fmt.Errorf("remember erased email: %w", err)
			}
		}
		erased = 1 + len(merged)
		return nil
	})
	return erased, err
}

// mergedNote names the records merged into an erased one, by id.
func mergedNote(ids []int) string {
	if len(ids) == 0 {
		return ""
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return ", with the records merged into it: " + strings.Join(parts, ", ")
}
