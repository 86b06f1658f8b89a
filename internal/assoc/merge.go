package assoc

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/history"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
)

// additionalEmails is where a merged contact's email goes when the primary
// has one of its own.
const additionalEmails = "hs_additional_emails"

// Merge merges secondary into primary, in one transaction: the primary
// keeps its values and takes the secondary's where it has none; unique
// values it cannot take are kept (contacts' emails in
// hs_additional_emails, others in hs_merged_unique_values); every
// association of the secondary moves to the primary, labels kept and
// duplicates collapsed, limits respected; the secondary is archived with a
// pointer, its id answering the primary from then on. The merge is
// refused, changing nothing, when a limit would be exceeded.
func (s *Store) Merge(ctx context.Context, m *meta.Model, primaryID, secondaryID int) (*records.Record, error) {
	if primaryID == secondaryID {
		return nil, apierr.New(apierr.BadUserInput, "a record cannot be merged into itself")
	}
	ctx = history.WithSource(ctx, history.Source{Type: history.Merge, ID: strconv.Itoa(secondaryID)})
	var out *records.Record
	err := s.records.Tx(ctx, m, func(tx *ent.Tx, h *history.Buffer) error {
		recs, err := s.records.Lock(ctx, tx, m, []int{primaryID, secondaryID})
		if err != nil {
			return err
		}
		primary, secondary := recs[primaryID], recs[secondaryID]
		for _, r := range []struct {
			rec *records.Record
			id  int
		}{{primary, primaryID}, {secondary, secondaryID}} {
			if r.rec == nil {
				return apierr.New(apierr.NotFound, "no record %d", r.id)
			}
			if r.rec.MergedInto != 0 {
				return apierr.New(apierr.Conflict, "record %d was merged into record %d already", r.id, r.rec.MergedInto)
			}
			if r.rec.Archived() {
				return apierr.New(apierr.NotFound, "record %d is archived; restore it first", r.id)
			}
		}
		if primary.ObjectTypeID != secondary.ObjectTypeID {
			return apierr.New(apierr.BadUserInput, "records %d and %d are of different object types", primaryID, secondaryID)
		}
		ot, ok := m.ObjectTypeByID(primary.ObjectTypeID)
		if !ok {
			return apierr.New(apierr.NotFound, "no record %d", primaryID)
		}
		// Archived first, the secondary frees its unique values for the
		// primary to take.
		if err := s.records.MarkMerged(ctx, tx, secondaryID, primaryID); err != nil {
			return err
		}
		if out, err = s.records.Write(ctx, tx, h, ot, primary, mergedValues(ot, primary, secondary)); err != nil {
			return err
		}
		return s.moveAssociations(ctx, tx, m, primary, secondary)
	})
	return out, err
}

// mergedValues are the primary's values after the merge.
func mergedValues(ot *meta.ObjectType, primary, secondary *records.Record) map[string]any {
	next := make(map[string]any, len(primary.Properties))
	for k, v := range primary.Properties {
		next[k] = v
	}
	var kept []string
	for name, v := range secondary.Properties {
		def, ok := ot.Property(name)
		if !ok || def.Archived || def.ReadOnlyValue || name == additionalEmails {
			continue
		}
		own, has := next[name]
		switch {
		case !has:
			next[name] = v
		case def.Unique && fmt.Sprint(own) != fmt.Sprint(v):
			kept = append(kept, name+"="+fmt.Sprint(v))
		}
	}
	emails := splitList(next[additionalEmails])
	emails = append(emails, splitList(secondary.Properties[additionalEmails])...)
	var others []string
	for _, k := range kept {
		if v, isEmail := strings.CutPrefix(k, "email="); isEmail && ot.Name == "contacts" {
			emails = append(emails, v)
		} else {
			others = append(others, k)
		}
	}
	setList(next, additionalEmails, emails, ot)
	setList(next, records.MergedValuesProperty, append(splitList(next[records.MergedValuesProperty]),
		append(splitList(secondary.Properties[records.MergedValuesProperty]), others...)...), ot)
	ids := splitList(next[records.MergedIDsProperty])
	ids = append(ids, strconv.Itoa(secondary.ID))
	ids = append(ids, splitList(secondary.Properties[records.MergedIDsProperty])...)
	setList(next, records.MergedIDsProperty, ids, ot)
	return next
}

func splitList(v any) []string {
	s, _ := v.(string)
	var out []string
	for _, part := range strings.Split(s, ";") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// setList stores a ";"-separated list without repeats, when the object
// type has the property.
func setList(props map[string]any, name string, items []string, ot *meta.ObjectType) {
	if _, ok := ot.Property(name); !ok || len(items) == 0 {
		return
	}
	var uniq []string
	for _, it := range items {
		if !slices.Contains(uniq, it) {
			uniq = append(uniq, it)
		}
	}
	props[name] = strings.Join(uniq, ";")
}

// moveAssociations gives the primary every association of the secondary,
// both directions, collapsing duplicates, then checks the primary's limits.
func (s *Store) moveAssociations(ctx context.Context, q records.ExecQuerier, m *meta.Model, primary, secondary *records.Record) error {
	d := s.db.Dialect
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
