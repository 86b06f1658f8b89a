package graph_test

import (
	"testing"
)

const getRecord = `query($id: ID!) { record(id: $id) { ` + recordFields + ` } node(id: $id) { id ... on Record { recordId displayName } } }`

type getRecordJSON struct {
	Record *recordJSON `json:"record"`
	Node   *struct {
		ID          string `json:"id"`
		RecordID    string `json:"recordId"`
		DisplayName string `json:"displayName"`
	} `json:"node"`
}

// listIDs returns the ids of the first page of records of a type.
func (a *api) listIDs(objectType string, archived bool) []string {
	a.t.Helper()
	var out struct {
		Records struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID string } }
		}
	}
	a.ok(`query($t: String!, $a: Boolean) { records(objectType: $t, archived: $a, first: 1000) { totalCount edges { node { id } } } }`,
		map[string]any{"t": objectType, "a": archived}, &out)
	ids := make([]string, len(out.Records.Edges))
	for i, e := range out.Records.Edges {
		ids[i] = e.Node.ID
	}
	if out.Records.TotalCount != len(ids) {
		a.t.Fatalf("totalCount %d, but %d edges", out.Records.TotalCount, len(ids))
	}
	return ids
}

func TestRecordLifecycle(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		created := a.create("contacts", map[string]any{"email": "Ada@Example.com", "firstname": "Ada", "lastname": "Lovelace", "lifecyclestage": "lead"})
		if created.DisplayName != "Ada Lovelace" || created.ObjectType.Name != "contacts" || created.Archived {
			t.Fatalf("created %+v", created)
		}
		if created.Properties["email"] != "ada@example.com" {
			t.Fatalf("email is stored lower case, got %v", created.Properties["email"])
		}
		if created.Properties["hs_object_id"] != float64(mustAtoi(t, created.RecordID)) {
			t.Fatalf("hs_object_id %v, recordId %s", created.Properties["hs_object_id"], created.RecordID)
		}
		for _, p := range []string{"createdate", "lastmodifieddate"} {
			if _, ok := created.Properties[p].(string); !ok {
				t.Fatalf("%s missing: %v", p, created.Properties)
			}
		}

		t.Run("read by record, node and records", func(t *testing.T) {
			var got getRecordJSON
			a.ok(getRecord, map[string]any{"id": created.ID}, &got)
			if got.Record == nil || got.Record.ID != created.ID || got.Node == nil || got.Node.DisplayName != "Ada Lovelace" || got.Node.RecordID != created.RecordID {
				t.Fatalf("got %+v", got)
			}
			if ids := a.listIDs("contacts", false); len(ids) != 1 || ids[0] != created.ID {
				t.Fatalf("records() = %v", ids)
			}
		})

		t.Run("properties(names) projects", func(t *testing.T) {
			var got struct {
				Record struct{ Properties map[string]any }
			}
			a.ok(`query($id: ID!) { record(id: $id) { properties(names: ["firstname", "phone", "hs_object_id"]) } }`, map[string]any{"id": created.ID}, &got)
			if len(got.Record.Properties) != 2 || got.Record.Properties["firstname"] != "Ada" || got.Record.Properties["hs_object_id"] == nil {
				t.Fatalf("properties = %v", got.Record.Properties)
			}
		})

		t.Run("update sets and clears", func(t *testing.T) {
			var got struct {
				UpdateRecord struct{ Record recordJSON }
			}
			a.ok(`mutation($id: ID!, $p: JSON!) { updateRecord(input: {id: $id, properties: $p}) { record { `+recordFields+` } } }`,
				map[string]any{"id": created.ID, "p": map[string]any{"lastname": nil, "jobtitle": "Analyst", "firstname": ""}}, &got)
			p := got.UpdateRecord.Record.Properties
			if _, ok := p["lastname"]; ok {
				t.Fatalf("lastname not cleared: %v", p)
			}
			if _, ok := p["firstname"]; ok {
				t.Fatalf("firstname not cleared by \"\": %v", p)
			}
			if p["jobtitle"] != "Analyst" || p["email"] != "ada@example.com" {
				t.Fatalf("properties = %v", p)
			}
			if got.UpdateRecord.Record.DisplayName != "ada@example.com" {
				t.Fatalf("display name falls back to email, got %q", got.UpdateRecord.Record.DisplayName)
			}
		})

		t.Run("archive hides from records, archived lists it", func(t *testing.T) {
			var got struct {
				ArchiveRecord struct{ Record recordJSON }
			}
			a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { `+recordFields+` } } }`, map[string]any{"id": created.ID}, &got)
			if !got.ArchiveRecord.Record.Archived {
				t.Fatalf("not archived: %+v", got)
			}
			if ids := a.listIDs("contacts", false); len(ids) != 0 {
				t.Fatalf("archived record still listed: %v", ids)
			}
			if ids := a.listIDs("contacts", true); len(ids) != 1 || ids[0] != created.ID {
				t.Fatalf("recycle bin = %v", ids)
			}
			var read getRecordJSON
			a.ok(getRecord, map[string]any{"id": created.ID}, &read)
			if read.Record == nil || !read.Record.Archived {
				t.Fatalf("record(id) of an archived record: %+v", read.Record)
			}
			a.fails(`mutation($id: ID!) { updateRecord(input: {id: $id, properties: {jobtitle: "x"}}) { record { id } } }`, map[string]any{"id": created.ID}, "NOT_FOUND", "")
		})

		t.Run("restore brings it back", func(t *testing.T) {
			var got struct {
				RestoreRecord struct{ Record recordJSON }
			}
			a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { `+recordFields+` } } }`, map[string]any{"id": created.ID}, &got)
			if got.RestoreRecord.Record.Archived {
				t.Fatalf("still archived")
			}
			if ids := a.listIDs("contacts", false); len(ids) != 1 {
				t.Fatalf("records() = %v", ids)
			}
			if ids := a.listIDs("contacts", true); len(ids) != 0 {
				t.Fatalf("recycle bin = %v", ids)
			}
		})

		t.Run("restore refused when the email was taken meanwhile", func(t *testing.T) {
			a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": created.ID}, nil)
			other := a.create("contacts", map[string]any{"email": "ada@example.com"})
			e := a.fails(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": created.ID}, "CONFLICT", "email")
			if e.Extensions["existingId"] != other.ID {
				t.Fatalf("conflict names %v, want %s", e.Extensions["existingId"], other.ID)
			}
			if ids := a.listIDs("contacts", true); len(ids) != 1 || ids[0] != created.ID {
				t.Fatalf("record left the recycle bin: %v", ids)
			}
		})
	})
}

