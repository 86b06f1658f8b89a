package graph

import (
	"context"
	"strings"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/assoc"
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
type loaders struct {
	pages   *dataloader.Loader[assoc.Key, *assoc.Page]
	counts  *dataloader.Loader[assoc.Key, int]
	history *dataloader.Loader[historyKey, *records.HistoryPage]
	records *dataloader.Loader[int, *records.Record]
}

// historyKey is one record's propertyHistory request, comparable.
type historyKey struct {
	record *records.Record
	names  string // joined by "\x1f"
	first  int
	after  string
	has    [2]bool // first, after given
}

func historyKeyOf(r *records.Record, names []string, first *int, after *string) historyKey {
	k := historyKey{record: r, names: strings.Join(names, "\x1f")}
	if first != nil {
		k.first, k.has[0] = *first, true
	}
	if after != nil {
		k.after, k.has[1] = *after, true
	}
	return k
}

func (k historyKey) query() records.HistoryQuery {
	var q records.HistoryQuery
	if k.names != "" {
		q.Names = strings.Split(k.names, "\x1f")
	}
	if k.has[0] {
		q.Page.First = &k.first
	}
	if k.has[1] {
		q.Page.After = &k.after
	}
	return q
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
	histories := func(ctx context.Context, keys []historyKey) []*dataloader.Result[*records.HistoryPage] {
		out := make([]*dataloader.Result[*records.HistoryPage], len(keys))
		groups := map[historyKey][]int{}
		for i, k := range keys {
			q := k
			q.record = nil
			groups[q] = append(groups[q], i)
		}
		for q, idx := range groups {
			recs := make([]*records.Record, len(idx))
			for j, i := range idx {
				recs[j] = keys[i].record
			}
			pages, err := r.records.Histories(ctx, recs, q.query())
			for j, i := range idx {
				out[i] = &dataloader.Result[*records.HistoryPage]{Error: err}
				if err == nil {
					out[i].Data = pages[j]
				}
			}
		}
		return out
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
	return &loaders{
		history: dataloader.NewBatchedLoader(histories,
			dataloader.WithWait[historyKey, *records.HistoryPage](loaderWait), dataloader.WithBatchCapacity[historyKey, *records.HistoryPage](loaderCapacity)),
		records: dataloader.NewBatchedLoader(byID,
			dataloader.WithWait[int, *records.Record](loaderWait), dataloader.WithBatchCapacity[int, *records.Record](loaderCapacity)),
		pages: dataloader.NewBatchedLoader(pages,
			dataloader.WithWait[assoc.Key, *assoc.Page](loaderWait), dataloader.WithBatchCapacity[assoc.Key, *assoc.Page](loaderCapacity)),
		counts: dataloader.NewBatchedLoader(counts,
			dataloader.WithWait[assoc.Key, int](loaderWait), dataloader.WithBatchCapacity[assoc.Key, int](loaderCapacity)),
	}
}

func loadersOf(ctx context.Context) *loaders { return sessionOf(ctx).loaders }

// clear forgets everything loaded.
func (l *loaders) clear() {
	l.pages.ClearAll()
	l.counts.ClearAll()
	l.history.ClearAll()
	l.records.ClearAll()
}
