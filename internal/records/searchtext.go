package records

import (
	"context"
	"fmt"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/search"
)

// A record's search text (search.RecordText) is written with its values,
// by every statement that writes them, so that a query finds a record in
// the next request after its write. It is rewritten for a whole object
// type, in the transaction of the definition change, when what the type's
// search reads changes; and made at start for the records that have none.

// searchTextBatch is how many records one statement reads, then writes.
const searchTextBatch = 1000

// RebuildSearchText rewrites the search text of every record of ot, live
// or archived, in q's transaction (a definition change's): names are the
// properties search reads (search.Searchable) as the change leaves them.
func RebuildSearchText(ctx context.Context, q ExecQuerier, d db.Dialect, workspaceID int, ot *meta.ObjectType, names []string) error {
	return writeSearchText(ctx, q, d, workspaceID, func(sq *db.SQL) { sq.T(" AND object_type_id = ").Arg(ot.ID) },
		func(int) []string { return names }, false)
}

// FillSearchText makes the search text of the records of m's workspace
// that have none: records from before it existed, or loaded in bulk. The
// server runs it at start (package install). A write that races it keeps
// the text it wrote.
func FillSearchText(ctx context.Context, d *db.DB, m *meta.Model) error {
	names := map[int][]string{}
	for _, ot := range m.ObjectTypes {
		names[ot.ID] = search.Searchable(ot)
	}
	return writeSearchText(ctx, d.SQL, d.Dialect, m.WorkspaceID, func(sq *db.SQL) { sq.T(" AND search_text IS NULL") },
		func(typeID int) []string { return names[typeID] }, true)
}

// writeSearchText writes the search text of the workspace's records that
// where keeps, searchTextBatch records a statement, in id order; names
// gives the searchable properties of an object type. onlyMissing leaves
// alone a record whose text a write made meanwhile.
func writeSearchText(ctx context.Context, q ExecQuerier, d db.Dialect, workspaceID int, where func(*db.SQL),
	names func(typeID int) []string, onlyMissing bool) error {
	last := 0
	for {
		query := db.Build(d, "SELECT id, object_type_id, properties FROM records WHERE workspace_id = ").Arg(workspaceID)
		where(query)
		rows, err := query.T(" AND id > ").Arg(last).T(" ORDER BY id LIMIT ").Arg(searchTextBatch).Query(ctx, q)
		if err != nil {
			return fmt.Errorf("read records for their search text: %w", err)
		}
		texts := map[int]string{}
		for rows.Next() {
			var id, typeID int
			var raw []byte
			if err := rows.Scan(&id, &typeID, &raw); err != nil {
				rows.Close()
				return err
			}
			props, err := decodeProperties(raw)
			if err != nil {
				rows.Close()
				return fmt.Errorf("record %d: %w", id, err)
			}
			texts[id], last = search.RecordText(names(typeID), props), id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(texts) == 0 {
			return nil
		}
		update := db.Build(d, "UPDATE records SET search_text = t.text FROM ").IDTexts(texts).T(" AS t WHERE records.id = t.id")
		if onlyMissing {
			update.T(" AND records.search_text IS NULL")
		}
		if _, err := update.Exec(ctx, q); err != nil {
			return fmt.Errorf("write search text: %w", err)
		}
		if len(texts) < searchTextBatch {
			return nil
		}
	}
}
