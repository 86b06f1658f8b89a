package graph_test

import (
	"testing"
)

type layoutJSON struct {
	Card, Sidebar, Preview []struct {
		Title      string
		Properties []string
	}
}

func (a *api) layoutOf(objectType string) layoutJSON {
	a.t.Helper()
	var out struct {
		ObjectType struct{ Layout layoutJSON }
	}
	a.ok(`query($t: String!) { objectType(name: $t) { layout { card { title properties } sidebar { title properties } preview { title properties } } } }`,
		map[string]any{"t": objectType}, &out)
	return out.ObjectType.Layout
}

func TestRecordLayouts(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		t.Run("standard objects have a default", func(t *testing.T) {
			l := a.layoutOf("deals")
			if len(l.Card) != 1 || len(l.Card[0].Properties) < 5 || len(l.Sidebar) != 1 || l.Sidebar[0].Properties[0] != "dealname" || len(l.Preview) != 1 {
				t.Fatalf("default deals layout: %+v", l)
			}
		})
		const set = `mutation($card: [LayoutSectionInput!]!) { setRecordLayout(input: {objectType: "contacts", card: $card,
			sidebar: [{title: "Who", properties: ["firstname", "lastname"]}], preview: [{title: "Preview", properties: ["email"]}]}) { objectType { name } } }`
		t.Run("names must be live properties", func(t *testing.T) {
			a.fails(set, map[string]any{"card": []map[string]any{{"title": "About", "properties": []string{"email", "shoe_size"}}}}, "BAD_USER_INPUT", "shoe_size")
			a.fails(set, map[string]any{"card": []map[string]any{{"title": " ", "properties": []string{"email"}}}}, "BAD_USER_INPUT", "card")
		})
		a.ok(`mutation { createProperty(input: {objectType: "contacts", property: {name: "nickname", label: "Nickname", type: STRING, fieldType: TEXT}}) { property { name } } }`, nil, nil)
		a.ok(set, map[string]any{"card": []map[string]any{
			{"title": "About", "properties": []string{"email", "nickname", "jobtitle"}},
			{"title": "Extra", "properties": []string{"nickname"}},
		}}, nil)
		l := a.layoutOf("contacts")
		if len(l.Card) != 2 || !equalStrings(l.Card[0].Properties, []string{"email", "nickname", "jobtitle"}) || l.Sidebar[0].Title != "Who" {
			t.Fatalf("layout as set: %+v", l)
		}
		t.Run("an archived property drops out, restoring brings it back", func(t *testing.T) {
			a.ok(`mutation { archiveProperty(input: {objectType: "contacts", name: "nickname"}) { property { archived } } }`, nil, nil)
			l := a.layoutOf("contacts")
			if len(l.Card) != 1 || !equalStrings(l.Card[0].Properties, []string{"email", "jobtitle"}) {
				t.Fatalf("with nickname archived: %+v", l.Card)
			}
			a.ok(`mutation { restoreProperty(input: {objectType: "contacts", name: "nickname"}) { property { archived } } }`, nil, nil)
			l = a.layoutOf("contacts")
			if len(l.Card) != 2 || !equalStrings(l.Card[0].Properties, []string{"email", "nickname", "jobtitle"}) {
				t.Fatalf("restored: %+v", l.Card)
			}
		})
	})
}
