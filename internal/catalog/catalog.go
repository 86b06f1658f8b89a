// Package catalog owns the standard catalog every workspace starts with: the
// standard object types (contacts, companies, deals, tickets) and engagement
// object types (notes, calls, emails, meetings, tasks), their property groups,
// properties, pipelines and association types. The catalog is data, in
// catalog.json; Seed writes whatever of it a workspace lacks.
//
// Everything the catalog defines belongs to it: Seed marks its properties
// read_only_definition and its association types category "standard".
package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/ent/pipelinestage"
	"github.com/acme/crm/internal/propdef"
)

//go:embed catalog.json
var catalogJSON []byte

// standard is parsed once: the embedded data cannot change, and a broken
// catalog must stop the program before it seeds anything.
var standard = mustParse(catalogJSON)

// Standard returns the standard catalog. It is shared by every caller, so it
// must not be modified.
func Standard() *Catalog { return standard }

// Catalog is a set of object types and the association types between them.
// Display orders are listing order: Parse assigns them.
type Catalog struct {
	ObjectTypes      []ObjectType
	AssociationTypes []AssociationType
	// CommonProperties are the properties every object type has, custom
	// ones too (hs_object_id, createdate, lastmodifieddate).
	CommonProperties []Property
}

// ObjectType is the definition of one kind of record.
type ObjectType struct {
	Name                       string          `json:"name"`
	SingularLabel              string          `json:"singularLabel"`
	PluralLabel                string          `json:"pluralLabel"`
	Kind                       objecttype.Kind `json:"kind"`
	PrimaryDisplayProperty     string          `json:"primaryDisplayProperty"`
	SecondaryDisplayProperties []string        `json:"secondaryDisplayProperties"`
	DisplayNameProperties      []string        `json:"displayNameProperties"`
	RequiredProperties         []string        `json:"requiredProperties"`
	SearchableProperties       []string        `json:"searchableProperties"`
	PipelineProperty           string          `json:"pipelineProperty"`
	StageProperty              string          `json:"stageProperty"`
	Groups                     []Group         `json:"groups"`
	Properties                 []Property      `json:"properties"`
	Pipelines                  []Pipeline      `json:"pipelines"`
}

