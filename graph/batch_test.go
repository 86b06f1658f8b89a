package graph_test

import (
	"fmt"
	"sync"
	"testing"
)

type batchJSON struct {
	Written int
	Failed  int
	Results []struct {
		Index   int
		Created bool
		Record  *struct {
			ID         string
			Properties map[string]any
		}
		Error *struct {
			Code           string
			Message        string
			Property       *string
			ExistingRecord *struct{ ID string }
		}
	}
}

const batchFields = `written failed results { index created record { id properties } error { code message property existingRecord { id } } }`

func TestCreateRecordsReportsEachItem(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.create("contacts", map[string]any{"email": "taken@example.com"})
		inputs := make([]map[string]any, 1000)
		for i := range inputs {
			inputs[i] = map[string]any{"properties": map[string]any{"email": fmt.Sprintf("c%d@example.com", i), "firstname": "C"}}
		}
		bad := map[int]struct{ code, property string }{
			17:  {"BAD_USER_INPUT", "lifecyclestage"},
			500: {"BAD_USER_INPUT", "shoe_size"},
			999: {"CONFLICT", "email"},
		}
		inputs[17]["properties"].(map[string]any)["lifecyclestage"] = "not-a-stage"
		inputs[500]["properties"].(map[string]any)["shoe_size"] = 44
		inputs[999]["properties"].(map[string]any)["email"] = "TAKEN@example.com"

		var out struct{ CreateRecords batchJSON }
		a.ok(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { `+batchFields+` } }`,
			map[string]any{"in": inputs}, &out)
		b := out.CreateRecords
		if b.Written != 997 || b.Failed != 3 || len(b.Results) != 1000 {
			t.Fatalf("written %d failed %d results %d", b.Written, b.Failed, len(b.Results))
		}
		for i, r := range b.Results {
			if r.Index != i {
				t.Fatalf("result %d has index %d", i, r.Index)
			}
			want, isBad := bad[i]
			switch {
			case isBad && (r.Error == nil || r.Record != nil):
				t.Fatalf("item %d should have failed: %+v", i, r)
			case isBad && (r.Error.Code != want.code || r.Error.Property == nil || *r.Error.Property != want.property):
				t.Fatalf("item %d: error %+v, want %s on %s", i, r.Error, want.code, want.property)
			case !isBad && (r.Error != nil || r.Record == nil):
				t.Fatalf("item %d should be written: %+v", i, r.Error)
			}
		}
		if b.Results[999].Error.ExistingRecord == nil {
			t.Fatal("conflict does not name the existing record")
		}
		if n := a.count("contacts"); n != 1+997 {
			t.Fatalf("database holds %d contacts, the answer says %d", n, 1+997)
		}
	})
}

func TestBatchLimits(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		inputs := make([]map[string]any, 1001)
		for i := range inputs {
			inputs[i] = map[string]any{"properties": map[string]any{"firstname": "x"}}
		}
		a.fails(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) { written } }`,
			map[string]any{"in": inputs}, "LIMIT_EXCEEDED", "")
		a.fails(`mutation { createRecords(input: {objectType: "unicorns", inputs: [{properties: {}}]}) { written } }`, nil, "NOT_FOUND", "")
		if n := a.count("contacts"); n != 0 {
			t.Fatalf("%d contacts written by refused calls", n)
		}
	})
}

func TestUpdateAndArchiveRecords(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		x := a.create("contacts", map[string]any{"email": "x@example.com"})
		y := a.create("contacts", map[string]any{"email": "y@example.com"})
		co := a.create("companies", map[string]any{"name": "Acme"})
		var out struct{ UpdateRecords batchJSON }
		a.ok(`mutation($in: [UpdateRecordInput!]!) { updateRecords(input: {objectType: "contacts", inputs: $in}) { `+batchFields+` } }`,
			map[string]any{"in": []map[string]any{
				{"id": x.ID, "properties": map[string]any{"jobtitle": "CEO"}},
				{"id": y.ID, "properties": map[string]any{"email": "x@example.com"}},
				{"id": co.ID, "properties": map[string]any{"name": "Other"}},
				{"id": x.ID, "properties": map[string]any{"city": "Oslo"}},
			}}, &out)
		b := out.UpdateRecords
		if b.Written != 2 || b.Failed != 2 {
			t.Fatalf("written %d failed %d: %+v", b.Written, b.Failed, b.Results)
		}
		if b.Results[1].Error.Code != "CONFLICT" || b.Results[1].Error.ExistingRecord.ID != x.ID {
			t.Fatalf("item 1: %+v", b.Results[1].Error)
		}
		if b.Results[2].Error.Code != "NOT_FOUND" {
			t.Fatalf("a company among contacts: %+v", b.Results[2].Error)
		}
		if p := b.Results[3].Record.Properties; p["jobtitle"] != "CEO" || p["city"] != "Oslo" {
			t.Fatalf("later item builds on the earlier one: %v", p)
		}
		var got getRecordJSON
		a.ok(getRecord, map[string]any{"id": y.ID}, &got)
		if got.Record.Properties["email"] != "y@example.com" {
			t.Fatalf("failed item changed y: %v", got.Record.Properties)
		}

		var arch struct{ ArchiveRecords batchJSON }
		a.ok(`mutation($ids: [ID!]!) { archiveRecords(input: {ids: $ids}) { `+batchFields+` } }`,
			map[string]any{"ids": []string{x.ID, "UmVjb3JkOjk5OTk5", y.ID}}, &arch)
		if arch.ArchiveRecords.Written != 2 || arch.ArchiveRecords.Results[1].Error.Code != "NOT_FOUND" {
			t.Fatalf("archive: %+v", arch.ArchiveRecords)
		}
		if ids := a.listIDs("contacts", false); len(ids) != 0 {
			t.Fatalf("live contacts after archiving: %v", ids)
		}
	})
}

