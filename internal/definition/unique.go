package definition

import (
	"context"
	"fmt"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// uniqueCount counts the unique properties of an object type, archived
// ones too: they keep their index and come back unique when restored.
func uniqueCount(ot *meta.ObjectType) int {
	n := 0
	for _, p := range ot.Properties {
		if p.Unique {
			n++
		}
	}
	return n
}

// checkUniqueType refuses a unique flag on a type whose values are not
// compared as text.
func checkUniqueType(name string, t propdef.Type) error {
	if t != propdef.String && t != propdef.Number {
		return apierr.Invalid("hasUniqueValue", "only string and number properties can be unique, %q is %s", name, t)
	}
	return nil
}

// makeUnique builds p's unique index, or refuses while live records repeat
// a value, naming the first repeated values and who holds them.
func (s *Store) makeUnique(ctx context.Context, tx *write.Tx, m *meta.Model, ot *meta.ObjectType, p *meta.Property) error {
	value := func(q *db.SQL) *db.SQL { return q.Property("", "properties", p.Name) }
	q := value(db.Build(s.db.Dialect, "SELECT ")).T(", COUNT(*), MIN(id), MAX(id) FROM records WHERE workspace_id = ").Arg(m.WorkspaceID).
		T(" AND object_type_id = ").Int(ot.ID).T(" AND archived_at IS NULL AND ")
	value(q).T(" IS NOT NULL GROUP BY ")
	rows, err := value(q).T(" HAVING COUNT(*) > 1 ORDER BY MIN(id) LIMIT 3").Query(ctx, tx)
	if err != nil {
		return fmt.Errorf("find duplicates of %s.%s: %w", ot.Name, p.Name, err)
	}
	var dups []string
	for rows.Next() {
		var value string
		var n, first, last int
		if err := rows.Scan(&value, &n, &first, &last); err != nil {
			rows.Close()
			return err
		}
		dups = append(dups, fmt.Sprintf("%q is held by %d records (%d ... %d)", value, n, first, last))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(dups) > 0 {
		return &apierr.Error{Code: apierr.Conflict, Property: p.Name, Message: fmt.Sprintf(
			"%s cannot be unique while records repeat values: %s", p.Name, strings.Join(dups, "; "))}
	}
	if err := records.CreateUniqueIndex(ctx, tx, s.db.Dialect, p); err != nil {
		if s.db.Dialect.IsUniqueViolation(err) {
			return &apierr.Error{Code: apierr.Conflict, Property: p.Name, Message: fmt.Sprintf(
				"%s cannot be unique: a repeated value was written meanwhile; try again", p.Name)}
		}
		return fmt.Errorf("create unique index of %s.%s: %w", ot.Name, p.Name, err)
	}
	return nil
}
