package importer

import (
	"slices"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
)

// Operation says what an import does with a row's record: CREATE makes a
// new one (a row matching an existing record fails), UPDATE writes an
// existing one (a row matching none fails), UPSERT either.
type Operation string

// The operations.
const (
	Create Operation = "CREATE"
	Update Operation = "UPDATE"
	Upsert Operation = "UPSERT"
)

// Column maps one column by hand: to Property of ObjectType, or, with
// Associate, to the unique Property of ObjectType whose record each row's
// record is associated with; Ignore leaves the column out.
type Column struct {
	Column     string `json:"column"`
	ObjectType string `json:"objectType,omitempty"`
	Property   string `json:"property,omitempty"`
	Associate  bool   `json:"associate,omitempty"`
	Ignore     bool   `json:"ignore,omitempty"`
}

// File is one file of an import and what to do with its rows.
type File struct {
	// Name is the file's name as sent; Path where the server keeps it.
	Name string `json:"name"`
	Path string `json:"path"`
	// ObjectTypes are the objects each row holds: the first is the row's
	// record, associated with those of the others.
	ObjectTypes []string  `json:"objectTypes"`
	Operation   Operation `json:"operation"`
	// IDProperty is the unique property rows are matched by (the first
	// object's); "" for its only one, or the record id column.
	IDProperty string   `json:"idProperty,omitempty"`
	Columns    []Column `json:"columns,omitempty"`
	// AssociationLabel labels the associations of a row's records.
	AssociationLabel string `json:"associationLabel,omitempty"`
	// Unmapped are the columns mapped to nothing, found at the start.
	Unmapped []string `json:"unmapped,omitempty"`
}

// Spec is what an import does.
type Spec struct {
	Files      []File     `json:"files"`
	DateFormat DateFormat `json:"dateFormat"`
	CreateList bool       `json:"createList,omitempty"`
}

// target is one object of a row: its columns and how to match its record.
type target struct {
	ot   *meta.ObjectType
	cols []mapped
	// key is the unique property the record is matched by, keyCol its
	// column; idCol is the record id column (-1: none).
	key    *meta.Property
	keyCol int
	idCol  int
	// named says an UPSERT row without a unique key matches a record by
	// its primary display value (key, at keyCol) and the records its
	// association columns name: see chooseKey.
	named bool
}

type mapped struct {
	col  int
	prop *meta.Property
}

// link is a column holding the unique value of a record to associate each
// row's first record with.
type link struct {
	col  int
	ot   *meta.ObjectType
	prop *meta.Property
}

// plan is how a file's rows are written.
type plan struct {
	file     *File
	header   []string
	targets  []*target
	links    []link
	labels   []string
	unmapped []string
}

// column names the record id column, as HubSpot's exports write it.
const recordIDColumn = "recordid"

