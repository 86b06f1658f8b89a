package indexes_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/indexes"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/write"
)

// fixture is an installed database and the means to change its
// definitions.
type fixture struct {
	t    *testing.T
	ctx  context.Context
	d    *db.DB
	ws   int
	defs *definition.Store
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.CLI)
	ws, err := install.Default(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, d: d, ws: ws, defs: definition.New(d, write.New(d))}
}

// model is the current definitions.
func (f *fixture) model() *meta.Model {
	f.t.Helper()
	m, err := meta.NewCache(f.d).Get(f.ctx, f.ws)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func (f *fixture) property(objectType, name string) (*meta.ObjectType, *meta.Property) {
	f.t.Helper()
	ot, ok := f.model().ObjectType(objectType)
	if !ok {
		f.t.Fatalf("no object type %s", objectType)
	}
	p, ok := ot.Property(name)
	if !ok {
		f.t.Fatalf("%s has no property %s", objectType, name)
	}
	return ot, p
}

// indexesOf are the definitions of the indexes kept for a property, by
// name, as the database has them.
func (f *fixture) indexesOf(objectType, name string) map[string]string {
	f.t.Helper()
	ot, p := f.property(objectType, name)
	out := map[string]string{}
	for n, def := range f.allKept() {
		if strings.HasPrefix(n, indexes.Name(ot.ID, p.ID)) {
			out[n] = def
		}
	}
	return out
}

// expect fails unless a property has n indexes, each definition holding
// every one of parts, and returns their names.
func (f *fixture) expect(objectType, name string, n int, parts ...string) []string {
	f.t.Helper()
	got := f.indexesOf(objectType, name)
	if len(got) != n {
		f.t.Fatalf("%s.%s has %d indexes, want %d: %v", objectType, name, len(got), n, got)
	}
	var names []string
	for ix, def := range got {
		names = append(names, ix)
		for _, part := range parts {
			if !strings.Contains(def, part) {
				f.t.Errorf("%s.%s: index %s does not hold %q", objectType, name, def, part)
			}
		}
	}
	slices.Sort(names)
	return names
}

// expectStats fails unless PostgreSQL keeps n statistics objects on the
// expressions of a property's indexes (none on SQLite, which needs none).
func (f *fixture) expectStats(objectType, name string, n int) {
	f.t.Helper()
	if f.d.Dialect.Name() != "postgres" {
		return
	}
	ot, p := f.property(objectType, name)
	var got int
	err := db.Build(f.d.Dialect, "SELECT COUNT(*) FROM pg_statistic_ext WHERE stxrelid = CAST('records' AS regclass) AND starts_with(stxname, ").
		Arg(indexes.Name(ot.ID, p.ID)).T(")").Row(f.ctx, f.d.SQL, &got)
	if err != nil {
		f.t.Fatal(err)
	}
	if got != n {
		f.t.Errorf("%s.%s has %d statistics objects, want %d", objectType, name, got, n)
	}
}

// trigram reports whether PostgreSQL has pg_trgm, so that searchable
// strings get a trigram index.
func (f *fixture) trigram() bool {
	if f.d.Dialect.Name() != "postgres" {
		return false
	}
	var n int
	if err := db.Build(f.d.Dialect, "SELECT COUNT(*) FROM pg_extension WHERE extname = 'pg_trgm'").Row(f.ctx, f.d.SQL, &n); err != nil {
		f.t.Fatal(err)
	}
	return n == 1
}

func (f *fixture) createProperty(objectType string, in definition.PropertyInput) {
	f.t.Helper()
	if _, err := f.defs.CreateProperty(f.ctx, f.model(), objectType, in); err != nil {
		f.t.Fatalf("create %s.%s: %v", objectType, in.Name, err)
	}
}

func (f *fixture) updateProperty(objectType, name string, u definition.PropertyUpdate) {
	f.t.Helper()
	if _, err := f.defs.UpdateProperty(f.ctx, f.model(), objectType, name, u); err != nil {
		f.t.Fatalf("update %s.%s: %v", objectType, name, err)
	}
}

func ptr[T any](v T) *T { return &v }

// number is how an index of d holds a number: PostgreSQL casts the text to
// numeric, SQLite compares what json_extract returns.
func number(d *db.DB) string {
	if d.Dialect.Name() == "postgres" {
		return "numeric"
	}
	return "json_extract"
}

// The catalog's searchable, sortable and unique properties have their
// indexes after install; the others have none.
func TestInstallBuildsTheCatalogsIndexes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		searchable := 1 // a searchable string: its order, and its trigrams where PostgreSQL has them
		if f.trigram() {
			searchable = 2
		}
		fold := foldOf(d)
		f.expect("contacts", "email", searchable, fold)     // unique and searchable
		f.expect("contacts", "firstname", searchable, fold) // searchable
		f.expect("deals", "amount", 1, number(d))           // sortable number
		f.expect("deals", "closedate", 1)                   // sortable date
		f.expect("deals", "dealstage", 1)                   // sortable enumeration
		f.expect("contacts", "jobtitle", 0)                 // none of the three
		f.expect("contacts", "createdate", 0)               // records_live_by_created serves it
		f.expect("contacts", "lastmodifieddate", 0)         // not sortable until marked
		// A second start finds them all.
		if _, err := install.Default(f.ctx, d); err != nil {
			t.Fatal(err)
		}
		f.expect("contacts", "email", searchable)
	})
}

