package graph_test

// Definition changes seen by a second server process over the same
// database, and definition changes racing record writes.

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

func TestDefinitionChangesReachEveryServer(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		b := a.secondServer()
		warm := func(s *api) {
			s.t.Helper()
			s.mustObjectType("contacts")
			s.mustObjectType("deals")
		}
		var rec recordJSON

		t.Run("created through one, written through the other", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			warm(b)
			a.createProperty("contacts", map[string]any{"name": "region", "label": "Region", "type": "STRING", "fieldType": "TEXT"})
			rec = b.create("contacts", map[string]any{"email": "two@example.com", "region": "EMEA"})
			if got := a.stored(rec)["region"]; got != "EMEA" {
				t.Fatalf("stored %#v", got)
			}
			if b.mustObjectType("contacts").prop("region") == nil {
				t.Fatal("second server does not list the new property")
			}
		})
		t.Run("archived through one, refused through the other", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			warm(b)
			a.ok(archivePropertyMutation, propertyRef("contacts", "region"), nil)
			b.fails(updateRecordMutation, map[string]any{"id": rec.ID, "p": map[string]any{"region": "APAC"}}, "BAD_USER_INPUT", "region")
			if _, shown := b.read(rec).Properties["region"]; shown {
				t.Fatal("second server shows an archived property's value")
			}
			if a.stored(rec)["region"] != "EMEA" {
				t.Fatal("value lost")
			}
		})
		t.Run("restored through the other, written through the first", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			warm(a)
			b.ok(restorePropertyMutation, propertyRef("contacts", "region"), nil)
			a.updateRecord(rec, map[string]any{"region": "APAC"})
			if b.read(rec).Properties["region"] != "APAC" {
				t.Fatal("second server does not show the restored value")
			}
		})
		t.Run("option added through one, used through the other", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			a.createProperty("contacts", map[string]any{"name": "plan", "label": "Plan", "type": "ENUMERATION", "fieldType": "SELECT", "options": optionsInput("free")})
			warm(b)
			a.updateProperty(map[string]any{"objectType": "contacts", "name": "plan", "options": optionsInput("free", "pro")})
			b.updateRecord(rec, map[string]any{"plan": "pro"})
			// And removed (clearing it) through one: refused through the other.
			warm(b)
			if res := a.updateProperty(map[string]any{"objectType": "contacts", "name": "plan", "options": optionsInput("free"), "clearRemovedOptions": true}); res.ClearedValues != 1 {
				t.Fatalf("cleared %d", res.ClearedValues)
			}
			b.fails(updateRecordMutation, map[string]any{"id": rec.ID, "p": map[string]any{"plan": "pro"}}, "BAD_USER_INPUT", "plan")
		})
		t.Run("marked unique through one, enforced and upserted by through the other", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			warm(b)
			a.updateProperty(map[string]any{"objectType": "contacts", "name": "region", "hasUniqueValue": true})
			b.fails(createMutation, map[string]any{"t": "contacts", "p": map[string]any{"region": "APAC"}}, "CONFLICT", "region")
			var out struct{ UpsertRecords batchJSON }
			b.ok(upsertByMutation, map[string]any{"t": "contacts", "key": "region", "in": []map[string]any{{"properties": map[string]any{"region": "APAC", "firstname": "Up"}}}}, &out)
			if r := out.UpsertRecords.Results[0]; r.Error != nil || r.Created || r.Record.ID != rec.ID {
				t.Fatalf("upsert %+v", r)
			}
			warm(b)
			a.updateProperty(map[string]any{"objectType": "contacts", "name": "region", "hasUniqueValue": false})
			b.create("contacts", map[string]any{"region": "APAC"})
		})
		t.Run("type changed through one, validated through the other", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			a.createProperty("contacts", map[string]any{"name": "size", "label": "Size", "type": "STRING", "fieldType": "TEXT"})
			warm(b)
			b.updateRecord(rec, map[string]any{"size": "3"})
			a.updateProperty(map[string]any{"objectType": "contacts", "name": "size", "type": "NUMBER", "fieldType": "NUMBER"})
			// The other server validates and stores in the new type at once.
			b.fails(updateRecordMutation, map[string]any{"id": rec.ID, "p": map[string]any{"size": "big"}}, "BAD_USER_INPUT", "size")
			b.updateRecord(rec, map[string]any{"size": "4"})
			if got := a.stored(rec)["size"]; got != float64(4) {
				t.Fatalf("second server stored %#v, want the number 4", got)
			}
			// (Whether the converted "3" became a number is
			// TestPropertyTypeChange's concern.)
		})
		t.Run("group deleted through one, default group seen through the other", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			a.ok(createGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "extra", "label": "Extra"}}, nil)
			a.updateProperty(map[string]any{"objectType": "contacts", "name": "size", "groupName": "extra"})
			if p := b.mustProperty("contacts", "size"); p.group() != "extra" {
				t.Fatalf("second server: %+v", p)
			}
			a.ok(deleteGroupMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "extra"}}, nil)
			if p := b.mustProperty("contacts", "size"); p.group() != "contactinformation" {
				t.Fatalf("second server: %+v", p)
			}
		})
		t.Run("deleted through one, unknown through the other", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			a.ok(archivePropertyMutation, propertyRef("contacts", "size"), nil)
			warm(b)
			a.ok(deletePropertyMutation, propertyRef("contacts", "size"), nil)
			if b.property("contacts", "size") != nil {
				t.Fatal("second server still has the deleted definition")
			}
			b.fails(createMutation, map[string]any{"t": "contacts", "p": map[string]any{"size": 1}}, "BAD_USER_INPUT", "size")
		})
		// Both servers pass their own check of the name before either
		// writes: the database's unique index decides, and the loser must
		// hear CONFLICT, as it would have a moment later.
		// The losers' checks ran on older definitions: the unique index
		// catches them, as CONFLICT, not INTERNAL.
		t.Run("the same name created through both at once", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			const n = 8
			responses := make([]*response, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := a
					if i%2 == 1 {
						s = b
					}
					responses[i] = s.do(createPropertyMutation, map[string]any{"t": "contacts", "p": map[string]any{
						"name": "race_prop", "label": fmt.Sprint("Race ", i), "type": "STRING", "fieldType": "TEXT"}})
				}()
			}
			wg.Wait()
			wins := 0
			for i, r := range responses {
				switch {
				case len(r.Errors) == 0:
					wins++
				case r.Errors[0].Extensions["code"] != "CONFLICT":
					t.Errorf("request %d: %+v, want CONFLICT", i, r.Errors)
				}
			}
			if wins != 1 {
				t.Fatalf("%d requests created race_prop", wins)
			}
			n2 := 0
			for _, p := range a.mustObjectType("contacts").AllProperties {
				if p.Name == "race_prop" {
					n2++
				}
			}
			if n2 != 1 {
				t.Fatalf("%d definitions named race_prop", n2)
			}
		})
		t.Run("custom object made through one, used through the other", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			warm(b)
			a.createObjectType(map[string]any{"name": "widgets", "singularLabel": "Widget", "pluralLabel": "Widgets",
				"properties": []map[string]any{{"name": "sku", "label": "SKU", "type": "STRING", "fieldType": "TEXT", "hasUniqueValue": true}}})
			w := b.create("widgets", map[string]any{"sku": "W-1"})
			b.fails(createMutation, map[string]any{"t": "widgets", "p": map[string]any{"sku": "W-1"}}, "CONFLICT", "sku")
			if a.stored(w)["sku"] != "W-1" {
				t.Fatal("not stored")
			}
			b.ok(`mutation { updateObjectType(input: {name: "widgets", singularLabel: "Gizmo"}) { objectType { name } } }`, nil, nil)
			if got := a.mustObjectType("widgets").SingularLabel; got != "Gizmo" {
				t.Fatalf("first server sees %q", got)
			}
		})
		t.Run("pipeline made through one, used through the other", func(t *testing.T) {
			a, b := a.with(t), b.with(t)
			warm(b)
			p := a.createPipeline("deals", map[string]any{"key": "partners", "label": "Partners", "stages": []map[string]any{
				{"key": "p_new", "label": "New", "probability": 0.1}, {"key": "p_won", "label": "Won", "probability": 1.0, "closed": true}}})
			b.create("deals", map[string]any{"dealname": "Via b", "pipeline": "partners", "dealstage": "p_won"})
			warm(b)
			a.ok(archiveStageMutation, map[string]any{"id": p.stage("p_new").ID}, nil)
			b.fails(createMutation, map[string]any{"t": "deals", "p": map[string]any{"dealname": "Via b", "pipeline": "partners", "dealstage": "p_new"}}, "BAD_USER_INPUT", "dealstage")
		})
	})
}

