package assoc

import (
	"context"
	"fmt"

	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/timeline"
	"github.com/acme/crm/internal/write"
)

// Result is the outcome of one pair of a batch: its link or its error.
type Result struct {
	Index int
	Link  *Link
	// Removed counts the association rows a disassociation deleted.
	Removed int
	Err     error
}

// Associate links a pair under its labels, in one transaction.
func (s *Store) Associate(ctx context.Context, m *meta.Model, p Pair) (*Link, error) {
	results, err := s.AssociateMany(ctx, m, []Pair{p})
	if err != nil {
		return nil, err
	}
	return results[0].Link, results[0].Err
}

// AssociateMany links pairs, per item: a pair refused (a missing record, an
// unknown label, a limit) is reported with its index and writes nothing;
// the others commit together. Pairs apply in order, so a later pair sees
// the limits an earlier one used up.
func (s *Store) AssociateMany(ctx context.Context, m *meta.Model, pairs []Pair) ([]Result, error) {
	return s.batch(ctx, m, pairs, func(tx *write.Tx, p Pair) (*Link, int, error) {
		link, err := s.associateIn(ctx, tx, p)
		return link, 0, err
	})
}

// batch runs one of the pair operations per pair in one transaction: an
// *apierr.Error fails its pair only, any other error the whole batch.
func (s *Store) batch(ctx context.Context, m *meta.Model, pairs []Pair, op func(tx *write.Tx, p Pair) (*Link, int, error)) ([]Result, error) {
	if len(pairs) > MaxBatch {
		return nil, apierr.New(apierr.LimitExceeded, "a batch takes at most %d pairs, got %d", MaxBatch, len(pairs))
	}
	results := make([]Result, len(pairs))
	err := s.w.Records(ctx, m, write.Options{}, func(tx *write.Tx) error {
		for i, p := range pairs {
			link, removed, err := op(tx, p)
			results[i] = Result{Index: i, Link: link, Removed: removed}
			if _, ok := apierr.As(err); ok {
				results[i].Err = err
				continue
			}
			if err != nil {
				return fmt.Errorf("pair %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// Link links a new record inside its write (records.Associations).
func (s *Store) Link(ctx context.Context, tx *write.Tx, from, to int, labels []string) error {
	_, err := s.associateIn(ctx, tx, Pair{From: from, To: to, Labels: labels})
	return err
}

// associateIn links a pair inside a write. Every check runs before the one
// write, so a refusal leaves nothing to undo. Labels add to those the pair
// has; the unlabeled association comes with any.
func (s *Store) associateIn(ctx context.Context, tx *write.Tx, p Pair) (*Link, error) {
	m, q := tx.Model, tx
	from, to, err := s.lockPair(ctx, q, m, p, true)
	if err != nil {
		return nil, err
	}
	fromType, toType, err := objectTypes(m, from, to)
	if err != nil {
		return nil, err
	}
	types, err := resolve(m, fromType, toType, p.Labels)
	if err != nil {
		return nil, err
	}
	have, err := s.linkedTypes(ctx, q, m.WorkspaceID, from.ID, to.ID)
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, at := range types {
		if have[at.ID] {
			continue
		}
		if at.Inverse == nil {
			return nil, fmt.Errorf("association type %d has no inverse", at.ID)
		}
		if err := s.checkLimit(ctx, q, m.WorkspaceID, at, from); err != nil {
			return nil, err
		}
		if err := s.checkLimit(ctx, q, m.WorkspaceID, at.Inverse, to); err != nil {
			return nil, err
		}
		rows = append(rows, row{from, to, at}, row{to, from, at.Inverse})
		have[at.ID] = true
	}
	if err := s.insert(ctx, q, m.WorkspaceID, rows); err != nil {
		return nil, err
	}
	if len(rows) > 0 {
		tx.Linked(linksOf(write.Associated, rows)...)
		happened(tx, timeline.AssociationAdded, rows)
	}
	return &Link{From: from, To: to, Types: typesOf(m, have)}, nil
}

// happened notes the timeline events of association rows made or removed:
// one per record, with the labels of its side. An activity's associations
// are not events: the activity is one on the timelines it is associated
// with.
func happened(tx *write.Tx, t timeline.Type, rows []row) {
	if len(rows) == 0 || activity(tx.Model, rows[0].from) || activity(tx.Model, rows[0].to) {
		return
	}
	now := schema.Now()
	byRecord := map[int]*timeline.Event{}
	var order []int
	for _, r := range rows {
		ev := byRecord[r.from.ID]
		if ev == nil {
			ev = &timeline.Event{RecordID: r.from.ID, Type: t, At: now, OtherRecordID: r.to.ID, Labels: []string{}}
			byRecord[r.from.ID] = ev
			order = append(order, r.from.ID)
		}
		ev.Labels = append(ev.Labels, r.at.Label)
	}
	for _, id := range order {
		tx.Happened(*byRecord[id])
	}
}

// activity reports whether r is an activity: a record of an engagement
// object.
func activity(m *meta.Model, r *records.Record) bool {
	ot, ok := m.ObjectTypeByID(r.ObjectTypeID)
	return ok && ot.Kind == string(objecttype.KindEngagement)
}

// linksOf are association rows made or removed, as kind says, as write
// notes them.
func linksOf(kind write.Kind, rows []row) []write.Link {
	out := make([]write.Link, len(rows))
	for i, r := range rows {
		out[i] = write.Link{From: r.from.ID, To: r.to.ID, FromType: r.from.ObjectTypeID, ToType: r.to.ObjectTypeID, Kind: kind, Label: r.at.Label}
	}
	return out
}

type row struct {
	from, to *records.Record
	at       *meta.AssociationType
}

// insert writes association rows; one that exists already is left as is.
func (s *Store) insert(ctx context.Context, q records.ExecQuerier, workspaceID int, rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	now := schema.Now()
	query := db.Build(s.db.Dialect, "INSERT INTO associations (workspace_id, from_record_id, to_record_id, association_type_id, from_object_type_id, to_object_type_id, created_at) VALUES ")
	for i, r := range rows {
		if i > 0 {
			query.T(", ")
		}
		query.T("(").Args(workspaceID, r.from.ID, r.to.ID, r.at.ID, r.from.ObjectTypeID, r.to.ObjectTypeID, now).T(")")
	}
	query.T(" ON CONFLICT DO NOTHING")
	if _, err := query.Exec(ctx, q); err != nil {
		return fmt.Errorf("insert associations: %w", err)
	}
	return nil
}

// deleted runs the DELETE of the associations of a pair, which returns
// the side and type of each row it deleted, and answers those rows.
func deleted(ctx context.Context, q records.ExecQuerier, stmt *db.SQL, m *meta.Model, a, b *records.Record) ([]row, error) {
	rows, err := stmt.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("delete associations: %w", err)
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var fromID, typeID int
		if err := rows.Scan(&fromID, &typeID); err != nil {
			return nil, err
		}
		at, ok := m.AssociationTypeByID(typeID)
		if !ok {
			return nil, fmt.Errorf("association type %d is not in the definitions", typeID)
		}
		if fromID == a.ID {
			out = append(out, row{a, b, at})
		} else {
			out = append(out, row{b, a, at})
		}
	}
	return out, rows.Err()
}

// Disassociate removes labels from a pair, or, with no labels, the whole
// association: removing the unlabeled association removes every label.
func (s *Store) Disassociate(ctx context.Context, m *meta.Model, p Pair) (*Link, int, error) {
	results, err := s.DisassociateMany(ctx, m, []Pair{p})
	if err != nil {
		return nil, 0, err
	}
	return results[0].Link, results[0].Removed, results[0].Err
}

// DisassociateMany removes pairs or labels of pairs, per item as
// AssociateMany. Removing what is not there is not an error.
func (s *Store) DisassociateMany(ctx context.Context, m *meta.Model, pairs []Pair) ([]Result, error) {
	return s.batch(ctx, m, pairs, func(tx *write.Tx, p Pair) (*Link, int, error) {
		return s.disassociateIn(ctx, tx, p)
	})
}

func (s *Store) disassociateIn(ctx context.Context, tx *write.Tx, p Pair) (*Link, int, error) {
	m, q := tx.Model, tx
	from, to, err := s.lockPair(ctx, q, m, p, false)
	if err != nil {
		return nil, 0, err
	}
	fromType, toType, err := objectTypes(m, from, to)
	if err != nil {
		return nil, 0, err
	}
	query := db.Build(s.db.Dialect, "DELETE FROM associations WHERE workspace_id = ").Arg(m.WorkspaceID).
		T(" AND ((from_record_id = ").Arg(from.ID).T(" AND to_record_id = ").Arg(to.ID).
		T(") OR (from_record_id = ").Arg(to.ID).T(" AND to_record_id = ").Arg(from.ID).T("))")
	if len(p.Labels) > 0 {
		types, err := resolve(m, fromType, toType, p.Labels)
		if err != nil {
			return nil, 0, err
		}
		var ids []int
		for _, at := range types[1:] { // the unlabeled default stays
			ids = append(ids, at.ID)
			if at.Inverse != nil {
				ids = append(ids, at.Inverse.ID)
			}
		}
		query.T(" AND ").InIDs("", "association_type_id", ids)
	}
	removed, err := deleted(ctx, q, query.T(" RETURNING from_record_id, association_type_id"), m, from, to)
	if err != nil {
		return nil, 0, err
	}
	n := len(removed)
	if n > 0 {
		tx.Linked(linksOf(write.Disassociated, removed)...)
		happened(tx, timeline.AssociationRemoved, removed)
	}
	have, err := s.linkedTypes(ctx, q, m.WorkspaceID, from.ID, to.ID)
	if err != nil {
		return nil, 0, err
	}
	return &Link{From: from, To: to, Types: typesOf(m, have)}, n, nil
}
