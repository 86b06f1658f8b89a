package graph_test

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
)

// TestSharedEventsAnswerAsExecuted: subscribers of one operation, with the
// same variables and key, take each event from one render (fanout.go);
// what they receive is byte for byte what the executor answers a
// subscriber of an operation of its own (another name, same selection).
// An event that stands for an error is executed by each.
func TestSharedEventsAnswerAsExecuted(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		srv := httptest.NewServer(a.h)
		t.Cleanup(srv.Close)
		h := a.h.(*graph.Handler)
		a.ok(`mutation { createProperty(input: {objectType: "contacts", property: {name: "tier", label: "Tier", type: STRING, fieldType: TEXT}}) { property { name } } }`, nil, nil)
		const (
			selection = `(objectType: "contacts", filter: {property: "tier", operator: HAS_PROPERTY}) { ` + eventFields + ` }`
			shared    = `subscription { recordChanged` + selection + ` }`
			alone     = `subscription Alone { recordChanged` + selection + ` }`
			byID      = `subscription($id: ID!) { recordUpdated(id: $id) { ` + eventFields + ` } }`
			byIDAlone = `subscription Alone($id: ID!) { recordUpdated(id: $id) { ` + eventFields + ` } }`
		)
		ada := a.create("contacts", map[string]any{"firstname": "Ada", "tier": "gold"})
		ws := []*wsClient{dialWS(t, srv.URL, nil), dialWS(t, srv.URL, nil), dialWS(t, srv.URL, nil)}
		for i, w := range ws {
			q, u := shared, byID
			if i == 2 {
				q, u = alone, byIDAlone
			}
			w.subscribe("c", q, nil)
			w.subscribe("u", u, map[string]any{"id": ada.ID})
		}
		awaitSubscribers(t, a.h, 6)
		before := h.SharedEvents()

		// expect reads the next message of each subscription of want from
		// every subscriber (those of one connection come in any order),
		// and compares their bytes.
		expect := func(want map[string]string) {
			t.Helper()
			first := map[string][]byte{}
			for i, w := range ws {
				for range want {
					m := w.read()
					if m.Type != "next" || want[m.ID] == "" || !strings.Contains(string(m.Payload), want[m.ID]) {
						t.Fatalf("subscriber %d: want events with %v, got %s %s: %s", i, want, m.Type, m.ID, m.Payload)
					}
					if i == 0 {
						first[m.ID] = m.Payload
					} else if !bytes.Equal(m.Payload, first[m.ID]) {
						t.Fatalf("subscriber %d answered\n%s\nsubscriber 0\n%s", i, m.Payload, first[m.ID])
					}
				}
			}
		}
		update := func(props map[string]any) {
			a.ok(`mutation($id: ID!, $p: JSON!) { updateRecord(input: {id: $id, properties: $p}) { record { id } } }`, map[string]any{"id": ada.ID, "p": props}, nil)
		}
		update(map[string]any{"lastname": "Lovelace"})
		expect(map[string]string{"c": `"kind":"UPDATED"`, "u": `"kind":"UPDATED"`})
		update(map[string]any{"tier": nil})
		expect(map[string]string{"c": `"matches":false`, "u": `"lastname":"Lovelace"`})
		a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": ada.ID}, nil)
		expect(map[string]string{"u": `"archived":true`})
		a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedRecords } }`, map[string]any{"id": ada.ID}, nil)
		expect(map[string]string{"u": `"record":null`})
		// One of the two subscribers of each operation took each event
		// from the other's render.
		if n := h.SharedEvents() - before; n != 6 {
			t.Fatalf("%d events shared, want 6", n)
		}

		// The filter reads a property deleted: each subscription of it ends
		// with the error, which is executed by each, not shared.
		a.ok(`mutation { archiveProperty(input: {objectType: "contacts", name: "tier"}) { property { name } } }`, nil, nil)
		a.ok(`mutation { deleteProperty(input: {objectType: "contacts", name: "tier"}) { removedValues } }`, nil, nil)
		a.create("contacts", map[string]any{"firstname": "Bob"})
		for i, w := range ws {
			if m := w.read(); m.ID != "c" || !strings.Contains(string(m.Payload), `"errors"`) {
				t.Fatalf("subscriber %d: want the error that ends c, got %s %s: %s", i, m.Type, m.ID, m.Payload)
			}
		}
		if n := h.SharedEvents() - before; n != 6 {
			t.Fatalf("%d events shared after the error, want 6", n)
		}
	})
}
