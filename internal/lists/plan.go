package lists

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/search"
)

// plan is what keeping a workspace's dynamic lists current needs of one
// version of its definitions: each dynamic list with its filter checked
// and where the filter reads, by level, a list coming after the lists it
// reads.
type plan struct {
	m      *meta.Model
	levels [][]*segment
	// broken are the dynamic lists whose filters no longer check against
	// the definitions (a property archived since): they keep the members
	// they have until the definitions let them check again.
	broken map[int]bool
}

// segment is one dynamic list of a plan.
type segment struct {
	list    *meta.List
	checked *search.Checked
	filter  *search.Filter
	deps    []search.Dependency
}

// relative reports whether the list's filter holds a duration from now.
func (g *segment) relative() bool { return g.checked.Relative() }

// filterNow is the list's filter checked for an evaluation now: a relative
// one is checked again against the clock.
func (g *segment) filterNow(m *meta.Model) (*search.Checked, error) {
	if !g.relative() {
		return g.checked, nil
	}
	return search.Check(m, g.list.ObjectType, g.filter, "filter", clock.Now(), search.Me{})
}

// plans keeps the latest plan of each workspace.
type plans struct {
	mu          sync.Mutex
	byWorkspace map[int]*plan
}

// get returns the plan of m, made once per version.
func (p *plans) get(m *meta.Model) *plan {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pl := p.byWorkspace[m.WorkspaceID]; pl != nil && pl.m.Version == m.Version {
		return pl
	}
	pl := newPlan(m)
	if old := p.byWorkspace[m.WorkspaceID]; old == nil || old.m.Version < m.Version {
		p.byWorkspace[m.WorkspaceID] = pl
	}
	return pl
}

func newPlan(m *meta.Model) *plan {
	p := &plan{m: m, broken: map[int]bool{}}
	byID := map[int]*segment{}
	for _, l := range m.Lists() {
		if l.Kind != meta.Dynamic || l.ObjectType.Archived {
			continue
		}
		g := &segment{list: l}
		var err error
		if l.Filter != nil {
			g.filter, err = search.Parse(l.Filter, "filter")
		}
		if err == nil {
			g.checked, err = search.Check(m, l.ObjectType, g.filter, "filter", clock.Now(), search.Me{})
		}
		if err != nil {
			p.broken[l.ID] = true
			continue
		}
		g.deps = g.checked.Dependencies()
		byID[l.ID] = g
	}
	// A list's level is one more than the deepest dynamic list it reads.
	level := map[int]int{}
	var levelOf func(g *segment, seen map[int]bool) int
	levelOf = func(g *segment, seen map[int]bool) int {
		if n, ok := level[g.list.ID]; ok {
			return n
		}
		n := 0
		seen[g.list.ID] = true
		for _, d := range g.deps {
			for _, l := range d.Lists {
				if r := byID[l.ID]; r != nil && !seen[l.ID] {
					n = max(n, levelOf(r, seen)+1)
				}
			}
		}
		delete(seen, g.list.ID)
		level[g.list.ID] = n
		return n
	}
	for _, g := range byID {
		n := levelOf(g, map[int]bool{})
		for len(p.levels) <= n {
			p.levels = append(p.levels, nil)
		}
		p.levels[n] = append(p.levels[n], g)
	}
	for _, gs := range p.levels {
		sort.Slice(gs, func(i, j int) bool { return gs[i].list.ID < gs[j].list.ID })
	}
	return p
}

// relative are the dynamic lists whose filters hold a duration from now.
func (p *plan) relative() []*segment {
	var out []*segment
	for _, gs := range p.levels {
		for _, g := range gs {
			if g.relative() {
				out = append(out, g)
			}
		}
	}
	return out
}

// pathKey names a path of object types.
func pathKey(path []*meta.ObjectType) string {
	var b strings.Builder
	for _, ot := range path {
		b.WriteString(ot.Name)
		b.WriteByte('/')
	}
	return b.String()
}

func sortByName(ls []*meta.List) {
	slices.SortFunc(ls, func(a, b *meta.List) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return a.ID - b.ID
	})
}
