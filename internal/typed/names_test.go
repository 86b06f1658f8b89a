package typed_test

import (
	"reflect"
	"sort"
	"testing"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/typed"
)

// hostileType is an object type of the naming tests with its labels and
// properties (text ones when no type is given; a name when none is: every
// object type has properties).
func hostileType(id int, kind, name, label string, props ...*meta.Property) *meta.ObjectType {
	if len(props) == 0 {
		props = []*meta.Property{{Name: "name"}}
	}
	for i, p := range props {
		p.ID, p.ObjectTypeID, p.DisplayOrder = id*100+i, id, i
		if p.Label == "" {
			p.Label = p.Name
		}
		if p.Type == "" {
			p.Type, p.FieldType = propdef.String, propdef.Text
		}
	}
	return &meta.ObjectType{ID: id, Kind: kind, Name: name, SingularLabel: label, PluralLabel: label + "s", Properties: props}
}

func options(values ...string) []propdef.Option {
	var out []propdef.Option
	for i, v := range values {
		out = append(out, propdef.Option{Label: "option " + v, Value: v, DisplayOrder: i})
	}
	return out
}

func build(t *testing.T, types []*meta.ObjectType, assocs ...meta.AssociationTypeRow) *typed.Schema {
	t.Helper()
	s, err := typed.Build(meta.New(1, 1, types, assocs...))
	if err != nil {
		t.Fatalf("the typed schema does not build: %v", err)
	}
	return s
}

// objectNames answers, for each object type's API name, its type name
// and its list and get root fields.
func objectNames(s *typed.Schema) map[string][3]string {
	out := map[string][3]string{}
	for _, o := range s.Objects {
		out[o.Type.Name] = [3]string{o.Name, o.List, o.Get}
	}
	return out
}

// TestTypeNames: labels with spaces, punctuation, non-ASCII letters and
// leading digits; labels taking fixed types' names, each other's, and
// the names another type derives from its own (ContactConnection).
func TestTypeNames(t *testing.T) {
	s := build(t, []*meta.ObjectType{
		hostileType(1, "standard", "contacts", "Contact"),
		hostileType(2, "custom", "contact_connection", "Contact Connection"),
		hostileType(3, "custom", "line_items2", "line item: (v2)!"),
		hostileType(4, "custom", "ranking", "1st place"),
		hostileType(5, "custom", "cafe", "Café crème"),
		hostileType(6, "custom", "nihon", "日本"),
		hostileType(7, "custom", "queries", "Query"),
		hostileType(8, "custom", "owners_x", "Owner"),
		hostileType(9, "custom", "page_infos", "Page info"),
		hostileType(10, "custom", "node", "node"),
		hostileType(11, "custom", "strings", "String"),
		hostileType(12, "custom", "widgets", "Widget"),
		hostileType(13, "custom", "widgets_again", "widget"),
		hostileType(14, "custom", "item_errors", "Item"),
		hostileType(15, "custom", "Mutation", "__Schema"),
		hostileType(16, "custom", "gadget_filters", "Gadget Filter"),
		hostileType(17, "custom", "gadgets", "Gadget"),
		hostileType(18, "custom", "new_assoc", "New association"),
	})
	want := map[string][3]string{
		"contacts": {"Contact", "contacts", "contact"},
		// Contact's connection came first.
		"contact_connection": {"ContactConnection_2", "contact_connection", "contactConnection_2"},
		"line_items2":        {"LineItemV2", "line_items2", "lineItemV2"},
		"ranking":            {"_1stPlace", "ranking", "_1stPlace"},
		// Non-ASCII letters split words and are left out.
		"cafe": {"CafCrMe", "cafe", "cafCrMe"},
		// A label of no ASCII word: the type is named from its API name.
		"nihon":      {"Nihon", "nihon", "nihon_2"},
		"queries":    {"Query_2", "queries", "query_2"},
		"owners_x":   {"Owner_2", "owners_x", "owner_2"},
		"page_infos": {"PageInfo_2", "page_infos", "pageInfo_2"},
		// node is Query's own field.
		"node":          {"Node_2", "node_2", "node_2_2"},
		"strings":       {"String_2", "strings", "string_2"},
		"widgets":       {"Widget", "widgets", "widget"},
		"widgets_again": {"Widget_2", "widgets_again", "widget_2"},
		// ItemError, a fixed type, is not among Item's derived names.
		"item_errors": {"Item", "item_errors", "item"},
		"Mutation":    {"Schema", "Mutation", "schema"},
		// Gadget would bring GadgetFilter, taken before it.
		"gadget_filters": {"GadgetFilter", "gadget_filters", "gadgetFilter"},
		"gadgets":        {"Gadget_2", "gadgets", "gadget_2"},
		// NewAssociationInput is fixed.
		"new_assoc": {"NewAssociation_2", "new_assoc", "newAssociation_2"},
	}
	if got := objectNames(s); !reflect.DeepEqual(got, want) {
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s: got %v, want %v", name, got[name], w)
			}
		}
	}
	// A batch is named from the list field: ContactConnection_2's batch
	// is createContactConnection.
	for m, kind := range map[string]typed.RootKind{"createContactConnection_2": typed.Create, "createContactConnection": typed.CreateBatch,
		"createQuery_2": typed.Create, "createQueries": typed.CreateBatch, "createNode_2": typed.Create, "createNode2": typed.CreateBatch,
		"archiveWidget_2": typed.Archive, "archiveWidgetsAgain": typed.ArchiveBatch, "create_1stPlace": typed.Create, "createRanking": typed.CreateBatch,
		"createNihon": typed.Create, "createNihonBatch": typed.CreateBatch, "createSchema": typed.Create, "createMutation": typed.CreateBatch} {
		if r := s.Mutation[m]; r == nil || r.Kind != kind {
			t.Errorf("mutation %s: %+v, want kind %d among %v", m, r, kind, keys(s.Mutation))
		}
	}
}

