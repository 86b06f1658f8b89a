package meta

import (
	"sort"
	"time"

	"github.com/acme/crm/internal/gid"
)

// ListKind says how a list's members come and go.
type ListKind string

// The kinds of list.
const (
	// Manual lists take members added and removed by hand.
	Manual ListKind = "MANUAL"
	// Dynamic lists hold the records their filter matches, kept current
	// by every write.
	Dynamic ListKind = "DYNAMIC"
	// Snapshot lists hold the records their filter matched when they were
	// made; then they are static.
	Snapshot ListKind = "SNAPSHOT"
)

// List is a list's definition (package lists keeps its members). Lists
// are definitions: a change of one moves the schema version on, so that
// every write reads the lists it keeps current with the version it locks.
type List struct {
	ID         int
	ObjectType *ObjectType
	Name       string
	Kind       ListKind
	// Filter is the RecordFilter input tree as saved; nil for none.
	Filter    map[string]any
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GlobalID is the list's opaque id.
func (l *List) GlobalID() string { return gid.Encode(gid.List, l.ID) }

// ListRow is a list as stored: by ids.
type ListRow struct {
	ID, ObjectTypeID     int
	Name, Kind           string
	Filter               map[string]any
	CreatedAt, UpdatedAt time.Time
}

// List returns the list with id.
func (m *Model) List(id int) (*List, bool) {
	l, ok := m.listByID[id]
	return l, ok
}

// Lists are every list of the workspace, by id; those of an archived
// object type too.
func (m *Model) Lists() []*List { return m.lists }

func (m *Model) indexLists(rows []ListRow) {
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	m.listByID = make(map[int]*List, len(rows))
	for _, r := range rows {
		ot := m.byID[r.ObjectTypeID]
		if ot == nil {
			continue
		}
		l := &List{ID: r.ID, ObjectType: ot, Name: r.Name, Kind: ListKind(r.Kind), Filter: r.Filter,
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		m.lists = append(m.lists, l)
		m.listByID[l.ID] = l
	}
}
