package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/search"
	"github.com/acme/crm/internal/write"
)

// The lists part: "keeping dynamic lists current must not make writes
// slow". With 20 dynamic lists on the 100,000 contacts (by property, by a
// multi-select, by association), the updates of the writes part (firstname
// and jobtitle of a contact, one at a time and 1,000 a call) run through a
// records store whose write unit keeps the lists current, beside the same
// updates through a store without lists, on the same data, alternating.
// Goal: lists on at least 0.7x the records/s of no lists, in both modes.
const minListsRatio = 0.7

// benchLists are the lists measured: every filter kind, 7 of the 20
// reading what the updates change (firstname, jobtitle).
var benchLists = []struct {
	name   string
	filter map[string]any
}{
	{"firstname Ada", leaf("firstname", "EQ", "Ada")},
	{"firstname First 1*", leaf("firstname", "STARTS_WITH", "First 1")},
	{"firstname among three", map[string]any{"property": "firstname", "operator": "IN", "values": []any{"Grace", "Alan", "Ken"}}},
	{"jobtitle holds 7", leaf("jobtitle", "CONTAINS", "7")},
	{"has a jobtitle", map[string]any{"property": "jobtitle", "operator": "HAS_PROPERTY"}},
	{"tagged, A names", and(map[string]any{"property": "tags", "operator": "HAS_PROPERTY"}, leaf("firstname", "STARTS_WITH", "A"))},
	{"company 5, First names", and(assocSome("companies", leaf("name", "CONTAINS", "5")), leaf("firstname", "STARTS_WITH", "First"))},
	{"lastname Contact000*", leaf("lastname", "STARTS_WITH", "Contact000")},
	{"north", leaf("region", "EQ", "north")},
	{"example emails", leaf("email", "CONTAINS", "@example.com")},
	{"tag a", map[string]any{"property": "tags", "operator": "IN", "values": []any{"a"}}},
	{"tags a and b", map[string]any{"property": "tags", "operator": "CONTAINS_ALL", "values": []any{"a", "b"}}},
	{"tags exactly c", map[string]any{"property": "tags", "operator": "EQ", "value": []any{"c"}}},
	{"not tag d", map[string]any{"property": "tags", "operator": "NOT_IN", "values": []any{"d"}, "includeMissing": true}},
	{"tag e or south", map[string]any{"or": []any{map[string]any{"property": "tags", "operator": "IN", "values": []any{"e"}}, leaf("region", "EQ", "south")}}},
	{"companies 01*", assocSome("companies", leaf("name", "STARTS_WITH", "Company 01"))},
	{"company domains with 7", assocSome("companies", leaf("domain", "CONTAINS", "7"))},
	{"deals over 20,000", assocSome("deals", map[string]any{"property": "amount", "operator": "GT", "value": 20000})},
	{"not at company 00042", map[string]any{"association": map[string]any{"toObjectType": "companies", "none": leaf("name", "EQ", "Company 00042")}}},
	{"two deals or more", map[string]any{"association": map[string]any{"toObjectType": "deals", "minCount": 2}}},
}

func leaf(property, op string, value any) map[string]any {
	return map[string]any{"property": property, "operator": op, "value": value}
}

func and(fs ...map[string]any) map[string]any {
	list := make([]any, len(fs))
	for i, f := range fs {
		list[i] = f
	}
	return map[string]any{"and": list}
}

func assocSome(to string, f map[string]any) map[string]any {
	return map[string]any{"association": map[string]any{"toObjectType": to, "some": f}}
}

// listsComparison is what the lists table compares.
var listsComparison = comparison{[2]string{fmt.Sprintf("%d lists", len(benchLists)), "no lists"},
	fmt.Sprintf("with %d dynamic lists", len(benchLists)), "the records/s without lists", minListsRatio}

