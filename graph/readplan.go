package graph

import (
	"bytes"
	"context"
	"io"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/graph/schematype"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/values"
)

// A page of records with nested associations is where gqlgen's cost per
// field shows: for every field of every record it builds a field context
// and parses the field's arguments again, and it runs every list element
// and every resolver field in a goroutine of its own. Under a records
// field that work is the same for every record, so readRecords compiles
// the selection once (a readPlan) and writes the answer from the pages
// prefetch loaded, with gqlgen's own marshalers for every value. A
// selection with any field the plan does not know, or any error
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
	readValues
	readValueName
	readValueType
	readValueString
	readValueNumber
	readValueBool
	readValueDate
	readValueDateTime
	readValueOptions
	readValueOwnerID
)

// readSpec is a field a plan knows: what it writes, for an object field
// the type of its selection, and the arguments it reads. A field whose
// schema definition declares any other argument, or a directive, is not
// planned: a plan never answers a read it does not fully understand.
type readSpec struct {
	kind  readKind
	child string
	args  []string
}

// Arguments plans read, through the one decoder (args.go).
var (
	pageArgNames        = []string{"first", "after", "last", "before"}
	recordsArgNames     = append([]string{"objectType", "view", "filter", "sort", "query", "archived", "asOf"}, pageArgNames...)
	associationArgNames = append([]string{"toObjectType", "labels", "filter", "sort"}, pageArgNames...)
)

