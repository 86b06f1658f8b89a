// Package indexes keeps the indexes that filters and sorts (internal/search)
// need on records, beside the GIN index on properties that serves
// equality and containment on any property. A property that is sortable,
// searchable (ObjectType.SearchableProperties) or unique gets a B-tree
// index on the very expression search orders and compares its values by,
// partial on its object type's live records, and a searchable string also
// a trigram index for CONTAINS where PostgreSQL has pg_trgm. Unique
// properties keep their unique index too (internal/records), made in the
// transaction of the definition change since it enforces a rule; these
// only make reads fast, so they are made after the change commits and,
// on PostgreSQL, without blocking writes (see Sync). On PostgreSQL each
// expression also has statistics (see syncStats).
package indexes

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/search"
)

// Prefix starts the name of every index this package keeps: Sync drops
// those it no longer wants, and only those.
const Prefix = "records_search_"

// index is one index to keep: its name and how the statement that makes
// it goes on after "CREATE INDEX [CONCURRENTLY] IF NOT EXISTS <name>".
// An expression index has stats too: how "CREATE STATISTICS <name>" goes
// on for its expression (see Sync).
type index struct {
	name  string
	body  func(q *db.SQL)
	stats func(q *db.SQL)
}

// Name is how the names of a property's indexes (and of the statistics
// beside them) start: Prefix, the object type's id, the property's id. A
// digest of the index's definition ends them, so that a definition that
// changes (a new type, a changed expression) is a new index and the old
// one goes.
func Name(objectTypeID, propertyID int) string {
	return Prefix + strconv.Itoa(objectTypeID) + "_" + strconv.Itoa(propertyID) + "_"
}

// owner reads the object type id out of an index name made by Name; false
// for a name that is not one.
func owner(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, Prefix)
	if !ok {
		return 0, false
	}
	ot, _, ok := strings.Cut(rest, "_")
	if !ok {
		return 0, false
	}
	id, err := strconv.Atoi(ot)
	return id, err == nil
}

// wanted are the indexes m's definitions ask for, by name. trigram is the
// schema of pg_trgm's operator classes, "" when there are none to use.
func wanted(d db.Dialect, m *meta.Model, trigram string) map[string]index {
	out := map[string]index{}
	for _, ot := range m.ObjectTypes {
		if ot.Archived {
			continue
		}
		for _, p := range ot.Properties {
			if !ot.Indexed(p) {
				continue
			}
			searchable := slices.Contains(ot.SearchableProperties, p.Name)
			for _, ix := range propertyIndexes(ot, p, searchable, trigram) {
				ix.name = Name(ot.ID, p.ID) + digest(d, ix.body)
				out[ix.name] = ix
			}
		}
	}
	return out
}

// propertyIndexes are the indexes property p of ot needs, unnamed.
func propertyIndexes(ot *meta.ObjectType, p *meta.Property, searchable bool, trigram string) []index {
	live := func(q *db.SQL) { q.T(" WHERE object_type_id = ").Int(ot.ID).T(" AND archived_at IS NULL") }
	switch search.Column(p.Name) {
	case "":
	case "updated_at":
		return []index{{body: func(q *db.SQL) {
			q.T(" ON records (updated_at, id)")
			live(q)
		}}}
	default:
		// created_at has records_live_by_created; id is the primary key.
		return nil
	}
	value, ok := search.Ordered(p)
	if !ok {
		return nil // a multi-select: the GIN index serves its operators
	}
	out := []index{{body: func(q *db.SQL) {
		q.T(" ON records ((")
		value(q, "")
		q.T("), id)")
		live(q)
	}, stats: func(q *db.SQL) {
		q.T(" ON (")
		value(q, "")
		q.T(") FROM records")
	}}}
	if searchable && p.Type == propdef.String && trigram != "" {
		// CONTAINS compares the folded value with LIKE '%...%'; leaves
		// hold only records that have a value, as the leaf asks first.
		out = append(out, index{body: func(q *db.SQL) {
			q.T(" ON records USING gin ((")
			value(q, "")
			q.T(") ").Ident(trigram, "gin_trgm_ops").T(")")
			live(q)
			q.T(" AND ").Text(db.PropertyDoc("", p.Name)).T(" IS NOT NULL")
		}})
	}
	return out
}

// digest is a short digest of an index's definition in dialect d.
func digest(d db.Dialect, body func(q *db.SQL)) string {
	q := db.Build(d, "")
	body(q)
	sum := sha256.Sum256([]byte(q.String()))
	return hex.EncodeToString(sum[:4])
}

// create is the statement that makes ix.
func create(d db.Dialect, ix index, concurrently bool) *db.SQL {
	q := db.Build(d, "CREATE INDEX ")
	if concurrently {
		q.T("CONCURRENTLY ")
	}
	q.T("IF NOT EXISTS ").Ident(ix.name)
	ix.body(q)
	return q
}

// createStats is the statement that makes the statistics of ix's
// expression.
func createStats(d db.Dialect, ix index) *db.SQL {
	q := db.Build(d, "CREATE STATISTICS IF NOT EXISTS ").Ident(ix.name)
	ix.stats(q)
	return q
}

// drop is the statement that drops the index called name.
func drop(d db.Dialect, name string, concurrently bool) *db.SQL {
	q := db.Build(d, "DROP INDEX ")
	if concurrently {
		q.T("CONCURRENTLY ")
	}
	return q.T("IF EXISTS ").Ident(name)
}
