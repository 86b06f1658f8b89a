package records

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/history"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/timeline"
	"github.com/acme/crm/internal/write"
)

// MergedIDsProperty lists, separated by ";", the records merged into a
// record; MergedValuesProperty keeps, as property=value, the unique values
// of merged records it could not take.
const (
	MergedIDsProperty    = "hs_merged_object_ids"
	MergedValuesProperty = "hs_merged_unique_values"
)

// MergedIDs are the ids of the records merged into r.
func MergedIDs(r *Record) []int {
	s, _ := r.Properties[MergedIDsProperty].(string)
	var out []int
	for _, part := range strings.Split(s, ";") {
		if id, err := strconv.Atoi(strings.TrimSpace(part)); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// additionalEmails is where a merged contact's email goes when the primary
// has one of its own.
const additionalEmails = "hs_additional_emails"

// Merge merges secondary into primary, in one transaction: the primary
// keeps its values and takes the secondary's where it has none; unique
// values it cannot take are kept (contacts' emails in
// hs_additional_emails, others in hs_merged_unique_values); every
// association of the secondary moves to the primary, labels kept and
// duplicates collapsed, limits respected; the secondary is archived with a
// pointer, its id answering the primary from then on. The merge is
// refused, changing nothing, when a limit would be exceeded.
func (s *Store) Merge(ctx context.Context, m *meta.Model, primaryID, secondaryID int) (*Record, error) {
	if primaryID == secondaryID {
		return nil, apierr.New(apierr.BadUserInput, "a record cannot be merged into itself")
	}
	var out *Record
	var objectType string
	opts := Options{Source: history.Source{Type: history.Merge, ID: strconv.Itoa(secondaryID)},
		// The entry names the records by id only: what a permanent
		// deletion of either erases stays out of the trail.
		Audit: func() audit.Change {
			return audit.Of(audit.MergeRecords, gid.Record, primaryID, "merged %s record %d into record %d", objectType, secondaryID, primaryID)
		}}
	err := s.w.Records(ctx, m, opts.writeOptions(true), func(tx *write.Tx) error {
		recs, err := s.lock(ctx, tx, []int{primaryID, secondaryID})
		if err != nil {
			return err
		}
		primary, secondary := recs[primaryID], recs[secondaryID]
		for _, r := range []struct {
			rec *Record
			id  int
		}{{primary, primaryID}, {secondary, secondaryID}} {
			if r.rec == nil {
				return apierr.New(apierr.NotFound, "no record %d", r.id)
			}
			if r.rec.MergedInto != 0 {
				return apierr.New(apierr.Conflict, "record %d was merged into record %d already", r.id, r.rec.MergedInto)
			}
			if r.rec.Archived() {
				return apierr.New(apierr.NotFound, "record %d is archived; restore it first", r.id)
			}
		}
		if primary.ObjectTypeID != secondary.ObjectTypeID {
			return apierr.New(apierr.BadUserInput, "records %d and %d are of different object types", primaryID, secondaryID)
		}
		ot, ok := tx.Model.ObjectTypeByID(primary.ObjectTypeID)
		if !ok {
			return apierr.New(apierr.NotFound, "no record %d", primaryID)
		}
		objectType = ot.Name
		// Archived first, the secondary frees its unique values for the
		// primary to take.
		if err := s.markMerged(ctx, tx, secondaryID, primaryID); err != nil {
			return err
		}
		tx.ChangedAll(write.Merged, ot.ID, secondaryID)
		tx.Merged(primaryID, secondaryID)
		tx.Happened(timeline.Event{RecordID: primaryID, Type: timeline.Merged, At: schema.Now(), OtherRecordID: secondaryID})
		if out, err = s.update(ctx, tx, ot, primary, mergedValues(ot, primary, secondary), false); err != nil {
			return err
		}
		return s.links.Move(ctx, tx, primary, secondary)
	})
	return out, err
}

// mergedValues are the primary's values after the merge.
func mergedValues(ot *meta.ObjectType, primary, secondary *Record) map[string]any {
	next := make(map[string]any, len(primary.Properties))
	for k, v := range primary.Properties {
		next[k] = v
	}
	var kept []string
	for name, v := range secondary.Properties {
		def, ok := ot.Property(name)
		if !ok || def.Archived || def.ReadOnlyValue || name == additionalEmails {
			continue
		}
		own, has := next[name]
		switch {
		case !has:
			next[name] = v
		case def.Unique && fmt.Sprint(own) != fmt.Sprint(v):
			kept = append(kept, name+"="+fmt.Sprint(v))
		}
	}
	emails := splitList(next[additionalEmails])
	emails = append(emails, splitList(secondary.Properties[additionalEmails])...)
	var others []string
	for _, k := range kept {
		if v, isEmail := strings.CutPrefix(k, "email="); isEmail && ot.Name == "contacts" {
			emails = append(emails, v)
		} else {
			others = append(others, k)
		}
	}
	setList(next, additionalEmails, emails, ot)
	setList(next, MergedValuesProperty, append(splitList(next[MergedValuesProperty]),
		append(splitList(secondary.Properties[MergedValuesProperty]), others...)...), ot)
	ids := splitList(next[MergedIDsProperty])
	ids = append(ids, strconv.Itoa(secondary.ID))
	ids = append(ids, splitList(secondary.Properties[MergedIDsProperty])...)
	setList(next, MergedIDsProperty, ids, ot)
	return next
}

func splitList(v any) []string {
	s, _ := v.(string)
	var out []string
	for _, part := range strings.Split(s, ";") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// setList stores a ";"-separated list without repeats, when the object
// type has the property.
func setList(props map[string]any, name string, items []string, ot *meta.ObjectType) {
	if _, ok := ot.Property(name); !ok || len(items) == 0 {
		return
	}
	var uniq []string
	for _, it := range items {
		if !slices.Contains(uniq, it) {
			uniq = append(uniq, it)
		}
	}
	props[name] = strings.Join(uniq, ";")
}

// markMerged archives secondary with a pointer to primary, so that reads of
// its id answer primary. It frees secondary's unique values.
func (s *Store) markMerged(ctx context.Context, q ExecQuerier, secondary, primary int) error {
	now := schema.Now()
	_, err := db.Build(s.db.Dialect, "UPDATE records SET archived_at = ").Arg(now).T(", updated_at = ").Arg(now).
		T(", merged_into_id = ").Arg(primary).T(" WHERE id = ").Arg(secondary).Exec(ctx, q)
	if err != nil {
		return fmt.Errorf("archive merged record %d: %w", secondary, err)
	}
	return nil
}

// maxMergeHops bounds how far a read follows merge pointers; merging into
// a merged record is refused, so a chain only grows when a merged-into
// record is merged again.
const maxMergeHops = 16

// follow replaces records merged into others by the records they were
// merged into, reading each hop's targets in one statement.
func (s *Store) follow(ctx context.Context, m *meta.Model, recs map[int]*Record) error {
	for hop := 0; hop < maxMergeHops; hop++ {
		var targets []int
		for _, r := range recs {
			if r.MergedInto != 0 {
				targets = append(targets, r.MergedInto)
			}
		}
		if len(targets) == 0 {
			return nil
		}
		found := map[int]*Record{}
		if err := s.getMany(ctx, m, targets, found); err != nil {
			return err
		}
		for id, r := range recs {
			if r.MergedInto == 0 {
				continue
			}
			if t, ok := found[r.MergedInto]; ok {
				recs[id] = t
			} else {
				delete(recs, id)
			}
		}
	}
	return nil
}
