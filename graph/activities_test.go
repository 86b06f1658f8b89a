package graph_test

import (
	"slices"
	"testing"
)

const logActivityMutation = `mutation($t: String!, $p: JSON!, $a: [NewAssociationInput!]) {
	logActivity(input: {type: $t, properties: $p, associations: $a}) { record { ` + recordFields + ` } }
}`

// logActivity logs an activity of type on the records on and returns it.
func (a *api) logActivity(activityType string, props map[string]any, on ...recordJSON) recordJSON {
	a.t.Helper()
	var out struct {
		LogActivity struct{ Record recordJSON } `json:"logActivity"`
	}
	a.ok(logActivityMutation, map[string]any{"t": activityType, "p": props, "a": linksTo(on...)}, &out)
	return out.LogActivity.Record
}

func linksTo(on ...recordJSON) []map[string]any {
	links := make([]map[string]any, len(on))
	for i, r := range on {
		links[i] = map[string]any{"to": r.ID}
	}
	return links
}

// at is an hs_timestamp in March 2026, on day d at hour h.
func at(d, h int) string {
	return "2026-03-" + two(d) + "T" + two(h) + ":00:00.000Z"
}

func two(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

// linked lists the live records of each object type the activity act is
// associated with, by global id.
func (a *api) linked(act recordJSON, objectTypes ...string) []string {
	a.t.Helper()
	var out []string
	for _, ot := range objectTypes {
		ids, _ := a.associatedIDs(act, ot)
		out = append(out, ids...)
	}
	slices.Sort(out)
	return out
}

func TestLogActivity(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("contacts", map[string]any{"email": "ann@example.com"})
		co := a.create("companies", map[string]any{"name": "Acme"})
		note := a.logActivity("notes", map[string]any{"hs_note_body": "Called back", "hs_timestamp": at(2, 9)}, c, co)
		if note.ObjectType.Name != "notes" || note.Properties["hs_note_body"] != "Called back" || note.Properties["hs_timestamp"] != at(2, 9) {
			t.Fatalf("logged note: %+v", note)
		}
		if got := a.linked(note, "contacts", "companies"); !slices.Equal(got, sortedIDs(c, co)) {
			t.Fatalf("note associated with %v, want the contact and the company", got)
		}
		t.Run("by its timeline name", func(t *testing.T) {
			call := a.logActivity("CALL", map[string]any{"hs_call_title": "Intro", "hs_timestamp": at(3, 9)}, c)
			if call.ObjectType.Name != "calls" {
				t.Fatalf("CALL logged a %s", call.ObjectType.Name)
			}
		})
		t.Run("refusals write nothing", func(t *testing.T) {
			archived := a.create("contacts", map[string]any{"email": "gone@example.com"})
			a.archiveRecord(archived)
			rows, notes := a.rows(), a.count("notes")
			for _, tc := range []struct {
				name, activityType, code, property string
				props                              map[string]any
				on                                 []recordJSON
			}{
				{"unknown type", "faxes", "NOT_FOUND", "type", map[string]any{"hs_timestamp": at(2, 9)}, []recordJSON{c}},
				{"not an activity", "contacts", "BAD_USER_INPUT", "type", map[string]any{"hs_timestamp": at(2, 9)}, []recordJSON{c}},
				{"no hs_timestamp", "notes", "BAD_USER_INPUT", "hs_timestamp", map[string]any{"hs_note_body": "x"}, []recordJSON{c}},
				{"an archived record", "notes", "NOT_FOUND", "associations", map[string]any{"hs_timestamp": at(2, 9)}, []recordJSON{c, archived}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					e := a.fails(logActivityMutation, map[string]any{"t": tc.activityType, "p": tc.props, "a": linksTo(tc.on...)}, tc.code, tc.property)
					if !slices.Equal(e.Path, []any{"logActivity"}) {
						t.Fatalf("error path %v", e.Path)
					}
				})
			}
			if got := a.rows(); !slices.Equal(got, rows) || a.count("notes") != notes {
				t.Fatalf("a refused log wrote: %d notes, was %d; associations\n%v\nwere\n%v", a.count("notes"), notes, got, rows)
			}
		})
	})
}

// autoFixture is a contact with a primary company, another company, and
// deals: six open ones (the five newest are the ones the rules take), a
// closed won, a closed lost and an archived one; a ticket and a deal whose
// primary company is the contact's.
type autoFixture struct {
	contact, primary, other, ticket, deal recordJSON
	contactDeals, companyDeals            []recordJSON
}

