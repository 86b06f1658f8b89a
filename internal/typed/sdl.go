package typed

import (
	"fmt"
	"strings"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
)

// fixedTypes are the names of the types every typed schema has.
var fixedTypes = []string{"Query", "Mutation", "Node", "CrmRecord", "PageInfo", "AssociationLabel", "AssociationCategory",
	"ErrorCode", "ItemError", "NewAssociationInput", "SortDirection", "NullsOrder", "StringFilter", "FloatFilter",
	"FloatRange", "StringRange", "BooleanFilter", "DateFilter", "OwnerFilter", "Owner", "Date", "DateTime",
	"String", "Int", "Float", "Boolean", "ID"}

// fixedSDL is what every typed schema holds beside its record types.
const fixedSDL = `"""
The typed schema of one workspace, generated from its definitions at one
schema version: a type per object type, a field per property, a
connection per association. The generic schema at /graphql holds the same
records; both answer through one engine.
"""
schema {
  query: Query
  mutation: Mutation
}

"A date and time, RFC 3339, in UTC with milliseconds."
scalar DateTime @specifiedBy(url: "https://www.rfc-editor.org/rfc/rfc3339")

"A calendar date, YYYY-MM-DD."
scalar Date @specifiedBy(url: "https://www.rfc-editor.org/rfc/rfc3339#section-5.6")

"An object with a global id."
interface Node {
  "The global id, the same as the generic schema's."
  id: ID!
}

"What every record has, whatever its object type."
interface CrmRecord {
  "The record's global id."
  id: ID!
  "The plain numeric id (hs_object_id)."
  recordId: String!
  "Name to show: the primary display property's value."
  displayName: String!
  "When the record was created."
  createdAt: DateTime!
  "When the record was last written."
  updatedAt: DateTime!
  "True while the record is in the recycle bin."
  archived: Boolean!
  "When the record was archived; null while it is live."
  archivedAt: DateTime
}

"Relay page info."
type PageInfo {
  "True when more items follow the page."
  hasNextPage: Boolean!
  "True when items come before the page."
  hasPreviousPage: Boolean!
  "The cursor of the page's first edge; null when the page is empty."
  startCursor: String
  "The cursor of the page's last edge; null when the page is empty."
  endCursor: String
}

"One type linking two records."
type AssociationLabel {
  "Global id of the AssociationType."
  typeId: ID!
  "null for the unlabeled default."
  label: String
  "Whether the type is from the standard catalog or made by an admin."
  category: AssociationCategory!
}

"Who made an association type."
enum AssociationCategory {
  STANDARD
  USER_DEFINED
}

"The codes of errors, as in the generic schema."
enum ErrorCode {
  BAD_USER_INPUT
  NOT_FOUND
  CONFLICT
  UNAUTHENTICATED
  FORBIDDEN
  LIMIT_EXCEEDED
  RATE_LIMITED
  TIMEOUT
  UNAVAILABLE
  INTERNAL
  LIFECYCLE_STAGE_KEPT
  SUBSCRIBER_TOO_SLOW
}

"Why one item of a batch was refused."
type ItemError {
  "What kind of refusal it is."
  code: ErrorCode!
  "What is wrong, for a person."
  message: String!
  "The property at fault, when one is."
  property: String
}

"An owner, the value of an OWNER property."
type Owner implements Node {
  "The owner's global id."
  id: ID!
  "The number an OWNER property holds."
  ownerId: Int!
  email: String!
  firstName: String!
  lastName: String!
  "First and last name, else email."
  name: String!
  "An archived owner stays readable but may not be assigned."
  archived: Boolean!
}

"An association of a record being created."
input NewAssociationInput {
  "The global id of a live record to associate with."
  to: ID!
  "Label texts of the association; none means the unlabeled association."
  labels: [String!]
}

"A sort direction."
enum SortDirection {
  ASC
  DESC
}

"Where records lacking the property come."
enum NullsOrder {
  FIRST
  LAST
}

"""
Comparisons of a text property, without case. Every operator given must
hold. neq, notIn and notContainsToken do not match records lacking the
property unless includeMissing is true; ever matches a value held at any
moment.
"""
input StringFilter {
  eq: String
  neq: String
  in: [String!]
  notIn: [String!]
  lt: String
  lte: String
  gt: String
  gte: String
  between: StringRange
  contains: String
  startsWith: String
  containsToken: String
  notContainsToken: String
  hasProperty: Boolean
  includeMissing: Boolean
  ever: Boolean
}

"Comparisons of a number property, as StringFilter's."
input FloatFilter {
  eq: Float
  neq: Float
  in: [Float!]
  notIn: [Float!]
  lt: Float
  lte: Float
  gt: Float
  gte: Float
  between: FloatRange
  hasProperty: Boolean
  includeMissing: Boolean
  ever: Boolean
}

"Both ends included."
input FloatRange {
  low: Float!
  high: Float!
}

"Both ends included."
input StringRange {
  low: String!
  high: String!
}

"Comparisons of a bool property."
input BooleanFilter {
  eq: Boolean
  neq: Boolean
  hasProperty: Boolean
  includeMissing: Boolean
  ever: Boolean
}

"""
Comparisons of a date or datetime property: each value is a date, a
datetime or a signed ISO 8601 duration from now ("-P90D"); a date covers
its UTC day.
"""
input DateFilter {
  eq: String
  neq: String
  lt: String
  lte: String
  gt: String
  gte: String
  between: StringRange
  hasProperty: Boolean
  includeMissing: Boolean
  ever: Boolean
}

"""
Comparisons of an OWNER property by owner number (Owner.ownerId); me
and notMe compare with the owner the request's API key is tied to.
"""
input OwnerFilter {
  eq: Int
  neq: Int
  in: [Int!]
  notIn: [Int!]
  me: Boolean
  notMe: Boolean
  hasProperty: Boolean
  includeMissing: Boolean
  ever: Boolean
}
`

