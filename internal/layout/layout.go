// Package layout is the record page of an object type: the sections and
// ordered property names its card, sidebar and preview show. It depends on
// nothing, so the ent schema can store a Layout as JSON.
package layout

// Section is a titled, ordered list of property names.
type Section struct {
	Title      string   `json:"title"`
	Properties []string `json:"properties"`
}

// Layout is a record page.
type Layout struct {
	Card    []Section `json:"card"`
	Sidebar []Section `json:"sidebar"`
	Preview []Section `json:"preview"`
}

// Areas names the three areas of a layout, for messages and checks.
func (l *Layout) Areas() map[string][]Section {
	return map[string][]Section{"card": l.Card, "sidebar": l.Sidebar, "preview": l.Preview}
}

// Keep returns a copy of l holding only the property names keep accepts,
// in order, with sections left empty dropped.
func (l *Layout) Keep(keep func(name string) bool) *Layout {
	filter := func(in []Section) []Section {
		out := []Section{}
		for _, s := range in {
			var names []string
			for _, n := range s.Properties {
				if keep(n) {
					names = append(names, n)
				}
			}
			if len(names) > 0 {
				out = append(out, Section{Title: s.Title, Properties: names})
			}
		}
		return out
	}
	return &Layout{Card: filter(l.Card), Sidebar: filter(l.Sidebar), Preview: filter(l.Preview)}
}
