package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acme/crm/internal/meta"
)

// The timeline data set: contacts at companies, each with its activities
// (notes, emails, calls, meetings, tasks) associated both ways through the
// unlabeled association types the API reads, the history of its values
// (its creation's, later changes, and the read-only lastmodifieddate
// beside each change) and the events writes append (its association with
// its company, list memberships gained and lost). How many activities a
// contact has is log-normal: most have a few, the busiest hundreds. Drawn
// from a fixed seed, so that runs read the same rows.
const (
	defaultTimelineContacts   = 100_000
	defaultTimelineActivities = 1_000_000
	// activitySpread is the sigma of the log-normal weights of contacts'
	// activity counts: at 10 a contact on average, the median has about 5,
	// the 99th percentile about 70, the busiest several hundred.
	activitySpread = 1.1
)

var (
	// timelineEpoch is when the first contact was created; the others
	// follow over timelineCreated, in id order.
	timelineEpoch   = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	timelineCreated = 4 * 365 * 24 * time.Hour
	// timelineNow is the latest moment of the data: activities happen
	// between their contact's creation and it.
	timelineNow = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
)

// activityKinds are the engagement object types, with their share of the
// activities.
var activityKinds = []struct {
	name  string
	share float64
}{{"notes", 0.38}, {"emails", 0.30}, {"calls", 0.20}, {"meetings", 0.07}, {"tasks", 0.05}}

// timelineSet is what the timeline data set holds: its sizes, object
// types, association types, the ids the load gave, and each contact's
// number of activities.
type timelineSet struct {
	workspaceID                               int
	contacts, companies                       *meta.ObjectType
	kinds                                     []*meta.ObjectType // those of activityKinds
	toActivity, toContact                     []int              // unlabeled association type ids, contacts to kinds[i] and back
	contactToCompany, companyToContact        int
	numContacts, numCompanies, numActivities  int
	firstCompany, firstContact, firstActivity int   // record ids: companies, contacts, then activities contact by contact
	activities                                []int // of each contact
	// readOnly are the contacts' read-only values, which no timeline shows.
	readOnly []string
}

func newTimelineSet(m *meta.Model, contacts, activities int) (*timelineSet, error) {
	s := &timelineSet{workspaceID: m.WorkspaceID, numContacts: contacts, numCompanies: max(1, contacts/20), numActivities: activities}
	var ok bool
	if s.contacts, ok = m.ObjectType("contacts"); !ok {
		return nil, fmt.Errorf("the catalog has no contacts")
	}
	if s.companies, ok = m.ObjectType("companies"); !ok {
		return nil, fmt.Errorf("the catalog has no companies")
	}
	unlabeled := func(from, to *meta.ObjectType) (int, error) {
		at, ok := m.AssociationType(from, to, "")
		if !ok {
			return 0, fmt.Errorf("no default association type from %s to %s", from.Name, to.Name)
		}
		return at.ID, nil
	}
	var err error
	if s.contactToCompany, err = unlabeled(s.contacts, s.companies); err != nil {
		return nil, err
	}
	if s.companyToContact, err = unlabeled(s.companies, s.contacts); err != nil {
		return nil, err
	}
	for _, k := range activityKinds {
		ot, ok := m.ObjectType(k.name)
		if !ok {
			return nil, fmt.Errorf("the catalog has no %s", k.name)
		}
		to, err := unlabeled(s.contacts, ot)
		if err != nil {
			return nil, err
		}
		back, err := unlabeled(ot, s.contacts)
		if err != nil {
			return nil, err
		}
		s.kinds, s.toActivity, s.toContact = append(s.kinds, ot), append(s.toActivity, to), append(s.toContact, back)
	}
	for _, p := range s.contacts.Properties {
		if p.ReadOnlyValue {
			s.readOnly = append(s.readOnly, p.Name)
		}
	}
	r := rand.New(rand.NewPCG(2025, 15))
	s.activities = activityCounts(r, contacts, activities)
	return s, nil
}

