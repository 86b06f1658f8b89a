package graph_test

// The tests of what webhook events carry (harness: webhooks_test.go).

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/values"
	"github.com/acme/crm/internal/webhooks"
	"github.com/acme/crm/internal/write"
)

// TestWebhookEventsCarryValues: an archive and a deletion carry the
// record's last values, a merge both ids, an association both ends and
// its labels; the types a webhook did not ask for are not sent.
func TestWebhookEventsCarryValues(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(204))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"RECORD_ARCHIVED", "RECORD_MERGED", "RECORD_DELETED", "ASSOCIATION_ADDED", "ASSOCIATION_REMOVED"}, nil)
		x := a.create("contacts", map[string]any{"email": "x@example.com", "firstname": "Xavier"})
		y := a.create("contacts", map[string]any{"email": "y@example.com", "firstname": "Yolanda"})
		z := a.create("contacts", map[string]any{"email": "z@example.com", "firstname": "Zoe"})
		co := a.create("companies", map[string]any{"name": "Acme"})
		a.ok(`mutation($from: ID!, $to: ID!) { associate(input: {from: $from, to: $to}) { from { id } } }`, map[string]any{"from": x.ID, "to": co.ID}, nil)
		a.ok(`mutation($from: ID!, $to: ID!) { disassociate(input: {from: $from, to: $to}) { from { id } } }`, map[string]any{"from": x.ID, "to": co.ID}, nil)
		a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": x.ID}, nil)
		a.ok(`mutation($p: ID!, $s: ID!) { mergeRecords(input: {primary: $p, secondary: $s}) { record { id } } }`, map[string]any{"p": y.ID, "s": z.ID}, nil)
		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { __typename } }`, map[string]any{"id": y.ID}, nil)
		deliver(t, worker(a.d, newTestClock()), 1)

		type seen struct {
			typ                            webhooks.EventType
			record, to, toType, mergedInto string
			firstname                      any
		}
		var got []seen
		for _, e := range rcv.requests()[0].events {
			s := seen{typ: e.Type, record: e.RecordID, to: e.ToRecordID, toType: e.ToObjectType, mergedInto: e.MergedInto}
			if e.Properties != nil {
				var values map[string]any
				if err := json.Unmarshal(e.Properties, &values); err != nil {
					t.Fatal(err)
				}
				s.firstname = values["firstname"]
			}
			got = append(got, s)
		}
		want := []seen{
			{typ: webhooks.AssociationAdded, record: x.RecordID, to: co.RecordID, toType: "companies"},
			{typ: webhooks.AssociationAdded, record: co.RecordID, to: x.RecordID, toType: "contacts"},
			{typ: webhooks.AssociationRemoved, record: x.RecordID, to: co.RecordID, toType: "companies"},
			{typ: webhooks.AssociationRemoved, record: co.RecordID, to: x.RecordID, toType: "contacts"},
			{typ: webhooks.RecordArchived, record: x.RecordID, firstname: "Xavier"},
			{typ: webhooks.RecordMerged, record: z.RecordID, mergedInto: y.RecordID, firstname: "Zoe"},
			{typ: webhooks.RecordDeleted, record: y.RecordID, firstname: "Yolanda"},
			{typ: webhooks.RecordDeleted, record: z.RecordID, firstname: "Zoe"},
		}
		if !slices.Equal(got, want) {
			t.Errorf("events\n got %+v\nwant %+v", got, want)
		}
	})
}

// TestWebhookImportFinished: an import's end is an event, with its
// counts, to the webhooks that asked for it and for one of its object
// types; its records' creations are events of their own.
func TestWebhookImportFinished(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"IMPORT_FINISHED", "RECORD_CREATED"}, []string{"contacts"})
		a.createWebhook(rcv.srv.URL, []string{"IMPORT_FINISHED"}, []string{"deals"})
		job := a.importFiles(nil, upload{name: "contacts.csv", content: []byte("Email,First Name\nann@acme.io,Ann\nbob@acme.io,Bob\n")})
		if job.State != "DONE" {
			t.Fatalf("import %+v", job)
		}
		deliver(t, worker(a.d, newTestClock()), 1)
		var types []webhooks.EventType
		var sum *webhooks.ImportSummary
		for _, e := range rcv.requests()[0].events {
			types = append(types, e.Type)
			if e.Import != nil {
				sum = e.Import
			}
		}
		if want := []webhooks.EventType{webhooks.RecordCreated, webhooks.RecordCreated, webhooks.ImportFinished}; !slices.Equal(types, want) {
			t.Errorf("events %v, want %v", types, want)
		}
		if sum == nil || sum.ID != job.ID || sum.State != "DONE" || sum.Created != 2 || sum.RowsRead != 2 || !slices.Equal(sum.ObjectTypes, []string{"contacts"}) {
			t.Errorf("import event %+v, want the import %+v", sum, job)
		}

		// A canceled import ended too: its event says so, with how far it
		// went. (One waiting for a run this test never starts, to be
		// canceled for certain.)
		pending, err := a.d.Client.ImportJob.Create().SetWorkspaceID(a.ws).SetName("waiting").
			SetSpec(map[string]any{"files": []any{map[string]any{"ObjectTypes": []any{"deals"}}}}).Save(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pendingID := gid.Encode(gid.Import, pending.ID)
		a.ok(`mutation($id: ID!) { cancelImport(input: {id: $id}) { import { state } } }`, map[string]any{"id": pendingID}, nil)
		deliver(t, worker(a.d, newTestClock()), 1)
		reqs := rcv.requests()
		if len(reqs) != 2 || len(reqs[1].events) != 1 {
			t.Fatalf("after the cancel: %d requests", len(reqs))
		}
		if e := reqs[1].events[0]; e.Type != webhooks.ImportFinished || e.Import == nil || e.Import.ID != pendingID || e.Import.State != "CANCELED" ||
			!slices.Equal(e.Import.ObjectTypes, []string{"deals"}) {
			t.Errorf("the canceled import's event %+v", e)
		}
	})
}

// TestWebhookErasedRecord: a permanent deletion's event carries the
// erased values to the receiver; the server then keeps none of them: the
// record's events sent before go with it, and its RECORD_DELETED event
// loses its values once delivered.
func TestWebhookErasedRecord(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"RECORD_CREATED", "RECORD_DELETED"}, nil)
		x := a.create("contacts", map[string]any{"email": "erase-me@example.com"})
		w := worker(a.d, newTestClock())
		deliver(t, w, 1)
		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { __typename } }`, map[string]any{"id": x.ID}, nil)
		deliver(t, w, 1)
		reqs := rcv.requests()
		if e := reqs[1].events[0]; e.Type != webhooks.RecordDeleted || !strings.Contains(string(e.Properties), "erase-me@example.com") {
			t.Errorf("deletion event %+v, want the last values", e)
		}
		rows, err := a.d.Client.WebhookEvent.Query().All(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || strings.Contains(rows[0].Payload, "erase-me") {
			t.Errorf("kept after the erasure: %+v", rows)
		}
		var out struct{ Redeliver deliveryJSON }
		a.ok(`mutation($id: ID!) { redeliver(deliveryId: $id) { `+deliveryFields+` } }`, map[string]any{"id": a.deliveries(1)[0].ID}, &out)
		if e := rcv.requests()[2].events[0]; e.Type != webhooks.RecordDeleted || e.RecordID != x.RecordID || e.Properties != nil {
			t.Errorf("redelivered %+v, want the event without values", e)
		}
	})
}

