package graph

import (
	"bytes"
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/graph/schematype"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/records"
)

// A page of records with nested associations is where gqlgen's cost per
// field shows: for every field of every record it builds a field context
// and parses the field's arguments again, and it runs every list element
// and every resolver field in a goroutine of its own. Under a records
// field that work is the same for every record, so readRecords compiles
// the selection once (a readPlan) and writes the answer from the pages
// prefetch loaded, with gqlgen's own marshalers for every value. A
// selection with any field the plan does not know, @defer, or any error
// leaves the field to gqlgen's executor; TestReadPlanMatchesExecutor
// checks that both answer byte for byte the same.

// readKind is what a planned field writes.
type readKind int

const (
	readTypename readKind = iota
	readID
	readRecordID
	readDisplayName
	readProperties
	readCreatedAt
	readUpdatedAt
	readArchived
	readArchivedAt
	readAssociations
	readEdges
	readPageInfo
	readTotalCount
	readCursor
	readNode
	readLabels
	readHasNextPage
	readHasPreviousPage
	readStartCursor
	readEndCursor
	readTypeID
	readLabel
	readCategory
)

// readSpec is a field a plan knows: what it writes and, for an object
// field, the type of its selection.
type readSpec struct {
	kind  readKind
	child string
}

// readSchema is every field a plan knows, by type. It must agree with
// schema.graphqls and gqlgen.yml; TestReadPlanMatchesExecutor selects
// every one of them.
var readSchema = map[string]map[string]readSpec{
	"RecordConnection": {
		"edges":      {readEdges, "RecordEdge"},
		"pageInfo":   {readPageInfo, "PageInfo"},
		"totalCount": {kind: readTotalCount},
	},
	"RecordEdge": {
		"cursor": {kind: readCursor},
		"node":   {readNode, "Record"},
	},
	"Record": {
		"id":           {kind: readID},
		"recordId":     {kind: readRecordID},
		"displayName":  {kind: readDisplayName},
		"properties":   {kind: readProperties},
		"createdAt":    {kind: readCreatedAt},
		"updatedAt":    {kind: readUpdatedAt},
		"archived":     {kind: readArchived},
		"archivedAt":   {kind: readArchivedAt},
		"associations": {readAssociations, "AssociationConnection"},
	},
	"AssociationConnection": {
		"edges":      {readEdges, "AssociationEdge"},
		"pageInfo":   {readPageInfo, "PageInfo"},
		"totalCount": {kind: readTotalCount},
	},
	"AssociationEdge": {
		"cursor": {kind: readCursor},
		"node":   {readNode, "Record"},
		"labels": {readLabels, "AssociationLabel"},
	},
	"AssociationLabel": {
		"typeId":   {kind: readTypeID},
		"label":    {kind: readLabel},
		"category": {kind: readCategory},
	},
	"PageInfo": {
		"hasNextPage":     {kind: readHasNextPage},
		"hasPreviousPage": {kind: readHasPreviousPage},
		"startCursor":     {kind: readStartCursor},
		"endCursor":       {kind: readEndCursor},
	},
}

// readPlan is the compiled selection of one object type.
type readPlan struct {
	typeName string
	fields   []readField
}

type readField struct {
	key   []byte // the quoted response key and its colon
	kind  readKind
	names []string   // properties(names:)
	args  assoc.Args // associations(...)
	sub   *readPlan  // an object field's selection
}

// compileRead compiles sel, a selection on typeName; ok is false when it
// selects anything a plan does not know.
func compileRead(opCtx *graphql.OperationContext, typeName string, sel ast.SelectionSet) (*readPlan, bool) {
	satisfies := []string{typeName}
	if typeName == "Record" {
		satisfies = recordTypes
	}
	p := &readPlan{typeName: typeName}
	for _, f := range graphql.CollectFields(opCtx, sel, satisfies) {
		if f.IsDeferred() {
			return nil, false
		}
		var key bytes.Buffer
		graphql.MarshalString(f.Alias).MarshalGQL(&key)
		key.WriteByte(':')
		rf := readField{key: key.Bytes()}
		if f.Name == "__typename" {
			rf.kind = readTypename
			p.fields = append(p.fields, rf)
			continue
		}
		spec, ok := readSchema[typeName][f.Name]
		if !ok {
			return nil, false
		}
		rf.kind = spec.kind
		switch spec.kind {
		case readProperties:
			if rf.names, ok = stringsArg(f.ArgumentMap(opCtx.Variables)["names"]); !ok {
				return nil, false
			}
		case readAssociations:
			if rf.args, ok = associationArgs(f.ArgumentMap(opCtx.Variables)); !ok {
				return nil, false
			}
		}
		if spec.child != "" {
			if rf.sub, ok = compileRead(opCtx, spec.child, f.Selections); !ok {
				return nil, false
			}
		}
		p.fields = append(p.fields, rf)
	}
	return p, true
}

