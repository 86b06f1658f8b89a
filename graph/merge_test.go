package graph_test

import (
	"slices"
	"testing"
)

const mergeMutation = `mutation($p: ID!, $s: ID!) { mergeRecords(input: {primary: $p, secondary: $s}) { record { ` + recordFields + ` } } }`

func TestMergeContacts(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		co1 := a.create("companies", map[string]any{"name": "Acme"})
		co2 := a.create("companies", map[string]any{"name": "Globex"})
		d1 := a.create("deals", map[string]any{"dealname": "D1", "pipeline": "default", "dealstage": "closedwon"})
		primary := a.create("contacts", map[string]any{"email": "ann@example.com", "firstname": "Ann"})
		secondary := a.create("contacts", map[string]any{"email": "anne@example.com", "firstname": "Anne", "lastname": "Smith", "jobtitle": "CTO"})
		a.ok(`mutation { createAssociationLabel(input: {fromObjectType: "contacts", toObjectType: "companies", label: "Billing contact"}) { associationType { id } } }`, nil, nil)
		a.associate(primary, co1, "Primary")
		a.associate(primary, d1)
		a.associate(secondary, co1, "Billing contact") // overlaps: co1, with another label
		a.associate(secondary, co2)                    // disjoint
		a.associate(secondary, d1)                     // overlaps: a duplicate to collapse
		a.associate(secondary, primary.asContactOf())  // between the two: goes away

		var out struct {
			MergeRecords struct{ Record recordJSON }
		}
		a.ok(mergeMutation, map[string]any{"p": primary.ID, "s": secondary.ID}, &out)
		merged := out.MergeRecords.Record
		p := merged.Properties
		if merged.ID != primary.ID || p["email"] != "ann@example.com" || p["firstname"] != "Ann" || p["lastname"] != "Smith" ||
			p["jobtitle"] != "CTO" || p["hs_additional_emails"] != "anne@example.com" || p["hs_merged_object_ids"] != secondary.RecordID {
			t.Fatalf("merged values: %v", p)
		}
		wantRows(t, a,
			edge(primary, co1, "-"), edge(co1, primary, "-"), edge(primary, co1, "Primary"), edge(co1, primary, "Primary"),
			edge(primary, co1, "Billing contact"), edge(co1, primary, "Billing contact"),
			edge(primary, co2, "-"), edge(co2, primary, "-"),
			edge(primary, d1, "-"), edge(d1, primary, "-"))

		t.Run("the secondary's id answers the primary", func(t *testing.T) {
			var got getRecordJSON
			a.ok(getRecord, map[string]any{"id": secondary.ID}, &got)
			if got.Record == nil || got.Record.ID != primary.ID || got.Node == nil || got.Node.ID != primary.ID {
				t.Fatalf("record/node of the secondary: %+v", got)
			}
			if ids := a.listIDs("contacts", false); !slices.Equal(ids, []string{primary.ID}) {
				t.Fatalf("live contacts: %v", ids)
			}
			if n := a.count("contacts"); n != 2 {
				t.Fatalf("the secondary is archived, not gone: %d contacts", n)
			}
		})
		t.Run("histories are combined", func(t *testing.T) {
			h := a.historyOf(primary.ID)
			fromSecondary, merges := 0, 0
			for _, c := range h {
				if c.RecordID == secondary.RecordID {
					fromSecondary++
				}
				if c.SourceType == "MERGE" && c.SourceID != nil && *c.SourceID == secondary.RecordID {
					merges++
				}
			}
			// anne's four creates; lastname, jobtitle, additional emails, merged ids.
			if fromSecondary != 4 || merges != 4 {
				t.Fatalf("%d changes of the secondary, %d merge changes: %+v", fromSecondary, merges, h)
			}
		})
		t.Run("the secondary cannot come back", func(t *testing.T) {
			a.fails(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": secondary.ID}, "CONFLICT", "")
			if ids := a.listIDs("contacts", false); !slices.Equal(ids, []string{primary.ID}) {
				t.Fatalf("live contacts: %v", ids)
			}
		})
		t.Run("the email can be reused, the secondary cannot be merged again", func(t *testing.T) {
			a.fails(mergeMutation, map[string]any{"p": primary.ID, "s": secondary.ID}, "CONFLICT", "")
			other := a.create("contacts", map[string]any{"email": "x@example.com"})
			a.fails(mergeMutation, map[string]any{"p": secondary.ID, "s": other.ID}, "CONFLICT", "")
		})
	})
}

