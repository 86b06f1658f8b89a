package graph

import (
	"context"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/observe"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/records"
)

// Loader settings: a level's resolvers start together, so a short wait
// gathers them; a long one would idle every level of a nested query.
const (
	loaderWait     = time.Millisecond
	loaderCapacity = 10000
)

// loaders batch the reads of one request. prefetch primes them level by
// level; a field it could not foresee still loads in batches through them.
// Their keys are the queries' comparable forms (page.Key).
type loaders struct {
	pages   *dataloader.Loader[page.Key[int], *assoc.Page]
	counts  *dataloader.Loader[page.Key[int], int]
	history *dataloader.Loader[page.Key[*records.Record], *records.HistoryPage]
	// timelines are records' timeline pages, by record and query.
	timelines *dataloader.Loader[page.Key[*records.Record], *records.TimelinePage]
	records   *dataloader.Loader[int, *records.Record]
	// listSizes are lists' sizes by list id; recordLists the lists of
	// live records, by record id.
	listSizes   *dataloader.Loader[int, int]
	recordLists *dataloader.Loader[int, []*meta.List]
}

func newLoaders(r *Resolver) *loaders {
	pages := func(ctx context.Context, keys []page.Key[int]) []*dataloader.Result[*assoc.Page] {
		out := make([]*dataloader.Result[*assoc.Page], len(keys))
		m, err := r.model(ctx)
		if err != nil {
			for i := range out {
				out[i] = &dataloader.Result[*assoc.Page]{Error: err}
			}
			return out
		}
		pages, errs := r.assoc.Traverse(ctx, m, keys)
		for i := range keys {
			out[i] = &dataloader.Result[*assoc.Page]{Data: pages[i], Error: errs[i]}
		}
		return out
	}
	counts := func(ctx context.Context, keys []page.Key[int]) []*dataloader.Result[int] {
		out := make([]*dataloader.Result[int], len(keys))
		m, err := r.model(ctx)
		if err != nil {
			for i := range out {
				out[i] = &dataloader.Result[int]{Error: err}
			}
			return out
		}
		counts, errs := r.assoc.Count(ctx, m, keys)
		for i := range keys {
			out[i] = &dataloader.Result[int]{Data: counts[i], Error: errs[i]}
		}
		return out
	}
	histories := func(ctx context.Context, keys []page.Key[*records.Record]) []*dataloader.Result[*records.HistoryPage] {
		return byShape(keys, func(recs []*records.Record, shape page.Key[*records.Record]) ([]*records.HistoryPage, error) {
			var q records.HistoryQuery
			if err := shape.Decode(&q); err != nil {
				return nil, err
			}
			return r.records.Histories(ctx, recs, q)
		})
	}
	timelines := func(ctx context.Context, keys []page.Key[*records.Record]) []*dataloader.Result[*records.TimelinePage] {
		return byShape(keys, func(recs []*records.Record, shape page.Key[*records.Record]) ([]*records.TimelinePage, error) {
			var q records.TimelineQuery
			if err := shape.Decode(&q); err != nil {
				return nil, err
			}
			m, err := r.model(ctx)
			if err != nil {
				return nil, err
			}
			return r.records.Timelines(ctx, m, recs, q)
		})
	}
	byID := func(ctx context.Context, ids []int) []*dataloader.Result[*records.Record] {
		out := make([]*dataloader.Result[*records.Record], len(ids))
		m, err := r.model(ctx)
		var found map[int]*records.Record
		if err == nil {
			found, err = r.records.GetMany(ctx, m, ids)
		}
		for i, id := range ids {
			out[i] = &dataloader.Result[*records.Record]{Data: found[id], Error: err}
			if err == nil && found[id] == nil {
				out[i].Error = apierr.New(apierr.NotFound, "no record %d", id)
			}
		}
		return out
	}
	sizes := func(ctx context.Context, ids []int) []*dataloader.Result[int] {
		out := make([]*dataloader.Result[int], len(ids))
		m, err := r.model(ctx)
		var found map[int]int
		if err == nil {
			found, err = r.lists.Sizes(ctx, m, ids)
		}
		for i, id := range ids {
			out[i] = &dataloader.Result[int]{Data: found[id], Error: err}
		}
		return out
	}
	listsOf := func(ctx context.Context, ids []int) []*dataloader.Result[[]*meta.List] {
		out := make([]*dataloader.Result[[]*meta.List], len(ids))
		m, err := r.model(ctx)
		var found map[int][]*meta.List
		if err == nil {
			found, err = r.lists.Of(ctx, m, ids)
		}
		for i, id := range ids {
			out[i] = &dataloader.Result[[]*meta.List]{Data: found[id], Error: err}
			if out[i].Data == nil {
				out[i].Data = []*meta.List{}
			}
		}
		return out
	}
	return &loaders{
		listSizes:   batched(r, "list_sizes", sizes),
		recordLists: batched(r, "record_lists", listsOf),
		history:     batched(r, "history", histories),
		timelines:   batched(r, "timelines", timelines),
		records:     batched(r, "records", byID),
		pages:       batched(r, "association_pages", pages),
		counts:      batched(r, "association_counts", counts),
	}
}

// batched is a loader of batches of read: each batch is counted in the
// metrics (its size) and traced (a span).
func batched[K comparable, V any](r *Resolver, name string, read dataloader.BatchFunc[K, V]) *dataloader.Loader[K, V] {
	observed := func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		r.metrics.Batch(name, len(keys))
		ctx, span := observe.Span(ctx, "loader "+name)
		defer span.End()
		return read(ctx, keys)
	}
	return dataloader.NewBatchedLoader(observed, dataloader.WithWait[K, V](loaderWait), dataloader.WithBatchCapacity[K, V](loaderCapacity))
}

func loadersOf(ctx context.Context) *loaders { return sessionOf(ctx).loaders }

// clear forgets everything loaded.
func (l *loaders) clear() {
	l.pages.ClearAll()
	l.counts.ClearAll()
	l.history.ClearAll()
	l.records.ClearAll()
	l.listSizes.ClearAll()
	l.recordLists.ClearAll()
}

// byShape answers a batch of per-record reads: one call of read for the
// records of each query shape, its pages in their order.
func byShape[T any](keys []page.Key[*records.Record], read func(recs []*records.Record, shape page.Key[*records.Record]) ([]T, error)) []*dataloader.Result[T] {
	out := make([]*dataloader.Result[T], len(keys))
	groups := map[string][]int{}
	var order []string
	for i, k := range keys {
		if groups[k.Shape] == nil {
			order = append(order, k.Shape)
		}
		groups[k.Shape] = append(groups[k.Shape], i)
	}
	for _, shape := range order {
		idx := groups[shape]
		recs := make([]*records.Record, len(idx))
		for j, i := range idx {
			recs[j] = keys[i].Parent
		}
		pages, err := read(recs, keys[idx[0]])
		for j, i := range idx {
			out[i] = &dataloader.Result[T]{Error: err}
			if err == nil {
				out[i].Data = pages[j]
			}
		}
	}
	return out
}
