package records

import (
	"context"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// The reads and writes of one record inside a transaction a caller runs
// (the importer's rows; CreateIn is derived.go's): each validates as the
// batch forms do and answers an *apierr.Error for what the item did wrong.

// FindIn finds and locks the live record of ot whose unique property key
// holds raw (normalized as a written value is): nil when there is none.
func (s *Store) FindIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, key *meta.Property, raw any) (*Record, error) {
	v, err := values.Normalize(ot, key, raw)
	if err != nil || v == nil {
		return nil, err
	}
	id, err := s.findByUnique(ctx, tx, ot, tx.Model.WorkspaceID, key, v, 0, true)
	if err != nil || id == 0 {
		return nil, err
	}
	return s.LockIn(ctx, tx, ot, id)
}

// LockIn locks live record id of ot: NOT_FOUND when there is none.
func (s *Store) LockIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, id int) (*Record, error) {
	r, err := s.lockOne(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if r.ObjectTypeID != ot.ID || r.Archived() || r.MergedInto != 0 {
		return nil, apierr.New(apierr.NotFound, "no live %s %d", ot.Name, id)
	}
	return r, nil
}

// UpdateIn validates input over r's values and writes them, as an item of
// UpdateMany.
func (s *Store) UpdateIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, r *Record, input map[string]any) (*Record, error) {
	next, err := validate(ot, r.Properties, input)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, tx, ot, r, next, false)
}
