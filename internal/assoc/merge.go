package assoc

import (
	"context"
	"fmt"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// Move gives the primary of a merge every association of the secondary,
// both directions, collapsing duplicates, then checks the primary's
// limits (records.Associations).
func (s *Store) Move(ctx context.Context, tx *write.Tx, primary, secondary *records.Record) error {
	m, d := tx.Model, s.db.Dialect
	const insert = "INSERT INTO associations (workspace_id, from_record_id, to_record_id, association_type_id, from_object_type_id, to_object_type_id, created_at) "
	for _, stmt := range []*db.SQL{
		db.Build(d, insert+"SELECT workspace_id, ").Arg(primary.ID).T(", to_record_id, association_type_id, from_object_type_id, to_object_type_id, created_at" +
			" FROM associations WHERE workspace_id = ").Arg(m.WorkspaceID).T(" AND from_record_id = ").Arg(secondary.ID).
			T(" AND to_record_id <> ").Arg(primary.ID).T(" ON CONFLICT DO NOTHING"),
		db.Build(d, insert+"SELECT workspace_id, from_record_id, ").Arg(primary.ID).T(", association_type_id, from_object_type_id, to_object_type_id, created_at" +
			" FROM associations WHERE workspace_id = ").Arg(m.WorkspaceID).T(" AND to_record_id = ").Arg(secondary.ID).
			T(" AND from_record_id <> ").Arg(primary.ID).T(" ON CONFLICT DO NOTHING"),
	} {
		// What the secondary was linked with and the primary was not is
		// now linked with the primary.
		if _, err := s.noted(ctx, tx, write.Associated, stmt); err != nil {
			return fmt.Errorf("move associations: %w", err)
		}
	}
	if _, err := s.noted(ctx, tx, write.Disassociated, db.Build(d, "DELETE FROM associations WHERE workspace_id = ").Arg(m.WorkspaceID).
		T(" AND (from_record_id = ").Arg(secondary.ID).T(" OR to_record_id = ").Arg(secondary.ID).T(")")); err != nil {
		return fmt.Errorf("remove merged associations: %w", err)
	}
	rows, err := db.Build(d, "SELECT association_type_id, COUNT(*) FROM associations WHERE workspace_id = ").Arg(m.WorkspaceID).
		T(" AND from_record_id = ").Arg(primary.ID).T(" GROUP BY association_type_id").Query(ctx, tx)
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
	_, err := s.noted(ctx, tx, write.Disassociated, db.Build(s.db.Dialect, "DELETE FROM associations WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).
		T(" AND (").InIDs("", "from_record_id", ids).T(" OR ").InIDs("", "to_record_id", ids).T(")"))
	if err != nil {
		return fmt.Errorf("remove associations: %w", err)
	}
	return nil
}

// noted runs stmt, an INSERT or a DELETE of associations, notes the rows
// it wrote for tx's hooks, as kind says, and returns them.
func (s *Store) noted(ctx context.Context, tx *write.Tx, kind write.Kind, stmt *db.SQL) ([]write.Link, error) {
	rows, err := stmt.T(" RETURNING from_record_id, to_record_id, from_object_type_id, to_object_type_id, association_type_id").Query(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []write.Link
	for rows.Next() {
		l := write.Link{Kind: kind}
		var typeID int
		if err := rows.Scan(&l.From, &l.To, &l.FromType, &l.ToType, &typeID); err != nil {
			return nil, err
		}
		at, ok := tx.Model.AssociationTypeByID(typeID)
		if !ok {
			return nil, fmt.Errorf("association type %d is not in the definitions", typeID)
		}
		l.Label = at.Label
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	tx.Linked(out...)
	return out, nil
}
