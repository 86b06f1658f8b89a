package graph_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// listsOnContacts makes the properties and the dynamic lists the write
// tests follow: by a property, by a multi-select, by an association (one
// and two leaves deep, some and none), a list of a list, and a list
// reading a manual one. It returns them and the manual list.
func listsOnContacts(t *testing.T, a *api) (all []dynamic, manual listJSON) {
	t.Helper()
	a.createProperty("contacts", map[string]any{"name": "region", "label": "Region", "type": "STRING", "fieldType": "TEXT"})
	a.createProperty("contacts", map[string]any{"name": "tags", "label": "Tags", "type": "ENUMERATION", "fieldType": "CHECKBOX",
		"options": optionsInput("a", "b", "c")})
	manual = a.createList("contacts", "Hand picked", "MANUAL", nil)
	north := map[string]any{"property": "region", "operator": "EQ", "value": "north"}
	make := func(name string, filter map[string]any) dynamic {
		return dynamic{a.createList("contacts", name, "DYNAMIC", filter), filter}
	}
	byRegion := make("North", north)
	all = []dynamic{
		byRegion,
		make("Tagged a", map[string]any{"property": "tags", "operator": "IN", "values": []any{"a"}}),
		make("At Acme", map[string]any{"association": map[string]any{"toObjectType": "companies",
			"some": map[string]any{"property": "name", "operator": "EQ", "value": "Acme"}}}),
		make("Not in accounting", map[string]any{"association": map[string]any{"toObjectType": "companies",
			"none": map[string]any{"property": "industry", "operator": "EQ", "value": "ACCOUNTING"}}}),
		make("Big deal companies", map[string]any{"association": map[string]any{"toObjectType": "companies",
			"some": map[string]any{"association": map[string]any{"toObjectType": "deals",
				"some": map[string]any{"property": "amount", "operator": "GT", "value": 100}}}}}),
		make("North and b", map[string]any{"and": []any{map[string]any{"inList": byRegion.list.ID},
			map[string]any{"property": "tags", "operator": "CONTAINS_ALL", "values": []any{"b"}}}}),
		make("Not hand picked", map[string]any{"notInList": manual.ID}),
	}
	// A list of the list of a list.
	all = append(all, make("North and b, not hand picked", map[string]any{"and": []any{
		map[string]any{"inList": all[5].list.ID}, map[string]any{"inList": all[6].list.ID}}}))
	return all, manual
}

