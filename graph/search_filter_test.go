package graph_test

// Filters against the evaluator: every operator on every type it fits,
// with and without includeMissing, and random trees of them; the
// records the API returns (ids, every page, in order, and totalCount)
// must be those the evaluator selects, on both databases.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/acme/crm/internal/clock"
)

// leaf is a property leaf: property, operator, then key, value pairs.
func leaf(property, op string, kv ...any) map[string]any {
	f := map[string]any{"property": property, "operator": op}
	for i := 0; i < len(kv); i += 2 {
		f[kv[i].(string)] = kv[i+1]
	}
	return f
}

// list is a list value, [] when empty.
func list(vs ...any) []any { return append([]any{}, vs...) }

// operatorLeaves are leaves of every operator on every type it fits, with
// values that match some records and not others: case variants, LIKE's
// special characters, whole words and wildcards, dates against datetimes
// and the reverse, relative values, sets in another order. Leaves on the
// system values take their values from the records of w.
func operatorLeaves(w *evalWorld) []map[string]any {
	out := []map[string]any{
		// Strings, without case.
		leaf("label", "EQ", "value", "alpha"), leaf("label", "EQ", "value", "ÉMILE"), leaf("label", "EQ", "value", "a_b"),
		leaf("label", "EQ", "value", "100%"), leaf("label", "EQ", "value", "none such"), leaf("label", "EQ", "value", "ärger"),
		leaf("label", "NEQ", "value", "Alpha"),
		leaf("label", "LT", "value", "beta"), leaf("label", "LTE", "value", "BETA"), leaf("label", "GT", "value", "Beta"),
		leaf("label", "GTE", "value", "beta"), leaf("label", "LT", "value", "a"), leaf("label", "GT", "value", "zeta"),
		leaf("label", "GT", "value", "É"),
		leaf("label", "BETWEEN", "value", "alpha", "highValue", "BETA"), leaf("label", "BETWEEN", "value", "Apple", "highValue", "b"),
		leaf("label", "IN", "values", list("alpha", "Zeta", "none such")), leaf("label", "NOT_IN", "values", list("ALPHA", "zeta")),
		leaf("label", "HAS_PROPERTY"), leaf("label", "NOT_HAS_PROPERTY"),
		leaf("label", "STARTS_WITH", "value", "a"), leaf("label", "STARTS_WITH", "value", "AP"), leaf("label", "STARTS_WITH", "value", "a_"),
		leaf("label", "STARTS_WITH", "value", "100%"), leaf("label", "STARTS_WITH", "value", "é"), leaf("label", "STARTS_WITH", "value", `back\`),
		leaf("label", "CONTAINS", "value", "_"), leaf("label", "CONTAINS", "value", "%"), leaf("label", "CONTAINS", "value", "PHA"),
		leaf("label", "CONTAINS", "value", `\`), leaf("label", "CONTAINS", "value", "mil"), leaf("label", "CONTAINS", "value", "ay"),
		leaf("label", "CONTAINS_TOKEN", "value", "ray"), leaf("label", "CONTAINS_TOKEN", "value", "app*"),
		leaf("notes", "CONTAINS_TOKEN", "value", "acme"), leaf("notes", "CONTAINS_TOKEN", "value", "ACME*"),
		leaf("notes", "CONTAINS_TOKEN", "value", "fox"), leaf("notes", "CONTAINS_TOKEN", "value", "qu*ck"),
		leaf("notes", "CONTAINS_TOKEN", "value", "*ox"), leaf("notes", "CONTAINS_TOKEN", "value", "café"),
		leaf("notes", "CONTAINS_TOKEN", "value", "x1 z3"), leaf("notes", "CONTAINS_TOKEN", "value", "line"),
		leaf("notes", "CONTAINS_TOKEN", "value", "corp*"), leaf("notes", "CONTAINS_TOKEN", "value", "bar"),
		leaf("notes", "CONTAINS_TOKEN", "value", "*"+"o*"), leaf("notes", "CONTAINS_TOKEN", "value", "s"),
		leaf("notes", "NOT_CONTAINS_TOKEN", "value", "acme"), leaf("notes", "NOT_CONTAINS_TOKEN", "value", "fox quick"),
		leaf("notes", "STARTS_WITH", "value", "line one\nline"), leaf("notes", "CONTAINS", "value", "ACME"),

		// Numbers.
		leaf("qty", "EQ", "value", 2), leaf("qty", "EQ", "value", "2"), leaf("qty", "EQ", "value", 1.5), leaf("qty", "EQ", "value", "0.10"),
		leaf("qty", "EQ", "value", int64(12345678901234567)), leaf("qty", "EQ", "value", "12345678901234568"),
		leaf("qty", "NEQ", "value", 2), leaf("qty", "LT", "value", 0), leaf("qty", "LTE", "value", 1), leaf("qty", "GT", "value", 2),
		leaf("qty", "GTE", "value", "1.5"), leaf("qty", "GT", "value", int64(12345678901234567)), leaf("qty", "LT", "value", -0.25),
		leaf("qty", "BETWEEN", "value", -1, "highValue", 2), leaf("qty", "BETWEEN", "value", "0.1", "highValue", "3"),
		leaf("qty", "BETWEEN", "value", 5, "highValue", 1),
		leaf("qty", "IN", "values", list(1, 2, 100)), leaf("qty", "NOT_IN", "values", list(0, "1")),
		leaf("qty", "HAS_PROPERTY"), leaf("qty", "NOT_HAS_PROPERTY"),

		// Booleans.
		leaf("active", "EQ", "value", true), leaf("active", "EQ", "value", false), leaf("active", "EQ", "value", "true"),
		leaf("active", "NEQ", "value", true), leaf("active", "HAS_PROPERTY"), leaf("active", "NOT_HAS_PROPERTY"),

		// Dates: a day, against days, moments and durations from now.
		leaf("due", "EQ", "value", "2024-02-29"), leaf("due", "EQ", "value", "2024-02-29T12:00:00Z"),
		leaf("due", "EQ", "value", "2024-02-29T00:00:00Z"), leaf("due", "EQ", "value", 1709164800000),
		leaf("due", "NEQ", "value", "2024-02-29"),
		leaf("due", "LT", "value", "2024-03-01"), leaf("due", "LTE", "value", "2024-02-29"), leaf("due", "GT", "value", "2024-02-29"),
		leaf("due", "GTE", "value", "2024-02-29T00:00:00.001Z"), leaf("due", "LT", "value", "2024-02-29T00:00:00.001Z"),
		leaf("due", "GT", "value", "2024-02-28T23:59:59.999Z"), leaf("due", "LTE", "value", "2024-02-29T00:00:00Z"),
		leaf("due", "BETWEEN", "value", "2024-02-28", "highValue", "2024-03-01"),
		leaf("due", "BETWEEN", "value", "2024-02-28T12:00:00Z", "highValue", "2024-02-29T00:00:00Z"),
		leaf("due", "IN", "values", list("2024-02-28", "2025-01-01")), leaf("due", "NOT_IN", "values", list("2024-02-29", "1999-12-31")),
		leaf("due", "HAS_PROPERTY"), leaf("due", "NOT_HAS_PROPERTY"),
		leaf("due", "LT", "value", "-P1D"), leaf("due", "GTE", "value", "-P2D"), leaf("due", "EQ", "value", "-P1D"),
		leaf("due", "BETWEEN", "value", "-P3D", "highValue", "P1D"), leaf("due", "GT", "value", "P10M"), leaf("due", "LT", "value", "-P24Y"),

		// Datetimes: a millisecond, against moments, days and durations.
		leaf("seen", "EQ", "value", "2024-03-01T12:30:00.500Z"), leaf("seen", "EQ", "value", "2024-03-01"),
		leaf("seen", "EQ", "value", "2024-02-29T00:00:00Z"), leaf("seen", "EQ", "value", "2024-02-29T23:59:59.999999Z"),
		leaf("seen", "NEQ", "value", "2024-03-01"),
		leaf("seen", "LT", "value", "2024-03-01"), leaf("seen", "LTE", "value", "2024-03-01"), leaf("seen", "GT", "value", "2024-03-01"),
		leaf("seen", "GTE", "value", "2024-03-01T12:30:00.5Z"), leaf("seen", "GT", "value", "2024-02-29T00:00:00Z"),
		leaf("seen", "LTE", "value", "2024-02-29T00:00:00Z"), leaf("seen", "LT", "value", "2024-03-01T00:00:00Z"),
		leaf("seen", "GTE", "value", "2024-03-01T02:00:00+02:00"), leaf("seen", "EQ", "value", 1709296200500),
		leaf("seen", "BETWEEN", "value", "2024-02-29", "highValue", "2024-03-01T00:00:00Z"),
		leaf("seen", "BETWEEN", "value", "2024-02-29T23:59:59.999Z", "highValue", "2024-03-01"),
		leaf("seen", "IN", "values", list("2024-02-29", "2025-01-01T00:00:00.001Z")), leaf("seen", "NOT_IN", "values", list("2024-03-01")),
		leaf("seen", "HAS_PROPERTY"), leaf("seen", "NOT_HAS_PROPERTY"),
		leaf("seen", "LT", "value", "-PT30M"), leaf("seen", "GTE", "value", "-PT30M"), leaf("seen", "GT", "value", "-P1DT12H"),
		leaf("seen", "BETWEEN", "value", "-P1D", "highValue", "PT1H"), leaf("seen", "EQ", "value", "-PT1H30M"),

		// Options.
		leaf("tier", "EQ", "value", "gold"), leaf("tier", "NEQ", "value", "gold"), leaf("tier", "IN", "values", list("gold", "bronze")),
		leaf("tier", "NOT_IN", "values", list("silver")), leaf("tier", "HAS_PROPERTY"), leaf("tier", "NOT_HAS_PROPERTY"),

		// A multi-select: EQ the whole set, IN any, NOT_IN none, CONTAINS_ALL all.
		leaf("tags", "EQ", "value", list("red", "green")), leaf("tags", "EQ", "value", list("green", "red", "green")),
		leaf("tags", "EQ", "value", "red"), leaf("tags", "EQ", "value", "red;green"), leaf("tags", "NEQ", "value", list("red", "green")),
		leaf("tags", "IN", "values", list("red", "blue")), leaf("tags", "NOT_IN", "values", list("red")),
		leaf("tags", "CONTAINS_ALL", "values", list("red", "green")), leaf("tags", "CONTAINS_ALL", "values", list("black")),
		leaf("tags", "CONTAINS_ALL", "values", list("blue", "black", "red", "green")),
		leaf("tags", "HAS_PROPERTY"), leaf("tags", "NOT_HAS_PROPERTY"),

		// One value where a list goes is a list of one (GraphQL's input
		// coercion, of variables too).
		leaf("qty", "IN", "values", 2), leaf("tags", "CONTAINS_ALL", "values", "red"), leaf("label", "NOT_IN", "values", "alpha"),
		map[string]any{"and": leaf("tier", "EQ", "value", "gold")}, map[string]any{"or": leaf("qty", "LT", "value", 1)},

		// Values held at any time, from history.
		leaf("label", "EQ", "value", "ALPHA", "ever", true), leaf("label", "CONTAINS_TOKEN", "value", "ray", "ever", true),
		leaf("label", "LT", "value", "b", "ever", true), leaf("qty", "GT", "value", 100, "ever", true),
		leaf("qty", "IN", "values", list(-5, 0), "ever", true), leaf("tier", "EQ", "value", "gold", "ever", true),
		leaf("tier", "IN", "values", list("silver", "bronze"), "ever", true), leaf("tags", "IN", "values", list("black"), "ever", true),
		leaf("tags", "EQ", "value", list("red", "green"), "ever", true), leaf("tags", "CONTAINS_ALL", "values", list("blue", "red"), "ever", true),
		leaf("seen", "LT", "value", "2000-01-01", "ever", true), leaf("seen", "EQ", "value", "2024-03-01", "ever", true),
		leaf("seen", "GT", "value", "-PT1H", "ever", true), leaf("label", "HAS_PROPERTY", "ever", true),
		leaf("tier", "EQ", "value", "gold", "ever", true, "includeMissing", true),
	}
	// The system values, from the records themselves.
	var ids []int
	var created, modified []time.Time
	for id, r := range w.recs {
		ids = append(ids, id)
		created, modified = append(created, r.Created), append(modified, r.Updated)
	}
	slices.Sort(ids)
	for _, ts := range [][]time.Time{created, modified} {
		slices.SortFunc(ts, time.Time.Compare)
	}
	mid := ids[len(ids)/2]
	c, m := created[len(created)/2], modified[len(modified)*3/4]
	ms := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	out = append(out,
		leaf("hs_object_id", "EQ", "value", mid), leaf("hs_object_id", "NEQ", "value", mid), leaf("hs_object_id", "LT", "value", mid),
		leaf("hs_object_id", "GTE", "value", mid), leaf("hs_object_id", "BETWEEN", "value", ids[3], "highValue", ids[9]),
		leaf("hs_object_id", "IN", "values", list(ids[0], ids[5], 999999)), leaf("hs_object_id", "EQ", "value", strconv.Itoa(ids[7])), leaf("hs_object_id", "NOT_IN", "values", list(ids[0])),
		leaf("hs_object_id", "HAS_PROPERTY"), leaf("hs_object_id", "NOT_HAS_PROPERTY"),
		leaf("createdate", "EQ", "value", ms(c)), leaf("createdate", "LT", "value", ms(c)), leaf("createdate", "LTE", "value", ms(c)),
		leaf("createdate", "GT", "value", ms(c)), leaf("createdate", "GTE", "value", ms(c)), leaf("createdate", "NEQ", "value", ms(c)),
		leaf("createdate", "EQ", "value", c.Format("2006-01-02")), leaf("createdate", "BETWEEN", "value", ms(created[0]), "highValue", ms(c)),
		leaf("createdate", "IN", "values", list(ms(created[0]), ms(created[len(created)-1]))),
		leaf("createdate", "NOT_IN", "values", list(ms(created[0]), c.Format("2006-01-02"))),
		leaf("lastmodifieddate", "LT", "value", ms(m)), leaf("lastmodifieddate", "GTE", "value", ms(m)),
		leaf("lastmodifieddate", "EQ", "value", ms(m)), leaf("lastmodifieddate", "GT", "value", ms(modified[0])),
		leaf("createdate", "HAS_PROPERTY"), leaf("lastmodifieddate", "NOT_HAS_PROPERTY"),
	)
	return out
}

// withMissing is every negative leaf again with includeMissing, and a few
// positive ones (which then also match records lacking the property).
func withMissing(leaves []map[string]any) []map[string]any {
	var out []map[string]any
	for _, l := range leaves {
		switch l["operator"] {
		case "NEQ", "NOT_IN", "NOT_CONTAINS_TOKEN":
		case "EQ", "LT", "IN":
			if l["property"] != "label" && l["property"] != "tier" {
				continue
			}
		default:
			continue
		}
		m := map[string]any{"includeMissing": true}
		for k, v := range l {
			m[k] = v
		}
		out = append(out, m)
	}
	return out
}

func leafCases(leaves []map[string]any) []searchCase {
	out := make([]searchCase, len(leaves))
	for i, l := range leaves {
		out[i] = searchCase{name: fmt.Sprintf("leaf %d", i), filter: l}
	}
	return out
}

// randomTree is a filter of and/or/not over leaves, depth levels at most.
func randomTree(r *rand.Rand, leaves []map[string]any, depth int) map[string]any {
	if depth <= 1 || r.IntN(4) == 0 {
		return leaves[r.IntN(len(leaves))]
	}
	switch r.IntN(5) {
	case 0:
		return map[string]any{"not": randomTree(r, leaves, depth-1)}
	case 1, 2:
		return map[string]any{"and": randomTrees(r, leaves, depth-1)}
	}
	return map[string]any{"or": randomTrees(r, leaves, depth-1)}
}

func randomTrees(r *rand.Rand, leaves []map[string]any, depth int) []any {
	out := make([]any, 1+r.IntN(3))
	for i := range out {
		out[i] = randomTree(r, leaves, depth)
	}
	return out
}

// treeDepth is how many levels a filter nests.
func treeDepth(f map[string]any) int {
	d := 0
	for _, k := range []string{"and", "or"} {
		if l, ok := f[k].([]any); ok {
			for _, c := range l {
				d = max(d, treeDepth(c.(map[string]any)))
			}
		}
	}
	if n, ok := f["not"].(map[string]any); ok {
		d = max(d, treeDepth(n))
	}
	return d + 1
}

func TestSearchMatchesEvaluator(t *testing.T) {
	defer clock.Set(searchNow)()
	each(t, func(t *testing.T, a *api) {
		w := a.gadgets(300)
		leaves := operatorLeaves(w)
		leaves = append(leaves, withMissing(leaves)...)

		t.Run("every operator on every type", func(t *testing.T) {
			a := a.with(t)
			cases := leafCases(leaves)
			// Every operator is tried on every type it fits, and each
			// type's leaves select some records and leave others.
			ops := map[string]map[string]bool{}
			for _, l := range leaves {
				if l["property"] == nil {
					continue
				}
				kind := w.kinds["gadgets"][l["property"].(string)]
				if ops[kind] == nil {
					ops[kind] = map[string]bool{}
				}
				ops[kind][l["operator"].(string)] = true
			}
			for kind, fits := range fitting {
				for _, op := range fits {
					if !ops[kind][op] {
						t.Fatalf("no leaf tries %s on a %s", op, kind)
					}
				}
			}
			a.checkSearches(w, "gadgets", cases, 120)
		})

		t.Run("random trees", func(t *testing.T) {
			a := a.with(t)
			r := rand.New(rand.NewPCG(3, 2026))
			var cases []searchCase
			deep := 0
			for i := range 200 {
				f := randomTree(r, leaves, 3)
				if treeDepth(f) == 3 {
					deep++
				}
				cases = append(cases, searchCase{name: "tree " + strconv.Itoa(i), filter: f})
			}
			if deep < 50 {
				t.Fatalf("only %d of 200 trees are 3 levels deep", deep)
			}
			a.checkSearches(w, "gadgets", cases, 160)
		})
	})
}

// fitting are the operators each kind of property takes (issue 13): a
// negative operator wherever its positive one fits.
var fitting = map[string][]string{
	kindString: {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY",
		"CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN", "STARTS_WITH", "CONTAINS"},
	kindNumber:   {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"},
	kindBool:     {"EQ", "NEQ", "HAS_PROPERTY", "NOT_HAS_PROPERTY"},
	kindDate:     {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"},
	kindDateTime: {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"},
	kindMoment:   {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"},
	kindEnum:     {"EQ", "NEQ", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"},
	kindMulti:    {"EQ", "NEQ", "IN", "NOT_IN", "CONTAINS_ALL", "HAS_PROPERTY", "NOT_HAS_PROPERTY"},
}
