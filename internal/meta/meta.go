// Package meta is the read model of a workspace's definitions: object types,
// their properties, groups and pipelines, loaded in one go and shared by
// validation, display names and the API. A Model is immutable; a change of
// definitions produces a new one (see Cache).
package meta

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acme/crm/internal/gid"

	"github.com/acme/crm/internal/layout"

	"github.com/acme/crm/internal/propdef"
)

// Model is every definition of one workspace at one schema version.
type Model struct {
	WorkspaceID int
	Version     int64
	ObjectTypes []*ObjectType // by kind, then name
	// AssociationTypes are every directional association type, by id.
	AssociationTypes []*AssociationType
	byName           map[string]*ObjectType
	byID             map[int]*ObjectType
	assocByID        map[int]*AssociationType
	lists            []*List
	listByID         map[int]*List
	owners           []*Owner
	ownerByID        map[int]*Owner
	teams            []*Team
	teamByID         map[int]*Team
	webhooks         []Webhook
}

// AssociationType is a kind of link from records of one object type to
// records of another: the unlabeled default (Label "") or a label.
type AssociationType struct {
	ID       int
	From     *ObjectType
	To       *ObjectType
	Label    string
	Category Category
	// Inverse is the type of the same link seen from the other side (a
	// type between one object type and itself may be its own inverse).
	Inverse *AssociationType
	// Limit is how many records of the other side one record may have
	// under this type; 0 means no limit.
	Limit int
}

// Category says who made an association type.
type Category string

// The categories, as stored.
const (
	Standard    Category = "standard"
	UserDefined Category = "user_defined"
)

// MarshalGQL writes the category as its GraphQL enum value.
func (c Category) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(strings.ToUpper(string(c))))
}

// UnmarshalGQL reads the category from its GraphQL enum value.
func (c *Category) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch Category(strings.ToLower(s)) {
	case Standard, UserDefined:
		*c = Category(strings.ToLower(s))
		return nil
	}
	return fmt.Errorf("%v is not an association category", v)
}

// GlobalID is the type's opaque global id.
func (at *AssociationType) GlobalID() string { return gid.Encode(gid.AssociationType, at.ID) }

// LabelOrNull is the label, nil for the unlabeled default.
func (at *AssociationType) LabelOrNull() *string {
	if at.Label == "" {
		return nil
	}
	return &at.Label
}

// LimitOrNull is the limit, nil when there is none.
func (at *AssociationType) LimitOrNull() *int {
	if at.Limit == 0 {
		return nil
	}
	return &at.Limit
}

// AssociationTypeByID returns the association type with id.
func (m *Model) AssociationTypeByID(id int) (*AssociationType, bool) {
	at, ok := m.assocByID[id]
	return at, ok
}