func TestUpsertRecords(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		existing := a.create("contacts", map[string]any{"email": "old@example.com", "firstname": "Old"})
		var out struct{ UpsertRecords batchJSON }
		a.ok(`mutation($in: [RecordPropertiesInput!]!) { upsertRecords(input: {objectType: "contacts", inputs: $in}) { `+batchFields+` } }`,
			map[string]any{"in": []map[string]any{
				{"properties": map[string]any{"email": "OLD@example.com", "lastname": "Timer"}},
				{"properties": map[string]any{"email": "new@example.com", "firstname": "New"}},
				{"properties": map[string]any{"email": "new@example.com", "lastname": "Comer"}},
				{"properties": map[string]any{"firstname": "No key"}},
				{"properties": map[string]any{"email": "bad@example.com", "lifecyclestage": "nope"}},
			}}, &out)
		b := out.UpsertRecords
		if b.Written != 3 || b.Failed != 2 {
			t.Fatalf("written %d failed %d: %+v", b.Written, b.Failed, b.Results)
		}
		r := b.Results
		if r[0].Created || r[0].Record.ID != existing.ID || r[0].Record.Properties["firstname"] != "Old" || r[0].Record.Properties["lastname"] != "Timer" {
			t.Fatalf("item 0 did not update the existing contact: %+v", r[0])
		}
		if !r[1].Created || r[2].Created || r[2].Record.ID != r[1].Record.ID || r[2].Record.Properties["firstname"] != "New" {
			t.Fatalf("items 1 and 2 are one new contact: %+v %+v", r[1], r[2])
		}
		if *r[3].Error.Property != "email" || *r[4].Error.Property != "lifecyclestage" {
			t.Fatalf("errors: %+v %+v", r[3].Error, r[4].Error)
		}
		if n := a.count("contacts"); n != 2 {
			t.Fatalf("%d contacts, want 2", n)
		}
		a.fails(`mutation { upsertRecords(input: {objectType: "contacts", idProperty: "firstname", inputs: []}) { written } }`, nil, "BAD_USER_INPUT", "idProperty")
		var byDomain struct{ UpsertRecords batchJSON }
		a.ok(`mutation { upsertRecords(input: {objectType: "companies", inputs: [{properties: {domain: "https://www.Acme.example/", name: "Acme"}}]}) { `+batchFields+` } }`, nil, &byDomain)
		if byDomain.UpsertRecords.Results[0].Record.Properties["domain"] != "acme.example" {
			t.Fatalf("domain: %+v", byDomain.UpsertRecords.Results[0])
		}
	})
}

func TestUniqueEmailUnderConcurrency(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		const n = 20
		var wg sync.WaitGroup
		responses := make([]*response, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				responses[i] = a.do(createMutation, map[string]any{"t": "contacts", "p": map[string]any{"email": "race@example.com"}})
			}()
		}
		wg.Wait()
		wins, conflicts := 0, 0
		for _, r := range responses {
			switch {
			case len(r.Errors) == 0:
				wins++
			case r.Errors[0].Extensions["code"] == "CONFLICT" && r.Errors[0].Extensions["existingId"] != nil:
				conflicts++
			default:
				t.Errorf("unexpected answer: %+v", r.Errors)
			}
		}
		if wins != 1 || conflicts != n-1 {
			t.Fatalf("%d won, %d conflicts", wins, conflicts)
		}
		if c := a.count("contacts"); c != 1 {
			t.Fatalf("%d contacts stored", c)
		}
	})
}
