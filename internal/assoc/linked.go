package assoc

import (
	"context"
	"fmt"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
)

// Linked returns, for each record of from, every live record of object
// type to associated with it under any label, by id: one statement, an
// index range of the associations per record. Unlike Traverse it does not
// page: an export writes all of a record's associations in one cell.
func (s *Store) Linked(ctx context.Context, m *meta.Model, from []int, to *meta.ObjectType) (map[int][]*records.Record, error) {
	out := make(map[int][]*records.Record, len(from))
	if len(from) == 0 {
		return out, nil
	}
	q := db.Build(s.db.Dialect, "SELECT p.from_record_id, ")
	records.Columns(q, "r").T(" FROM (SELECT DISTINCT a.from_record_id, a.to_record_id FROM associations a WHERE a.workspace_id = ").Arg(m.WorkspaceID).
		T(" AND a.to_object_type_id = ").Arg(to.ID).T(" AND ").InIDs("a", "from_record_id", from).
		T(") p JOIN records r ON r.id = p.to_record_id WHERE r.archived_at IS NULL ORDER BY p.from_record_id, r.id")
	rows, err := s.db.Read(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read the %s linked to %d records: %w", to.Name, len(from), err)
	}
	defer rows.Close()
	for rows.Next() {
		var parent int
		r, err := records.Scan(rows, &parent)
		if err != nil {
			return nil, err
		}
		r.Type = to
		out[parent] = append(out[parent], r)
	}
	return out, rows.Err()
}
