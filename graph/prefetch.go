package graph

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/records"
)

// recordTypes are the types a Record selection may be written against.
var recordTypes = []string{"Record", "Node"}

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
			r.prefetchHistory(ctx, parents, f.ArgumentMap(opCtx.Variables))
			continue
		}
		if f.Name != "associations" {
			continue
		}
		args, ok := associationArgs(f.ArgumentMap(opCtx.Variables))
		if !ok {
			continue // the resolver reports what is wrong with them
		}
		keys := make([]assoc.Key, len(parents))
		for i, p := range parents {
			keys[i] = assoc.KeyOf(p.ID, args)
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
		sub := graphql.CollectFields(opCtx, f.Selections, []string{"AssociationConnection"})
		if selects(sub, "totalCount") {
			counts, errs := r.assoc.Count(ctx, m, keys)
			for i, n := range counts {
				if errs[i] == nil {
					ld.counts.Prime(ctx, keys[i], n)
				}
			}
		}
		r.prefetch(ctx, children, nodeFields(opCtx, sub, "AssociationEdge"))
	}
}

// nodeFields collects the Record fields under edges { node { ... } } of a
// connection's collected fields.
func nodeFields(opCtx *graphql.OperationContext, connection []graphql.CollectedField, edgeType string) []graphql.CollectedField {
	var out []graphql.CollectedField
	for _, e := range connection {
		if e.Name != "edges" {
			continue
		}
		for _, n := range graphql.CollectFields(opCtx, e.Selections, []string{edgeType}) {
			if n.Name == "node" {
				out = append(out, graphql.CollectFields(opCtx, n.Selections, recordTypes)...)
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
func (r *Resolver) listRecords(ctx context.Context, q records.Query, args page.Args, sel ast.SelectionSet) (*records.Page, error) {
	m, err := r.model(ctx)
	if err != nil {
		return nil, err
	}
	p, err := r.records.List(ctx, m, q, args)
	if err != nil {
		return nil, err
	}
	r.prefetchConnection(ctx, p.Records, sel)
	return p, nil
}

// associationsOf is rec's page of associated records, through the
// request's loader (prefetch has primed it for the fields it foresaw).
func associationsOf(ctx context.Context, rec *records.Record, args assoc.Args) (*assoc.Page, error) {
	return loadersOf(ctx).pages.Load(ctx, assoc.KeyOf(rec.ID, args))()
}

// associationCount counts what an associations page selects in all.
func associationCount(ctx context.Context, p *assoc.Page) (int, error) {
	return loadersOf(ctx).counts.Load(ctx, p.Key)()
}

// prefetchConnection prefetches under the records of a RecordConnection
// selected as sel.
func (r *Resolver) prefetchConnection(ctx context.Context, recs []*records.Record, sel ast.SelectionSet) {
	opCtx := graphql.GetOperationContext(ctx)
	conn := graphql.CollectFields(opCtx, sel, []string{"RecordConnection"})
	r.prefetch(ctx, recs, nodeFields(opCtx, conn, "RecordEdge"))
}

// prefetchRecord prefetches under one record being resolved.
func (r *Resolver) prefetchRecord(ctx context.Context, rec *records.Record) {
	opCtx := graphql.GetOperationContext(ctx)
	r.prefetch(ctx, []*records.Record{rec}, graphql.CollectFields(opCtx, selectionOf(ctx), recordTypes))
}

// associationArgs reads the arguments of an associations field as the
// request wrote them; ok is false when they are not what the schema says,
// which validation will have refused already.
func associationArgs(m map[string]any) (args assoc.Args, ok bool) {
	if args.ToObjectType, ok = m["toObjectType"].(string); !ok {
		return args, false
	}
	if args.Labels, ok = stringsArg(m["labels"]); !ok {
		return args, false
	}
	args.Page, ok = pageArgsOf(m)
	return args, ok
}

// pageArgsOf reads first, after, last and before as the request wrote
// them; ok is false when they are not what the schema says.
func pageArgsOf(m map[string]any) (args page.Args, ok bool) {
	for name, dst := range map[string]**int{"first": &args.First, "last": &args.Last} {
		if raw, present := m[name]; present && raw != nil {
			n, ok := intArg(raw)
			if !ok {
				return args, false
			}
			*dst = &n
		}
	}
	for name, dst := range map[string]**string{"after": &args.After, "before": &args.Before} {
		if raw, present := m[name]; present && raw != nil {
			s, ok := raw.(string)
			if !ok {
				return args, false
			}
			*dst = &s
		}
	}
	return args, true
}

// stringsArg reads a [String!] argument written as a list (or left out:
// nil); ok is false for anything else, which the executor coerces or
// refuses itself.
func stringsArg(v any) (out []string, ok bool) {
	if v == nil {
		return nil, true
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out = make([]string, len(list))
	for i, item := range list {
		if out[i], ok = item.(string); !ok {
			return nil, false
		}
	}
	return out, true
}

// intArg reads an Int however it arrived: int64 from a literal,
// json.Number from a variable.
func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int64:
		return int(n), true
	case int:
		return n, true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

// prefetchHistory loads the propertyHistory of every parent in one
// statement and primes the loader with it.
func (r *Resolver) prefetchHistory(ctx context.Context, parents []*records.Record, args map[string]any) {
	names, ok := stringsArg(args["names"])
	if !ok {
		return
	}
	var first *int
	if raw, ok := args["first"]; ok && raw != nil {
		n, ok := intArg(raw)
		if !ok {
			return
		}
		first = &n
	}
	var after *string
	if s, ok := args["after"].(string); ok {
		after = &s
	}
	keys := make([]historyKey, len(parents))
	for i, p := range parents {
		keys[i] = historyKeyOf(p, names, first, after)
	}
	pages, err := r.records.Histories(ctx, parents, keys[0].query())
	if err != nil {
		return // the resolvers report it
	}
	for i, k := range keys {
		loadersOf(ctx).history.Prime(ctx, k, pages[i])
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