// Two server processes over one database, each with its own pool,
// definitions cache and (on PostgreSQL) listening connection: a definition
// changed through one is seen by the very next request on the other, every
// time, while between changes the other answers from its cache without a
// statement. Then, on PostgreSQL, the other's listening connection is
// killed: a change made while it is gone is never heard, and must be seen
// all the same; once it listens again, the cache is trusted again.
func TestDefinitionChangeSeenByTheNextRequestOfAnotherProcess(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			shared := dbtest.URL(t, dialect)
			a := newAPI(t, dbtest.OpenURL(t, shared), nil)
			// b's connections carry a name of their own, for the kill.
			bURL, app := shared, "crm-b-"+rand.Text()
			if dialect == "postgres" {
				u, err := url.Parse(shared)
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query()
				q.Set("application_name", app)
				u.RawQuery = q.Encode()
				bURL = u.String()
			}
			counter := &db.Counter{}
			b := newAPI(t, dbtest.OpenURL(t, bURL, db.WithCounter(counter)), counter)
			if a.ws != b.ws {
				t.Fatalf("workspaces %d and %d", a.ws, b.ws)
			}
			a.createProperty("contacts", map[string]any{"name": "tagline", "label": "Tagline 0", "type": "STRING", "fieldType": "TEXT"})
			round := 0
			change := func() {
				t.Helper()
				round++
				label := fmt.Sprint("Tagline ", round)
				a.updateProperty(map[string]any{"objectType": "contacts", "name": "tagline", "label": label})
				if got := b.mustProperty("contacts", "tagline").Label; got != label {
					t.Fatalf("round %d: the other server answered %q right after the change to %q", round, got, label)
				}
			}
			// cached reports whether b answers from its cache, no statement
			// sent (never on SQLite, which reads the version every time).
			cached := func() bool {
				t.Helper()
				counter.Reset()
				b.mustProperty("contacts", "tagline")
				return counter.Count() == 0
			}
			b.mustProperty("contacts", "tagline") // b has definitions cached
			for range 50 {
				change()
				if dialect == "postgres" && !cached() {
					t.Fatalf("round %d: the other server read the definitions again with nothing changed: %d statements", round, counter.Count())
				}
			}
			if dialect != "postgres" {
				return
			}
			// b's listening connection is the one of its connections that
			// last sent the empty query of a sync.
			listener := func() (pid int) {
				t.Helper()
				err := db.Build(a.d.Dialect, "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE application_name = ").
					Arg(app).T(" AND query = ';'").Row(t.Context(), a.d.SQL, &pid)
				if err != nil {
					t.Fatal(err)
				}
				return pid
			}
			kill := func() int {
				t.Helper()
				pid := listener()
				var ok bool
				if err := db.Build(a.d.Dialect, "SELECT pg_terminate_backend(").Arg(pid).T(")").Row(t.Context(), a.d.SQL, &ok); err != nil || !ok {
					t.Fatalf("kill the listening connection %d: %v", pid, err)
				}
				return pid
			}
			eventually := func(what string, cond func() bool) {
				t.Helper()
				for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatal(what)
					}
				}
			}
			// Killed, changed, read: the sync fails, and b reads the
			// version until it listens again.
			kill()
			change()
			eventually("the other server does not trust its cache again after it lost its listening connection", cached)
			// Killed, changed, listening again before the next read: what
			// was cached before must be checked again.
			old := kill()
			a.updateProperty(map[string]any{"objectType": "contacts", "name": "tagline", "label": "While away"})
			eventually("the other server does not listen again", func() bool { return listener() > 0 && listener() != old })
			if got := b.mustProperty("contacts", "tagline").Label; got != "While away" {
				t.Fatalf("the other server answered %q after listening again", got)
			}
			for range 10 {
				change()
				if !cached() {
					t.Fatalf("round %d: the other server read the definitions again with nothing changed: %d statements", round, counter.Count())
				}
			}
		})
	}
}

