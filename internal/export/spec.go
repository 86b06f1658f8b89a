// Package export owns CSV exports of an object type's records: what an
// export holds (a Spec, checked against the definitions before anything is
// stored), the one function that writes a spec's CSV to a writer, page by
// page in constant memory, the exports kept for download and their HTTP
// handler, and the crm export command. An exported file imports back
// unchanged: headers are property labels, cells the values as stored.
package export

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/search"
)

// Headers says what the header row names a column by.
type Headers string

// The header styles.
const (
	// Labels heads each column with its property's label ("Record ID",
	// "First Name"), as HubSpot's exports do and imports map.
	Labels Headers = "LABELS"
	// Names heads each column with its property's name (hs_object_id,
	// firstname).
	Names Headers = "NAMES"
)

// Enumerations says how enumeration cells are written.
type Enumerations string

// The styles of enumeration cells.
const (
	// Values writes option values, as stored: the file imports back
	// unchanged.
	Values Enumerations = "VALUES"
	// OptionLabels writes the options' labels, for people to read.
	OptionLabels Enumerations = "LABELS"
)

// Spec is what an export writes: an object type's records kept by a view,
// a list and a filter (all that are given), in an order, as columns.
type Spec struct {
	ObjectType string `json:"objectType"`
	// View and List are ids (0 for none). The view's filter and the
	// Filter both apply; Sort, when given, replaces the view's.
	View   int            `json:"view,omitempty"`
	List   int            `json:"list,omitempty"`
	Filter *search.Filter `json:"filter,omitempty"`
	Sort   []search.Sort  `json:"sort,omitempty"`
	// Properties are the columns after the record id, in order; none means
	// the object type's properties that are not hidden.
	Properties []string `json:"properties,omitempty"`
	// Associations are object types whose associated record ids and
	// names each get two columns.
	Associations []string     `json:"associations,omitempty"`
	Headers      Headers      `json:"headers,omitempty"`
	Enumerations Enumerations `json:"enumerations,omitempty"`
}

// encode is the spec as an export stores it.
func (s Spec) encode() (json.RawMessage, error) { return json.Marshal(s) }

// decodeSpec reads a stored spec; its filter is parsed as a request's is.
func decodeSpec(raw []byte) (Spec, error) {
	var stored struct {
		Spec
		Filter any `json:"filter,omitempty"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&stored); err != nil {
		return Spec{}, fmt.Errorf("decode an export's spec: %w", err)
	}
	s := stored.Spec
	var err error
	s.Filter, err = search.Parse(stored.Filter, "filter")
	return s, err
}

// column is one column of an export.
type column struct {
	header string
	// property is the property whose values the column holds; nil for the
	// associated ids or names of assoc.
	property *meta.Property
	assoc    *meta.ObjectType
	names    bool
}

// plan is a spec checked against the definitions: the query of the
// records, the list they are read from (nil for none) and the columns.
type plan struct {
	spec    Spec
	ot      *meta.ObjectType
	query   records.Query
	list    *meta.List
	columns []column
	linked  []*meta.ObjectType
}

// recordID is the property of the first column, HubSpot's "Record ID".
const recordID = "hs_object_id"

// layout checks the spec's properties and associations and lays out the
// columns: the record id, the properties, then the ids and names of each
// associated object type.
func (p *plan) layout(m *meta.Model) error {
	names := p.spec.Properties
	if len(names) == 0 {
		for _, def := range p.ot.Properties {
			if !def.Hidden && !def.Archived && def.Name != recordID {
				names = append(names, def.Name)
			}
		}
	}
	idDef, ok := p.ot.Property(recordID)
	if !ok {
		return fmt.Errorf("export: %s has no %s property", p.ot.Name, recordID)
	}
	p.columns = []column{{header: p.header(idDef.Label, idDef.Name), property: idDef}}
	seen := map[string]bool{recordID: true}
	for i, name := range names {
		path := fmt.Sprintf("properties[%d]", i)
		def, ok := p.ot.Property(name)
		switch {
		case !ok:
			return invalid(path, name, "%s has no property %q", p.ot.Name, name)
		case def.Archived:
			return invalid(path, name, "property %q of %s is archived", name, p.ot.Name)
		case seen[name]:
			return invalid(path, name, "property %q is exported once: it is listed twice, or is the record id, which comes first", name)
		}
		seen[name] = true
		p.columns = append(p.columns, column{header: p.header(def.Label, def.Name), property: def})
	}
	linked := map[string]bool{}
	for i, name := range p.spec.Associations {
		path := fmt.Sprintf("associations[%d]", i)
		to, ok := m.ObjectType(name)
		switch {
		case !ok:
			return invalid(path, "", "no object type %q", name)
		case len(m.AssociationTypesBetween(p.ot, to)) == 0:
			return invalid(path, "", "records of %s are not associated with records of %s", p.ot.Name, name)
		case linked[name]:
			return invalid(path, "", "associations list %q twice", name)
		}
		linked[name] = true
		p.linked = append(p.linked, to)
		p.columns = append(p.columns,
			column{header: p.header("Associated "+to.SingularLabel+" IDs", "associated_"+to.Name+"_ids"), assoc: to},
			column{header: p.header("Associated "+to.SingularLabel+" names", "associated_"+to.Name+"_names"), assoc: to, names: true})
	}
	return nil
}

func (p *plan) header(label, name string) string {
	if p.spec.Headers == Names {
		return name
	}
	return label
}

// invalid refuses the part of the spec at path (relative to the input).
func invalid(path, property, format string, args ...any) error {
	e := apierr.Invalid(property, format, args...)
	e.Path = path
	return e
}