// activityCounts shares total activities among contacts by log-normal
// weights.
func activityCounts(r *rand.Rand, contacts, total int) []int {
	weights := make([]float64, contacts)
	sum := 0.0
	for i := range weights {
		weights[i] = math.Exp(activitySpread * r.NormFloat64())
		sum += weights[i]
	}
	counts := make([]int, contacts)
	given := 0
	for i, w := range weights {
		counts[i] = int(w / sum * float64(total))
		given += counts[i]
	}
	for ; given < total; given++ {
		counts[r.IntN(contacts)]++
	}
	return counts
}

// otherObjectType reports whether an index is partial on an object type other
// than those the timeline data set loads, whose indexes stay.
func (s *timelineSet) otherObjectType(indexDef string) bool {
	m := partialOn.FindStringSubmatch(indexDef)
	if m == nil {
		return false
	}
	for _, ot := range append([]*meta.ObjectType{s.contacts, s.companies}, s.kinds...) {
		if m[1] == strconv.Itoa(ot.ID) {
			return false
		}
	}
	return true
}

func (s *timelineSet) contactCreated(i int) time.Time {
	return timelineEpoch.Add(time.Duration(float64(timelineCreated) * float64(i) / float64(s.numContacts))).Truncate(time.Millisecond)
}

// after is a moment between at and timelineNow, to the millisecond.
func after(r *rand.Rand, at time.Time) time.Time {
	return at.Add(time.Duration(r.Int64N(int64(timelineNow.Sub(at))))).Truncate(time.Millisecond)
}

// activity is what the load keeps of an activity between writing its
// record and its associations.
type activity struct {
	kind uint8
	at   time.Time
}

// activityValues are the values of an activity of kinds[kind] that
// happened at at.
func activityValues(r *rand.Rand, kind int, at time.Time) map[string]any {
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = nameWords[r.IntN(len(nameWords))]
		}
		return strings.Join(w, " ")
	}
	v := map[string]any{"hs_timestamp": at.Format("2006-01-02T15:04:05.000Z")}
	switch activityKinds[kind].name {
	case "notes":
		v["hs_note_body"] = "<p>" + words(10+r.IntN(50)) + "</p>"
	case "emails":
		v["hs_email_subject"] = "Re: " + words(3+r.IntN(5))
		v["hs_email_text"] = words(20 + r.IntN(80))
		v["hs_email_direction"] = []string{"EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"}[r.IntN(3)]
		v["hs_email_status"] = "SENT"
	case "calls":
		v["hs_call_title"] = "Call with " + firstNameList[r.IntN(len(firstNameList))]
		v["hs_call_body"] = words(5 + r.IntN(30))
		v["hs_call_direction"] = []string{"INBOUND", "OUTBOUND"}[r.IntN(2)]
		v["hs_call_duration"] = 10_000 + r.IntN(1_800_000)
		v["hs_call_status"] = []string{"COMPLETED", "COMPLETED", "COMPLETED", "NO_ANSWER", "BUSY"}[r.IntN(5)]
	case "meetings":
		v["hs_meeting_title"] = words(2 + r.IntN(3))
		v["hs_meeting_body"] = words(5 + r.IntN(20))
		v["hs_meeting_start_time"] = v["hs_timestamp"]
		v["hs_meeting_end_time"] = at.Add(30 * time.Minute).Format("2006-01-02T15:04:05.000Z")
		v["hs_meeting_outcome"] = []string{"SCHEDULED", "COMPLETED", "COMPLETED", "NO_SHOW", "CANCELED"}[r.IntN(5)]
	case "tasks":
		v["hs_task_subject"] = "Follow up: " + words(2+r.IntN(4))
		v["hs_task_body"] = words(5 + r.IntN(20))
		v["hs_task_status"] = []string{"NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "COMPLETED"}[r.IntN(5)]
		v["hs_task_priority"] = []string{"NONE", "LOW", "MEDIUM", "HIGH"}[r.IntN(4)]
		v["hs_task_type"] = []string{"CALL", "EMAIL", "TODO"}[r.IntN(3)]
	}
	return v
}