func newAutoFixture(a *api) autoFixture {
	a.t.Helper()
	f := autoFixture{
		contact: a.create("contacts", map[string]any{"email": "ann@example.com"}),
		primary: a.create("companies", map[string]any{"name": "Acme"}),
		other:   a.create("companies", map[string]any{"name": "Globex"}),
	}
	a.associate(f.contact, f.primary, "Primary")
	a.associate(f.contact, f.other)
	deal := func(name, stage string) recordJSON {
		return a.create("deals", map[string]any{"dealname": name, "pipeline": "default", "dealstage": stage})
	}
	for _, name := range []string{"c1", "c2", "c3", "c4", "c5", "c6"} {
		d := deal(name, "qualifiedtobuy")
		a.associate(f.contact, d)
		f.contactDeals = append(f.contactDeals, d)
	}
	for _, stage := range []string{"closedwon", "closedlost"} {
		a.associate(f.contact, deal("closed", stage))
		a.associate(f.primary, deal("closed", stage))
	}
	gone := deal("archived", "appointmentscheduled")
	a.associate(f.contact, gone)
	a.archiveRecord(gone)
	for _, name := range []string{"p1", "p2"} {
		d := deal(name, "contractsent")
		a.associate(f.primary, d)
		f.companyDeals = append(f.companyDeals, d)
	}
	f.ticket = a.create("tickets", map[string]any{"subject": "Broken", "hs_pipeline": "0", "hs_pipeline_stage": "1"})
	a.associate(f.ticket, f.primary, "Primary")
	f.deal = deal("own", "qualifiedtobuy")
	a.associate(f.deal, f.primary, "Primary")
	return f
}

// newest are the last n of rs, the most recently created.
func newest(n int, rs []recordJSON) []recordJSON { return rs[len(rs)-n:] }

func TestAutomaticAssociation(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		f := newAutoFixture(a)
		logOn := func(r recordJSON) recordJSON {
			return a.logActivity("notes", map[string]any{"hs_timestamp": at(5, 10)}, r)
		}
		everywhere := []string{"contacts", "companies", "deals", "tickets"}
		ids := func(rs ...recordJSON) []string { return sortedIDs(rs...) }
		for _, tc := range []struct {
			name string
			on   recordJSON
			want []recordJSON
		}{
			{"on a contact: its primary company and its five newest open deals", f.contact,
				append([]recordJSON{f.contact, f.primary}, newest(5, f.contactDeals)...)},
			{"on a company: its five newest open deals", f.primary,
				append([]recordJSON{f.primary, f.deal}, f.companyDeals...)},
			{"on a ticket: its primary company and that company's open deals", f.ticket,
				append([]recordJSON{f.ticket, f.primary, f.deal}, f.companyDeals...)},
			{"on a deal: its primary company", f.deal, []recordJSON{f.deal, f.primary}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := a.linked(logOn(tc.on), everywhere...); !slices.Equal(got, ids(tc.want...)) {
					t.Fatalf("associated with\n%v\nwant\n%v", got, ids(tc.want...))
				}
			})
		}
		t.Run("not retroactive", func(t *testing.T) {
			note := logOn(f.contact)
			later := a.create("deals", map[string]any{"dealname": "later", "pipeline": "default", "dealstage": "qualifiedtobuy"})
			a.associate(f.contact, later)
			if got := a.linked(note, "deals"); slices.Contains(got, later.ID) {
				t.Fatalf("a deal associated later gained the earlier note: %v", got)
			}
		})
	})
}

const settingsQuery = `{ activitySettings { autoAssociations { objectType { name } activityType { name } rule enabled } } }`

const updateSettingsMutation = `mutation($in: [AutoAssociationSettingInput!]!) {
	updateActivitySettings(input: {autoAssociations: $in}) { activitySettings { autoAssociations { objectType { name } activityType { name } rule enabled } } }
}`

type settingJSON struct {
	ObjectType   struct{ Name string }
	ActivityType struct{ Name string }
	Rule         string
	Enabled      bool
}

// switchedOff lists the rules of settings that are off, as
// "objectType/activityType/rule".
func switchedOff(settings []settingJSON) []string {
	var out []string
	for _, s := range settings {
		if !s.Enabled {
			out = append(out, s.ObjectType.Name+"/"+s.ActivityType.Name+"/"+s.Rule)
		}
	}
	return out
}