// planFile maps the header of f onto its object types (m's): by hand where
// f.Columns says, else by property label or name, without case or spaces;
// a column matching a unique property of another object (by its label, or
// the object's singular label and the property's label: "Contact Email")
// associates each row's record with that record.
func planFile(m *meta.Model, f *File, header []string) (*plan, error) {
	p := &plan{file: f, header: header}
	if len(f.ObjectTypes) == 0 {
		return nil, apierr.Invalid("objectType", "%s: say which object its rows are (objectType)", f.Name)
	}
	for _, name := range f.ObjectTypes {
		ot, err := m.Lookup(name)
		if err != nil {
			return nil, err
		}
		p.targets = append(p.targets, &target{ot: ot, keyCol: -1, idCol: -1})
	}
	if f.AssociationLabel != "" {
		p.labels = []string{f.AssociationLabel}
	}
	byHand := map[string]Column{}
	for _, c := range f.Columns {
		if !slices.ContainsFunc(header, func(h string) bool { return normal(h) == normal(c.Column) }) {
			return nil, apierr.Invalid("columns", "%s has no column %q", f.Name, c.Column)
		}
		byHand[normal(c.Column)] = c
	}
	for i, h := range header {
		c, given := byHand[normal(h)]
		var err error
		switch {
		case given && c.Ignore:
		case given:
			err = p.mapByHand(m, i, c)
		case normal(h) == recordIDColumn:
			p.targets[0].idCol = i
		default:
			if !p.mapAuto(m, i, h) {
				p.unmapped = append(p.unmapped, h)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	for i, t := range p.targets {
		if err := p.chooseKey(t, i == 0); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *plan) targetOf(ot *meta.ObjectType) *target {
	for _, t := range p.targets {
		if t.ot == ot {
			return t
		}
	}
	return nil
}

func (p *plan) mapByHand(m *meta.Model, col int, c Column) error {
	ot := p.targets[0].ot
	if c.ObjectType != "" {
		var err error
		if ot, err = m.Lookup(c.ObjectType); err != nil {
			return err
		}
	}
	prop, ok := ot.Property(c.Property)
	if !ok || prop.Archived {
		return apierr.Invalid("columns", "column %q: %s has no property %q", c.Column, ot.Name, c.Property)
	}
	if c.Associate {
		if !prop.Unique {
			return apierr.Invalid("columns", "column %q: %s.%s is not unique: it cannot say which record to associate", c.Column, ot.Name, prop.Name)
		}
		p.links = append(p.links, link{col: col, ot: ot, prop: prop})
		return nil
	}
	t := p.targetOf(ot)
	if t == nil {
		return apierr.Invalid("columns", "column %q: %s is not an object of %s", c.Column, ot.Name, p.file.Name)
	}
	t.cols = append(t.cols, mapped{col: col, prop: prop})
	return nil
}

// mapAuto maps column col, named h, to a property of the file's objects
// (by its name, its label, or the object's label and its label, as
// HubSpot's exports name them: "Contact owner") or to an association, and
// reports whether it could.
func (p *plan) mapAuto(m *meta.Model, col int, h string) bool {
	n := normal(h)
	var best *target
	var bestProp *meta.Property
	for _, t := range p.targets {
		for _, prop := range t.ot.Properties {
			if prop.Archived || prop.ReadOnlyValue || (normal(prop.Label) != n && normal(prop.Name) != n && normal(t.ot.SingularLabel+prop.Label) != n) {
				continue
			}
			// Between objects, the one whose name or key it is wins:
			// "Company name" is the company's name, not the contact's
			// company property.
			if best == nil || (prop.Name == t.ot.PrimaryDisplayProperty || prop.Unique) && !(bestProp.Name == best.ot.PrimaryDisplayProperty || bestProp.Unique) {
				best, bestProp = t, prop
			}
		}
	}
	if best != nil {
		best.cols = append(best.cols, mapped{col: col, prop: bestProp})
		return true
	}
	for _, ot := range m.ObjectTypes {
		if p.targetOf(ot) != nil {
			continue
		}
		for _, prop := range ot.UniqueProperties() {
			if n == normal(prop.Label) || n == normal(ot.SingularLabel+prop.Label) || n == normal(ot.SingularLabel+prop.Name) {
				p.links = append(p.links, link{col: col, ot: ot, prop: prop})
				return true
			}
		}
	}
	return false
}

// chooseKey picks the property t's records are matched by: the file's
// idProperty for the first object, else its only unique property when a
// column holds it.
func (p *plan) chooseKey(t *target, first bool) error {
	if first && p.file.IDProperty != "" {
		for _, c := range t.cols {
			if c.prop.Name == p.file.IDProperty {
				if !c.prop.Unique {
					return apierr.Invalid("idProperty", "%s.%s is not unique: rows cannot be matched by it", t.ot.Name, c.prop.Name)
				}
				t.key, t.keyCol = c.prop, c.col
				return nil
			}
		}
		return apierr.Invalid("idProperty", "%s: no column holds %s.%s to match rows by", p.file.Name, t.ot.Name, p.file.IDProperty)
	}
	unique := t.ot.UniqueProperties()
	for _, c := range t.cols {
		if len(unique) == 1 && c.prop == unique[0] {
			t.key, t.keyCol = c.prop, c.col
		}
	}
	// An object matched by no unique value (deals) is matched, on UPSERT,
	// by its name and the records the row associates it with: a deal of
	// deals.csv imported again is the deal of that name of that company
	// and contact.
	if first && t.key == nil && len(p.links) > 0 && p.file.Operation == Upsert {
		for _, c := range t.cols {
			if c.prop.Name == t.ot.PrimaryDisplayProperty {
				t.key, t.keyCol, t.named = c.prop, c.col, true
			}
		}
	}
	if first && t.key == nil && t.idCol < 0 && p.file.Operation == Update {
		return apierr.Invalid("operation", "%s: UPDATE matches rows by a record id column or a unique property, and no column holds one", p.file.Name)
	}
	return nil
}

// creates reports whether rows of the file may be created together
// (records.CreateNewIn, CopyNewIn): rows of one object matched by its
// unique key, without associations, that the operation may create.
func (p *plan) creates() bool {
	t := p.targets[0]
	return len(p.targets) == 1 && len(p.links) == 0 && p.file.Operation != Update && t.key != nil
}