// Rules 2 and 8 together: an option removed (clearing its values) while
// another server process writes that option to records. Whatever the
// interleaving, no record may end up holding an option its definition no
// longer has: either a write lands first and is cleared, or it comes after
// and is refused.
// Writes validated against definitions read before a removal committed
// must not land after its clearing pass: record writes share-lock the
// schema version that a definition change moves first, and retry with
// fresh definitions when it moved. Timing decides the interleaving; no
// interleaving may leave a removed option stored.
func TestOptionRemovalRacingRecordWrites(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		b := a.secondServer()
		a.createProperty("contacts", map[string]any{"name": "tier", "label": "Tier", "type": "ENUMERATION", "fieldType": "SELECT",
			"options": optionsInput("gold", "silver")})
		recs := make([]recordJSON, 20)
		for i := range recs {
			recs[i] = a.create("contacts", map[string]any{"email": fmt.Sprintf("race%d@example.com", i), "tier": "silver"})
		}
		var wg sync.WaitGroup
		for i := range recs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Either outcome is fine for a single write: written, or
				// refused because gold is gone.
				b.do(updateRecordMutation, map[string]any{"id": recs[i].ID, "p": map[string]any{"tier": "gold"}})
			}()
		}
		var removal *response
		wg.Add(1)
		go func() {
			defer wg.Done()
			removal = a.do(updatePropertyMutation, inVars(map[string]any{"objectType": "contacts", "name": "tier",
				"options": optionsInput("silver"), "clearRemovedOptions": true}))
		}()
		wg.Wait()
		if len(removal.Errors) > 0 {
			t.Fatalf("removal refused: %+v", removal.Errors)
		}
		if got := a.mustProperty("contacts", "tier").optionValues(); !slices.Equal(got, []string{"silver"}) {
			t.Fatalf("options %v", got)
		}
		stranded := 0
		for _, r := range recs {
			if a.stored(r)["tier"] == "gold" {
				stranded++
			}
		}
		if stranded > 0 {
			t.Fatalf("%d records hold the removed option gold after the removal committed", stranded)
		}
	})
}

