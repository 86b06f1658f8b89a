package graph

import (
	"context"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/acme/crm/internal/assoc"
)

// Loader settings: a level's resolvers start together, so a short wait
// gathers them; a long one would idle every level of a nested query.
const (
	loaderWait     = time.Millisecond
	loaderCapacity = 10000
)

// loaders batch the reads of one request. prefetch primes them level by
// level; a field it could not foresee still loads in batches through them.
type loaders struct {
	pages  *dataloader.Loader[assoc.Key, *assoc.Page]
	counts *dataloader.Loader[assoc.Key, int]
}

func newLoaders(r *Resolver) *loaders {
	pages := func(ctx context.Context, keys []assoc.Key) []*dataloader.Result[*assoc.Page] {
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
	counts := func(ctx context.Context, keys []assoc.Key) []*dataloader.Result[int] {
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
	return &loaders{
		pages: dataloader.NewBatchedLoader(pages,
			dataloader.WithWait[assoc.Key, *assoc.Page](loaderWait), dataloader.WithBatchCapacity[assoc.Key, *assoc.Page](loaderCapacity)),
		counts: dataloader.NewBatchedLoader(counts,
			dataloader.WithWait[assoc.Key, int](loaderWait), dataloader.WithBatchCapacity[assoc.Key, int](loaderCapacity)),
	}
}

func loadersOf(ctx context.Context) *loaders { return sessionOf(ctx).loaders }

// clear forgets every loaded page and count.
func (l *loaders) clear() {
	l.pages.ClearAll()
	l.counts.ClearAll()
}
