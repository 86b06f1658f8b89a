package records

import (
	"context"
	"fmt"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/requester"
	"github.com/acme/crm/internal/search"
)

// Filter is a filter of records of one object type, checked against the
// definitions of each call (they may change while it is kept: a
// subscription's).
type Filter struct {
	ObjectType string
	Filter     *search.Filter
}

// Check checks f against m as a read of records checks its filter.
func (f Filter) Check(ctx context.Context, m *meta.Model) (*search.Checked, error) {
	ot, err := m.Lookup(f.ObjectType)
	if err != nil {
		return nil, err
	}
	return search.Check(m, ot, f.Filter, "filter", clock.Now(), search.Me{Owner: requester.Owner(ctx)})
}

// Matches tells whether record id is live and matches f now.
func (s *Store) Matches(ctx context.Context, m *meta.Model, f Filter, id int) (bool, error) {
	c, err := f.Check(ctx, m)
	if err != nil {
		return false, err
	}
	q := db.Build(s.db.Dialect, "SELECT COUNT(*) FROM records r WHERE r.workspace_id = ").Arg(m.WorkspaceID).
		T(" AND r.id = ").Arg(id).T(" AND r.archived_at IS NULL AND ")
	var n int
	if err := c.Probe(q, "r", m.WorkspaceID).Row(ctx, s.db.SQL, &n); err != nil {
		return false, fmt.Errorf("match record %d: %w", id, err)
	}
	return n > 0, nil
}