// Marking, unmarking, archiving, restoring, deleting and retyping a
// property make and drop its indexes.
func TestIndexesFollowTheDefinitions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.createProperty("contacts", definition.PropertyInput{Name: "score", Label: "Score", Type: propdef.Number,
			FieldType: propdef.NumberField, Sortable: true})
		f.expect("contacts", "score", 1, "score")
		f.expectStats("contacts", "score", 1)

		f.createProperty("contacts", definition.PropertyInput{Name: "nickname", Label: "Nickname", Type: propdef.String, FieldType: propdef.Text})
		f.expect("contacts", "nickname", 0)
		f.updateProperty("contacts", "nickname", definition.PropertyUpdate{Sortable: ptr(true)})
		before := f.expect("contacts", "nickname", 1, foldOf(d))
		f.updateProperty("contacts", "nickname", definition.PropertyUpdate{Type: ptr(propdef.Number), FieldType: ptr(propdef.NumberField)})
		after := f.expect("contacts", "nickname", 1, number(d))
		if before[0] == after[0] {
			t.Errorf("a new type kept the index %s", before[0])
		}
		f.updateProperty("contacts", "nickname", definition.PropertyUpdate{Sortable: ptr(false)})
		f.expect("contacts", "nickname", 0)

		// A unique property is indexed for its order besides its unique
		// index (internal/records), and loses the order when unmarked.
		f.createProperty("contacts", definition.PropertyInput{Name: "badge", Label: "Badge", Type: propdef.String,
			FieldType: propdef.Text, Unique: true})
		f.expect("contacts", "badge", 1, foldOf(d))
		f.updateProperty("contacts", "badge", definition.PropertyUpdate{Unique: ptr(false)})
		f.expect("contacts", "badge", 0)

		if err := f.defs.ArchiveProperty(f.ctx, f.model(), "contacts", "score"); err != nil {
			t.Fatal(err)
		}
		f.expect("contacts", "score", 0)
		f.expectStats("contacts", "score", 0)
		if err := f.defs.RestoreProperty(f.ctx, f.model(), "contacts", "score"); err != nil {
			t.Fatal(err)
		}
		f.expect("contacts", "score", 1)
		if err := f.defs.ArchiveProperty(f.ctx, f.model(), "contacts", "score"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.defs.DeleteProperty(f.ctx, f.model(), "contacts", "score"); err != nil {
			t.Fatal(err)
		}
		if n := len(f.allKept()); n == 0 {
			t.Fatal("deleting one property dropped every index")
		}

		// A standard property takes sortable; lastmodifieddate, a column,
		// is ordered by an index of the column.
		f.updateProperty("contacts", "lastmodifieddate", definition.PropertyUpdate{Sortable: ptr(true)})
		f.expect("contacts", "lastmodifieddate", 1, "updated_at")
	})
}

// A custom object type's properties are indexed when it is made, and its
// indexes go when it is archived.
func TestIndexesOfCustomObjectTypes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		_, err := f.defs.CreateObjectType(f.ctx, f.model(), definition.ObjectTypeInput{
			Name: "machines", SingularLabel: "Machine", PluralLabel: "Machines", PrimaryDisplayProperty: "serial",
			SearchableProperties: []string{"serial"},
			Properties: []definition.PropertyInput{
				{Name: "serial", Label: "Serial", Type: propdef.String, FieldType: propdef.Text},
				{Name: "bought", Label: "Bought", Type: propdef.Date, FieldType: propdef.DateField, Sortable: true},
				{Name: "notes", Label: "Notes", Type: propdef.String, FieldType: propdef.Textarea},
			}})
		if err != nil {
			t.Fatal(err)
		}
		serial := 1
		if f.trigram() {
			serial = 2
		}
		f.expect("machines", "serial", serial)
		f.expect("machines", "bought", 1, "bought")
		f.expect("machines", "notes", 0)
		ot, _ := f.property("machines", "serial")
		if err := f.defs.ArchiveObjectType(f.ctx, f.model(), "machines"); err != nil {
			t.Fatal(err)
		}
		for name := range f.allKept() {
			if strings.HasPrefix(name, indexes.Prefix+strconv.Itoa(ot.ID)+"_") {
				t.Errorf("archived object type keeps index %s", name)
			}
		}
	})
}

// allKept are the definitions of every index the package keeps, by name.
func (f *fixture) allKept() map[string]string {
	f.t.Helper()
	q := db.Build(f.d.Dialect, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'")
	if f.d.Dialect.Name() == "postgres" {
		q = db.Build(f.d.Dialect, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'records'")
	}
	rows, err := q.Query(f.ctx, f.d.SQL)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, def string
		if err := rows.Scan(&n, &def); err != nil {
			f.t.Fatal(err)
		}
		if strings.HasPrefix(n, indexes.Prefix) {
			out[n] = def
		}
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// foldOf is how d folds strings in the expressions of its indexes.
func foldOf(d *db.DB) string {
	if d.Dialect.Name() == "postgres" {
		return "lower("
	}
	return "crm_fold("
}