// asContactOf is r itself, for associating two contacts.
func (r recordJSON) asContactOf() recordJSON { return r }

func TestFailedMergeChangesNothing(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		co1 := a.create("companies", map[string]any{"name": "Acme"})
		co2 := a.create("companies", map[string]any{"name": "Globex"})
		primary := a.create("contacts", map[string]any{"email": "p@example.com"})
		secondary := a.create("contacts", map[string]any{"email": "s@example.com", "firstname": "S"})
		a.associate(primary, co1, "Primary")
		a.associate(secondary, co2, "Primary")
		rows := a.rows()
		historyBefore := len(a.historyOf(primary.ID))
		a.fails(mergeMutation, map[string]any{"p": primary.ID, "s": secondary.ID}, "LIMIT_EXCEEDED", "")
		if got := a.rows(); !slices.Equal(got, rows) {
			t.Fatalf("associations changed:\n%v\n%v", rows, got)
		}
		var got getRecordJSON
		a.ok(getRecord, map[string]any{"id": secondary.ID}, &got)
		if got.Record.ID != secondary.ID || got.Record.Archived || got.Record.Properties["firstname"] != "S" {
			t.Fatalf("secondary changed: %+v", got.Record)
		}
		var prim getRecordJSON
		a.ok(getRecord, map[string]any{"id": primary.ID}, &prim)
		if _, ok := prim.Record.Properties["firstname"]; ok || len(a.historyOf(primary.ID)) != historyBefore {
			t.Fatalf("primary changed: %+v", prim.Record)
		}
		a.fails(mergeMutation, map[string]any{"p": primary.ID, "s": co1.ID}, "BAD_USER_INPUT", "")
	})
}

func TestDeleteRecordPermanently(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		co := a.create("companies", map[string]any{"name": "Acme"})
		c := a.create("contacts", map[string]any{"email": "gone@example.com", "firstname": "Gone"})
		dup := a.create("contacts", map[string]any{"email": "gone.too@example.com"})
		a.associate(c, co)
		a.ok(mergeMutation, map[string]any{"p": c.ID, "s": dup.ID}, nil)

		var out struct {
			DeleteRecordPermanently struct {
				DeletedID      string
				DeletedRecords int
			}
		}
		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedId deletedRecords } }`, map[string]any{"id": c.ID}, &out)
		if out.DeleteRecordPermanently.DeletedRecords != 2 {
			t.Fatalf("deleted %d records", out.DeleteRecordPermanently.DeletedRecords)
		}
		if n := a.count("contacts"); n != 0 {
			t.Fatalf("%d contacts left", n)
		}
		wantRows(t, a)
		var history int
		if err := a.d.SQL.QueryRow("SELECT COUNT(*) FROM property_histories").Scan(&history); err != nil {
			t.Fatal(err)
		}
		companyHistory := 1 // Acme's name
		if history != companyHistory {
			t.Fatalf("%d history rows left", history)
		}
		var got getRecordJSON
		a.ok(getRecord, map[string]any{"id": c.ID}, &got)
		if got.Record != nil {
			t.Fatalf("record still readable: %+v", got.Record)
		}

		t.Run("its emails come back only when allowed", func(t *testing.T) {
			for _, email := range []string{"GONE@example.com", "gone.too@example.com"} {
				a.fails(createMutation, map[string]any{"t": "contacts", "p": map[string]any{"email": email}}, "BAD_USER_INPUT", "email")
			}
			var up struct {
				UpsertRecords struct {
					Failed  int
					Results []struct{ Error *struct{ Property *string } }
				}
			}
			a.ok(`mutation { upsertRecords(input: {objectType: "contacts", inputs: [{properties: {email: "gone@example.com"}}]}) { failed results { error { property } } } }`, nil, &up)
			if up.UpsertRecords.Failed != 1 || *up.UpsertRecords.Results[0].Error.Property != "email" {
				t.Fatalf("upsert: %+v", up)
			}
			if n := a.count("contacts"); n != 0 {
				t.Fatalf("%d contacts", n)
			}
			a.ok(`mutation { createRecord(input: {objectType: "contacts", properties: {email: "gone@example.com"}, allowErasedEmails: true}) { record { id } } }`, nil, nil)
			if n := a.count("contacts"); n != 1 {
				t.Fatalf("%d contacts", n)
			}
		})
	})
}