// benchListsWrites prepares the lists, measures both paths in both modes,
// alternating them in slices, checks every list against its filter, and
// prints the table and the goals.
func benchListsWrites(ctx context.Context, cfg config, schemaURL string, m *meta.Model, ds *dataset, out io.Writer) error {
	fmt.Fprintf(out, "\n== lists: updates of contacts with %d dynamic lists kept current (lists.Store) beside the same updates without lists\n", len(benchLists))
	d, err := db.Open(ctx, schemaURL)
	if err != nil {
		return err
	}
	defer d.Close()
	if m, err = prepareLists(ctx, d, m, ds, out); err != nil {
		return err
	}
	ids := make([]int, numContacts)
	for i := range ids {
		ids[i] = ds.firstContact + i
	}
	w := &writeBench{store: storeOf(d), m: m, ot: ds.contacts, ids: ids}
	listed := &writeBench{store: storeWithLists(d), m: m, ot: ds.contacts, ids: ids, seq: 1 << 20, historyNext: numContacts / 2}
	fmt.Fprintf(out, "method: per mode, warm-up (%d single calls or %d batch calls per path), then %s (single) or %s (batch) per path in %d slices alternating lists and no lists;\n"+
		"  every update sets firstname and jobtitle of a contact to values it never had (read by 7 of the lists); the paths walk different contacts; one client, sequential calls\n",
		writeWarmupCalls, writeWarmupCalls/10, cfg.duration, cfg.duration*2, slices)
	var results []writeResult
	for _, mode := range writeModes {
		got, err := alternate(ctx, cfg, mode, [2]func(context.Context) error{listed.historyCall(mode.n), w.historyCall(mode.n)},
			listsComparison.paths)
		if err != nil {
			return err
		}
		results = append(results, writeResult{mode: mode, paths: got})
	}
	// The updates without lists leave the lists reading firstname and
	// jobtitle stale for the contacts they changed: those are no part of
	// the check.
	if err := checkLists(ctx, d, m, ids[:min(w.historyRecords, len(ids))], out); err != nil {
		return err
	}
	fmt.Fprintln(out)
	reportWrites(out, results, listsComparison)
	fmt.Fprintln(out)
	return listsBreakdown(ctx, d, listed, w, cfg.duration/slices, out)
}

// listsBreakdown runs each path in each mode for dur once more, its
// statements timed, and prints where the time of a call goes.
func listsBreakdown(ctx context.Context, d *db.DB, listed, plain *writeBench, dur time.Duration, out io.Writer) error {
	fmt.Fprintf(out, "where the time of a write goes (%s (single) or %s (batch) more per path, statements timed from the client):\n", dur, 2*dur)
	for _, mode := range writeModes {
		for _, p := range []struct {
			name  string
			w     *writeBench
			store func(*db.DB) *records.Store
		}{{"lists", listed, storeWithLists}, {"no lists", plain, storeOf}} {
			times := newStmtTimes()
			measured := p.w.store
			p.w.store = p.store(timedDB(d, times))
			s, err := writeFor(ctx, p.w.historyCall(mode.n), dur*time.Duration(mode.scale))
			p.w.store = measured
			if err != nil {
				return err
			}
			times.print(out, mode.name+" "+p.name, s.requests(), s.elapsed)
		}
	}
	return nil
}

