package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/records"
)

// prefetch loads every level of associations a selection asks for under
// parents, one statement per level (and one per level that asks for
// totalCount), and primes the request's loaders with the pages, so that
// the field resolvers find them ready instead of waiting to batch. fields
// are the parents' collected Record fields.
func (r *Resolver) prefetch(ctx context.Context, parents []*records.Record, fields []graphql.CollectedField) {
	if len(parents) == 0 {
		return
	}
	m, err := r.model(ctx)
	if err != nil {
		return
	}
	opCtx := graphql.GetOperationContext(ctx)
	ld := loadersOf(ctx)
	for _, f := range fields {
		if f.Name == "propertyHistory" {
			r.prefetchHistory(ctx, parents, collectedArgs(opCtx, f))
			continue
		}
		if f.Name == "timeline" {
			r.prefetchTimeline(ctx, m, parents, collectedArgs(opCtx, f))
			continue
		}
		if f.Name != "associations" {
			continue
		}
		q, err := associationsQuery(collectedArgs(opCtx, f))
		if err != nil {
			continue // the resolver reports it
		}
		keys := make([]page.Key[int], len(parents))
		shape := page.Shape(q)
		for i, p := range parents {
			keys[i] = page.Key[int]{Parent: p.ID, Shape: shape}
		}
		pages, errs := r.assoc.Traverse(ctx, m, keys)
		var children []*records.Record
		seen := map[int]bool{}
		for i, p := range pages {
			if errs[i] != nil {
				continue
			}
			ld.pages.Prime(ctx, keys[i], p)
			for _, e := range p.Edges {
				if !seen[e.Record.ID] {
					seen[e.Record.ID] = true
					children = append(children, e.Record)
				}
			}
		}
		sub := graphql.CollectFields(opCtx, f.Selections, r.types.satisfies("AssociationConnection"))
		if selects(sub, "totalCount") {
			counts, errs := r.assoc.Count(ctx, m, keys)
			for i, n := range counts {
				if errs[i] == nil {
					ld.counts.Prime(ctx, keys[i], n)
				}
			}
		}
		r.prefetch(ctx, children, r.nodeFields(opCtx, sub, "AssociationEdge"))
	}
}

// nodeFields collects the Record fields under edges { node { ... } } of a
// connection's collected fields.
func (r *Resolver) nodeFields(opCtx *graphql.OperationContext, connection []graphql.CollectedField, edgeType string) []graphql.CollectedField {
	var out []graphql.CollectedField
	for _, e := range connection {
		if e.Name != "edges" {
			continue
		}
		for _, n := range graphql.CollectFields(opCtx, e.Selections, r.types.satisfies(edgeType)) {
			if n.Name == "node" {
				out = append(out, graphql.CollectFields(opCtx, n.Selections, r.types.satisfies("Record"))...)
			}
		}
	}
	return out
}

func selects(fields []graphql.CollectedField, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// selectionOf is the selection set of the field being resolved.
func selectionOf(ctx context.Context) ast.SelectionSet {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		return fc.Field.Selections
	}
	return nil
}

// listRecords reads a page of records selected as sel and prefetches
// what the selection asks for under them.
func (r *Resolver) listRecords(ctx context.Context, q records.Query, sel ast.SelectionSet) (*records.Page, error) {
	m, err := r.model(ctx)
	if err != nil {
		return nil, err
	}
	if q.View != 0 {
		if q, err = r.views.Apply(ctx, m, q); err != nil {
			return nil, err
		}
	}
	p, err := r.records.List(ctx, m, q)
	if err != nil {
		return nil, err
	}
	r.prefetchConnection(ctx, p.Records, sel)
	return p, nil
}

// associationsOf is rec's page of associated records, through the
// request's loader (prefetch has primed it for the fields it foresaw).
func associationsOf(ctx context.Context, rec *records.Record, q records.Query) (*assoc.Page, error) {
	return loadersOf(ctx).pages.Load(ctx, q.Key(rec.ID))()
}

// associationCount counts what an associations page selects in all.
func associationCount(ctx context.Context, p *assoc.Page) (int, error) {
	return loadersOf(ctx).counts.Load(ctx, p.Key)()
}

// prefetchConnection prefetches under the records of a RecordConnection
// selected as sel.
func (r *Resolver) prefetchConnection(ctx context.Context, recs []*records.Record, sel ast.SelectionSet) {
	opCtx := graphql.GetOperationContext(ctx)
	conn := graphql.CollectFields(opCtx, sel, r.types.satisfies("RecordConnection"))
	r.prefetch(ctx, recs, r.nodeFields(opCtx, conn, "RecordEdge"))
}

// prefetchRecord prefetches under one record being resolved.
func (r *Resolver) prefetchRecord(ctx context.Context, rec *records.Record) {
	opCtx := graphql.GetOperationContext(ctx)
	r.prefetch(ctx, []*records.Record{rec}, graphql.CollectFields(opCtx, selectionOf(ctx), r.types.satisfies("Record")))
}

// prefetchHistory loads the propertyHistory of every parent in one
// statement and primes the loader with it.
func (r *Resolver) prefetchHistory(ctx context.Context, parents []*records.Record, a args) {
	q, err := historyQuery(a)
	if err != nil {
		return // the resolvers report it
	}
	pages, err := r.records.Histories(ctx, parents, q)
	if err != nil {
		return // the resolvers report it
	}
	for i, p := range parents {
		loadersOf(ctx).history.Prime(ctx, q.Key(p), pages[i])
	}
}

// prefetchTimeline loads the timeline of every parent in one statement and
// primes the loader with it: the resolvers of a page's records do not all
// start within the loader's wait on a busy machine.
func (r *Resolver) prefetchTimeline(ctx context.Context, m *meta.Model, parents []*records.Record, a args) {
	q, err := timelineQuery(a)
	if err != nil {
		return // the resolvers report it
	}
	pages, err := r.records.Timelines(ctx, m, parents, q)
	if err != nil {
		return // the resolvers report it
	}
	for i, p := range parents {
		loadersOf(ctx).timelines.Prime(ctx, q.Key(p), pages[i])
	}
}

// primeExisting loads, in one statement, the records that batch results'
// conflicts name, so that existingRecord fields find them ready.
func (r *Resolver) primeExisting(ctx context.Context, m *meta.Model, errs []error) {
	var ids []int
	for _, err := range errs {
		if e, ok := apierr.As(err); ok && e.ExistingID != 0 {
			ids = append(ids, e.ExistingID)
		}
	}
	if len(ids) == 0 {
		return
	}
	found, err := r.records.GetMany(ctx, m, ids)
	if err != nil {
		return // the resolvers report it
	}
	for id, rec := range found {
		loadersOf(ctx).records.Prime(ctx, id, rec)
	}
}
