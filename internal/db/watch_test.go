package db_test

import (
	"testing"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

// What a watch counts: notifications of its own schema's workspaces,
// committed; not those of another schema on the same database, another
// workspace, or a transaction rolled back. SQLite has no watch: nothing is
// ever known unchanged there.
func TestDefinitionsWatch(t *testing.T) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			shared := dbtest.URL(t, name)
			d := dbtest.OpenURL(t, shared)
			if err := d.AwaitDefinitionsWatch(t.Context()); err != nil {
				t.Fatal(err)
			}
			if name == "sqlite" {
				if d.DefinitionsUnchanged(t.Context(), 1, d.DefinitionsMark(1)) {
					t.Fatal("unchanged on SQLite")
				}
				return
			}
			same := dbtest.OpenURL(t, shared) // another server process
			other := dbtest.Open(t, name)     // another schema
			notify := func(from *db.DB, workspaceID int, commit bool) {
				t.Helper()
				tx, err := from.SQL.BeginTx(t.Context(), nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := db.NotifyDefinitions(t.Context(), tx, from.Dialect, workspaceID); err != nil {
					t.Fatal(err)
				}
				if commit {
					err = tx.Commit()
				} else {
					err = tx.Rollback()
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			one, two := d.DefinitionsMark(1), d.DefinitionsMark(2)
			unchanged := func(workspaceID int, m db.Mark) bool {
				return d.DefinitionsUnchanged(t.Context(), workspaceID, m)
			}
			if !unchanged(1, one) || !unchanged(2, two) {
				t.Fatal("changed with nothing notified")
			}
			notify(other, 1, true)
			notify(same, 1, false)
			if !unchanged(1, one) {
				t.Fatal("changed by another schema's notification, or one rolled back")
			}
			notify(same, 1, true)
			if unchanged(1, one) {
				t.Fatal("unchanged after a change committed through another server")
			}
			if !unchanged(2, two) {
				t.Fatal("another workspace changed too")
			}
			notify(d, 2, true)
			if unchanged(2, two) {
				t.Fatal("unchanged after a change committed through this server")
			}
			if m := d.DefinitionsMark(1); !unchanged(1, m) {
				t.Fatal("a mark noted after the change is not trusted")
			}
		})
	}
}
