package indexes_test

import (
	"sync"
	"testing"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/indexes"
	"github.com/acme/crm/internal/propdef"
)

// valid says, for each index of a property, whether PostgreSQL holds it
// valid.
func (f *fixture) valid(objectType, name string) map[string]bool {
	f.t.Helper()
	out := map[string]bool{}
	for ix := range f.indexesOf(objectType, name) {
		var ok bool
		err := db.Build(f.d.Dialect, "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ").
			Arg(ix).T(" AND c.relnamespace = CAST(current_schema() AS regnamespace)").Row(f.ctx, f.d.SQL, &ok)
		if err != nil {
			f.t.Fatal(err)
		}
		out[ix] = ok
	}
	return out
}

// A concurrent build that fails leaves an INVALID index, as only a
// concurrent build can (a plain one rolls back); the change it followed
// stands, and the next Sync drops the leftover and builds it again.
func TestAFailedConcurrentBuildIsBuiltAgain(t *testing.T) {
	f := setup(t, dbtest.Open(t, "postgres"))
	defer indexes.BuildConcurrently()()
	ot, _ := f.property("contacts", "email")
	// A value validation would refuse, written behind its back: the
	// index's cast to numeric fails on it.
	var id int
	err := db.Build(f.d.Dialect, "INSERT INTO records (workspace_id, object_type_id, properties, created_at, updated_at) VALUES (").
		Arg(f.ws).T(", ").Int(ot.ID).T(`, CAST('{"score": "n/a"}' AS jsonb), now(), now()) RETURNING id`).Row(f.ctx, f.d.SQL, &id)
	if err != nil {
		t.Fatal(err)
	}
	f.createProperty("contacts", definition.PropertyInput{Name: "score", Label: "Score", Type: propdef.Number,
		FieldType: propdef.NumberField, Sortable: true})
	for ix, ok := range f.valid("contacts", "score") {
		if ok {
			t.Fatalf("index %s is valid over a value that is no number", ix)
		}
	}
	f.expect("contacts", "score", 1)

	if _, err := db.Build(f.d.Dialect, `UPDATE records SET properties = CAST('{"score": 7}' AS jsonb) WHERE id = `).Arg(id).Exec(f.ctx, f.d.SQL); err != nil {
		t.Fatal(err)
	}
	if err := indexes.Sync(f.ctx, f.d, f.ws); err != nil {
		t.Fatal(err)
	}
	f.expect("contacts", "score", 1)
	for ix, ok := range f.valid("contacts", "score") {
		if !ok {
			t.Fatalf("index %s is still invalid", ix)
		}
	}
}

// Servers syncing at once take turns on the index lock: each finishes
// without error and the index is built once.
func TestSyncsTakeTurns(t *testing.T) {
	f := setup(t, dbtest.Open(t, "postgres"))
	defer indexes.BuildConcurrently()()
	// Marked behind the definitions' back, so that no change syncs them.
	if _, err := db.Build(f.d.Dialect, "UPDATE properties SET sortable = true WHERE name = 'description'").Exec(f.ctx, f.d.SQL); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = indexes.Sync(f.ctx, f.d, f.ws)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.expect("deals", "description", 1)
	f.expect("companies", "description", 1)
}