func TestAutomaticAssociationSwitchedOff(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		f := newAutoFixture(a)
		var read struct {
			ActivitySettings struct{ AutoAssociations []settingJSON }
		}
		a.ok(settingsQuery, nil, &read)
		// contacts 2 rules, companies 1, deals 1, tickets 2; five activity types.
		if all := read.ActivitySettings.AutoAssociations; len(all) != 30 || len(switchedOff(all)) != 0 {
			t.Fatalf("default settings: %d rules, off: %v", len(all), switchedOff(all))
		}
		everywhere := []string{"contacts", "companies", "deals", "tickets"}
		for _, tc := range []struct {
			objectType, rule string
			on               recordJSON
			want             []recordJSON
		}{
			{"contacts", "PRIMARY_COMPANY", f.contact, append([]recordJSON{f.contact}, newest(5, f.contactDeals)...)},
			{"contacts", "OPEN_DEALS", f.contact, []recordJSON{f.contact, f.primary}},
			{"companies", "OPEN_DEALS", f.primary, []recordJSON{f.primary}},
			{"deals", "PRIMARY_COMPANY", f.deal, []recordJSON{f.deal}},
			{"tickets", "PRIMARY_COMPANY", f.ticket, append([]recordJSON{f.ticket, f.deal}, f.companyDeals...)},
			{"tickets", "OPEN_DEALS", f.ticket, []recordJSON{f.ticket, f.primary}},
		} {
			t.Run(tc.objectType+" "+tc.rule, func(t *testing.T) {
				change := func(enabled bool) {
					var out struct {
						UpdateActivitySettings struct {
							ActivitySettings struct{ AutoAssociations []settingJSON }
						}
					}
					a.ok(updateSettingsMutation, map[string]any{"in": []map[string]any{
						{"objectType": tc.objectType, "activityType": "CALL", "rule": tc.rule, "enabled": enabled}}}, &out)
					off := switchedOff(out.UpdateActivitySettings.ActivitySettings.AutoAssociations)
					if want := tc.objectType + "/calls/" + tc.rule; enabled != (len(off) == 0) || (!enabled && !slices.Equal(off, []string{want})) {
						t.Fatalf("switched enabled=%v: off %v", enabled, off)
					}
				}
				change(false)
				call := a.logActivity("calls", map[string]any{"hs_timestamp": at(6, 10)}, tc.on)
				if got := a.linked(call, everywhere...); !slices.Equal(got, sortedIDs(tc.want...)) {
					t.Fatalf("switched off, the call is associated with\n%v\nwant\n%v", got, sortedIDs(tc.want...))
				}
				// The other activity types keep the rule.
				note := a.logActivity("notes", map[string]any{"hs_timestamp": at(6, 10)}, tc.on)
				if got := a.linked(note, everywhere...); slices.Equal(got, sortedIDs(tc.want...)) {
					t.Fatalf("the rule is off for notes too: %v", got)
				}
				change(true)
			})
		}
		t.Run("refused changes", func(t *testing.T) {
			for _, tc := range []struct {
				in         map[string]any
				code, path string
			}{
				{map[string]any{"objectType": "companies", "activityType": "notes", "rule": "PRIMARY_COMPANY", "enabled": false}, "BAD_USER_INPUT", "autoAssociations[1].rule"},
				{map[string]any{"objectType": "widgets", "activityType": "notes", "rule": "OPEN_DEALS", "enabled": false}, "NOT_FOUND", "autoAssociations[1].objectType"},
				{map[string]any{"objectType": "contacts", "activityType": "deals", "rule": "OPEN_DEALS", "enabled": false}, "BAD_USER_INPUT", "autoAssociations[1].activityType"},
			} {
				valid := map[string]any{"objectType": "contacts", "activityType": "notes", "rule": "OPEN_DEALS", "enabled": false}
				e := a.fails(updateSettingsMutation, map[string]any{"in": []any{valid, tc.in}}, tc.code, "")
				if e.Extensions["argumentPath"] != tc.path {
					t.Fatalf("argumentPath %v, want %s", e.Extensions["argumentPath"], tc.path)
				}
			}
			a.ok(settingsQuery, nil, &read)
			if off := switchedOff(read.ActivitySettings.AutoAssociations); len(off) != 0 {
				t.Fatalf("a refused change switched %v", off)
			}
		})
	})
}