// TestOptionNames: option values with spaces, leading digits, GraphQL's
// words, and values that sanitize to the same name or to nothing.
func TestOptionNames(t *testing.T) {
	s := build(t, []*meta.ObjectType{hostileType(1, "standard", "contacts", "Contact",
		&meta.Property{Name: "tier", Type: propdef.Enumeration, FieldType: propdef.Select, Options: options(
			"Big customer", "Big-customer", "Big customer!", "1-10", "10", "true", "false", "null", "True",
			"", "!!!", "-", "2", "__typename", "_", "é", "a\nb", "true_")},
		&meta.Property{Name: "connection", Type: propdef.Enumeration, FieldType: propdef.Checkbox, Options: options("x")},
	)})
	e := s.Objects["Contact"].Fields["tier"].Enum
	var got [][2]string
	for _, v := range e.Values {
		got = append(got, [2]string{v.Option.Value, v.Name})
	}
	want := [][2]string{
		{"Big customer", "Big_customer"}, {"Big-customer", "Big_customer_2"}, {"Big customer!", "Big_customer_"},
		{"1-10", "_1_10"}, {"10", "_10"}, {"true", "true_"}, {"false", "false_"}, {"null", "null_"}, {"True", "True"},
		// Nothing left: _, then _2, _3... (never __2: GraphQL keeps __).
		{"", "_"}, {"!!!", "_2"}, {"-", "_3"},
		// "2" would be _2, taken by then.
		{"2", "_2_2"},
		{"__typename", "_typename"}, {"_", "_4"}, {"é", "_5"}, {"a\nb", "a_b"}, {"true_", "true__2"},
	}
	if e.Name != "ContactTier" || !reflect.DeepEqual(got, want) {
		t.Errorf("enum %s:\ngot  %v\nwant %v", e.Name, got, want)
	}
	for _, v := range want {
		if opt, ok := e.OptionOf(v[1]); !ok || opt != v[0] {
			t.Errorf("OptionOf(%s) = %q, want %q", v[1], opt, v[0])
		}
		if name, ok := e.NameOf(v[0]); !ok || name != v[1] {
			t.Errorf("NameOf(%q) = %s, want %s", v[0], name, v[1])
		}
	}
	// ContactConnection is Contact's: the enum of connection takes the next.
	if e := s.Objects["Contact"].Fields["connection"].Enum; e.Name != "ContactConnection_2" || s.AST.Types["ContactConnection_2SetFilter"] == nil {
		t.Errorf("the enum of connection is %s", e.Name)
	}
}

// TestFieldNames: properties named as the fixed record fields, the
// filters' own fields, GraphQL's words, and association fields.
func TestFieldNames(t *testing.T) {
	s := build(t, []*meta.ObjectType{
		hostileType(1, "standard", "contacts", "Contact",
			&meta.Property{Name: "id"}, &meta.Property{Name: "archived"}, &meta.Property{Name: "and"}, &meta.Property{Name: "not"},
			&meta.Property{Name: "companies"}, &meta.Property{Name: "true"}, &meta.Property{Name: "null"}, &meta.Property{Name: "true_"},
			&meta.Property{Name: "id_2"}, &meta.Property{Name: "email"}),
		hostileType(2, "standard", "companies", "Company"),
	}, meta.AssociationTypeRow{ID: 1, FromObjectTypeID: 1, ToObjectTypeID: 2, InverseID: 2, Category: "standard"},
		meta.AssociationTypeRow{ID: 2, FromObjectTypeID: 2, ToObjectTypeID: 1, InverseID: 1, Category: "standard"})
	o := s.Objects["Contact"]
	var got []string
	for _, f := range o.Ordered() {
		got = append(got, f.Name)
	}
	want := []string{"id", "recordId", "displayName", "createdAt", "updatedAt", "archived", "archivedAt",
		"id_2", "archived_2", "and_2", "not_2", "companies",
		// Enum values may not be true, false or null, and every property is
		// a value of the SortField enum: the enum rule's trailing _.
		"true_", "null_", "true__2",
		// id_2 was taken by the property id.
		"id_2_2", "email",
		// The association after the property of the same name.
		"companies_2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Contact's fields:\ngot  %v\nwant %v", got, want)
	}
	for prop, field := range map[string]string{"id": "id_2", "archived": "archived_2", "and": "and_2", "true": "true_", "id_2": "id_2_2", "email": "email"} {
		if f, ok := o.FieldByProperty(prop); !ok || f.Name != field {
			t.Errorf("property %s: field %v, want %s", prop, f, field)
		}
	}
	if f := o.Fields["companies_2"]; f == nil || f.Kind != typed.Association || f.Target != s.Objects["Company"] {
		t.Errorf("companies_2 is %+v, want the association with companies", f)
	}
	sortField := s.AST.Types["ContactSortField"]
	var values []string
	for _, v := range sortField.EnumValues {
		values = append(values, v.Name)
	}
	if want := []string{"id_2", "archived_2", "and_2", "not_2", "companies", "true_", "null_", "true__2", "id_2_2", "email"}; !reflect.DeepEqual(values, want) {
		t.Errorf("ContactSortField: %v, want %v", values, want)
	}
	filter := s.AST.Types["ContactFilter"]
	for _, f := range []string{"and", "and_2", "not", "not_2", "id_2", "companies", "companies_2"} {
		if filter.Fields.ForName(f) == nil {
			t.Errorf("ContactFilter has no field %s", f)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
