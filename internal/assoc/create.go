package assoc

import (
	"context"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
)

// NewRecord is a record to create with the records it is associated with.
type NewRecord struct {
	Properties   map[string]any
	Associations []Pair // From is the new record; it is filled in
}

// CreateRecords creates records and their associations, per item as
// records.Store.CreateMany: an item whose association is refused is not
// created at all.
func (s *Store) CreateRecords(ctx context.Context, m *meta.Model, objectType string, items []NewRecord) ([]records.Result, error) {
	inputs := make([]map[string]any, len(items))
	linked := false
	for i, it := range items {
		inputs[i] = it.Properties
		linked = linked || len(it.Associations) > 0
	}
	var after records.AfterCreate
	if linked {
		after = func(ctx context.Context, q records.ExecQuerier, index int, r *records.Record) error {
			for _, p := range items[index].Associations {
				p.From = r.ID
				if _, err := s.AssociateIn(ctx, q, m, p); err != nil {
					if e, ok := apierr.As(err); ok && e.Property == "" {
						e.Property = "associations"
					}
					return err
				}
			}
			return nil
		}
	}
	return s.records.CreateMany(ctx, m, objectType, inputs, after)
}

// CreateRecord creates one record with its associations in one
// transaction.
func (s *Store) CreateRecord(ctx context.Context, m *meta.Model, objectType string, item NewRecord) (*records.Record, error) {
	results, err := s.CreateRecords(ctx, m, objectType, []NewRecord{item})
	if err != nil {
		return nil, err
	}
	return results[0].Record, results[0].Err
}