// Group is a property group of an object type.
type Group struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"-"`
}

// Property is a property definition. Group, when empty in the data, is the
// object type's first group.
type Property struct {
	Name           string            `json:"name"`
	Label          string            `json:"label"`
	Type           propdef.Type      `json:"type"`
	FieldType      propdef.FieldType `json:"fieldType"`
	Description    string            `json:"description"`
	Group          string            `json:"group"`
	Options        []propdef.Option  `json:"options"`
	HasUniqueValue bool              `json:"hasUniqueValue"`
	Sortable       bool              `json:"sortable"`
	Hidden         bool              `json:"hidden"`
	ReadOnlyValue  bool              `json:"readOnlyValue"`
	DisplayOrder   int               `json:"-"`
}

// Pipeline is a pipeline of an object type; Key is the value records hold.
type Pipeline struct {
	Key          string  `json:"key"`
	Label        string  `json:"label"`
	Stages       []Stage `json:"stages"`
	DisplayOrder int     `json:"-"`
}

// Stage is a stage of a pipeline; Key is the value records hold.
type Stage struct {
	Key          string                    `json:"key"`
	Label        string                    `json:"label"`
	Probability  *float64                  `json:"probability"`
	TicketState  pipelinestage.TicketState `json:"ticketState"`
	Closed       bool                      `json:"closed"`
	DisplayOrder int                       `json:"-"`
}

// AssociationType is one direction of a link between two object types. Its
// inverse is the To->From type labelled InverseLabel; the unlabeled default
// (Label "") pairs with the reverse default.
type AssociationType struct {
	From            string
	To              string
	Label           string
	InverseLabel    string
	MaxAssociations *int
}

// document is catalog.json. Properties every object type has are listed
// once, and association types as rules, so the data stays short enough to
// review.
type document struct {
	CommonProperties []Property   `json:"commonProperties"`
	ObjectTypes      []ObjectType `json:"objectTypes"`
	AssociationTypes struct {
		// Unlabeled makes the default, both ways, between every object type
		// in Between and every one in And.
		Unlabeled []struct {
			Between []string `json:"between"`
			And     []string `json:"and"`
		} `json:"unlabeled"`
		// Labeled makes From->To Label and its inverse To->From InverseLabel.
		Labeled []struct {
			From            string `json:"from"`
			To              string `json:"to"`
			Label           string `json:"label"`
			InverseLabel    string `json:"inverseLabel"`
			MaxAssociations *int   `json:"maxAssociations"`
		} `json:"labeled"`
	} `json:"associationTypes"`
}

// Parse reads a catalog in the format of catalog.json and checks that it is
// consistent: valid names and type pairs, no duplicates, and every property,
// group and object type it refers to defined.
func Parse(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc document
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	c := &Catalog{ObjectTypes: doc.ObjectTypes, CommonProperties: doc.CommonProperties}
	names := map[string]bool{}
	for i := range c.ObjectTypes {
		ot := &c.ObjectTypes[i]
		ot.Properties = append(ot.Properties, doc.CommonProperties...)
		if err := ot.complete(); err != nil {
			return nil, fmt.Errorf("parse catalog: object type %q: %w", ot.Name, err)
		}
		if names[ot.Name] {
			return nil, fmt.Errorf("parse catalog: object type %q defined twice", ot.Name)
		}
		names[ot.Name] = true
	}
	if err := c.expandAssociations(&doc, names); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	return c, nil
}

func mustParse(data []byte) *Catalog {
	c, err := Parse(data)
	if err != nil {
		panic(err)
	}
	return c
}

// complete assigns display orders and default groups, and checks the object
// type.
func (ot *ObjectType) complete() error {
	if !propdef.ValidName(ot.Name) {
		return errors.New("name is not lower snake case")
	}
	if ot.SingularLabel == "" || ot.PluralLabel == "" {
		return errors.New("singular or plural label missing")
	}
	if err := objecttype.KindValidator(ot.Kind); err != nil {
		return err
	}
	if len(ot.Groups) == 0 {
		return errors.New("no property group")
	}
	groups := map[string]bool{}
	for i := range ot.Groups {
		g := &ot.Groups[i]
		if !propdef.ValidName(g.Name) || g.Label == "" || groups[g.Name] {
			return fmt.Errorf("group %q: invalid or duplicate name, or no label", g.Name)
		}
		groups[g.Name] = true
		g.DisplayOrder = i
	}
	props := map[string]bool{}
	for i := range ot.Properties {
		p := &ot.Properties[i]
		if p.Group == "" {
			p.Group = ot.Groups[0].Name
		}
		if err := p.complete(groups); err != nil {
			return fmt.Errorf("property %q: %w", p.Name, err)
		}
		if props[p.Name] {
			return fmt.Errorf("property %q defined twice", p.Name)
		}
		props[p.Name] = true
		p.DisplayOrder = i
	}
	refs := append([]string{ot.PrimaryDisplayProperty}, ot.SecondaryDisplayProperties...)
	refs = append(refs, ot.DisplayNameProperties...)
	refs = append(refs, ot.RequiredProperties...)
	refs = append(refs, ot.SearchableProperties...)
	if len(ot.Pipelines) > 0 || ot.PipelineProperty != "" || ot.StageProperty != "" {
		refs = append(refs, ot.PipelineProperty, ot.StageProperty)
	}
	for _, name := range refs {
		if !props[name] {
			return fmt.Errorf("refers to undefined property %q", name)
		}
	}
	keys := map[string]bool{}
	for i := range ot.Pipelines {
		pl := &ot.Pipelines[i]
		if err := pl.complete(); err != nil {
			return fmt.Errorf("pipeline %q: %w", pl.Key, err)
		}
		if keys[pl.Key] {
			return fmt.Errorf("pipeline %q defined twice", pl.Key)
		}
		keys[pl.Key] = true
		pl.DisplayOrder = i
	}
	return nil
}

func (p *Property) complete(groups map[string]bool) error {
	switch {
	case !propdef.ValidName(p.Name):
		return errors.New("name is not lower snake case")
	case p.Label == "":
		return errors.New("no label")
	case !propdef.ValidPair(p.Type, p.FieldType):
		return fmt.Errorf("type %q cannot use field type %q", p.Type, p.FieldType)
	case !groups[p.Group]:
		return fmt.Errorf("undefined group %q", p.Group)
	case len(p.Options) > 0 && p.Type != propdef.Enumeration:
		return errors.New("options on a property that is not an enumeration")
	}
	values := map[string]bool{}
	for i := range p.Options {
		o := &p.Options[i]
		if o.Value == "" || o.Label == "" || values[o.Value] {
			return fmt.Errorf("option %q: empty or duplicate value, or no label", o.Value)
		}
		values[o.Value] = true
		o.DisplayOrder = i
	}
	return nil
}

func (pl *Pipeline) complete() error {
	if pl.Key == "" || pl.Label == "" || len(pl.Stages) == 0 {
		return errors.New("no key, label or stages")
	}
	keys := map[string]bool{}
	for i := range pl.Stages {
		s := &pl.Stages[i]
		if s.Key == "" || s.Label == "" || keys[s.Key] {
			return fmt.Errorf("stage %q: empty or duplicate key, or no label", s.Key)
		}
		if s.Probability != nil && (*s.Probability < 0 || *s.Probability > 1) {
			return fmt.Errorf("stage %q: probability outside 0-1", s.Key)
		}
		if s.TicketState != "" {
			if err := pipelinestage.TicketStateValidator(s.TicketState); err != nil {
				return fmt.Errorf("stage %q: %w", s.Key, err)
			}
		}
		keys[s.Key] = true
		s.DisplayOrder = i
	}
	return nil
}

type assocKey struct{ from, to, label string }

func (c *Catalog) expandAssociations(doc *document, objectTypes map[string]bool) error {
	seen := map[assocKey]bool{}
	add := func(at AssociationType) error {
		for _, name := range []string{at.From, at.To} {
			if !objectTypes[name] {
				return fmt.Errorf("association type %s->%s: undefined object type %q", at.From, at.To, name)
			}
		}
		k := assocKey{at.From, at.To, at.Label}
		if seen[k] {
			return fmt.Errorf("association type %s->%s %q defined twice", at.From, at.To, at.Label)
		}
		seen[k] = true
		c.AssociationTypes = append(c.AssociationTypes, at)
		return nil
	}
	for _, rule := range doc.AssociationTypes.Unlabeled {
		for _, a := range rule.Between {
			for _, b := range rule.And {
				// Rules overlap by design (Between and And may share object
				// types), so a pair already made is no error here.
				for _, at := range []AssociationType{{From: a, To: b}, {From: b, To: a}} {
					if seen[assocKey{at.From, at.To, ""}] {
						continue
					}
					if err := add(at); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, rule := range doc.AssociationTypes.Labeled {
		if rule.Label == "" || rule.InverseLabel == "" {
			return fmt.Errorf("labeled association type %s->%s: label and inverse label are required", rule.From, rule.To)
		}
		// An unlabeled association always exists beside a labeled one.
		if !seen[assocKey{rule.From, rule.To, ""}] {
			return fmt.Errorf("labeled association type %s->%s %q: no unlabeled default for the pair", rule.From, rule.To, rule.Label)
		}
		err := add(AssociationType{From: rule.From, To: rule.To, Label: rule.Label, InverseLabel: rule.InverseLabel, MaxAssociations: rule.MaxAssociations})
		if err != nil {
			return err
		}
		// A same-type label that is its own inverse is one row, not two.
		if rule.From == rule.To && rule.Label == rule.InverseLabel {
			continue
		}
		if err := add(AssociationType{From: rule.To, To: rule.From, Label: rule.InverseLabel, InverseLabel: rule.Label}); err != nil {
			return err
		}
	}
	return nil
}