// sdl writes a schema's text.
type sdl struct{ strings.Builder }

func (w *sdl) line(format string, args ...any) {
	fmt.Fprintf(w, format, args...)
	w.WriteByte('\n')
}

// describe writes a description, when there is one.
func (w *sdl) describe(indent, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, `\`, ` `), `"""`, `\"""`)
	w.line(`%s"""%s"""`, indent, strings.ReplaceAll(text, "\n", " "))
}

func (s *Schema) write(live []*meta.ObjectType) string {
	w := &sdl{}
	w.WriteString(fixedSDL)
	w.line("\ntype Query {")
	for _, ot := range live {
		o := s.byObjectType[ot.Name]
		w.describe("  ", fmt.Sprintf("%s records, newest first; filter, sort, query and paging as the generic records field's.", ot.PluralLabel))
		w.line("  %s(filter: %sFilter, sort: [%sSort!], query: String, first: Int, after: String, last: Int, before: String, archived: Boolean = false, asOf: DateTime): %sConnection!",
			o.List, o.Name, o.Name, o.Name)
		w.describe("  ", fmt.Sprintf("The %s with this global id, archived or not, or null (also when the id is another type's record).", strings.ToLower(ot.SingularLabel)))
		w.line("  %s(id: ID!, asOf: DateTime): %s", o.Get, o.Name)
	}
	w.line("}")
	w.line("\ntype Mutation {")
	for _, name := range s.mutations {
		r := s.Mutation[name]
		o := r.Object
		switch r.Kind {
		case Create:
			w.describe("  ", "Create one record, as createRecord.")
			w.line("  %s(input: %sInput!, associations: [NewAssociationInput!], allowErasedEmails: Boolean = false): %sPayload", name, o.Name, o.Name)
		case Update:
			w.describe("  ", "Set values of one live record, as updateRecord: null clears a value. The id of another object type's record is NOT_FOUND.")
			w.line("  %s(id: ID!, input: %sInput!): %sPayload", name, o.Name, o.Name)
		case Archive:
			w.describe("  ", "Move a record to the recycle bin, as archiveRecord.")
			w.line("  %s(id: ID!): %sPayload", name, o.Name)
		case Restore:
			w.describe("  ", "Bring a record back from the recycle bin, as restoreRecord.")
			w.line("  %s(id: ID!): %sPayload", name, o.Name)
		case CreateBatch:
			w.describe("  ", "Create up to 1000 records, PER ITEM as createRecords.")
			w.line("  %s(inputs: [%sInput!]!, allowErasedEmails: Boolean = false): %sBatchPayload", name, o.Name, o.Name)
		case UpdateBatch:
			w.describe("  ", "Update up to 1000 records, PER ITEM as updateRecords.")
			w.line("  %s(inputs: [%sUpdateInput!]!): %sBatchPayload", name, o.Name, o.Name)
		case ArchiveBatch:
			w.describe("  ", "Archive up to 1000 records, PER ITEM as archiveRecords; an id of another object type's record refuses the whole call (NOT_FOUND), nothing archived.")
			w.line("  %s(ids: [ID!]!): %sBatchPayload", name, o.Name)
		case UpsertBatch:
			w.describe("  ", fmt.Sprintf("Create or update up to 1000 records matched by %s, PER ITEM as upsertRecords.", r.Unique.Name))
			w.line("  %s(inputs: [%sInput!]!, allowErasedEmails: Boolean = false): %sBatchPayload", name, o.Name, o.Name)
		}
	}
	w.line("}")
	for _, ot := range live {
		s.writeObject(w, s.byObjectType[ot.Name])
	}
	for _, e := range s.enums {
		w.line("")
		w.describe("", "The options of a property.")
		w.line("enum %s {", e.Name)
		for _, v := range e.Values {
			w.describe("  ", fmt.Sprintf("%s (%q)", v.Option.Label, v.Option.Value))
			w.line("  %s", v.Name)
		}
		w.line("}")
		w.line("\n\"Comparisons of a %s value.\"\ninput %sFilter {", e.Name, e.Name)
		w.line("  eq: %s\n  neq: %s\n  in: [%s!]\n  notIn: [%s!]\n  hasProperty: Boolean\n  includeMissing: Boolean\n  ever: Boolean\n}", e.Name, e.Name, e.Name, e.Name)
		w.line("\n\"Comparisons of a set of %s values: eq and neq compare the whole set, in matches any, containsAll every one.\"\ninput %sSetFilter {", e.Name, e.Name)
		w.line("  eq: [%s!]\n  neq: [%s!]\n  in: [%s!]\n  notIn: [%s!]\n  containsAll: [%s!]\n  hasProperty: Boolean\n  includeMissing: Boolean\n  ever: Boolean\n}", e.Name, e.Name, e.Name, e.Name, e.Name)
	}
	return w.String()
}

func (s *Schema) writeObject(w *sdl, o *Object) {
	ot := o.Type
	w.line("")
	w.describe("", fmt.Sprintf("A record of %s (object type %s).", strings.ToLower(ot.PluralLabel), ot.Name))
	w.line("type %s implements Node & CrmRecord {", o.Name)
	for _, f := range o.ordered {
		switch f.Kind {
		case Fixed:
			w.line("  %s: %s", f.Name, recordFieldTypes[f.Name])
		case Property:
			w.describe("  ", propertyDescription(f.Property))
			w.line("  %s: %s", f.Name, outputType(f))
		case Association:
			t := f.Target.Name
			w.describe("  ", fmt.Sprintf("Associated %s, newest first; labels keeps those linked under any of them.", strings.ToLower(f.Target.Type.PluralLabel)))
			w.line("  %s(labels: [String!], filter: %sFilter, sort: [%sSort!], first: Int, after: String, last: Int, before: String): %sAssociationConnection!",
				f.Name, t, t, t)
		}
	}
	w.line("}")
	n := o.Name
	w.line("\n\"A page of %s.\"\ntype %sConnection {\n  edges: [%sEdge!]!\n  pageInfo: PageInfo!\n  \"How many records the query selects in all.\"\n  totalCount: Int!\n}", n, n, n)
	w.line("\n\"A %s and its position.\"\ntype %sEdge {\n  cursor: String!\n  node: %s!\n}", n, n, n)
	w.line("\n\"A page of associated %s.\"\ntype %sAssociationConnection {\n  edges: [%sAssociationEdge!]!\n  pageInfo: PageInfo!\n  totalCount: Int!\n}", n, n, n)
	w.line("\n\"An associated %s, its position and the labels linking it.\"\ntype %sAssociationEdge {\n  cursor: String!\n  node: %s!\n  labels: [AssociationLabel!]!\n}", n, n, n)
	w.line("\n\"A created or updated %s.\"\ntype %sPayload {\n  record: %s!\n}", n, n, n)
	w.line("\n\"What a batch did, item by item.\"\ntype %sBatchPayload {\n  results: [%sBatchResult!]!\n  written: Int!\n  failed: Int!\n}", n, n)
	w.line("\n\"One item of a batch: its record, or its error.\"\ntype %sBatchResult {\n  index: Int!\n  record: %s\n  created: Boolean!\n  error: ItemError\n}", n, n)

	w.line("\n\"Keeps the %s it matches: every field given must hold.\"\ninput %sFilter {", strings.ToLower(ot.PluralLabel), n)
	w.line("  and: [%sFilter!]\n  or: [%sFilter!]\n  not: %sFilter\n  \"Members of this list.\"\n  inList: ID\n  \"Records not in this list.\"\n  notInList: ID", n, n, n)
	for _, f := range o.ordered {
		switch f.Kind {
		case Property:
			w.line("  %s: %s", f.Name, filterType(f))
		case Association:
			w.line("  %s: %sAssociationFilter", f.Name, f.Target.Name)
		}
	}
	w.line("}")
	w.line("\n\"Keeps %s by their associated %s: some match, none does, or every one does.\"", strings.ToLower(ot.PluralLabel), strings.ToLower(ot.PluralLabel))
	w.line("input %sAssociationFilter {\n  labels: [String!]\n  some: %sFilter\n  none: %sFilter\n  every: %sFilter\n  minCount: Int\n  maxCount: Int\n}", n, n, n, n)
	w.line("\n\"A sort key of %s.\"\ninput %sSort {\n  field: %sSortField!\n  direction: SortDirection = ASC\n  nulls: NullsOrder\n}", strings.ToLower(ot.PluralLabel), n, n)
	w.line("\n\"The properties %s sort by.\"\nenum %sSortField {", strings.ToLower(ot.PluralLabel), n)
	for _, f := range o.ordered {
		if f.Kind == Property {
			w.line("  %s", f.Name)
		}
	}
	w.line("}")
	w.line("\n\"Values of a %s to write: a field left out is left as it is, null clears it.\"\ninput %sInput {", strings.ToLower(ot.SingularLabel), n)
	writable := 0
	for _, f := range o.ordered {
		if f.Kind == Property && Writable(f.Property) {
			w.line("  %s: %s", f.Name, inputType(f))
			writable++
		}
	}
	if writable == 0 {
		w.line("  \"No property of this object type takes values.\"\n  _: Boolean")
	}
	w.line("}")
	w.line("\n\"A %s of an update batch and its values.\"\ninput %sUpdateInput {\n  id: ID!\n  values: %sInput!\n}", strings.ToLower(ot.SingularLabel), n, n)
}

var recordFieldTypes = map[string]string{"id": "ID!", "recordId": "String!", "displayName": "String!", "createdAt": "DateTime!",
	"updatedAt": "DateTime!", "archived": "Boolean!", "archivedAt": "DateTime"}

func propertyDescription(p *meta.Property) string {
	d := fmt.Sprintf("%s (%s", p.Label, p.Name)
	if p.Unique {
		d += ", unique"
	}
	if p.ReadOnlyValue {
		d += ", read-only"
	}
	d += ")."
	if p.Description != "" {
		d += " " + p.Description
	}
	return d
}

// scalarOf is the GraphQL type of one value of a property.
func scalarOf(f *Field) string {
	if f.Enum != nil {
		return f.Enum.Name
	}
	switch f.Property.Type {
	case propdef.Number:
		return "Float"
	case propdef.Bool:
		return "Boolean"
	case propdef.Date:
		return "Date"
	case propdef.DateTime:
		return "DateTime"
	case propdef.Owner:
		return "Owner"
	}
	return "String"
}

func outputType(f *Field) string {
	if f.Multi {
		return "[" + scalarOf(f) + "!]"
	}
	return scalarOf(f)
}

func inputType(f *Field) string {
	t := scalarOf(f)
	if t == "Owner" {
		t = "Int"
	}
	if f.Multi {
		return "[" + t + "!]"
	}
	return t
}

func filterType(f *Field) string {
	if f.Enum != nil {
		if f.Multi {
			return f.Enum.Name + "SetFilter"
		}
		return f.Enum.Name + "Filter"
	}
	switch f.Property.Type {
	case propdef.Number:
		return "FloatFilter"
	case propdef.Bool:
		return "BooleanFilter"
	case propdef.Date, propdef.DateTime:
		return "DateFilter"
	case propdef.Owner:
		return "OwnerFilter"
	}
	return "StringFilter"
}
