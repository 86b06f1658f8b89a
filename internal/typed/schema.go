package typed

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
)

// Schema is a workspace's typed schema at one schema version.
type Schema struct {
	Model *meta.Model
	// SDL is the schema's text; AST the same, parsed and checked.
	SDL string
	AST *ast.Schema
	// Objects are the record types by GraphQL type name.
	Objects map[string]*Object
	// Roots are the fields of Query and Mutation by name.
	Query    map[string]*Root
	Mutation map[string]*Root
	// Enums are the enums of options by GraphQL type name.
	Enums map[string]*Enum
	// byObjectType finds the Object of an object type by its API name.
	byObjectType map[string]*Object
	// filters finds the Object of a <T>Filter input.
	filters map[string]*Object
	// mutations and enums are in the order they were made.
	mutations []string
	enums     []*Enum
}

// FieldKind says what a field of a record type answers.
type FieldKind int

// The kinds of fields of a record type.
const (
	// Fixed fields are the generic Record's field of the same name.
	Fixed FieldKind = iota
	// Property fields answer one property's value.
	Property
	// Association fields page the associated records of one object type.
	Association
)

// Object is the GraphQL type of one object type's records.
type Object struct {
	Type *meta.ObjectType
	Name string
	// List and Get are its root fields (contacts, contact).
	List, Get string
	// Fields are its fields by name, in the order of the SDL.
	Fields  map[string]*Field
	ordered []*Field
	// byProperty finds a property's field name.
	byProperty map[string]string
}

// Field is a field of a record type (or of its filter: the same names).
type Field struct {
	Name     string
	Kind     FieldKind
	Property *meta.Property
	// Enum is the enum of an enumeration property's options.
	Enum *Enum
	// Multi is true for a multi-select property (a list of Enum).
	Multi bool
	// Target is the associated records' type of an Association field.
	Target *Object
}

// Enum is the enum of one property's options.
type Enum struct {
	Name string
	// Values are the enum values in option order, with the option value
	// each stands for.
	Values  []EnumValue
	byName  map[string]string
	byValue map[string]string
}

// EnumValue is one option as an enum value.
type EnumValue struct {
	Name   string
	Option propdef.Option
}

// OptionOf answers the option value an enum value stands for.
func (e *Enum) OptionOf(name string) (string, bool) {
	v, ok := e.byName[name]
	return v, ok
}

// NameOf answers the enum value standing for an option value.
func (e *Enum) NameOf(value string) (string, bool) {
	n, ok := e.byValue[value]
	return n, ok
}

// RootKind says what a root field does.
type RootKind int

// The root fields of a record type.
const (
	List RootKind = iota
	Get
	Create
	Update
	Archive
	Restore
	CreateBatch
	UpdateBatch
	UpsertBatch
	ArchiveBatch
)

// Root is a field of Query or Mutation.
type Root struct {
	Kind   RootKind
	Object *Object
	// Unique is the property an UpsertBatch matches on.
	Unique *meta.Property
}

// Ordered are the fields in the order of the SDL.
func (o *Object) Ordered() []*Field { return o.ordered }

// FieldByProperty answers the field of property name.
func (o *Object) FieldByProperty(name string) (*Field, bool) {
	f, ok := o.Fields[o.byProperty[name]]
	return f, ok && f.Kind == Property
}

// ObjectOf answers the GraphQL type of an object type's records.
func (s *Schema) ObjectOf(objectType string) (*Object, bool) {
	o, ok := s.byObjectType[objectType]
	return o, ok
}

// FilterOf answers the record type a <T>Filter input filters.
func (s *Schema) FilterOf(input string) (*Object, bool) {
	o, ok := s.filters[input]
	return o, ok
}

// recordFields are the fields every record type has, the generic
// Record's of the same names.
var recordFields = []string{"id", "recordId", "displayName", "createdAt", "updatedAt", "archived", "archivedAt"}

// filterFields are the fields every filter has beside the properties'.
var filterFields = []string{"and", "or", "not", "inList", "notInList"}

// typeSuffixes are the names each record type T brings beside T.
var typeSuffixes = []string{"Connection", "Edge", "AssociationConnection", "AssociationEdge", "Filter", "AssociationFilter",
	"Sort", "SortField", "Input", "UpdateInput", "Payload", "BatchPayload", "BatchResult"}

