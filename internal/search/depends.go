package search

import (
	"slices"

	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
)

// Dependency is one place a checked filter reads: the records reached from
// the filtered record through the association leaves of Path (none: the
// record itself), and there the values Properties and the memberships of
// Lists. A filter's outcome for a record can change only when one of those
// changes, when the associations along a path change, or when a record
// along a path is archived or restored. This is what keeps segments
// current by evaluating only what a write can have changed.
type Dependency struct {
	// Path are the object types walked, one an association leaf deep.
	Path       []*meta.ObjectType
	Properties []string
	Lists      []*meta.List
}

// Relative reports whether the filter holds a duration from now
// ("-P90D"): its outcome changes as time passes, with no write.
func (c *Checked) Relative() bool { return c != nil && c.relative }

// Dependencies are where the filter reads, one per path: the record's own
// values first (present even when the filter reads none of them), then
// each association leaf's. A nil filter reads nothing.
func (c *Checked) Dependencies() []Dependency {
	out := []Dependency{{}}
	if c != nil {
		depends(c.root, nil, &out)
	}
	return out
}

// depends adds what n reads, n being at path, to the dependency of path.
func depends(n *node, path []*meta.ObjectType, out *[]Dependency) {
	at := dependencyAt(path, out)
	switch {
	case n.leaf != nil:
		if !slices.Contains((*out)[at].Properties, n.leaf.name) {
			(*out)[at].Properties = append((*out)[at].Properties, n.leaf.name)
		}
	case n.list != nil:
		if !slices.Contains((*out)[at].Lists, n.list.list) {
			(*out)[at].Lists = append((*out)[at].Lists, n.list.list)
		}
	case n.not != nil:
		depends(n.not, path, out)
	case n.assoc != nil:
		sub := append(slices.Clip(path), n.assoc.to)
		dependencyAt(sub, out)
		for _, k := range []*node{n.assoc.some, n.assoc.none, n.assoc.every} {
			if k != nil {
				depends(k, sub, out)
			}
		}
	}
	for _, k := range append(slices.Clip(n.and), n.or...) {
		depends(k, path, out)
	}
}

// dependencyAt is the index in out of path's dependency, added when new.
func dependencyAt(path []*meta.ObjectType, out *[]Dependency) int {
	for i, d := range *out {
		if slices.Equal(d.Path, path) {
			return i
		}
	}
	*out = append(*out, Dependency{Path: path})
	return len(*out) - 1
}

// ListIDs are the ids of the lists f's list leaves name, at any depth,
// checked or not: what a list's deletion looks for in saved filters.
func (f *Filter) ListIDs() []int {
	if f == nil {
		return nil
	}
	var out []int
	for _, s := range []string{f.InList, f.NotInList} {
		if id, err := gid.DecodeKind(s, gid.List); err == nil {
			out = append(out, id)
		}
	}
	for _, k := range append(append([]*Filter{f.Not}, f.And...), f.Or...) {
		out = append(out, k.ListIDs()...)
	}
	if a := f.Association; a != nil {
		for _, k := range []*Filter{a.Some, a.None, a.Every} {
			out = append(out, k.ListIDs()...)
		}
	}
	return out
}
