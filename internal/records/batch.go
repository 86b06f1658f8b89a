package records

import (
	"context"
	"fmt"
	"strings"

	"github.com/acme/crm/ent/schema"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/timeline"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/write"
)

// Batches are per item: an item that fails validation or a unique check
// is reported with its index and leaves no trace; every other item is
// written, all of them in one transaction. An error of the whole call
// (unknown object type, too many items, the database failing) writes
// nothing.

// Result is the outcome of one batch item: its record or its error.
type Result struct {
	Index  int
	Record *Record
	Err    error
	// Created is true when an upsert made a new record.
	Created bool
}

// UpdateInput is one item of UpdateMany.
type UpdateInput struct {
	ID         int
	Properties map[string]any
}

func checkBatchSize(n int) error {
	if n > MaxBatch {
		return apierr.New(apierr.LimitExceeded, "a batch takes at most %d items, got %d", MaxBatch, n)
	}
	return nil
}

func withIndex(i int, err error) error {
	if e, ok := apierr.As(err); ok {
		return e
	}
	return fmt.Errorf("item %d: %w", i, err)
}

// NewRecord is a record to create and the records to associate it with.
type NewRecord struct {
	Properties   map[string]any
	Associations []NewLink
}

// NewLink associates a new record with record To under Labels.
type NewLink struct {
	To     int
	Labels []string
}

