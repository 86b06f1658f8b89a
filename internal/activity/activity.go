// Package activity owns activities — the engagement records (notes, calls,
// emails, meetings, tasks) logged on contacts, companies, deals and
// tickets — beyond their storage, which is package records': logging one
// with its automatic associations (HubSpot's rules, switched per
// workspace), the rollups every write keeps current on the records
// activities are associated with, the one pinned activity of a record,
// and tasks as a to-do list.
//
// Every write here is one write of package write, and what it writes goes
// through packages records and assoc, so that history, Changes and the
// lists see it. The rollups and a task's completion time are kept by a
// hook on the write unit (rollups.go), registered before the lists' hook
// so that the lists see the values it writes.
package activity

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// The engagement object types, as the catalog names them.
const (
	Notes    = "notes"
	Calls    = "calls"
	Emails   = "emails"
	Meetings = "meetings"
	Tasks    = "tasks"
)

// aliases are the other names logActivity takes for the engagement types:
// the activity event types of the timeline.
var aliases = map[string]string{"NOTE": Notes, "CALL": Calls, "EMAIL": Emails, "MEETING": Meetings, "TASK": Tasks}

// Store logs activities and keeps what derives from them.
type Store struct {
	db      *db.DB
	w       *write.Unit
	records *records.Store
	links   *assoc.Store
}

// New returns a store over d that writes through w, records and links, and
// makes every write of w keep the rollups current. Call it before any
// package whose hook reads the values it writes (lists.New).
func New(d *db.DB, w *write.Unit, recs *records.Store, links *assoc.Store) *Store {
	s := &Store{db: d, w: w, records: recs, links: links}
	w.BeforeCommit(s.keepCurrent)
	return s
}

// isActivity reports whether ot is an engagement type.
func isActivity(ot *meta.ObjectType) bool { return ot.Kind == string(objecttype.KindEngagement) }

// ActivityType returns the engagement type called name: its API name
// (notes) or its timeline name (NOTE). An unknown name is NOT_FOUND and a
// type that is not an engagement BAD_USER_INPUT, both naming property
// "type".
func ActivityType(m *meta.Model, name string) (*meta.ObjectType, error) {
	if n, ok := aliases[name]; ok {
		name = n
	}
	ot, ok := m.ObjectType(name)
	if !ok {
		return nil, &apierr.Error{Code: apierr.NotFound, Property: "type",
			Message: fmt.Sprintf("no activity type %q: one of %s", name, strings.Join(activityNames(m), ", "))}
	}
	if !isActivity(ot) {
		return nil, apierr.Invalid("type", "%s is not an activity type: one of %s", ot.Name, strings.Join(activityNames(m), ", "))
	}
	return ot, nil
}

func activityNames(m *meta.Model) []string {
	var out []string
	for _, ot := range m.ObjectTypes {
		if isActivity(ot) && !ot.Archived {
			out = append(out, ot.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Log creates an activity of type activityType with its values and its
// associations, and associates it by the workspace's automatic rules
// (auto.go), in one transaction. hs_timestamp is required (the catalog
// says so). A refused value, an association with an archived or missing
// record, or an unknown type writes nothing.
func (s *Store) Log(ctx context.Context, m *meta.Model, activityType string, item records.NewRecord) (*records.Record, error) {
	var out *records.Record
	err := s.w.Records(ctx, m, write.Options{}, func(tx *write.Tx) error {
		ot, err := ActivityType(tx.Model, activityType)
		if err != nil {
			return err
		}
		r, err := s.records.CreateIn(ctx, tx, ot, item)
		if err != nil {
			return err
		}
		given := make([]int, len(item.Associations))
		for i, l := range item.Associations {
			given[i] = l.To
		}
		if err := s.associate(ctx, tx, r, ot, given); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}
