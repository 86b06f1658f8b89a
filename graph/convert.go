package graph

import (
	"cmp"
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/crm/graph/model"
	"github.com/acme/crm/graph/schematype"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
)

func recordID(id string) (int, error) { return gid.DecodeKind(id, gid.Record) }

// Batches decode their items one by one: an id that is not one fails its
// own item, never the batch. It becomes 0, which matches no record, so
// that the store fails the item without writing it, and its error, kept at
// the item's index, replaces that NOT_FOUND (failItems).

// itemIDs decodes the record ids of a batch's items.
func itemIDs(ids []string) (out []int, errs []error) {
	out, errs = make([]int, len(ids)), make([]error, len(ids))
	for i, id := range ids {
		out[i], errs[i] = recordID(id)
	}
	return out, errs
}

// failItems gives the items whose input did not decode their error.
func failItems[T any](results []T, errs []error, fail func(*T, error)) []T {
	for i, err := range errs {
		if err != nil {
			fail(&results[i], err)
		}
	}
	return results
}

func failRecord(r *records.Result, err error) { r.Record, r.Err = nil, err }

func failPair(r *assoc.Result, err error) { r.Link, r.Err = nil, err }

// propertiesOf decodes the values of a batch's items (writeValues): an
// item that does not decode fails the whole batch.
func propertiesOf(inputs []*model.RecordPropertiesInput) (out []map[string]any, err error) {
	out = make([]map[string]any, len(inputs))
	for i, in := range inputs {
		if out[i], err = writeValues(in.Properties, in.Values); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pointers returns the addresses of results' items, and how many failed
// (err says an item's error) and were written.
func pointers[T any](results []T, err func(*T) error) (out []*T, written, failed int) {
	out = make([]*T, len(results))
	for i := range results {
		out[i] = &results[i]
		if err(out[i]) != nil {
			failed++
		} else {
			written++
		}
	}
	return out, written, failed
}

// batchPayload answers a batch; the records its conflicts name are read
// in one statement, should the client select them.
func (r *Resolver) batchPayload(ctx context.Context, m *meta.Model, results []records.Result) *model.BatchPayload {
	p := &model.BatchPayload{}
	p.Results, p.Written, p.Failed = pointers(results, func(r *records.Result) error { return r.Err })
	errs := make([]error, len(results))
	for i := range results {
		errs[i] = results[i].Err
	}
	r.primeExisting(ctx, m, errs)
	return p
}

func includeArchivedArg(b *bool) bool { return b != nil && *b }

// nodes resolves global ids to nodes: records in one statement, definitions
// from the request's model. An id that matches nothing resolves to nil; an
// id that is not one, or one of a type the request may not read
// (nodeScopes), resolves to nil with its error in errs, at its index.
func (r *Resolver) nodes(ctx context.Context, ids []string) (out []schematype.Node, errs []error, err error) {
	m, err := r.model(ctx)
	if err != nil {
		return nil, nil, err
	}
	type ref struct {
		kind string
		id   int
	}
	if len(ids) > MaxIDs {
		return nil, nil, apierr.New(apierr.LimitExceeded, "nodes takes at most %d ids, got %d", MaxIDs, len(ids))
	}
	refs := make([]ref, len(ids))
	errs = make([]error, len(ids))
	var recIDs []int
	for i, s := range ids {
		kind, id, err := gid.Decode(s)
		if err == nil {
			err = nodeAllowed(ctx, kind)
		}
		if err != nil {
			errs[i] = err
			continue
		}
		refs[i] = ref{kind, id}
		if kind == gid.Record {
			recIDs = append(recIDs, id)
		}
	}
	recs, err := r.records.GetMany(ctx, m, recIDs)
	if err != nil {
		return nil, nil, err
	}
	out = make([]schematype.Node, len(ids))
	for i, ref := range refs {
		if ref.kind == gid.Record {
			if rec, ok := recs[ref.id]; ok {
				out[i] = rec
			}
			continue
		}
		if ref.kind == gid.View {
			v, err := r.views.Get(ctx, m, ref.id)
			if err == nil {
				out[i] = v
			} else if apierr.CodeOf(err) != apierr.NotFound {
				return nil, nil, err
			}
			continue
		}
		if ref.kind == gid.Export || ref.kind == gid.Import {
			var n schematype.Node
			var err error
			if ref.kind == gid.Export {
				n, err = r.exports.Get(ctx, m, ref.id)
			} else {
				n, err = r.imports.Get(ctx, m, ref.id)
			}
			if err == nil {
				out[i] = n
			} else if apierr.CodeOf(err) != apierr.NotFound {
				return nil, nil, err
			}
			continue
		}
		if ref.kind == gid.Workspace {
			// The request's own workspace, and no other: another's id
			// answers null as a missing one.
			if ref.id == sessionOf(ctx).workspaceID {
				w, err := r.workspace(ctx)
				if err != nil {
					return nil, nil, err
				}
				out[i] = w
			}
			continue
		}
		if ref.kind == gid.List {
			if l, ok := m.List(ref.id); ok {
				out[i] = l
			}
			continue
		}
		if n := definitionNode(m, ref.kind, ref.id); n != nil {
			out[i] = n
		}
	}
	return out, errs, nil
}

// errorAt is err reported at index i of the list field being resolved.
func errorAt(ctx context.Context, i int, err error) *gqlerror.Error {
	return &gqlerror.Error{Message: err.Error(), Err: err, Path: append(graphql.GetFieldContext(ctx).Path(), ast.PathIndex(i))}
}

// definitionNode finds a definition of m by kind and id, or returns nil.
func definitionNode(m *meta.Model, kind string, id int) schematype.Node {
	switch kind {
	case gid.ObjectType:
		if ot, ok := m.ObjectTypeByID(id); ok {
			return ot
		}
	case gid.Property:
		if p, ok := m.PropertyByID(id); ok {
			return p
		}
	case gid.PropertyGroup:
		if g, ok := m.GroupByID(id); ok {
			return g
		}
	case gid.Pipeline:
		if _, p, ok := m.PipelineByID(id); ok {
			return p
		}
	case gid.PipelineStage:
		if _, _, st, ok := m.StageByID(id); ok {
			return st
		}
	case gid.AssociationType:
		if at, ok := m.AssociationTypeByID(id); ok {
			return at
		}
	case gid.Owner:
		if o, ok := m.Owner(id); ok {
			return o
		}
	case gid.Team:
		if t, ok := m.Team(id); ok {
			return t
		}
	}
	return nil
}

func itemError(err error) *apierr.Error {
	if err == nil {
		return nil
	}
	if e, ok := apierr.As(err); ok {
		return e
	}
	return apierr.New(apierr.Internal, "internal server error")
}

// newLinks decodes the associations of a new record; a to that is not a
// record id stays 0 (see itemIDs) and its error is returned.
func newLinks(in []*model.NewAssociationInput) (out []records.NewLink, err error) {
	out = make([]records.NewLink, len(in))
	for i, a := range in {
		to, toErr := recordID(a.To)
		out[i] = records.NewLink{To: to, Labels: a.Labels}
		err = cmp.Or(err, toErr)
	}
	return out, err
}

// newRecords decodes a batch's items; errs holds, by item, an association
// that does not name a record. Values that do not decode (writeValues)
// fail the whole batch: err.
func newRecords(in []*model.NewRecordInput) (out []records.NewRecord, errs []error, err error) {
	out, errs = make([]records.NewRecord, len(in)), make([]error, len(in))
	for i, r := range in {
		props, err := writeValues(r.Properties, r.Values)
		if err != nil {
			return nil, nil, err
		}
		links, err := newLinks(r.Associations)
		if e, ok := apierr.As(err); ok && e.Property == "" {
			e.Property = "associations"
		}
		out[i], errs[i] = records.NewRecord{Properties: props, Associations: links}, err
	}
	return out, errs, nil
}

func pairOf(in *model.AssociateInput) (assoc.Pair, error) {
	from, err := recordID(in.From)
	if err != nil {
		return assoc.Pair{}, err
	}
	to, err := recordID(in.To)
	if err != nil {
		return assoc.Pair{}, err
	}
	return assoc.Pair{From: from, To: to, Labels: in.Labels}, nil
}

// pairsOf decodes a batch's pairs; errs holds, by item, an id that is not
// one (see itemIDs).
func pairsOf(in []*model.AssociateInput) (out []assoc.Pair, errs []error) {
	out, errs = make([]assoc.Pair, len(in)), make([]error, len(in))
	for i, p := range in {
		out[i], errs[i] = pairOf(p)
	}
	return out, errs
}

func associationBatch(results []assoc.Result) *model.AssociationBatchPayload {
	p := &model.AssociationBatchPayload{}
	p.Results, p.Written, p.Failed = pointers(results, func(r *assoc.Result) error { return r.Err })
	return p
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// associationTypePayload answers a change of an association type with the
// type as the changed definitions now have it.
func (r *Resolver) associationTypePayload(ctx context.Context, id int) (*model.AssociationTypePayload, error) {
	m, err := r.reloadModel(ctx)
	if err != nil {
		return nil, err
	}
	at, ok := m.AssociationTypeByID(id)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "no association type %d", id)
	}
	return &model.AssociationTypePayload{AssociationType: at}, nil
}
