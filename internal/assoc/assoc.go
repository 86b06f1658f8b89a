// Package assoc owns associations between records: the rules of linking
// and unlinking (an unlabeled association beside every label, both
// directions in one transaction, limits and the one-primary rule), the
// management of association labels, and traversal — one statement per
// level for any number of parents, each paginated on its own.
package assoc

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// MaxBatch is the most pairs one batch call takes.
const MaxBatch = 1000

// Store links records and reads the links.
type Store struct {
	db *db.DB
	w  *write.Unit
}

// New returns a store over d that writes through w.
func New(d *db.DB, w *write.Unit) *Store { return &Store{db: d, w: w} }

// Pair is one association to make or remove: from one record to another,
// under labels (none means the unlabeled association only).
type Pair struct {
	From, To int
	Labels   []string
}

// Link is the state of a pair after a change: the types that now link
// From to To, seen from From, the unlabeled default first.
type Link struct {
	From, To *records.Record
	Types    []*meta.AssociationType
}

// lockPair reads both records of a pair and, on PostgreSQL, locks them
// until the transaction ends: every change of a record's associations
// locks the record first, so that limit checks cannot race.
func (s *Store) lockPair(ctx context.Context, q records.ExecQuerier, m *meta.Model, p Pair, live bool) (from, to *records.Record, err error) {
	if p.From == p.To {
		return nil, nil, apierr.New(apierr.BadUserInput, "a record cannot be associated with itself")
	}
	rows, err := records.Columns(db.Build(s.db.Dialect, "SELECT "), "r").T(" FROM records r WHERE r.workspace_id = ").Arg(m.WorkspaceID).
		T(" AND r.id IN (").Args(p.From, p.To).T(") ORDER BY r.id").ForUpdate().Query(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("lock records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := records.Scan(rows)
		if err != nil {
			return nil, nil, err
		}
		records.Attach(m, r)
		if r.ID == p.From {
			from = r
		} else {
			to = r
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, r := range []struct {
		rec *records.Record
		id  int
	}{{from, p.From}, {to, p.To}} {
		if r.rec == nil {
			return nil, nil, apierr.New(apierr.NotFound, "no record %d", r.id)
		}
		if live && r.rec.Archived() {
			return nil, nil, apierr.New(apierr.NotFound, "record %d is archived; restore it first", r.id)
		}
	}
	return from, to, nil
}

// resolve returns the types a pair's labels name, the unlabeled default
// first. Duplicate labels count once.
func resolve(m *meta.Model, from, to *meta.ObjectType, labels []string) ([]*meta.AssociationType, error) {
	def, ok := m.AssociationType(from, to, "")
	if !ok {
		return nil, apierr.New(apierr.BadUserInput, "%s cannot be associated with %s", from.Name, to.Name)
	}
	types := []*meta.AssociationType{def}
	seen := map[string]bool{"": true}
	for _, l := range labels {
		if seen[l] {
			continue
		}
		seen[l] = true
		at, ok := m.AssociationType(from, to, l)
		if !ok {
			return nil, apierr.Invalid("labels", "no association label %q from %s to %s", l, from.Name, to.Name)
		}
		types = append(types, at)
	}
	return types, nil
}

func objectTypes(m *meta.Model, from, to *records.Record) (*meta.ObjectType, *meta.ObjectType, error) {
	fo, ok1 := m.ObjectTypeByID(from.ObjectTypeID)
	to2, ok2 := m.ObjectTypeByID(to.ObjectTypeID)
	if !ok1 || !ok2 {
		return nil, nil, apierr.New(apierr.NotFound, "the object type of record %d or %d is gone", from.ID, to.ID)
	}
	return fo, to2, nil
}

// linkedTypes returns the ids of the types linking from to to.
func (s *Store) linkedTypes(ctx context.Context, q records.ExecQuerier, workspaceID, from, to int) (map[int]bool, error) {
	rows, err := db.Build(s.db.Dialect, "SELECT association_type_id FROM associations WHERE workspace_id = ").Arg(workspaceID).
		T(" AND from_record_id = ").Arg(from).T(" AND to_record_id = ").Arg(to).Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read associations: %w", err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// typesOf lists the types in ids as m knows them, the default first.
func typesOf(m *meta.Model, ids map[int]bool) []*meta.AssociationType {
	out := make([]*meta.AssociationType, 0, len(ids))
	for id := range ids {
		if at, ok := m.AssociationTypeByID(id); ok {
			out = append(out, at)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Label != out[j].Label {
			return out[i].Label < out[j].Label
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// checkLimit refuses one more association of type at from record holder:
// a limit of one is the one-primary rule and answers CONFLICT naming the
// record that holds the place; a higher limit answers LIMIT_EXCEEDED.
func (s *Store) checkLimit(ctx context.Context, q records.ExecQuerier, workspaceID int, at *meta.AssociationType, holder *records.Record) error {
	if at.Limit <= 0 {
		return nil
	}
	rows, err := db.Build(s.db.Dialect, "SELECT to_record_id FROM associations WHERE workspace_id = ").Arg(workspaceID).
		T(" AND from_record_id = ").Arg(holder.ID).T(" AND association_type_id = ").Arg(at.ID).
		T(" ORDER BY to_record_id LIMIT ").Arg(at.Limit).Query(ctx, q)
	if err != nil {
		return fmt.Errorf("count associations: %w", err)
	}
	defer rows.Close()
	var held []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return err
		}
		held = append(held, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(held) < at.Limit {
		return nil
	}
	name := describe(at)
	if at.Limit == 1 {
		return &apierr.Error{Code: apierr.Conflict, ExistingID: held[0], Property: "labels",
			Message: fmt.Sprintf("record %d already has its %s: record %d", holder.ID, name, held[0])}
	}
	return &apierr.Error{Code: apierr.LimitExceeded, ExistingID: holder.ID, Property: "labels",
		Message: fmt.Sprintf("record %d already has %d %s, the limit", holder.ID, at.Limit, name)}
}

func describe(at *meta.AssociationType) string {
	if at.Label == "" {
		return at.To.PluralLabel
	}
	return fmt.Sprintf("%q %s", at.Label, strings.ToLower(at.To.SingularLabel))
}

// isNoRows reports the error ent's upsert answers on PostgreSQL when DO
// NOTHING did nothing.
func isNoRows(err error) bool { return errors.Is(err, stdsql.ErrNoRows) }