// TestDynamicListsFollowEveryWrite: after each kind of write, every
// dynamic list holds exactly what a fresh evaluation of its filter finds.
func TestDynamicListsFollowEveryWrite(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		lists, manual := listsOnContacts(t, a)
		check := func(when string) { exact(t, a, when, lists...) }

		acme := a.create("companies", map[string]any{"name": "Acme", "domain": "acme.io", "industry": "ACCOUNTING"})
		globex := a.create("companies", map[string]any{"name": "Globex", "domain": "globex.io"})
		ann := a.create("contacts", map[string]any{"email": "ann@acme.io", "region": "north", "tags": "a;b"})
		bob := a.create("contacts", map[string]any{"email": "bob@acme.io", "region": "south", "tags": "b"})
		check("create")

		var created struct{ CreateRecord struct{ Record recordJSON } }
		a.ok(`mutation($p: JSON!, $to: ID!) { createRecord(input: {objectType: "contacts", properties: $p, associations: [{to: $to}]}) { record { `+recordFields+` } } }`,
			map[string]any{"p": map[string]any{"email": "cy@acme.io", "region": "north", "tags": "b"}, "to": acme.ID}, &created)
		cy := created.CreateRecord.Record
		check("create with an association")

		a.updateRecord(bob, map[string]any{"region": "north", "tags": "a"})
		check("update")
		a.ok(`mutation($in: UpdateRecordsInput!) { updateRecords(input: $in) { written } }`, inVars(map[string]any{"inputs": []any{
			map[string]any{"id": ann.ID, "properties": map[string]any{"region": "south"}},
			map[string]any{"id": cy.ID, "properties": map[string]any{"tags": "a;b;c"}},
		}}), nil)
		check("batch update")
		a.ok(`mutation($in: UpsertRecordsInput!) { upsertRecords(input: $in) { written } }`, inVars(map[string]any{"objectType": "contacts", "inputs": []any{
			map[string]any{"properties": map[string]any{"email": "ann@acme.io", "region": "north"}},
			map[string]any{"properties": map[string]any{"email": "dee@acme.io", "region": "north", "tags": "b"}},
		}}), nil)
		check("upsert")
		a.ok(`mutation($in: CreateRecordsInput!) { createRecords(input: $in) { written } }`, inVars(map[string]any{"objectType": "contacts", "inputs": []any{
			map[string]any{"properties": map[string]any{"email": "eve@acme.io", "tags": "c"}, "associations": []any{map[string]any{"to": globex.ID}}},
			map[string]any{"properties": map[string]any{"email": "fay@acme.io", "region": "north", "tags": "b"}},
		}}), nil)
		check("batch create")

		a.associate(ann, acme)
		check("associate")
		a.associate(bob, globex)
		a.ok(disassociateMutation, map[string]any{"from": acme.ID, "to": cy.ID}, nil)
		check("disassociate")
		a.updateRecord(globex, map[string]any{"name": "Acme", "industry": "ACCOUNTING"})
		check("a change of an associated record")
		deal := a.create("deals", map[string]any{"dealname": "D", "pipeline": "default", "dealstage": "closedwon", "amount": 50})
		a.associate(deal, acme)
		check("associate two leaves deep")
		a.updateRecord(deal, map[string]any{"amount": 500})
		check("a change two leaves deep")
		a.archiveRecord(acme)
		check("archive an associated record")
		a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": acme.ID}, nil)
		check("restore an associated record")
		a.archiveRecord(bob)
		check("archive")
		a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": bob.ID}, nil)
		check("restore")
		a.ok(`mutation($in: ArchiveRecordsInput!) { archiveRecords(input: $in) { written } }`, inVars(map[string]any{"ids": []any{cy.ID, ann.ID}}), nil)
		check("batch archive")
		for _, r := range []recordJSON{cy, ann} {
			a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": r.ID}, nil)
		}

		a.changeMembers("addToList", manual.ID, ann.ID, cy.ID)
		check("addToList")
		a.changeMembers("removeFromList", manual.ID, ann.ID)
		check("removeFromList")

		// Merged: the secondary's hand-picked membership moves to the
		// primary; the secondary is in no list.
		a.ok(mergeMutation, map[string]any{"p": bob.ID, "s": cy.ID}, nil)
		check("merge")
		if got := a.memberEmails(manual.ID); !slices.Equal(got, []string{"bob@acme.io"}) {
			t.Fatalf("hand picked after the merge: %v", got)
		}
		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedId } }`, map[string]any{"id": acme.ID}, nil)
		check("permanent deletion of an associated record")
		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedId } }`, map[string]any{"id": bob.ID}, nil)
		check("permanent deletion")

		// A definition change that rewrites values: option a goes.
		a.updateProperty(map[string]any{"objectType": "contacts", "name": "tags", "options": optionsInput("b", "c"), "clearRemovedOptions": true})
		lists[1].filter = map[string]any{"property": "tags", "operator": "IN", "values": []any{"b"}}
		a.ok(`mutation($id: ID!, $f: RecordFilter) { updateList(input: {id: $id, filter: $f}) { list { id } } }`,
			map[string]any{"id": lists[1].list.ID, "f": lists[1].filter}, nil)
		check("a definition change rewriting values")
	})
}