// An association write racing the deletion of its label, on another
// server whose definitions still have the label: whichever commits first,
// the write answers its association or a coded refusal, never INTERNAL,
// and no association row is left of a deleted label.
func TestAssociationRacingLabelDeletion(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		b := a.secondServer()
		company := a.create("companies", map[string]any{"name": "Acme"})
		contacts := make([]recordJSON, 8)
		for i := range contacts {
			contacts[i] = a.create("contacts", map[string]any{"email": fmt.Sprintf("racer%d@example.com", i)})
		}
		for round := range 6 {
			label := fmt.Sprintf("Champion %d", round)
			var created struct {
				CreateAssociationLabel struct{ AssociationType struct{ ID string } }
			}
			a.ok(`mutation($l: String!) { createAssociationLabel(input: {fromObjectType: "companies", toObjectType: "contacts", label: $l}) { associationType { id } } }`,
				map[string]any{"l": label}, &created)
			b.ok(`{ objectTypes { name } }`, nil, nil) // b reads the definitions with the label
			var wg sync.WaitGroup
			answers := make([]*response, len(contacts)+1)
			for i, c := range contacts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[i] = b.do(associateMutation, map[string]any{"from": company.ID, "to": c.ID, "labels": []string{label}})
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[len(contacts)] = a.do(`mutation($id: ID!) { deleteAssociationLabel(input: {id: $id, removeAssociations: true}) { removedAssociations } }`,
					map[string]any{"id": created.CreateAssociationLabel.AssociationType.ID})
			}()
			wg.Wait()
			for i, resp := range answers {
				for _, e := range resp.Errors {
					if e.Extensions["code"] == "INTERNAL" || e.Extensions["code"] == nil {
						t.Fatalf("round %d, request %d answered %+v", round, i, e)
					}
				}
			}
			if del := answers[len(contacts)]; len(del.Errors) > 0 {
				t.Fatalf("round %d: the deletion was refused: %+v", round, del.Errors)
			}
			for _, row := range a.rows() {
				if strings.HasSuffix(row, ":"+label) {
					t.Fatalf("round %d: %s outlived its label", round, row)
				}
			}
		}
	})
}
