// Package definition changes a workspace's definitions at runtime:
// properties and their options, property groups, custom object types,
// pipelines and stages. Each change is one transaction that also moves the
// workspace's schema version on (write.Unit.Definitions), so the next
// request of any server process sees it. A change that would strand stored values —
// removing an option records hold, a type their values do not convert to —
// is refused unless the request says what to do with them.
package definition

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/flatjson"
	"github.com/acme/crm/internal/indexes"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/search"
	"github.com/acme/crm/internal/write"
)

// Store changes definitions.
type Store struct {
	db *db.DB
	w  *write.Unit
}

// New returns a store over d that writes through w.
func New(d *db.DB, w *write.Unit) *Store { return &Store{db: d, w: w} }

// change runs fn as a definition change and records, in its transaction,
// the audit entry change names once fn succeeded (so that it may name what
// fn made), then brings the indexes of
// search in line with the definitions it committed (indexes.Sync). An index
// only makes reads fast: a build that fails neither undoes nor fails the
// change; it is logged, and the next change or the next start builds it.
// The build runs to its end when the request goes away, since a concurrent
// build cancelled halfway leaves an INVALID index that writes still keep up.
func (s *Store) change(ctx context.Context, m *meta.Model, change func() audit.Change, fn func(tx *write.Tx) error) error {
	if err := s.w.Definitions(ctx, m, write.Audited(ctx, change, fn)); err != nil {
		return err
	}
	if err := indexes.Sync(context.WithoutCancel(ctx), s.db, m.WorkspaceID); err != nil {
		slog.ErrorContext(ctx, "search indexes not in line with the definitions; the next change or start retries", "workspace", m.WorkspaceID, "err", err)
	}
	return nil
}

// lookupProperty returns the definition name of a live object type.
func lookupProperty(m *meta.Model, objectType, name string) (*meta.ObjectType, *meta.Property, error) {
	ot, err := m.Lookup(objectType)
	if err != nil {
		return nil, nil, err
	}
	p, ok := ot.Property(name)
	if !ok {
		return nil, nil, apierr.New(apierr.NotFound, "%s has no property %q", ot.Name, name)
	}
	return ot, p, nil
}

func readOnly(p *meta.Property) error {
	if p.ReadOnlyDefinition {
		return apierr.New(apierr.Forbidden, "property %q belongs to the standard catalog: its definition cannot change", p.Name)
	}
	return nil
}

// visit calls fn with the values of every record of ot, live or archived,
// that holds a value of property name, a thousand rows a statement, in id
// order. fn may change the values and says whether it did; changed rows
// are written, with their search text. It returns how many records
// changed.
func (s *Store) visit(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, name string,
	fn func(id int, props map[string]any) (bool, error)) (int, error) {
	d := s.db.Dialect
	now := schema.Now()
	searchable := search.Searchable(ot)
	changed, last := 0, 0
	for {
		type row struct {
			id    int
			props map[string]any
		}
		var batch []row
		rows, err := db.Build(d, "SELECT id, properties FROM records WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).
			T(" AND object_type_id = ").Arg(ot.ID).T(" AND ").Property("", "properties", name).
			T(" IS NOT NULL AND id > ").Arg(last).T(" ORDER BY id LIMIT 1000").Query(ctx, tx)
		if err != nil {
			return 0, fmt.Errorf("read values of %s.%s: %w", ot.Name, name, err)
		}
		for rows.Next() {
			var r row
			var raw []byte
			if err := rows.Scan(&r.id, &raw); err != nil {
				rows.Close()
				return 0, err
			}
			if r.props, err = flatjson.Unmarshal(raw); err != nil {
				rows.Close()
				return 0, err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		for _, r := range batch {
			last = r.id
			old := make(map[string]any, len(r.props))
			for k, v := range r.props {
				old[k] = v
			}
			isChanged, err := fn(r.id, r.props)
			if err != nil {
				return 0, err
			}
			if !isChanged {
				continue
			}
			b, err := flatjson.Marshal(r.props)
			if err != nil {
				return 0, err
			}
			if _, err := db.Build(d, "UPDATE records SET properties = ").Arg(string(b)).
				T(", search_text = ").Arg(search.RecordText(searchable, r.props)).T(", updated_at = ").Arg(now).
				T(" WHERE id = ").Arg(r.id).Exec(ctx, tx); err != nil {
				return 0, fmt.Errorf("write record %d: %w", r.id, err)
			}
			// Values a definition change rewrites are writes like any
			// other: their history names the change (SYSTEM).
			if err := tx.Record(r.id, old, r.props, now); err != nil {
				return 0, err
			}
			records.NoteUpdate(tx, ot, r.id, old, r.props)
			changed++
		}
		if err := tx.FlushHistory(ctx); err != nil {
			return 0, err
		}
		if len(batch) < 1000 {
			return changed, nil
		}
	}
}

// countRecords counts the records, live and archived, of an object type.
func (s *Store) countRecords(ctx context.Context, q records.ExecQuerier, workspaceID int, ot *meta.ObjectType) (int, error) {
	var n int
	err := db.Build(s.db.Dialect, "SELECT COUNT(*) FROM records WHERE workspace_id = ").Arg(workspaceID).
		T(" AND object_type_id = ").Arg(ot.ID).Row(ctx, q, &n)
	return n, err
}

// mapValue adapts a function of one property's value to visit: it returns
// the new value (nil clears it) and whether it changed.
func mapValue(name string, fn func(id int, v any) (any, bool, error)) func(int, map[string]any) (bool, error) {
	return func(id int, props map[string]any) (bool, error) {
		next, changed, err := fn(id, props[name])
		if err != nil || !changed {
			return false, err
		}
		if next == nil {
			delete(props, name)
		} else {
			props[name] = next
		}
		return true, nil
	}
}