// prepareLists gives contacts a multi-select (tags) and a region, values
// for every contact, and makes the lists, printing how long each took.
func prepareLists(ctx context.Context, d *db.DB, m *meta.Model, ds *dataset, out io.Writer) (*meta.Model, error) {
	start := time.Now()
	defs := definition.New(d, write.New(d))
	var options []propdef.Option
	for i, v := range []string{"a", "b", "c", "d", "e"} {
		options = append(options, propdef.Option{Label: v, Value: v, DisplayOrder: i})
	}
	for _, p := range []definition.PropertyInput{
		{Name: "tags", Label: "Tags", Type: propdef.Enumeration, FieldType: propdef.Checkbox, Options: options},
		{Name: "region", Label: "Region", Type: propdef.String, FieldType: propdef.Text},
	} {
		if _, err := defs.CreateProperty(ctx, m, "contacts", p); err != nil {
			return nil, fmt.Errorf("create %s: %w", p.Name, err)
		}
		var err error
		if m, err = meta.NewCache(d).Get(ctx, m.WorkspaceID); err != nil {
			return nil, err
		}
	}
	// Contact i: tags from the bits of i % 32, region by i % 4.
	_, err := d.SQL.ExecContext(ctx, `UPDATE records SET properties = properties || jsonb_build_object(
			'region', (ARRAY['north', 'south', 'east', 'west'])[(id % 4) + 1],
			'tags', (SELECT COALESCE(jsonb_agg(t ORDER BY t), '[]') FROM unnest(ARRAY['a', 'b', 'c', 'd', 'e']) WITH ORDINALITY u(t, k) WHERE (id % 32) & (1 << (k::int - 1)) <> 0))
		WHERE object_type_id = $1`, ds.contacts.ID)
	if err != nil {
		return nil, fmt.Errorf("give contacts tags and regions: %w", err)
	}
	if _, err := d.SQL.ExecContext(ctx, `UPDATE records SET properties = properties - 'tags' WHERE object_type_id = $1 AND properties->'tags' = '[]'`, ds.contacts.ID); err != nil {
		return nil, err
	}
	if _, err := d.SQL.ExecContext(ctx, "VACUUM ANALYZE records"); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "lists data: tags (a multi-select) and region on %d contacts in %.2fs\n", numContacts, time.Since(start).Seconds())
	store := lists.New(d, write.New(d))
	for _, l := range benchLists {
		start := time.Now()
		made, err := store.Create(ctx, m, "contacts", lists.Input{Name: &l.name, Kind: meta.Dynamic, Filter: l.filter})
		if err != nil {
			return nil, fmt.Errorf("create list %q: %w", l.name, err)
		}
		if m, err = meta.NewCache(d).Get(ctx, m.WorkspaceID); err != nil {
			return nil, err
		}
		sizes, err := store.Sizes(ctx, m, []int{made.ID})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "  list %-26q %6d members, made in %.2fs\n", l.name, sizes[made.ID], time.Since(start).Seconds())
	}
	if _, err := d.SQL.ExecContext(ctx, "VACUUM ANALYZE list_members"); err != nil {
		return nil, err
	}
	return m, nil
}

// checkLists fails unless every list holds exactly the live contacts its
// filter matches after all the updates, but for the contacts unkept
// (changed with no lists kept): no member that does not match, no match
// that is not a member.
func checkLists(ctx context.Context, d *db.DB, m *meta.Model, unkept []int, out io.Writer) error {
	ws := m.WorkspaceID
	for _, l := range m.Lists() {
		f, err := search.Parse(l.Filter, "filter")
		if err != nil {
			return err
		}
		c, err := search.Check(m, l.ObjectType, f, "filter", clock.Now(), search.Me{})
		if err != nil {
			return err
		}
		q := db.Build(d.Dialect, "SELECT (SELECT COUNT(*) FROM list_members m JOIN records r ON r.id = m.record_id WHERE m.list_id = ").Arg(l.ID).
			T(" AND r.archived_at IS NULL AND NOT ").InIDs("r", "id", unkept).T(" AND NOT ")
		c.Where(q, "r", ws).T("), (SELECT COUNT(*) FROM records r WHERE r.workspace_id = ").Arg(ws).T(" AND r.object_type_id = ").Arg(l.ObjectType.ID).
			T(" AND r.archived_at IS NULL AND NOT ").InIDs("r", "id", unkept).T(" AND ")
		c.Where(q, "r", ws).T(" AND NOT EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = ").Arg(l.ID).T(" AND m.record_id = r.id))")
		var extra, missing int
		if err := q.Row(ctx, d.SQL, &extra, &missing); err != nil {
			return fmt.Errorf("check list %q: %w", l.Name, err)
		}
		if extra != 0 || missing != 0 {
			return fmt.Errorf("LISTS CHECK FAILED: list %q holds %d members its filter does not match and lacks %d records it matches", l.Name, extra, missing)
		}
	}
	fmt.Fprintf(out, "check: each of the %d lists holds exactly the contacts its filter matches (but for the %d changed without lists)\n", len(m.Lists()), len(unkept))
	return nil
}

// storeWithLists is the records store the API runs over d, its writes
// keeping d's dynamic lists current.
func storeWithLists(d *db.DB) *records.Store {
	w := write.New(d)
	lists.New(d, w)
	return records.New(d, w, assoc.New(d, w))
}
