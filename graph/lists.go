package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/crm/graph/model"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
)

// listPayload answers a change of a list with the list as the changed
// definitions hold it.
func (r *Resolver) listPayload(ctx context.Context, id int) (*model.ListPayload, error) {
	m, err := r.reloadModel(ctx)
	if err != nil {
		return nil, err
	}
	l, err := lists.Get(m, id)
	if err != nil {
		return nil, err
	}
	return &model.ListPayload{List: l}, nil
}

// listRef decodes the global id of a list and reads the request's
// definitions, for a change of the list.
func (r *Resolver) listRef(ctx context.Context, id string) (int, *meta.Model, error) {
	n, err := gid.DecodeKind(id, gid.List)
	if err != nil {
		return 0, nil, err
	}
	m, err := r.model(ctx)
	return n, m, err
}

// changeMembers runs addToList or removeFromList: a record id that does
// not decode fails its own item.
func (r *Resolver) changeMembers(ctx context.Context, input model.ListMembersInput,
	change func(context.Context, *meta.Model, int, []int) (*meta.List, []records.Result, error)) (*model.ListMembersPayload, error) {
	id, m, err := r.listRef(ctx, input.ListID)
	if err != nil {
		return nil, err
	}
	ids, errs := itemIDs(input.RecordIds)
	l, results, err := change(ctx, m, id, ids)
	if err != nil {
		return nil, err
	}
	p := &model.ListMembersPayload{List: l}
	p.Results, p.Written, p.Failed = pointers(failItems(results, errs, failRecord), func(r *records.Result) error { return r.Err })
	return p, nil
}

// prefetchMembers prefetches under the records of a page of members.
func (r *Resolver) prefetchMembers(ctx context.Context, p *lists.Page) {
	recs := make([]*records.Record, len(p.Edges))
	for i, e := range p.Edges {
		recs[i] = e.Node
	}
	opCtx := graphql.GetOperationContext(ctx)
	conn := graphql.CollectFields(opCtx, selectionOf(ctx), r.types.satisfies("ListMemberConnection"))
	r.prefetch(ctx, recs, r.nodeFields(opCtx, conn, "ListMemberEdge"))
}