func TestUnknownIDs(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := a.create("companies", map[string]any{"name": "Acme", "domain": "acme.example"})
		var got struct {
			Record *recordJSON
			Node   *struct{ ID string }
			Nodes  []*struct {
				ID string `json:"id"`
			}
		}
		missing := "UmVjb3JkOjk5OTk5" // Record:99999
		a.ok(`query($m: ID!, $c: ID!) { record(id: $m) { id } node(id: $m) { id } nodes(ids: [$c, $m]) { id } }`,
			map[string]any{"m": missing, "c": c.ID}, &got)
		if got.Record != nil || got.Node != nil || len(got.Nodes) != 2 || got.Nodes[0] == nil || got.Nodes[0].ID != c.ID || got.Nodes[1] != nil {
			t.Fatalf("got %+v", got)
		}
		a.fails(`{ node(id: "not an id") { id } }`, nil, "BAD_USER_INPUT", "")
		a.fails(`mutation { archiveRecord(input: {id: "UmVjb3JkOjk5OTk5"}) { record { id } } }`, nil, "NOT_FOUND", "")
		a.fails(`{ records(objectType: "unicorns") { totalCount } }`, nil, "NOT_FOUND", "")
	})
}

func TestNodeResolvesDefinitions(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var types struct {
			ObjectType struct {
				ID        string
				Property  struct{ ID string }
				Pipelines []struct {
					ID     string
					Stages []struct{ ID string }
				}
			}
		}
		a.ok(`{ objectType(name: "deals") { id property(name: "amount") { id } pipelines { id stages { id } } } }`, nil, &types)
		ot := types.ObjectType
		var got struct {
			Nodes []map[string]any
		}
		a.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`,
			map[string]any{"ids": []string{ot.ID, ot.Property.ID, ot.Pipelines[0].ID, ot.Pipelines[0].Stages[0].ID, a.labelID("deals", "companies", "Primary")}}, &got)
		want := []string{"ObjectType", "Property", "Pipeline", "PipelineStage", "AssociationType"}
		if len(got.Nodes) != len(want) {
			t.Fatalf("%d nodes", len(got.Nodes))
		}
		for i, n := range got.Nodes {
			if n["__typename"] != want[i] {
				t.Fatalf("node %d is %v, want %s", i, n["__typename"], want[i])
			}
		}
	})
}