// recordsArgs reads the arguments of a records field; ok is false for an
// asOf or anything not written as the schema says.
func recordsArgs(m map[string]any) (q records.Query, args page.Args, ok bool) {
	if q.ObjectType, ok = m["objectType"].(string); !ok {
		return q, args, false
	}
	if m["asOf"] != nil {
		return q, args, false
	}
	if v := m["archived"]; v != nil {
		if q.Archived, ok = v.(bool); !ok {
			return q, args, false
		}
	}
	args, ok = pageArgsOf(m)
	return q, args, ok
}

// recordsPlan is a records root field's arguments and compiled selection.
type recordsPlan struct {
	query records.Query
	args  page.Args
	conn  *readPlan
}

// planRecords plans field, a root field of a query; ok is false when the
// executor must answer it.
func planRecords(opCtx *graphql.OperationContext, field graphql.CollectedField) (p recordsPlan, ok bool) {
	if opCtx.Operation.Operation != ast.Query || field.Name != "records" {
		return p, false
	}
	if p.query, p.args, ok = recordsArgs(field.ArgumentMap(opCtx.Variables)); !ok {
		return p, false
	}
	p.conn, ok = compileRead(opCtx, "RecordConnection", field.Selections)
	return p, ok
}

// readRecords answers the root field being resolved when a read plan
// knows it, without gqlgen's executor. ok is false when the executor must
// answer it.
func (r *Resolver) readRecords(ctx context.Context) (out graphql.Marshaler, ok bool) {
	rfc, opCtx := graphql.GetRootFieldContext(ctx), graphql.GetOperationContext(ctx)
	if rfc == nil {
		return nil, false
	}
	// Root field middleware runs outside the executor's guard: a panic is
	// reported as the executor reports one of a resolver, on the field's
	// path.
	defer func() {
		if p := recover(); p != nil {
			fctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "Query", Field: rfc.Field, IsResolver: true})
			opCtx.Error(fctx, opCtx.Recover(fctx, p))
			out, ok = graphql.Null, true
		}
	}()
	plan, ok := planRecords(opCtx, rfc.Field)
	if !ok {
		return nil, false
	}
	p, err := r.listRecords(ctx, plan.query, plan.args, rfc.Field.Selections)
	if err != nil {
		return nil, false
	}
	w := &readWriter{ctx: ctx}
	if !w.recordConnection(plan.conn, p) {
		return nil, false
	}
	return w, true
}

// readWriter writes a planned answer into a buffer, so that an error met
// halfway leaves nothing written and the executor can answer instead.
type readWriter struct {
	ctx context.Context
	buf bytes.Buffer
}

func (w *readWriter) MarshalGQL(out io.Writer) { _, _ = out.Write(w.buf.Bytes()) }

// object writes one object of plan, each field by fn; false stops.
func (w *readWriter) object(p *readPlan, fn func(f *readField) bool) bool {
	w.buf.WriteByte('{')
	for i := range p.fields {
		f := &p.fields[i]
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.buf.Write(f.key)
		if f.kind == readTypename {
			w.value(graphql.MarshalString(p.typeName))
		} else if !fn(f) {
			return false
		}
	}
	w.buf.WriteByte('}')
	return true
}

// list writes n elements, each by fn.
func (w *readWriter) list(n int, fn func(i int) bool) bool {
	w.buf.WriteByte('[')
	for i := range n {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		if !fn(i) {
			return false
		}
	}
	w.buf.WriteByte(']')
	return true
}

func (w *readWriter) value(m graphql.Marshaler) { m.MarshalGQL(&w.buf) }

