package records

import (
	"context"
	"maps"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// Writes inside another package's write (write.Unit.Records): package
// activity logs an activity with its automatic associations in one
// transaction, and keeps the values it derives from activities (rollups,
// the pinned activity, a task's completion time) in the transaction of the
// write that changed them. They go through the same insert and update as
// every other write, so that history, Changes and the hooks after see
// them.

// CreateIn validates and creates one record of ot with its associations
// inside tx, as Create does in a transaction of its own.
func (s *Store) CreateIn(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, item NewRecord) (*Record, error) {
	props, err := validate(ot, nil, item.Properties)
	if err != nil {
		return nil, err
	}
	erased, err := s.checkErased(ctx, tx, tx.Model, ot, []map[string]any{props}, false)
	if err != nil {
		return nil, err
	}
	if erased[0] != nil {
		return nil, erased[0]
	}
	return s.createOne(ctx, tx, ot, props, item.Associations)
}

// Lock reads the records ids inside tx, archived or not, and locks them
// until tx ends (PostgreSQL), in id order; missing ids are absent.
func (s *Store) Lock(ctx context.Context, tx *write.Tx, ids []int) (map[int]*Record, error) {
	return s.lock(ctx, tx, ids)
}

// SetDerived writes values the server derives (nil clears one) of r, a
// record locked by tx, and returns r as written. The properties are
// read-only to clients: values normalises each value but does not refuse
// it for that. A property r's object type lacks or has archived is left
// alone.
func (s *Store) SetDerived(ctx context.Context, tx *write.Tx, r *Record, derived map[string]any) (*Record, error) {
	ot, err := objectTypeOf(tx.Model, r, nil)
	if err != nil {
		return nil, err
	}
	next := maps.Clone(r.Properties)
	if next == nil {
		next = map[string]any{}
	}
	for name, raw := range derived {
		def, ok := ot.Property(name)
		if !ok || def.Archived {
			continue
		}
		v, err := values.Normalize(ot, def, raw)
		if err != nil {
			return nil, err
		}
		if v == nil {
			delete(next, name)
		} else {
			next[name] = v
		}
	}
	return s.update(ctx, tx, ot, r, next, false)
}
