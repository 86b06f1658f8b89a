package indexes

import (
	"strings"
	"testing"

	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
)

// Without pg_trgm (not available, or CREATE EXTENSION refused) a
// searchable string keeps its B-tree and goes without the trigram index;
// with it, it has both.
func TestTrigramsOnlyWithTheExtension(t *testing.T) {
	d := dbtest.Open(t, "postgres")
	ot := &meta.ObjectType{ID: 7, Name: "things", SearchableProperties: []string{"title"}, Properties: []*meta.Property{
		{ID: 70, ObjectTypeID: 7, Name: "title", Type: propdef.String, FieldType: propdef.Text},
		{ID: 71, ObjectTypeID: 7, Name: "rank", Type: propdef.Number, FieldType: propdef.NumberField, Sortable: true},
		{ID: 72, ObjectTypeID: 7, Name: "notes", Type: propdef.String, FieldType: propdef.Text},
	}}
	m := meta.New(1, 1, []*meta.ObjectType{ot})
	for _, tc := range []struct {
		trigram string
		gin     int
	}{{"", 0}, {"public", 1}} {
		var gin, btree int
		for name, ix := range wanted(d.Dialect, m, tc.trigram) {
			if !strings.HasPrefix(name, Name(7, 70)) && !strings.HasPrefix(name, Name(7, 71)) {
				t.Errorf("index %s of a property that asks for none", name)
			}
			if strings.Contains(create(d.Dialect, ix, true).String(), "USING gin") {
				gin++
			} else {
				btree++
			}
		}
		if gin != tc.gin || btree != 2 {
			t.Errorf("with pg_trgm in %q: %d trigram and %d B-tree indexes, want %d and 2", tc.trigram, gin, btree, tc.gin)
		}
	}
}