// TestListsUnderConcurrentWriters: two writers at once leave every
// dynamic list exact. Each contact is linked to two companies; one writer
// renames the first (its contacts' "At Acme" membership follows through
// the association), while the other links and unlinks the contact and the
// second, named Acme, and changes the contact's own values: on PostgreSQL
// both evaluate the same contacts at the same time.
func TestListsUnderConcurrentWriters(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		lists, _ := listsOnContacts(t, a)
		const n, rounds = 8, 6
		contacts := make([]recordJSON, n)
		renamed := make([]recordJSON, n)
		linked := make([]recordJSON, n)
		for i := range n {
			renamed[i] = a.create("companies", map[string]any{"name": "Globex", "domain": fmt.Sprintf("r%d.io", i)})
			linked[i] = a.create("companies", map[string]any{"name": "Acme", "domain": fmt.Sprintf("l%d.io", i)})
			contacts[i] = a.create("contacts", map[string]any{"email": fmt.Sprintf("c%d@acme.io", i), "region": "south"})
			a.associate(contacts[i], renamed[i])
			a.associate(contacts[i], linked[i])
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4*n*rounds)
		write := func(query string, vars map[string]any) {
			if resp := a.do(query, vars); len(resp.Errors) > 0 {
				errs <- fmt.Errorf("%v", resp.Errors)
			}
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			for round := range rounds {
				for i := range n {
					write(updateRecordMutation, map[string]any{"id": renamed[i].ID, "p": map[string]any{"name": []string{"Acme", "Globex"}[round%2]}})
				}
			}
		}()
		go func() {
			defer wg.Done()
			for round := range rounds {
				for i := range n {
					if round%2 == 0 {
						write(disassociateMutation, map[string]any{"from": contacts[i].ID, "to": linked[i].ID})
					} else {
						write(associateMutation, map[string]any{"from": contacts[i].ID, "to": linked[i].ID})
					}
					write(updateRecordMutation, map[string]any{"id": contacts[i].ID,
						"p": map[string]any{"region": []string{"north", "south"}[(i+round)%2], "tags": []string{"a", "b"}[round%2]}})
				}
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		exact(t, a, "two concurrent writers", lists...)
	})
}

// TestListStatementsPerWrite: a write that changes nothing a list reads
// sends no statement for lists; one that does sends, on PostgreSQL, one
// per level of lists reading lists it reaches, whatever the number of
// lists on each.
func TestListStatementsPerWrite(t *testing.T) {
	eachCounting(t, func(t *testing.T, a *api) {
		lists, _ := listsOnContacts(t, a)
		c := a.create("contacts", map[string]any{"email": "ann@acme.io", "region": "south"})
		count := func(props map[string]any) int64 {
			a.counter.Reset()
			a.updateRecord(c, props)
			return a.counter.Count()
		}
		quiet := count(map[string]any{"firstname": "Ann"})
		loud := count(map[string]any{"region": "north"})
		// North changes; "North and b", reading it, is evaluated after it
		// and does not change.
		want := int64(2)
		if a.d.Dialect.Name() != "postgres" {
			// A DELETE and an INSERT for each, and the timeline events
			// of the one that changed.
			want = 2*2 + 1
		}
		if loud-quiet != want {
			t.Fatalf("an update of region sent %d statements, one of firstname %d: want %d more", loud, quiet, want)
		}
		exact(t, a, "updates", lists...)
	})
}

// TestListWithArchivedProperty: a dynamic list whose filter reads a
// property archived since keeps its members while the property is
// archived, and is evaluated anew when it is restored.
func TestListWithArchivedProperty(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		lists, _ := listsOnContacts(t, a)
		ann := a.create("contacts", map[string]any{"email": "ann@acme.io", "region": "north", "tags": "a"})
		a.create("contacts", map[string]any{"email": "bob@acme.io", "region": "north", "tags": "b"})
		both := map[string]any{"and": []any{map[string]any{"property": "region", "operator": "EQ", "value": "north"},
			map[string]any{"property": "tags", "operator": "IN", "values": []any{"a"}}}}
		l := dynamic{a.createList("contacts", "North and a", "DYNAMIC", both), both}
		a.ok(archivePropertyMutation, propertyRef("contacts", "region"), nil)
		a.updateRecord(ann, map[string]any{"tags": "b"})
		if got := a.memberEmails(l.list.ID); !slices.Equal(got, []string{"ann@acme.io"}) {
			t.Fatalf("while region is archived: %v", got)
		}
		a.ok(restorePropertyMutation, propertyRef("contacts", "region"), nil)
		exact(t, a, "restoring the property", append(lists, l)...)
	})
}