// TestWebhookListMembership: records joining and leaving a dynamic list
// (a write changed what its filter says), one made with the list, and a
// manual list's members added by hand are events, with the list.
func TestWebhookListMembership(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"LIST_MEMBERSHIP_CHANGED"}, []string{"contacts"})
		ada := a.create("contacts", map[string]any{"email": "ada@example.com", "firstname": "Ada"})
		dyn := a.createList("contacts", "Adas", "DYNAMIC", map[string]any{"property": "firstname", "operator": "EQ", "value": "Ada"})
		bob := a.create("contacts", map[string]any{"email": "bob@example.com", "firstname": "Ada"})
		a.ok(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {firstname: "Bob"}}) { record { id } } }`, map[string]any{"id": bob.ID}, nil)
		manual := a.createList("contacts", "Hand", "MANUAL", nil)
		a.ok(`mutation($in: ListMembersInput!) { addToList(input: $in) { written } }`, map[string]any{"in": map[string]any{"listId": manual.ID, "recordIds": []string{ada.ID}}}, nil)
		deliver(t, worker(a.d, newTestClock()), 1)

		wantMemberships(t, rcv.requests()[0].events, []listJSON{dyn, manual},
			membershipSeen{ada.RecordID, "Adas", "ADDED"}, membershipSeen{bob.RecordID, "Adas", "ADDED"},
			membershipSeen{bob.RecordID, "Adas", "REMOVED"}, membershipSeen{ada.RecordID, "Hand", "ADDED"})
	})
}

// TestWebhookMergeMemberships: a merge gives the primary the secondary's
// manual memberships it lacked (ADDED) and takes every membership from
// the secondary (REMOVED), in that order, the lists in the order they
// were made; a dynamic list the primary now matches, with the values it
// took, adds it after.
func TestWebhookMergeMemberships(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		p := a.create("contacts", map[string]any{"email": "p@example.com", "firstname": "Pat"})
		s := a.create("contacts", map[string]any{"email": "s@example.com", "firstname": "Sam", "lastname": "Smith"})
		hand := a.createList("contacts", "Hand", "MANUAL", nil)
		both := a.createList("contacts", "Both", "MANUAL", nil)
		smiths := a.createList("contacts", "Smiths", "DYNAMIC", map[string]any{"property": "lastname", "operator": "EQ", "value": "Smith"})
		add := func(l listJSON, ids ...string) {
			a.ok(`mutation($in: ListMembersInput!) { addToList(input: $in) { written } }`, map[string]any{"in": map[string]any{"listId": l.ID, "recordIds": ids}}, nil)
		}
		add(hand, s.ID)
		add(both, p.ID, s.ID)
		// Made now, the webhook receives the merge's events only.
		a.createWebhook(rcv.srv.URL, []string{"LIST_MEMBERSHIP_CHANGED"}, nil)
		a.ok(`mutation($p: ID!, $s: ID!) { mergeRecords(input: {primary: $p, secondary: $s}) { record { id } } }`, map[string]any{"p": p.ID, "s": s.ID}, nil)
		deliver(t, worker(a.d, newTestClock()), 1)

		wantMemberships(t, rcv.requests()[0].events, []listJSON{hand, both, smiths}, membershipSeen{p.RecordID, "Hand", "ADDED"},
			membershipSeen{s.RecordID, "Hand", "REMOVED"}, membershipSeen{s.RecordID, "Both", "REMOVED"}, membershipSeen{s.RecordID, "Smiths", "REMOVED"},
			membershipSeen{p.RecordID, "Smiths", "ADDED"})
		if names := a.listNames(p); !slices.Equal(names, []string{"Both", "Hand", "Smiths"}) {
			t.Errorf("the primary's lists: %v", names)
		}
	})
}

// membershipSeen is what a test checks of a LIST_MEMBERSHIP_CHANGED event.
type membershipSeen struct{ record, list, change string }

// wantMemberships checks that events are want, in that order, each a
// contact's LIST_MEMBERSHIP_CHANGED event naming one of lists by its id
// and name.
func wantMemberships(t *testing.T, events []webhooks.Event, lists []listJSON, want ...membershipSeen) {
	t.Helper()
	var got []membershipSeen
	for _, e := range events {
		if e.Type != webhooks.ListMembership || e.List == nil || e.ObjectType != "contacts" ||
			!slices.ContainsFunc(lists, func(l listJSON) bool { return l.ID == e.List.ID && l.Name == e.List.Name }) {
			t.Fatalf("event %+v", e)
		}
		got = append(got, membershipSeen{e.RecordID, e.List.Name, e.List.Change})
	}
	if !slices.Equal(got, want) {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
}

// TestWebhookRelativeRefresh: the records a relative date moves into or
// out of a list as time passes, with no write, are events of the pass
// that moves them (its write unit has the outbox as the server wires it),
// a list reading the moved one following after it.
func TestWebhookRelativeRefresh(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		t0 := time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
		defer clock.Set(t0)()
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		a.createProperty("contacts", map[string]any{"name": "lastcontacted", "label": "Last contacted", "type": "DATETIME", "fieldType": "DATE"})
		soon := a.create("contacts", map[string]any{"email": "soon@acme.io", "lastcontacted": t0.AddDate(0, 0, -80).Format(values.DateTimeLayout)})
		stale := a.createList("contacts", "Not contacted in 90 days", "DYNAMIC", map[string]any{"property": "lastcontacted", "operator": "LT", "value": "-P90D"})
		reader := a.createList("contacts", "Stale", "DYNAMIC", map[string]any{"inList": stale.ID})
		recent := a.createList("contacts", "Contacted in 120 days", "DYNAMIC", map[string]any{"property": "lastcontacted", "operator": "GT", "value": "-P120D"})
		a.createWebhook(rcv.srv.URL, []string{"LIST_MEMBERSHIP_CHANGED"}, nil)
		w := write.New(a.d)
		pass := lists.New(a.d, w)
		webhooks.Outbox(w)
		refresh := func(at time.Time) {
			t.Helper()
			clock.Set(at)
			if ran, err := pass.RefreshRelative(t.Context(), a.ws); err != nil || !ran {
				t.Fatalf("pass: ran %v, %v", ran, err)
			}
		}
		watched := []listJSON{stale, reader, recent}
		sender := worker(a.d, newTestClock())

		// 95 days: soon is stale, and still contacted in 120 days.
		refresh(t0.AddDate(0, 0, 15))
		deliver(t, sender, 1)
		wantMemberships(t, rcv.requests()[0].events, watched,
			membershipSeen{soon.RecordID, stale.Name, "ADDED"}, membershipSeen{soon.RecordID, reader.Name, "ADDED"})
		// 125 days: it leaves the other.
		refresh(t0.AddDate(0, 0, 45))
		deliver(t, sender, 1)
		wantMemberships(t, rcv.requests()[1].events, watched, membershipSeen{soon.RecordID, recent.Name, "REMOVED"})
	})
}

// TestWebhookImportEvents: an import's records (written in chunks, by
// COPY on PostgreSQL) and the associations between them are events, each
// once, in requests of at most 100.
func TestWebhookImportEvents(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		rcv := newReceiver(t, always(200))
		a = a.privateTargets()
		a.createWebhook(rcv.srv.URL, []string{"RECORD_CREATED", "ASSOCIATION_ADDED", "IMPORT_FINISHED"}, nil)
		job := a.importFiles(nil, upload{name: "deals.csv", content: fixture(t, "deals.csv")}, upload{name: "contacts.csv", content: fixture(t, "contacts.csv")},
			upload{name: "companies.csv", content: fixture(t, "companies.csv")})
		if job.State != "DONE" || job.Counters.Created != 1500 {
			t.Fatalf("import %+v", job)
		}
		if _, err := worker(a.d, newTestClock()).DeliverDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		byType := map[webhooks.EventType]int{}
		ids := map[string]bool{}
		for _, r := range rcv.requests() {
			if len(r.events) > webhooks.MaxBatch {
				t.Errorf("a request of %d events", len(r.events))
			}
			for _, e := range r.events {
				if ids[e.EventID] {
					t.Errorf("event %s sent twice", e.EventID)
				}
				ids[e.EventID] = true
				byType[e.Type]++
			}
		}
		if byType[webhooks.RecordCreated] != 1500 || byType[webhooks.ImportFinished] != 1 || byType[webhooks.AssociationAdded] == 0 {
			t.Errorf("events by type %v, want 1500 created, associations and the import's end", byType)
		}
	})
}
