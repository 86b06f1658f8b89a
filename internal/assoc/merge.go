package assoc

import (
	"context"
	"fmt"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// Move gives the primary of a merge every association of the secondary,
// both directions, collapsing duplicates, then checks the primary's
// limits (records.Associations).
func (s *Store) Move(ctx context.Context, tx *write.Tx, primary, secondary *records.Record) error {
	m, q, d := tx.Model, tx, s.db.Dialect
	cols := "workspace_id, from_record_id, to_record_id, association_type_id, from_object_type_id, to_object_type_id, created_at"
	stmts := []string{
		"INSERT INTO associations (" + cols + ") SELECT workspace_id, ?, to_record_id, association_type_id, from_object_type_id, to_object_type_id, created_at" +
			" FROM associations WHERE workspace_id = ? AND from_record_id = ? AND to_record_id <> ? ON CONFLICT DO NOTHING",
		"INSERT INTO associations (" + cols + ") SELECT workspace_id, from_record_id, ?, association_type_id, from_object_type_id, to_object_type_id, created_at" +
			" FROM associations WHERE workspace_id = ? AND to_record_id = ? AND from_record_id <> ? ON CONFLICT DO NOTHING",
	}
	for _, stmt := range stmts {
		if _, err := q.ExecContext(ctx, d.Rebind(stmt), primary.ID, m.WorkspaceID, secondary.ID, primary.ID); err != nil {
			return fmt.Errorf("move associations: %w", err)
		}
	}
	if _, err := q.ExecContext(ctx, d.Rebind("DELETE FROM associations WHERE workspace_id = ? AND (from_record_id = ? OR to_record_id = ?)"),
		m.WorkspaceID, secondary.ID, secondary.ID); err != nil {
		return fmt.Errorf("remove merged associations: %w", err)
	}
	rows, err := q.QueryContext(ctx, d.Rebind("SELECT association_type_id, COUNT(*) FROM associations WHERE workspace_id = ? AND from_record_id = ? GROUP BY association_type_id"),
		m.WorkspaceID, primary.ID)
	if err != nil {
		return fmt.Errorf("count associations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if at, ok := m.AssociationTypeByID(id); ok && at.Limit > 0 && n > at.Limit {
			return &apierr.Error{Code: apierr.LimitExceeded, ExistingID: primary.ID, Property: "labels",
				Message: fmt.Sprintf("merged, record %d would have %d %s, over the limit of %d: nothing was merged", primary.ID, n, describe(at), at.Limit)}
		}
	}
	return rows.Err()
}

// Remove deletes every association of the records ids, both directions
// (records.Associations).
func (s *Store) Remove(ctx context.Context, tx *write.Tx, ids []int) error {
	d := s.db.Dialect
	_, err := tx.ExecContext(ctx, d.Rebind("DELETE FROM associations WHERE workspace_id = ? AND ("+d.InIDs("from_record_id")+" OR "+d.InIDs("to_record_id")+")"),
		tx.Model.WorkspaceID, d.IDs(ids), d.IDs(ids))
	if err != nil {
		return fmt.Errorf("remove associations: %w", err)
	}
	return nil
}