// Build makes m's typed schema.
func Build(m *meta.Model) (*Schema, error) {
	s := &Schema{Model: m, Objects: map[string]*Object{}, Query: map[string]*Root{}, Mutation: map[string]*Root{},
		Enums: map[string]*Enum{}, byObjectType: map[string]*Object{}, filters: map[string]*Object{}}
	types := names{}
	for _, n := range fixedTypes {
		types[n] = true
	}
	query, mutation := names{"node": true}, names{}
	var live []*meta.ObjectType
	for _, ot := range m.ObjectTypes {
		if !ot.Archived {
			live = append(live, ot)
		}
	}
	for _, ot := range live {
		base := pascal(ot.SingularLabel)
		if base == "_" {
			base = pascal(ot.Name)
		}
		name := base
		for i := 2; !types.free(withSuffixes(name)...); i++ {
			name = fmt.Sprintf("%s_%d", base, i)
		}
		for _, n := range withSuffixes(name) {
			types[n] = true
		}
		o := &Object{Type: ot, Name: name, Fields: map[string]*Field{}, byProperty: map[string]string{}}
		o.List = query.claim(leading(ot.Name))
		o.Get = query.claim(strings.ToLower(name[:1]) + name[1:])
		s.Objects[name] = o
		s.byObjectType[ot.Name] = o
		s.filters[name+"Filter"] = o
	}
	for _, ot := range live {
		o := s.byObjectType[ot.Name]
		fields := names{}
		for _, f := range append(append([]string{}, recordFields...), filterFields...) {
			fields[f] = true
		}
		for _, f := range recordFields {
			o.add(&Field{Name: f, Kind: Fixed})
		}
		for _, p := range ot.Properties {
			if p.Archived {
				continue
			}
			f := &Field{Name: fields.claim(enumValue(p.Name)), Kind: Property, Property: p}
			f.Multi = propdef.MultiValued(p.Type, p.FieldType)
			if p.Type == propdef.Enumeration && len(p.Options) > 0 {
				f.Enum = s.enum(types, o.Name+pascal(p.Name), p.Options)
			}
			o.byProperty[p.Name] = f.Name
			o.add(f)
		}
		for _, target := range live {
			if len(m.AssociationTypesBetween(ot, target)) == 0 {
				continue
			}
			o.add(&Field{Name: fields.claim(s.byObjectType[target.Name].List), Kind: Association, Target: s.byObjectType[target.Name]})
		}
	}
	for _, ot := range live {
		o := s.byObjectType[ot.Name]
		s.Query[o.List] = &Root{Kind: List, Object: o}
		s.Query[o.Get] = &Root{Kind: Get, Object: o}
		plural := pascal(o.List)
		if plural == o.Name {
			plural += "Batch"
		}
		for _, r := range []struct {
			name string
			kind RootKind
		}{{"create" + o.Name, Create}, {"update" + o.Name, Update}, {"archive" + o.Name, Archive}, {"restore" + o.Name, Restore},
			{"create" + plural, CreateBatch}, {"update" + plural, UpdateBatch}, {"archive" + plural, ArchiveBatch}} {
			s.addMutation(mutation.claim(r.name), &Root{Kind: r.kind, Object: o})
		}
		for _, p := range ot.UniqueProperties() {
			s.addMutation(mutation.claim("upsert"+plural+"By"+pascal(p.Name)), &Root{Kind: UpsertBatch, Object: o, Unique: p})
		}
	}
	s.SDL = s.write(live)
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "typed.graphqls", Input: s.SDL})
	if err != nil {
		return nil, fmt.Errorf("typed schema of workspace %d at version %d: %w", m.WorkspaceID, m.Version, err)
	}
	s.AST = schema
	return s, nil
}

func (s *Schema) addMutation(name string, r *Root) {
	s.Mutation[name] = r
	s.mutations = append(s.mutations, name)
}

func withSuffixes(name string) []string {
	out := []string{name}
	for _, s := range typeSuffixes {
		out = append(out, name+s)
	}
	return out
}

func (o *Object) add(f *Field) {
	o.Fields[f.Name] = f
	o.ordered = append(o.ordered, f)
}

// enum makes the enum of options, named name or name_2...
func (s *Schema) enum(types names, name string, options []propdef.Option) *Enum {
	base := name
	for i := 2; !types.free(name, name+"Filter", name+"SetFilter"); i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	types[name], types[name+"Filter"], types[name+"SetFilter"] = true, true, true
	e := &Enum{Name: name, byName: map[string]string{}, byValue: map[string]string{}}
	values := names{}
	for _, opt := range options {
		v := values.claim(enumValue(opt.Value))
		e.Values = append(e.Values, EnumValue{Name: v, Option: opt})
		e.byName[v] = opt.Value
		e.byValue[opt.Value] = v
	}
	s.Enums[e.Name] = e
	s.enums = append(s.enums, e)
	return e
}

// Writable reports whether a property is in the write inputs: a live
// property whose value clients set.
func Writable(p *meta.Property) bool { return !p.Archived && !p.ReadOnlyValue }