// readSchema is every field a plan knows, by type. TestReadPlanTable checks
// it against the parsed schema; TestReadPlanMatchesExecutor and
// TestReadPlanRandomSelections select every one of them.
var readSchema = map[string]map[string]readSpec{
	"RecordConnection": {
		"edges":      {readEdges, "RecordEdge", nil},
		"pageInfo":   {readPageInfo, "PageInfo", nil},
		"totalCount": {kind: readTotalCount},
	},
	"RecordEdge": {
		"cursor": {kind: readCursor},
		"node":   {readNode, "Record", nil},
	},
	"Record": {
		"id":           {kind: readID},
		"recordId":     {kind: readRecordID},
		"displayName":  {kind: readDisplayName},
		"properties":   {kind: readProperties, args: []string{"names"}},
		"createdAt":    {kind: readCreatedAt},
		"updatedAt":    {kind: readUpdatedAt},
		"archived":     {kind: readArchived},
		"archivedAt":   {kind: readArchivedAt},
		"associations": {readAssociations, "AssociationConnection", associationArgNames},
		"values":       {readValues, "PropertyValue", []string{"names"}},
	},
	"PropertyValue": {
		"name":     {kind: readValueName},
		"type":     {kind: readValueType},
		"string":   {kind: readValueString},
		"number":   {kind: readValueNumber},
		"bool":     {kind: readValueBool},
		"date":     {kind: readValueDate},
		"dateTime": {kind: readValueDateTime},
		"options":  {kind: readValueOptions},
		"ownerId":  {kind: readValueOwnerID},
	},
	"AssociationConnection": {
		"edges":      {readEdges, "AssociationEdge", nil},
		"pageInfo":   {readPageInfo, "PageInfo", nil},
		"totalCount": {kind: readTotalCount},
	},
	"AssociationEdge": {
		"cursor": {kind: readCursor},
		"node":   {readNode, "Record", nil},
		"labels": {readLabels, "AssociationLabel", nil},
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
	names []string      // properties(names:), values(names:)
	query records.Query // associations(...)
	sub   *readPlan     // an object field's selection
}

// compileRead compiles sel, a selection on typeName; ok is false when it
// selects anything a plan does not know.
func (r *Resolver) compileRead(opCtx *graphql.OperationContext, typeName string, sel ast.SelectionSet) (*readPlan, bool) {
	p := &readPlan{typeName: typeName}
	for _, f := range graphql.CollectFields(opCtx, sel, r.types.satisfies(typeName)) {
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
		if !ok || !plannable(f.Definition, spec.args) {
			return nil, false
		}
		rf.kind = spec.kind
		var err error
		switch spec.kind {
		case readProperties, readValues:
			rf.names, err = collectedArgs(opCtx, f).strings("names")
		case readAssociations:
			rf.query, err = associationsQuery(collectedArgs(opCtx, f))
		}
		if err != nil {
			return nil, false
		}
		if spec.child != "" {
			if rf.sub, ok = r.compileRead(opCtx, spec.child, f.Selections); !ok {
				return nil, false
			}
		}
		p.fields = append(p.fields, rf)
	}
	return p, true
}

// plannable reports whether a plan that reads the arguments known may
// answer a field defined as def: def declares no other argument and no
// directive (a directive may change what the field answers) but
// @hasScope, which the root field middleware checks before any plan runs
// (rootFieldAllowed).
func plannable(def *ast.FieldDefinition, known []string) bool {
	if def == nil {
		return false
	}
	for _, d := range def.Directives {
		if d.Name != "hasScope" {
			return false
		}
	}
	for _, a := range def.Arguments {
		if !slices.Contains(known, a.Name) {
			return false
		}
	}
	return true
}

// recordsPlan is a records root field's query and compiled selection.
type recordsPlan struct {
	query records.Query
	conn  *readPlan
}

// planRecords plans field, a root field of a query; ok is false when the
// executor must answer it (asOf reads are left to it).
func (r *Resolver) planRecords(opCtx *graphql.OperationContext, field graphql.CollectedField) (p recordsPlan, ok bool) {
	if opCtx.Operation.Operation != ast.Query || field.Name != "records" || !plannable(field.Definition, recordsArgNames) {
		return p, false
	}
	var err error
	if p.query, err = recordsQuery(collectedArgs(opCtx, field)); err != nil || p.query.AsOf != nil {
		return p, false
	}
	p.conn, ok = r.compileRead(opCtx, "RecordConnection", field.Selections)
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
	plan, ok := r.planRecords(opCtx, rfc.Field)
	if !ok {
		return nil, false
	}
	p, err := r.listRecords(ctx, plan.query, rfc.Field.Selections)
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
	w.nullable(s != nil, func() graphql.Marshaler { return graphql.MarshalString(*s) })
}

// nullable writes m's value when set, else null.
func (w *readWriter) nullable(set bool, m func() graphql.Marshaler) {
	if !set {
		w.value(graphql.Null)
		return
	}
	w.value(m())
}

func (w *readWriter) recordConnection(p *readPlan, pg *records.Page) bool {
	return w.object(p, func(f *readField) bool {
		switch f.kind {
		case readEdges:
			return w.list(len(pg.Records), func(i int) bool {
				return w.object(f.sub, func(ef *readField) bool {
					if ef.kind == readCursor {
						w.value(graphql.MarshalString(pg.Cursor(i)))
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
			props, err := rec.Props(f.names)
			if err != nil {
				return false
			}
			w.value(schematype.MarshalJSON(props))
		case readValues:
			vals, err := rec.TypedValues(f.names)
			if err != nil {
				return false
			}
			w.list(len(vals), func(i int) bool {
				w.propertyValue(f.sub, vals[i])
				return true
			})
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
			pg, err := associationsOf(w.ctx, rec, f.query)
			if err != nil {
				return false
			}
			return w.associationConnection(f.sub, pg)
		}
		return true
	})
}

// propertyValue writes one value of Record.values: the typed fields its
// type does not fill are null.
func (w *readWriter) propertyValue(p *readPlan, v *values.Value) {
	w.object(p, func(f *readField) bool {
		switch f.kind {
		case readValueName:
			w.value(graphql.MarshalString(v.Name))
		case readValueType:
			w.value(v.Type)
		case readValueString:
			w.nullableString(v.String)
		case readValueNumber:
			w.nullable(v.Number != nil, func() graphql.Marshaler { return schematype.MarshalNumber(*v.Number) })
		case readValueBool:
			w.nullable(v.Bool != nil, func() graphql.Marshaler { return graphql.MarshalBoolean(*v.Bool) })
		case readValueDate:
			w.nullable(v.Date != nil, func() graphql.Marshaler { return schematype.MarshalDate(*v.Date) })
		case readValueDateTime:
			w.nullable(v.DateTime != nil, func() graphql.Marshaler { return schematype.MarshalDateTimeText(*v.DateTime) })
		case readValueOptions:
			if v.Options == nil {
				w.value(graphql.Null)
				return true
			}
			w.list(len(v.Options), func(i int) bool {
				w.value(graphql.MarshalString(v.Options[i]))
				return true
			})
		case readValueOwnerID:
			w.nullable(v.OwnerID != nil, func() graphql.Marshaler { return graphql.MarshalInt(*v.OwnerID) })
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