// activityKind draws an activity kind by activityKinds' shares.
func activityKind(r *rand.Rand) int {
	x := r.Float64()
	for i, k := range activityKinds {
		if x < k.share {
			return i
		}
		x -= k.share
	}
	return len(activityKinds) - 1
}

// timelineChanges are the values later writes change, with the values
// they write.
var timelineChanges = []struct {
	property string
	values   []string
}{
	{"lifecyclestage", []string{"lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"}},
	{"hs_lead_status", []string{"NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED"}},
	{"jobtitle", jobTitles},
	{"city", cities},
}

// loadTimeline writes the data set with COPY in one transaction, with the
// indexes and foreign keys of its tables (but those partial on other
// object types) rebuilt after it, and analyzes the tables.
func loadTimeline(ctx context.Context, sqlDB *sql.DB, s *timelineSet, out io.Writer) error {
	start := time.Now()
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM records").Scan(&s.firstCompany); err != nil {
		return fmt.Errorf("read records ids: %w", err)
	}
	s.firstContact = s.firstCompany + s.numCompanies
	s.firstActivity = s.firstContact + s.numContacts
	checks, err := deferChecks(ctx, tx, s.otherObjectType, "records", "associations", "property_histories", "timeline_events")
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(2025, 16))
	companyOf := make([]int, s.numContacts)
	acts := make([]activity, 0, s.numActivities)
	values := make([]map[string]any, s.numContacts)
	nRecords, err := copyRows(ctx, tx, "records", recordColumns, func(emit func(...any) error) error {
		record := recordEmitter(emit, s.workspaceID, append([]*meta.ObjectType{s.companies, s.contacts}, s.kinds...)...)
		for j := 0; j < s.numCompanies; j++ {
			v := map[string]any{"name": fmt.Sprintf("%s %s %s", nameWords[r.IntN(len(nameWords))], nameWords[r.IntN(len(nameWords))],
				companySuffixes[r.IntN(len(companySuffixes))]), "domain": fmt.Sprintf("company%06d.example.com", j)}
			if err := record(s.firstCompany+j, s.companies.ID, v, timelineEpoch.Add(-time.Duration(s.numCompanies-j)*time.Minute)); err != nil {
				return err
			}
		}
		for i := 0; i < s.numContacts; i++ {
			first, last := firstNameList[r.IntN(len(firstNameList))], lastNameList[r.IntN(len(lastNameList))]
			v := map[string]any{"email": fmt.Sprintf("%s.%s.%d@%s", strings.ToLower(first), strings.ToLower(last), i, mailDomains[r.IntN(len(mailDomains))]),
				"firstname": first, "lastname": last, "lifecyclestage": "subscriber", "jobtitle": jobTitles[r.IntN(len(jobTitles))]}
			values[i] = v
			companyOf[i] = r.IntN(s.numCompanies)
			if err := record(s.firstContact+i, s.contacts.ID, v, s.contactCreated(i)); err != nil {
				return err
			}
		}
		for i, n := range s.activities {
			created := s.contactCreated(i)
			for range n {
				a := activity{kind: uint8(activityKind(r)), at: after(r, created)}
				// Some activities are logged at the same moment as the
				// contact's one before: a thread, a sequence.
				if len(acts) > 0 && r.IntN(50) == 0 && acts[len(acts)-1].at.After(created) {
					a.at = acts[len(acts)-1].at
				}
				// Logged a little after it happened.
				logged := a.at.Add(time.Duration(r.Int64N(int64(2 * time.Hour))))
				if err := record(s.firstActivity+len(acts), s.kinds[a.kind].ID, activityValues(r, int(a.kind), a.at), logged); err != nil {
					return err
				}
				acts = append(acts, a)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	nAssoc, err := copyRows(ctx, tx, "associations", associationColumns, func(emit func(...any) error) error {
		for i, c := range companyOf {
			contact, company, at := s.firstContact+i, s.firstCompany+c, s.contactCreated(i)
			if err := emitPair(emit, s.workspaceID, contact, company, s.contactToCompany, s.companyToContact, s.contacts.ID, s.companies.ID, at); err != nil {
				return err
			}
		}
		k := 0
		for i, n := range s.activities {
			contact := s.firstContact + i
			for range n {
				a, id, kind := acts[k], s.firstActivity+k, s.kinds[acts[k].kind]
				if err := emitPair(emit, s.workspaceID, contact, id, s.toActivity[a.kind], s.toContact[a.kind], s.contacts.ID, kind.ID, a.at); err != nil {
					return err
				}
				k++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	nHistory, err := copyRows(ctx, tx, "property_histories", []string{"workspace_id", "record_id", "property", "value", "changed_at", "source_type", "source_id"},
		func(emit func(...any) error) error {
			for i, v := range values {
				id, created := s.firstContact+i, s.contactCreated(i)
				// The creation's values, then 0 to 4 changes, each beside
				// the read-only lastmodifieddate it moves.
				names := make([]string, 0, len(v))
				for name := range v {
					names = append(names, name)
				}
				sort.Strings(names)
				for _, name := range names {
					raw, err := json.Marshal(v[name])
					if err != nil {
						return err
					}
					if err := emit(s.workspaceID, id, name, string(raw), created, "API", ""); err != nil {
						return err
					}
				}
				changes := make([]time.Time, r.IntN(5))
				for j := range changes {
					changes[j] = after(r, created)
				}
				sort.Slice(changes, func(a, b int) bool { return changes[a].Before(changes[b]) })
				for _, at := range changes {
					c := timelineChanges[r.IntN(len(timelineChanges))]
					raw, err := json.Marshal(c.values[r.IntN(len(c.values))])
					if err != nil {
						return err
					}
					source := []string{"API", "API", "IMPORT"}[r.IntN(3)]
					if err := emit(s.workspaceID, id, c.property, string(raw), at, source, ""); err != nil {
						return err
					}
					if err := emit(s.workspaceID, id, "lastmodifieddate", strconv.Quote(at.Format(time.RFC3339Nano)), at, "SYSTEM", ""); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	nEvents, err := copyRows(ctx, tx, "timeline_events", []string{"workspace_id", "record_id", "type", "occurred_at", "other_record_id", "list_id", "detail"},
		func(emit func(...any) error) error {
			for i, c := range companyOf {
				id, created := s.firstContact+i, s.contactCreated(i)
				// Associated with its company a moment after its creation;
				// some join a list, and some of those leave it later.
				if err := emit(s.workspaceID, id, "ASSOCIATION_ADDED", created.Add(time.Second), s.firstCompany+c, nil, `{"labels": [""]}`); err != nil {
					return err
				}
				if r.IntN(10) < 4 {
					list, joined := 1+r.IntN(20), after(r, created)
					if err := emit(s.workspaceID, id, "LIST_ADDED", joined, nil, list, nil); err != nil {
						return err
					}
					if r.IntN(4) == 0 {
						if err := emit(s.workspaceID, id, "LIST_REMOVED", after(r, joined), nil, list, nil); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	copied := time.Since(start)
	if err := checks.finish(ctx, sqlDB, tx, s.firstActivity+s.numActivities-1); err != nil {
		return err
	}
	loaded := time.Since(start)
	for _, table := range []string{"records", "associations", "property_histories", "timeline_events"} {
		if _, err := sqlDB.ExecContext(ctx, "ANALYZE "+table); err != nil {
			return fmt.Errorf("analyze %s: %w", table, err)
		}
	}
	rows := nRecords + nAssoc + nHistory + nEvents
	fmt.Fprintf(out, "timeline data: loaded %d records (%d companies, %d contacts, %d activities), %d association rows, %d history rows and %d timeline events in %.1fs, %.0f rows/s (COPY %.1fs; %d indexes and foreign keys rebuilt %.1fs; ANALYZE %.1fs)\n",
		nRecords, s.numCompanies, s.numContacts, s.numActivities, nAssoc, nHistory, nEvents, loaded.Seconds(), float64(rows)/loaded.Seconds(),
		copied.Seconds(), checks.rebuilt(), (loaded - copied).Seconds(), (time.Since(start) - loaded).Seconds())
	return nil
}