// AssociationTypesBetween returns the types from one object type to
// another, the unlabeled default first, then by label.
func (m *Model) AssociationTypesBetween(from, to *ObjectType) []*AssociationType {
	var out []*AssociationType
	for _, at := range m.AssociationTypes {
		if at.From == from && at.To == to {
			out = append(out, at)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// AssociationType returns the type from one object type to another with
// label ("" for the unlabeled default).
func (m *Model) AssociationType(from, to *ObjectType, label string) (*AssociationType, bool) {
	for _, at := range m.AssociationTypes {
		if at.From == from && at.To == to && at.Label == label {
			return at, true
		}
	}
	return nil, false
}

// ObjectType is a kind of record and its definitions.
type ObjectType struct {
	ID                         int
	Name                       string
	SingularLabel              string
	PluralLabel                string
	Kind                       string
	PrimaryDisplayProperty     string
	SecondaryDisplayProperties []string
	DisplayNameProperties      []string
	RequiredProperties         []string
	SearchableProperties       []string
	PipelineProperty           string
	StageProperty              string
	CreatedAt                  time.Time
	UpdatedAt                  time.Time
	Archived                   bool
	// Properties are live and archived definitions, by group order, display
	// order and name.
	Properties []*Property
	Groups     []*PropertyGroup
	Pipelines  []*Pipeline // by display order
	// Layout is the record page an admin set; nil for the default.
	Layout *layout.Layout
	// TeamLayouts are the record pages set for teams, by team id: a team's
	// owners read theirs in place of Layout.
	TeamLayouts map[int]*layout.Layout
	byName      map[string]*Property
}

// RecordLayout is the record page to show: the one an admin set, without
// the properties archived or deleted since, or a default made of the
// display properties and the live properties in group order.
func (o *ObjectType) RecordLayout() *layout.Layout { return o.RecordLayoutFor(nil) }

// RecordLayoutFor is the record page team reads (nil: no team): the
// team's own, when one was set, else RecordLayout's.
func (o *ObjectType) RecordLayoutFor(team *Team) *layout.Layout {
	live := func(name string) bool {
		p, ok := o.byName[name]
		return ok && !p.Archived
	}
	if team != nil && o.TeamLayouts[team.ID] != nil {
		return o.TeamLayouts[team.ID].Keep(live)
	}
	if o.Layout != nil {
		return o.Layout.Keep(live)
	}
	display := append([]string{}, o.PrimaryDisplayProperty)
	display = append(display, o.SecondaryDisplayProperties...)
	var about []string
	for _, p := range o.Properties {
		if !p.Archived && !p.Hidden {
			about = append(about, p.Name)
		}
	}
	l := &layout.Layout{
		Card:    []layout.Section{{Title: "About this " + strings.ToLower(o.SingularLabel), Properties: about}},
		Sidebar: []layout.Section{{Title: "Key information", Properties: display}},
		Preview: []layout.Section{{Title: o.SingularLabel, Properties: display}},
	}
	return l.Keep(live)
}

// PropertyGroup is a section of an object type's properties.
type PropertyGroup struct {
	ID           int
	Name         string
	Label        string
	DisplayOrder int
}

// Property is the definition of one property.
type Property struct {
	ID           int
	ObjectTypeID int
	Name         string
	Label        string
	Type         propdef.Type
	FieldType    propdef.FieldType
	Description  string
	Group        *PropertyGroup
	DisplayOrder int
	Options      []propdef.Option
	Unique       bool
	// Sortable asks for an index that orders the values (see
	// internal/indexes).
	Sortable           bool
	Hidden             bool
	ReadOnlyValue      bool
	ReadOnlyDefinition bool
	Archived           bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Pipeline is an ordered set of stages.
type Pipeline struct {
	ID           int
	Key          string
	Label        string
	DisplayOrder int
	Archived     bool
	Stages       []*Stage // by display order
}

// Stage is one step of a pipeline.
type Stage struct {
	ID           int
	Key          string
	Label        string
	DisplayOrder int
	Probability  *float64
	TicketState  *string
	Closed       bool
	Archived     bool
}

// ObjectType returns the live object type called name.
func (m *Model) ObjectType(name string) (*ObjectType, bool) {
	ot, ok := m.byName[name]
	if !ok || ot.Archived {
		return nil, false
	}
	return ot, true
}

// ObjectTypeByID returns the object type with id, archived or not.
func (m *Model) ObjectTypeByID(id int) (*ObjectType, bool) {
	ot, ok := m.byID[id]
	return ot, ok
}

// Property returns the definition called name, archived or not.
func (o *ObjectType) Property(name string) (*Property, bool) {
	p, ok := o.byName[name]
	return p, ok
}

// Pipeline returns the live pipeline whose key is key.
func (o *ObjectType) Pipeline(key string) (*Pipeline, bool) {
	for _, p := range o.Pipelines {
		if p.Key == key && !p.Archived {
			return p, true
		}
	}
	return nil, false
}

// Stage returns the live stage whose key is key.
func (p *Pipeline) Stage(key string) (*Stage, bool) {
	for _, s := range p.Stages {
		if s.Key == key && !s.Archived {
			return s, true
		}
	}
	return nil, false
}

// Required reports whether name must have a value.
func (o *ObjectType) Required(name string) bool {
	for _, r := range o.RequiredProperties {
		if r == name {
			return true
		}
	}
	return false
}

// Indexed reports whether the server keeps an index of p's values (see
// internal/indexes): p is live and sortable, unique or searchable.
func (o *ObjectType) Indexed(p *Property) bool {
	return !p.Archived && (p.Sortable || p.Unique || slices.Contains(o.SearchableProperties, p.Name))
}

// UniqueProperties are the live properties whose values are unique.
func (o *ObjectType) UniqueProperties() []*Property {
	var out []*Property
	for _, p := range o.Properties {
		if p.Unique && !p.Archived {
			out = append(out, p)
		}
	}
	return out
}

// New indexes loaded definitions and derives what is computed: the
// options of pipeline and stage properties come from the pipelines.
// Association types are linked to their object types and inverses by the
// ids in assocs; those whose object types are missing are left out.
func New(workspaceID int, version int64, types []*ObjectType, assocs ...AssociationTypeRow) *Model {
	m := &Model{WorkspaceID: workspaceID, Version: version, ObjectTypes: types,
		byName: make(map[string]*ObjectType, len(types)), byID: make(map[int]*ObjectType, len(types)),
		assocByID: make(map[int]*AssociationType, len(assocs))}
	kindOrder := map[string]int{"standard": 0, "engagement": 1, "custom": 2}
	sort.SliceStable(types, func(i, j int) bool {
		if kindOrder[types[i].Kind] != kindOrder[types[j].Kind] {
			return kindOrder[types[i].Kind] < kindOrder[types[j].Kind]
		}
		return types[i].ID < types[j].ID
	})
	for _, ot := range types {
		m.byName[ot.Name] = ot
		m.byID[ot.ID] = ot
		sortDefinitions(ot)
		ot.byName = make(map[string]*Property, len(ot.Properties))
		for _, p := range ot.Properties {
			ot.byName[p.Name] = p
		}
		if p, ok := ot.byName[ot.PipelineProperty]; ok {
			p.Options = pipelineOptions(ot.Pipelines)
		}
		if p, ok := ot.byName[ot.StageProperty]; ok {
			p.Options = stageOptions(ot.Pipelines)
		}
	}
	m.linkAssociationTypes(assocs)
	return m
}

func sortDefinitions(ot *ObjectType) {
	sort.SliceStable(ot.Groups, func(i, j int) bool {
		a, b := ot.Groups[i], ot.Groups[j]
		if a.DisplayOrder != b.DisplayOrder {
			return a.DisplayOrder < b.DisplayOrder
		}
		return a.Name < b.Name
	})
	groupOrder := func(g *PropertyGroup) int {
		if g == nil {
			return 1 << 30
		}
		return g.DisplayOrder
	}
	sort.SliceStable(ot.Properties, func(i, j int) bool {
		a, b := ot.Properties[i], ot.Properties[j]
		if ga, gb := groupOrder(a.Group), groupOrder(b.Group); ga != gb {
			return ga < gb
		}
		if a.DisplayOrder != b.DisplayOrder {
			return a.DisplayOrder < b.DisplayOrder
		}
		return a.Name < b.Name
	})
	sort.SliceStable(ot.Pipelines, func(i, j int) bool {
		a, b := ot.Pipelines[i], ot.Pipelines[j]
		if a.DisplayOrder != b.DisplayOrder {
			return a.DisplayOrder < b.DisplayOrder
		}
		return a.ID < b.ID
	})
	for _, p := range ot.Pipelines {
		sort.SliceStable(p.Stages, func(i, j int) bool {
			a, b := p.Stages[i], p.Stages[j]
			if a.DisplayOrder != b.DisplayOrder {
				return a.DisplayOrder < b.DisplayOrder
			}
			return a.ID < b.ID
		})
	}
}

func pipelineOptions(pipelines []*Pipeline) []propdef.Option {
	var opts []propdef.Option
	for i, p := range pipelines {
		opts = append(opts, propdef.Option{Label: p.Label, Value: p.Key, DisplayOrder: i, Hidden: p.Archived})
	}
	return opts
}

func stageOptions(pipelines []*Pipeline) []propdef.Option {
	var opts []propdef.Option
	for _, p := range pipelines {
		for _, s := range p.Stages {
			opts = append(opts, propdef.Option{Label: s.Label, Value: s.Key, Description: p.Label,
				DisplayOrder: len(opts), Hidden: s.Archived || p.Archived})
		}
	}
	return opts
}

// AssociationTypeRow is an association type as stored: by ids.
type AssociationTypeRow struct {
	ID, FromObjectTypeID, ToObjectTypeID, InverseID, Limit int
	Label, Category                                        string
}

func (m *Model) linkAssociationTypes(rows []AssociationTypeRow) {
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	for _, r := range rows {
		from, to := m.byID[r.FromObjectTypeID], m.byID[r.ToObjectTypeID]
		if from == nil || to == nil {
			continue
		}
		at := &AssociationType{ID: r.ID, From: from, To: to, Label: r.Label, Category: Category(r.Category), Limit: r.Limit}
		m.AssociationTypes = append(m.AssociationTypes, at)
		m.assocByID[r.ID] = at
	}
	for _, r := range rows {
		if at, ok := m.assocByID[r.ID]; ok {
			at.Inverse = m.assocByID[r.InverseID]
		}
	}
}

// PropertyByID returns the property with id, archived or not.
func (m *Model) PropertyByID(id int) (*Property, bool) {
	for _, ot := range m.ObjectTypes {
		for _, p := range ot.Properties {
			if p.ID == id {
				return p, true
			}
		}
	}
	return nil, false
}

// GroupByID returns the property group with id.
func (m *Model) GroupByID(id int) (*PropertyGroup, bool) {
	for _, ot := range m.ObjectTypes {
		for _, g := range ot.Groups {
			if g.ID == id {
				return g, true
			}
		}
	}
	return nil, false
}

// PipelineByID returns the pipeline with id and its object type.
func (m *Model) PipelineByID(id int) (*ObjectType, *Pipeline, bool) {
	for _, ot := range m.ObjectTypes {
		for _, p := range ot.Pipelines {
			if p.ID == id {
				return ot, p, true
			}
		}
	}
	return nil, nil, false
}

// StageByID returns the stage with id, its pipeline and object type.
func (m *Model) StageByID(id int) (*ObjectType, *Pipeline, *Stage, bool) {
	for _, ot := range m.ObjectTypes {
		for _, p := range ot.Pipelines {
			for _, st := range p.Stages {
				if st.ID == id {
					return ot, p, st, true
				}
			}
		}
	}
	return nil, nil, nil, false
}