// nonNull writes the value of a non-null field; false leaves a null to
// the executor, which reports it.
func (w *readWriter) nonNull(m graphql.Marshaler) bool {
	if m == graphql.Null {
		return false
	}
	w.value(m)
	return true
}

func (w *readWriter) nullableString(s *string) {
	if s == nil {
		w.value(graphql.Null)
		return
	}
	w.value(graphql.MarshalString(*s))
}

func (w *readWriter) recordConnection(p *readPlan, pg *records.Page) bool {
	return w.object(p, func(f *readField) bool {
		switch f.kind {
		case readEdges:
			return w.list(len(pg.Records), func(i int) bool {
				return w.object(f.sub, func(ef *readField) bool {
					if ef.kind == readCursor {
						w.value(graphql.MarshalString(pg.Cursors[i]))
						return true
					}
					return w.record(ef.sub, pg.Records[i])
				})
			})
		case readPageInfo:
			w.pageInfo(f.sub, pg.Info)
		case readTotalCount:
			n, err := pg.TotalCount(w.ctx)
			if err != nil {
				return false
			}
			w.value(graphql.MarshalInt(n))
		}
		return true
	})
}

func (w *readWriter) record(p *readPlan, rec *records.Record) bool {
	return w.object(p, func(f *readField) bool {
		switch f.kind {
		case readID:
			w.value(graphql.MarshalID(rec.GlobalID()))
		case readRecordID:
			w.value(graphql.MarshalID(rec.RecordID()))
		case readDisplayName:
			w.value(graphql.MarshalString(rec.DisplayName()))
		case readProperties:
			w.value(schematype.MarshalJSON(rec.Props(f.names)))
		case readCreatedAt:
			return w.nonNull(schematype.MarshalDateTime(rec.CreatedAt))
		case readUpdatedAt:
			return w.nonNull(schematype.MarshalDateTime(rec.UpdatedAt))
		case readArchived:
			w.value(graphql.MarshalBoolean(rec.Archived()))
		case readArchivedAt:
			if rec.ArchivedAt == nil {
				w.value(graphql.Null)
			} else {
				w.value(schematype.MarshalDateTime(*rec.ArchivedAt))
			}
		case readAssociations:
			pg, err := associationsOf(w.ctx, rec, f.args)
			if err != nil {
				return false
			}
			return w.associationConnection(f.sub, pg)
		}
		return true
	})
}

func (w *readWriter) associationConnection(p *readPlan, pg *assoc.Page) bool {
	return w.object(p, func(f *readField) bool {
		switch f.kind {
		case readEdges:
			return w.list(len(pg.Edges), func(i int) bool {
				e := &pg.Edges[i]
				return w.object(f.sub, func(ef *readField) bool {
					switch ef.kind {
					case readCursor:
						w.value(graphql.MarshalString(e.Cursor()))
					case readNode:
						return w.record(ef.sub, e.Record)
					case readLabels:
						w.list(len(e.Types), func(j int) bool {
							w.label(ef.sub, e.Types[j])
							return true
						})
					}
					return true
				})
			})
		case readPageInfo:
			w.pageInfo(f.sub, pg.Info)
		case readTotalCount:
			n, err := associationCount(w.ctx, pg)
			if err != nil {
				return false
			}
			w.value(graphql.MarshalInt(n))
		}
		return true
	})
}

func (w *readWriter) label(p *readPlan, at *meta.AssociationType) {
	w.object(p, func(f *readField) bool {
		switch f.kind {
		case readTypeID:
			w.value(graphql.MarshalID(at.GlobalID()))
		case readLabel:
			w.nullableString(at.LabelOrNull())
		case readCategory:
			w.value(at.Category)
		}
		return true
	})
}

func (w *readWriter) pageInfo(p *readPlan, info page.Info) {
	w.object(p, func(f *readField) bool {
		switch f.kind {
		case readHasNextPage:
			w.value(graphql.MarshalBoolean(info.HasNextPage))
		case readHasPreviousPage:
			w.value(graphql.MarshalBoolean(info.HasPreviousPage))
		case readStartCursor:
			w.nullableString(info.StartCursor())
		case readEndCursor:
			w.nullableString(info.EndCursor())
		}
		return true
	})
}
