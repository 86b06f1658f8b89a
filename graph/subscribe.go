package graph

import (
	"context"

	"github.com/acme/crm/graph/changes"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/events"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// watch is what one subscription follows: the records of an object type
// (changed in one of properties, when given), one record, or one record's
// associations (with records of toObjectTypeID, when given).
type watch struct {
	objectTypeID int
	recordID     int
	associations bool
	toObjectType int
	properties   map[string]bool
	// filter, when set, keeps the events of the records that match it
	// after the change, and of those that leave it.
	filter *records.Filter
}

// maxInside bounds the records a filtered subscription remembers as
// matching its filter, to tell when one leaves it: past it, a record
// seen matching for the first time is not remembered (its leaving is not
// sent), and the subscription's memory stays bounded.
const maxInside = 10000

// match tells whether e is one of w's: cheap, run by the broker for every
// event of the workspace.
func (w watch) match(e events.Event) bool {
	if w.associations != (e.ToRecordID != 0) {
		return false
	}
	if w.associations {
		return e.RecordID == w.recordID && (w.toObjectType == 0 || e.ToObjectTypeID == w.toObjectType)
	}
	if w.recordID != 0 {
		return e.RecordID == w.recordID
	}
	if e.ObjectTypeID != w.objectTypeID {
		return false
	}
	if w.properties == nil || e.Kind != write.Updated {
		return true
	}
	for _, p := range e.Properties {
		if w.properties[p] {
			return true
		}
	}
	return false
}

// watchOf is the watch of recordChanged: a live object type of the
// workspace, and properties it defines.
func (r *Resolver) watchOf(ctx context.Context, objectType string, a args, properties []string) (watch, error) {
	m, err := r.model(ctx)
	if err != nil {
		return watch{}, err
	}
	ot, err := m.Lookup(objectType)
	if err != nil {
		return watch{}, err
	}
	w := watch{objectTypeID: ot.ID}
	f, err := a.filter()
	if err != nil {
		return watch{}, err
	}
	if f != nil {
		w.filter = &records.Filter{ObjectType: objectType, Filter: f}
		// Refused now rather than at the first event.
		if _, err := w.filter.Check(ctx, m); err != nil {
			return watch{}, err
		}
	}
	if properties != nil {
		w.properties = map[string]bool{}
		for _, p := range properties {
			if _, ok := ot.Property(p); !ok {
				return watch{}, apierr.Invalid(p, "properties: %s has no property %q", objectType, p)
			}
			w.properties[p] = true
		}
	}
	return w, nil
}

// recordWatch is the watch of recordUpdated: a record of the workspace,
// archived or not. An id that names none (another workspace's included)
// is NOT_FOUND, as record(id:) answers, rather than a subscription that
// would never hear a thing.
func (r *Resolver) recordWatch(ctx context.Context, id string) (watch, error) {
	n, err := recordID(id)
	if err != nil {
		return watch{}, err
	}
	m, err := r.model(ctx)
	if err != nil {
		return watch{}, err
	}
	if _, err := r.records.Get(ctx, m, n); err != nil {
		return watch{}, err
	}
	return watch{recordID: n}, nil
}

// associationWatch is the watch of associationChanged: the record as
// recordWatch finds it, and toObjectType, when given, a live object type
// of the workspace.
func (r *Resolver) associationWatch(ctx context.Context, id string, toObjectType *string) (watch, error) {
	w, err := r.recordWatch(ctx, id)
	if err != nil {
		return watch{}, err
	}
	w.associations = true
	if toObjectType == nil {
		return w, nil
	}
	m, err := r.model(ctx)
	if err != nil {
		return watch{}, err
	}
	ot, err := m.Lookup(*toObjectType)
	if err != nil {
		return watch{}, err
	}
	w.toObjectType = ot.ID
	return w, nil
}

// subscribe opens the subscription of w in the request's workspace. The
// broker's buffer is the only one: the channel handed to gqlgen holds
// nothing but the event being executed, so that a subscriber that stops
// reading is cut off at events.Buffer, and told why in a last event.
// streamEvents takes the events from the subscription's feed as gqlgen
// asks for them, in the goroutine that sends them (fanout.go).
func (r *Resolver) subscribe(ctx context.Context, w watch) (<-chan *changes.ChangeEvent, error) {
	st := streamOf(ctx)
	if st == nil {
		return nil, apierr.New(apierr.Internal, "a subscription is served only through the handler's transports")
	}
	sub, err := r.broker.Subscribe(ctx, sessionOf(ctx).workspaceID, w.match)
	if err != nil {
		return nil, err
	}
	st.feed = &feed{r: r, w: w, sub: sub}
	if w.filter != nil {
		st.feed.inside = map[int]bool{}
	}
	st.out = make(chan *changes.ChangeEvent, 1)
	return st.out, nil
}

// feed is what one subscription sends: the events of its watch, with
// whether each matches its filter, and the error that ends it.
type feed struct {
	r   *Resolver
	w   watch
	sub *events.Subscription
	// inside, of a filtered watch, are the records last seen matching.
	inside map[int]bool
	ended  bool
}

// next is the feed's next event, once one comes; false when the
// subscription has ended, or ctx. A filter is evaluated, for each event
// taken, in a context fresh makes anew: the one the event returned then
// executes in.
func (f *feed) next(ctx context.Context, fresh func() context.Context) (*changes.ChangeEvent, bool) {
	for !f.ended {
		var p *events.Event
		var open bool
		select {
		case p, open = <-f.sub.C:
		case <-ctx.Done():
			return nil, false
		}
		if !open {
			f.ended = true
			if err := f.sub.Err(); err != nil {
				return changes.Failed(err, clock.Now()), true
			}
			return nil, false
		}
		e := *p
		if f.w.filter == nil {
			return changes.Of(e, true), true
		}
		matches, err := f.r.filtered(fresh(), f.w, e)
		if err != nil {
			// The filter no longer holds (a property it reads was
			// deleted): the subscription ends saying so.
			f.sub.Close()
			f.ended = true
			return changes.Failed(err, clock.Now()), true
		}
		switch {
		case !matches && !f.inside[e.RecordID]:
			continue
		case matches && len(f.inside) < maxInside:
			f.inside[e.RecordID] = true
		case !matches:
			delete(f.inside, e.RecordID)
		}
		return changes.Of(e, matches), true
	}
	return nil, false
}

// filtered tells whether the record of e matches w's filter after the
// change, in the event's context (eventContext). A record that is
// archived, merged or deleted matches none.
func (r *Resolver) filtered(ctx context.Context, w watch, e events.Event) (bool, error) {
	m, err := r.model(ctx)
	if err != nil {
		return false, err
	}
	return r.records.Matches(ctx, m, *w.filter, e.RecordID)
}

// eventRecord reads a record an event names (id) as it is now, archived
// or not; null once deleted. The subscriptions the event reaches read it
// once between them (events.Shared); each primes its own loaders with it.
func (r *Resolver) eventRecord(ctx context.Context, e *events.Event, id int) (*records.Record, error) {
	m, err := r.model(ctx)
	if err != nil {
		return nil, err
	}
	v, err := e.Shared.Once(id, func() (any, error) {
		rec, err := r.records.Get(ctx, m, id)
		if apierr.CodeOf(err) == apierr.NotFound {
			return (*records.Record)(nil), nil
		}
		return rec, err
	})
	rec, _ := v.(*records.Record)
	if err != nil || rec == nil {
		return nil, err
	}
	r.prefetchRecord(ctx, rec)
	return rec, nil
}

// objectTypeName is the API name of the object type id of the request's
// workspace.
func (r *Resolver) objectTypeName(ctx context.Context, id int) (string, error) {
	m, err := r.model(ctx)
	if err != nil {
		return "", err
	}
	ot, ok := m.ObjectTypeByID(id)
	if !ok {
		return "", apierr.New(apierr.NotFound, "no object type %d", id)
	}
	return ot.Name, nil
}