// CreateMany validates and creates records of one object type with their
// associations: an item whose association is refused is not created.
func (s *Store) CreateMany(ctx context.Context, m *meta.Model, objectType string, items []NewRecord, opts Options) ([]Result, error) {
	var results []Result
	err := s.w.Records(ctx, m, opts.writeOptions(false), func(tx *write.Tx) error {
		ot, err := tx.Model.Lookup(objectType)
		if err != nil {
			return err
		}
		if err := checkBatchSize(len(items)); err != nil {
			return err
		}
		results = make([]Result, len(items))
		valid := make([]map[string]any, len(items))
		for i, it := range items {
			results[i] = Result{Index: i}
			valid[i], results[i].Err = validate(ot, nil, it.Properties)
		}
		erased, err := s.checkErased(ctx, tx, tx.Model, ot, valid, opts.AllowErasedEmails)
		if err != nil {
			return err
		}
		for i, props := range valid {
			if results[i].Err != nil {
				continue
			}
			if erased[i] != nil {
				results[i].Err = erased[i]
				continue
			}
			r, err := s.createOne(ctx, tx, ot, props, items[i].Associations)
			if _, ok := apierr.As(err); ok {
				results[i].Err = err
				continue
			}
			if err != nil {
				return withIndex(i, err)
			}
			results[i].Record, results[i].Created = r, true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// createOne inserts one record and its associations, inside a savepoint
// when an association may undo the item, and keeps its values for the
// history once the item stands.
func (s *Store) createOne(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, props map[string]any, links []NewLink) (*Record, error) {
	var r *Record
	var err error
	if len(links) == 0 {
		r, err = s.insert(ctx, tx, ot, tx.Model.WorkspaceID, props)
	} else {
		err = tx.Savepoint(ctx, func() error {
			var err error
			if r, err = s.insert(ctx, tx, ot, tx.Model.WorkspaceID, props); err != nil {
				return err
			}
			for _, l := range links {
				if err := s.links.Link(ctx, tx, r.ID, l.To, l.Labels); err != nil {
					if e, ok := apierr.As(err); ok && e.Property == "" {
						e.Property = "associations"
					}
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	tx.ChangedAll(write.Created, ot.ID, r.ID)
	return r, tx.Record(r.ID, nil, r.Properties, r.CreatedAt)
}

// UpdateMany validates and writes new values of live records. objectType,
// when not "", is the type every record must have.
func (s *Store) UpdateMany(ctx context.Context, m *meta.Model, objectType string, inputs []UpdateInput, opts Options) ([]Result, error) {
	var results []Result
	err := s.w.Records(ctx, m, opts.writeOptions(true), func(tx *write.Tx) error {
		var want *meta.ObjectType
		if objectType != "" {
			var err error
			if want, err = tx.Model.Lookup(objectType); err != nil {
				return err
			}
		}
		if err := checkBatchSize(len(inputs)); err != nil {
			return err
		}
		ids := make([]int, len(inputs))
		for i, in := range inputs {
			ids[i] = in.ID
		}
		current, err := s.lock(ctx, tx, ids)
		if err != nil {
			return err
		}
		results = make([]Result, len(inputs))
		for i, in := range inputs {
			results[i] = Result{Index: i}
			r, ok := current[in.ID]
			if !ok {
				results[i].Err = notFound(in.ID)
				continue
			}
			if r.Archived() {
				results[i].Err = apierr.New(apierr.NotFound, "record %d is archived; restore it first", in.ID)
				continue
			}
			ot, err := objectTypeOf(tx.Model, r, want)
			if err != nil {
				results[i].Err = err
				continue
			}
			next, err := validate(ot, r.Properties, in.Properties)
			if err != nil {
				results[i].Err = err
				continue
			}
			updated, err := s.update(ctx, tx, ot, r, next, len(inputs) == 1)
			if _, ok := apierr.As(err); ok {
				results[i].Err = err
				continue
			}
			if err != nil {
				return withIndex(i, err)
			}
			// A later item for the same record builds on this one.
			current[in.ID] = updated
			results[i].Record = updated
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// UpsertMany creates or updates records of one object type, matched by the
// value of idProperty, a unique property ("" picks the object type's only
// unique property). Items matching the same value apply in order.
func (s *Store) UpsertMany(ctx context.Context, m *meta.Model, objectType, idProperty string, inputs []map[string]any, opts Options) ([]Result, error) {
	var results []Result
	err := s.w.Records(ctx, m, opts.writeOptions(false), func(tx *write.Tx) error {
		ot, err := tx.Model.Lookup(objectType)
		if err != nil {
			return err
		}
		key, err := upsertKey(ot, idProperty)
		if err != nil {
			return err
		}
		if err := checkBatchSize(len(inputs)); err != nil {
			return err
		}
		results = make([]Result, len(inputs))
		for i, input := range inputs {
			results[i] = Result{Index: i}
			r, created, err := s.upsertOne(ctx, tx, ot, key, input, len(inputs) == 1, opts.AllowErasedEmails)
			if _, ok := apierr.As(err); ok {
				results[i].Err = err
				continue
			}
			if err != nil {
				return withIndex(i, err)
			}
			results[i].Record, results[i].Created = r, created
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func upsertKey(ot *meta.ObjectType, idProperty string) (*meta.Property, error) {
	unique := ot.UniqueProperties()
	if idProperty == "" {
		if len(unique) != 1 {
			names := make([]string, len(unique))
			for i, p := range unique {
				names[i] = p.Name
			}
			return nil, apierr.Invalid("idProperty", "%s has %d unique properties (%s): name the one to match on in idProperty",
				ot.Name, len(unique), strings.Join(names, ", "))
		}
		return unique[0], nil
	}
	for _, p := range unique {
		if p.Name == idProperty {
			return p, nil
		}
	}
	return nil, apierr.Invalid("idProperty", "%q is not a unique property of %s", idProperty, ot.Name)
}

func (s *Store) upsertOne(ctx context.Context, tx *write.Tx, ot *meta.ObjectType, key *meta.Property, input map[string]any, alone, allowErased bool) (*Record, bool, error) {
	raw, ok := input[key.Name]
	if !ok {
		return nil, false, apierr.Invalid(key.Name, "property %q is needed to match the record to update", key.Name)
	}
	v, err := values.Normalize(ot, key, raw)
	if err != nil {
		return nil, false, err
	}
	if v == nil {
		return nil, false, apierr.Invalid(key.Name, "property %q is needed to match the record to update", key.Name)
	}
	// The second round covers a record made by a racing request between
	// this look-up and the insert.
	for attempt := 0; attempt < 2; attempt++ {
		id, err := s.findByUnique(ctx, tx, ot, tx.Model.WorkspaceID, key, v, 0, true)
		if err != nil {
			return nil, false, err
		}
		if id != 0 {
			current, err := s.lock(ctx, tx, []int{id})
			if err != nil {
				return nil, false, err
			}
			r := current[id]
			next, err := validate(ot, r.Properties, input)
			if err != nil {
				return nil, false, err
			}
			updated, err := s.update(ctx, tx, ot, r, next, alone)
			return updated, false, err
		}
		props, err := validate(ot, nil, input)
		if err != nil {
			return nil, false, err
		}
		erased, err := s.checkErased(ctx, tx, tx.Model, ot, []map[string]any{props}, allowErased)
		if err != nil {
			return nil, false, err
		}
		if erased[0] != nil {
			return nil, false, erased[0]
		}
		r, err := s.createOne(ctx, tx, ot, props, nil)
		if e, ok := apierr.As(err); ok && e.Code == apierr.Conflict && e.Property == key.Name {
			continue
		}
		return r, err == nil, err
	}
	return nil, false, apierr.New(apierr.Conflict, "%s %v was written by another request at the same time; try again", key.Name, v)
}

// ArchiveMany moves records to the recycle bin. Archiving an archived
// record changes nothing; a missing one is NOT_FOUND for its item.
// opts.Audit, when set, records its entry with the archive.
func (s *Store) ArchiveMany(ctx context.Context, m *meta.Model, ids []int, opts Options) ([]Result, error) {
	if err := checkBatchSize(len(ids)); err != nil {
		return nil, err
	}
	var results []Result
	err := s.w.Records(ctx, m, opts.writeOptions(true), func(tx *write.Tx) error {
		current, err := s.lock(ctx, tx, ids)
		if err != nil {
			return err
		}
		results = make([]Result, len(ids))
		now := schema.Now()
		var live []int
		for i, id := range ids {
			results[i] = Result{Index: i}
			r, ok := current[id]
			if !ok {
				results[i].Err = notFound(id)
				continue
			}
			if !r.Archived() {
				live = append(live, id)
				at := now
				r.ArchivedAt, r.UpdatedAt = &at, now
				tx.ChangedAll(write.Archived, r.ObjectTypeID, id)
				tx.Happened(timeline.Event{RecordID: id, Type: timeline.Archived, At: now})
			}
			results[i].Record = r
		}
		if len(live) > 0 {
			_, err := db.Build(s.db.Dialect, "UPDATE records SET archived_at = ").Arg(now).T(", updated_at = ").Arg(now).
				T(" WHERE workspace_id = ").Arg(tx.Model.WorkspaceID).T(" AND archived_at IS NULL AND ").InIDs("", "id", live).Exec(ctx, tx)
			if err != nil {
				return fmt.Errorf("archive records: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}
