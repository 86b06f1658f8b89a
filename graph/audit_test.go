package graph_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/gid"
)

const auditLogQuery = `query($first: Int, $after: String, $actor: String, $action: AuditAction, $from: DateTime, $to: DateTime) {
  auditLog(first: $first, after: $after, actor: $actor, action: $action, from: $from, to: $to) {
    edges { cursor node { at actor { kind apiKeyId name } action target { type id summary } requestId } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`

type auditActorJSON struct {
	Kind     string  `json:"kind"`
	APIKeyID *string `json:"apiKeyId"`
	Name     string  `json:"name"`
}

type auditEntryJSON struct {
	At     string         `json:"at"`
	Actor  auditActorJSON `json:"actor"`
	Action string         `json:"action"`
	Target struct {
		Type    string `json:"type"`
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"target"`
	RequestID string `json:"requestId"`
}

type auditPageJSON struct {
	Edges []struct {
		Cursor string
		Node   auditEntryJSON
	}
	PageInfo struct {
		HasNextPage     bool
		HasPreviousPage bool
		EndCursor       *string
	}
}

// auditLog reads a page of the trail, which must answer.
func (a *api) auditLog(vars map[string]any) auditPageJSON {
	a.t.Helper()
	var out struct{ AuditLog auditPageJSON }
	a.ok(auditLogQuery, vars, &out)
	return out.AuditLog
}

// entries are the nodes of p.
func (p auditPageJSON) entries() []auditEntryJSON {
	out := make([]auditEntryJSON, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = e.Node
	}
	return out
}

// auditEntryCount counts the workspace's entries in the database.
func (a *api) auditEntryCount() int {
	a.t.Helper()
	var n int
	if err := a.d.SQL.QueryRow(a.d.Dialect.Rebind("SELECT COUNT(*) FROM audit_entries WHERE workspace_id = ?"), a.ws).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// trail is the expected audit trail of a test, oldest first, and the
// requests that make it.
type trail struct {
	t    *testing.T
	at   string
	want []auditEntryJSON
}

var localActor = auditActorJSON{Kind: "LOCAL", Name: "local"}

// run posts query through b with the X-Request-Id req, which must succeed
// and echo req, and decodes its data into out.
func (tr *trail) run(b *api, req, query string, vars map[string]any, out any) {
	tr.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tr.t.Fatal(err)
	}
	rec := b.withRequestID(req).serve(body)
	if got := rec.Header().Get("X-Request-Id"); got != req {
		tr.t.Fatalf("X-Request-Id %q, want %q", got, req)
	}
	var resp response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
		tr.t.Fatalf("%s: %v %+v", req, err, resp.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			tr.t.Fatal(err)
		}
	}
}

// expect adds the entry a request req of actor leaves.
func (tr *trail) expect(actor auditActorJSON, req, action, targetType, targetID, summary string) {
	e := auditEntryJSON{At: tr.at, Actor: actor, Action: action, RequestID: req}
	e.Target.Type, e.Target.ID, e.Target.Summary = targetType, targetID, summary
	tr.want = append(tr.want, e)
}

// step runs a mutation as the local viewer and expects its entry.
func (tr *trail) step(a *api, req, query string, vars map[string]any, out any, action, targetType string, targetID func() string, summary string) {
	tr.t.Helper()
	tr.run(a, req, query, vars, out)
	tr.expect(localActor, req, action, targetType, targetID(), summary)
}

type idJSON struct{ ID string }

// TestAuditTrailOfEveryAction runs every audited action through the API
// and reads the trail it left, whole and exact: actor, action, target,
// summary, time and request id; refused changes in between leave none.
func TestAuditTrailOfEveryAction(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		defer clock.Set(at)()
		tr := &trail{t: t, at: "2026-03-04T05:06:07Z"}
		constant := func(s string) func() string { return func() string { return s } }

		var group struct {
			CreatePropertyGroup struct{ PropertyGroup idJSON }
		}
		tr.step(a, "group-1", `mutation { createPropertyGroup(input: {objectType: "contacts", name: "audit_group", label: "Audit"}) { propertyGroup { id } } }`, nil, &group,
			"CREATE_PROPERTY_GROUP", "PropertyGroup", func() string { return group.CreatePropertyGroup.PropertyGroup.ID }, "created property group contacts.audit_group")
		groupID := group.CreatePropertyGroup.PropertyGroup.ID
		tr.step(a, "group-2", `mutation { updatePropertyGroup(input: {objectType: "contacts", name: "audit_group", label: "Audited"}) { propertyGroup { id } } }`, nil, nil,
			"UPDATE_PROPERTY_GROUP", "PropertyGroup", constant(groupID), "updated property group contacts.audit_group")

		t.Run("an invalid definition change leaves no entry", func(t *testing.T) {
			a.fails(`mutation { createProperty(input: {objectType: "contacts", property: {name: "bad", label: "Bad", type: NUMBER, fieldType: SELECT}}) { property { id } } }`, nil, "BAD_USER_INPUT", "")
			a.fails(`mutation { deletePropertyGroup(input: {objectType: "contacts", name: "no_such_group"}) { movedProperties } }`, nil, "NOT_FOUND", "")
		})

		var prop struct{ CreateProperty struct{ Property idJSON } }
		tr.step(a, "property-1", `mutation { createProperty(input: {objectType: "contacts", property: {name: "audit_score", label: "Score", type: NUMBER, fieldType: NUMBER, groupName: "audit_group"}}) { property { id } } }`, nil, &prop,
			"CREATE_PROPERTY", "Property", func() string { return prop.CreateProperty.Property.ID }, "created property contacts.audit_score")
		propID := prop.CreateProperty.Property.ID
		ref := `{objectType: "contacts", name: "audit_score"}`
		tr.step(a, "property-2", `mutation { updateProperty(input: {objectType: "contacts", name: "audit_score", label: "Audit score"}) { property { id } } }`, nil, nil,
			"UPDATE_PROPERTY", "Property", constant(propID), "updated property contacts.audit_score")
		tr.step(a, "property-3", `mutation { archiveProperty(input: `+ref+`) { property { id } } }`, nil, nil,
			"ARCHIVE_PROPERTY", "Property", constant(propID), "archived property contacts.audit_score")
		tr.step(a, "property-4", `mutation { restoreProperty(input: `+ref+`) { property { id } } }`, nil, nil,
			"RESTORE_PROPERTY", "Property", constant(propID), "restored property contacts.audit_score")
		t.Run("a change refused inside its transaction leaves no entry", func(t *testing.T) {
			a.fails(`mutation { deleteProperty(input: `+ref+`) { removedValues } }`, nil, "CONFLICT", "")
		})
		tr.step(a, "property-5", `mutation { archiveProperty(input: `+ref+`) { property { id } } }`, nil, nil,
			"ARCHIVE_PROPERTY", "Property", constant(propID), "archived property contacts.audit_score")
		tr.step(a, "property-6", `mutation { deleteProperty(input: `+ref+`) { removedValues } }`, nil, nil,
			"DELETE_PROPERTY", "Property", constant(propID), "deleted property contacts.audit_score and its values in 0 records")
		tr.step(a, "group-3", `mutation { deletePropertyGroup(input: {objectType: "contacts", name: "audit_group"}) { movedProperties } }`, nil, nil,
			"DELETE_PROPERTY_GROUP", "PropertyGroup", constant(groupID), "deleted property group contacts.audit_group, its 0 properties moved to the default group")

		var ot struct{ CreateObjectType struct{ ObjectType idJSON } }
		tr.step(a, "object-1", `mutation { createObjectType(input: {name: "projects", singularLabel: "Project", pluralLabel: "Projects"}) { objectType { id } } }`, nil, &ot,
			"CREATE_OBJECT_TYPE", "ObjectType", func() string { return ot.CreateObjectType.ObjectType.ID }, "created object type projects")
		otID := ot.CreateObjectType.ObjectType.ID
		tr.step(a, "object-2", `mutation { updateObjectType(input: {name: "projects", pluralLabel: "All projects"}) { objectType { id } } }`, nil, nil,
			"UPDATE_OBJECT_TYPE", "ObjectType", constant(otID), "updated object type projects")

		const createPipeline = `mutation($in: CreatePipelineInput!) { createPipeline(input: $in) { pipeline { id } } }`
		var pl struct{ CreatePipeline struct{ Pipeline idJSON } }
		tr.step(a, "pipeline-1", createPipeline, map[string]any{"in": map[string]any{"objectType": "projects", "key": "delivery", "label": "Delivery",
			"stages": []map[string]any{{"key": "todo", "label": "To do"}, {"key": "done", "label": "Done"}}}}, &pl,
			"CREATE_PIPELINE", "Pipeline", func() string { return pl.CreatePipeline.Pipeline.ID }, "created pipeline delivery of projects")
		plID := pl.CreatePipeline.Pipeline.ID
		tr.step(a, "pipeline-2", `mutation($id: ID!) { updatePipeline(input: {id: $id, label: "Delivery 2"}) { pipeline { id } } }`, map[string]any{"id": plID}, nil,
			"UPDATE_PIPELINE", "Pipeline", constant(plID), "updated pipeline delivery of projects")
		var st struct{ CreatePipelineStage struct{ Stage idJSON } }
		tr.step(a, "stage-1", `mutation($id: ID!) { createPipelineStage(input: {pipelineId: $id, stage: {key: "review", label: "Review"}}) { stage { id } } }`, map[string]any{"id": plID}, &st,
			"CREATE_PIPELINE_STAGE", "PipelineStage", func() string { return st.CreatePipelineStage.Stage.ID }, "created stage review of pipeline delivery")
		stID := st.CreatePipelineStage.Stage.ID
		tr.step(a, "stage-2", `mutation($id: ID!) { updatePipelineStage(input: {id: $id, label: "Peer review"}) { stage { id } } }`, map[string]any{"id": stID}, nil,
			"UPDATE_PIPELINE_STAGE", "PipelineStage", constant(stID), "updated stage review of pipeline delivery")
		tr.step(a, "stage-3", `mutation($id: ID!) { archivePipelineStage(input: {id: $id}) { movedRecords } }`, map[string]any{"id": stID}, nil,
			"ARCHIVE_PIPELINE_STAGE", "PipelineStage", constant(stID), "archived stage review of pipeline delivery")
		var pl2 struct{ CreatePipeline struct{ Pipeline idJSON } }
		tr.step(a, "pipeline-3", createPipeline, map[string]any{"in": map[string]any{"objectType": "projects", "key": "support", "label": "Support",
			"stages": []map[string]any{{"key": "open", "label": "Open"}}}}, &pl2,
			"CREATE_PIPELINE", "Pipeline", func() string { return pl2.CreatePipeline.Pipeline.ID }, "created pipeline support of projects")
		tr.step(a, "pipeline-4", `mutation($id: ID!) { archivePipeline(input: {id: $id}) { movedRecords } }`, map[string]any{"id": pl2.CreatePipeline.Pipeline.ID}, nil,
			"ARCHIVE_PIPELINE", "Pipeline", constant(pl2.CreatePipeline.Pipeline.ID), "archived pipeline support of projects")
		tr.step(a, "object-3", `mutation { archiveObjectType(input: {name: "projects"}) { name } }`, nil, nil,
			"ARCHIVE_OBJECT_TYPE", "ObjectType", constant(otID), "archived object type projects")
		var gadgets struct{ CreateObjectType struct{ ObjectType idJSON } }
		tr.step(a, "object-4", `mutation { createObjectType(input: {name: "gadgets", singularLabel: "Gadget", pluralLabel: "Gadgets",
			properties: [{name: "code", label: "Code", type: STRING, fieldType: TEXT}]}) { objectType { id } } }`, nil, &gadgets,
			"CREATE_OBJECT_TYPE", "ObjectType", func() string { return gadgets.CreateObjectType.ObjectType.ID }, "created object type gadgets")
		a.create("gadgets", map[string]any{"code": "g-1"})
		t.Run("a definition change refused inside its transaction leaves no entry", func(t *testing.T) {
			// The records are counted in the change's transaction.
			a.fails(`mutation { archiveObjectType(input: {name: "gadgets"}) { name } }`, nil, "CONFLICT", "")
		})

		var label struct {
			CreateAssociationLabel struct{ AssociationType idJSON }
		}
		tr.step(a, "label-1", `mutation { createAssociationLabel(input: {fromObjectType: "contacts", toObjectType: "companies", label: "Billing", inverseLabel: "Billed"}) { associationType { id } } }`, nil, &label,
			"CREATE_ASSOCIATION_LABEL", "AssociationType", func() string { return label.CreateAssociationLabel.AssociationType.ID }, `created label "Billing" from contacts to companies (inverse "Billed")`)
		labelID := label.CreateAssociationLabel.AssociationType.ID
		tr.step(a, "label-2", `mutation($id: ID!) { renameAssociationLabel(input: {id: $id, label: "Invoicing"}) { associationType { id } } }`, map[string]any{"id": labelID}, nil,
			"RENAME_ASSOCIATION_LABEL", "AssociationType", constant(labelID), `renamed label "Billing" from contacts to companies to "Invoicing"`)
		tr.step(a, "label-3", `mutation($id: ID!) { setAssociationLimit(input: {id: $id, limit: 3}) { associationType { id } } }`, map[string]any{"id": labelID}, nil,
			"SET_ASSOCIATION_LIMIT", "AssociationType", constant(labelID), `set the limit of contacts to companies (label "Invoicing") to 3 (0: none)`)
		tr.step(a, "label-4", `mutation($id: ID!) { deleteAssociationLabel(input: {id: $id}) { deletedId } }`, map[string]any{"id": labelID}, nil,
			"DELETE_ASSOCIATION_LABEL", "AssociationType", constant(labelID), `deleted label "Invoicing" from contacts to companies and 0 associations`)

		var contacts struct{ ObjectType idJSON }
		a.ok(`{ objectType(name: "contacts") { id } }`, nil, &contacts)
		tr.step(a, "layout-1", `mutation { setRecordLayout(input: {objectType: "contacts", card: [{title: "About", properties: ["email"]}],
			sidebar: [{title: "Who", properties: ["firstname"]}], preview: [{title: "Preview", properties: ["email"]}]}) { objectType { id } } }`, nil, nil,
			"SET_RECORD_LAYOUT", "ObjectType", constant(contacts.ObjectType.ID), "set the record layout of contacts")
		tr.step(a, "settings-1", `mutation { updateActivitySettings(input: {autoAssociations: [{objectType: "contacts", activityType: "notes", rule: PRIMARY_COMPANY, enabled: false}]}) { activitySettings { autoAssociations { enabled } } } }`, nil, nil,
			"UPDATE_ACTIVITY_SETTINGS", "Workspace", constant(gid.Encode(gid.Workspace, a.ws)), "switched automatic associations: PRIMARY_COMPANY of notes on contacts off")

		primary := a.create("contacts", map[string]any{"email": "ada@example.com", "firstname": "Ada"})
		secondary := a.create("contacts", map[string]any{"email": "ada.l@example.com"})
		const merge = `mutation($p: ID!, $s: ID!) { mergeRecords(input: {primary: $p, secondary: $s}) { record { id } } }`
		tr.step(a, "merge-1", merge, map[string]any{"p": primary.ID, "s": secondary.ID}, nil,
			"MERGE_RECORDS", "Record", constant(primary.ID), fmt.Sprintf("merged contacts record %s into record %s", secondary.RecordID, primary.RecordID))
		t.Run("a merge refused leaves no entry", func(t *testing.T) {
			a.fails(merge, map[string]any{"p": primary.ID, "s": secondary.ID}, "CONFLICT", "")
		})
		tr.step(a, "erase-1", `mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedRecords } }`, map[string]any{"id": primary.ID}, nil,
			"DELETE_RECORD_PERMANENTLY", "Record", constant(primary.ID),
			fmt.Sprintf("permanently deleted contacts record %s, with the records merged into it: %s", primary.RecordID, secondary.RecordID))

		resp := a.withRequestID("import-1").startImport(nil, upload{name: "contacts.csv", content: []byte("Email\ngrace@example.com\n")})
		var started struct{ StartImport struct{ Import importJSON } }
		if err := json.Unmarshal(resp.Data, &started); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("%v %+v", err, resp.Errors)
		}
		importID := started.StartImport.Import.ID
		_, importN, _ := gid.Decode(importID)
		tr.expect(localActor, "import-1", "START_IMPORT", "Import", importID, fmt.Sprintf("started import %d with 1 file(s)", importN))
		a.awaitImport(importID)
		t.Run("an import that ended cannot be canceled, and leaves no entry", func(t *testing.T) {
			a.fails(`mutation($id: ID!) { cancelImport(input: {id: $id}) { import { state } } }`, map[string]any{"id": importID}, "CONFLICT", "")
		})
		tr.step(a, "import-2", `mutation($id: ID!) { revertImport(input: {id: $id}) { archived } }`, map[string]any{"id": importID}, nil,
			"REVERT_IMPORT", "Import", constant(importID), fmt.Sprintf("reverted import %d: archiving the 1 records it created", importN))
		// An import waiting for its run, which this test never starts, to
		// be canceled for certain.
		pending, err := a.d.Client.ImportJob.Create().SetWorkspaceID(a.ws).SetName("waiting").SetSpec(map[string]any{}).Save(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pendingID := gid.Encode(gid.Import, pending.ID)
		tr.step(a, "import-3", `mutation($id: ID!) { cancelImport(input: {id: $id}) { import { state } } }`, map[string]any{"id": pendingID}, nil,
			"CANCEL_IMPORT", "Import", constant(pendingID), fmt.Sprintf("canceled import %d", pending.ID))

		var key struct {
			CreateAPIKey struct {
				APIKey idJSON
				Secret string
			}
		}
		tr.step(a, "key-1", `mutation { createApiKey(input: {name: "auditor", scopes: [ADMIN]}) { apiKey { id } secret } }`, nil, &key,
			"CREATE_API_KEY", "ApiKey", func() string { return key.CreateAPIKey.APIKey.ID }, `created API key "auditor" with scopes ADMIN`)
		auditor := a.as(key.CreateAPIKey.Secret)
		keyActor := auditActorJSON{Kind: "API_KEY", APIKeyID: &key.CreateAPIKey.APIKey.ID, Name: "auditor"}
		var reader struct {
			CreateAPIKey struct {
				APIKey idJSON
				Secret string
			}
		}
		tr.run(auditor, "key-2", `mutation { createApiKey(input: {name: "reader", scopes: [RECORDS_READ, IMPORT_EXPORT]}) { apiKey { id } secret } }`, nil, &reader)
		readerID := reader.CreateAPIKey.APIKey.ID
		tr.expect(keyActor, "key-2", "CREATE_API_KEY", "ApiKey", readerID, `created API key "reader" with scopes RECORDS_READ,IMPORT_EXPORT`)
		t.Run("a key creation refused for lack of scope leaves no entry", func(t *testing.T) {
			a.as(reader.CreateAPIKey.Secret).fails(`mutation { createApiKey(input: {name: "more", scopes: [ADMIN]}) { secret } }`, nil, "FORBIDDEN", "")
		})
		tr.run(auditor, "key-3", `mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }`, map[string]any{"id": readerID}, nil)
		tr.expect(keyActor, "key-3", "REVOKE_API_KEY", "ApiKey", readerID, `revoked API key "reader"`)
		// Revoking a revoked key changes nothing, and says nothing.
		tr.run(auditor, "key-4", `mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }`, map[string]any{"id": readerID}, nil)

		got := auditor.auditLog(map[string]any{"first": 100}).entries()
		want := make([]auditEntryJSON, len(tr.want))
		for i, e := range tr.want {
			want[len(want)-1-i] = e
		}
		if !reflect.DeepEqual(got, want) {
			g, _ := json.MarshalIndent(got, "", "  ")
			w, _ := json.MarshalIndent(want, "", "  ")
			t.Fatalf("audit trail:\n%s\nwant:\n%s", g, w)
		}
		if n := a.auditEntryCount(); n != len(want) {
			t.Fatalf("%d entries in the database, want %d", n, len(want))
		}
	})
}

// groups makes n property groups of contacts through a, each an audited
// change.
func (a *api) groups(prefix string, n int) {
	a.t.Helper()
	for i := range n {
		a.ok(`mutation($n: String!) { createPropertyGroup(input: {objectType: "contacts", name: $n, label: "G"}) { propertyGroup { id } } }`,
			map[string]any{"n": fmt.Sprintf("%s_%d", prefix, i)}, nil)
	}
}

// summaries are the target summaries of entries, in order.
func summaries(entries []auditEntryJSON) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Target.Summary
	}
	return out
}

func TestAuditLogNeedsAdmin(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		_, admin := a.newKey("admin", []string{"ADMIN"}, nil)
		_, schema := a.as(admin).newKey("schema", []string{"SCHEMA_WRITE", "RECORDS_READ", "RECORDS_WRITE", "IMPORT_EXPORT"}, nil)
		resp := a.as(schema).do(auditLogQuery, nil)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "FORBIDDEN" || !strings.Contains(resp.Errors[0].Message, "ADMIN") ||
			string(resp.Data) != "null" {
			t.Fatalf("got %d %+v %s", resp.Status, resp.Errors, resp.Data)
		}
		if got := a.as(admin).auditLog(nil).entries(); len(got) != 2 {
			t.Fatalf("the admin reads %d entries, want the 2 keys made", len(got))
		}
	})
}

func TestAuditLogPagesAndFilters(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		day1 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		day2 := day1.AddDate(0, 0, 1)
		restore := clock.Set(day1)
		a.groups("first", 3)
		clock.Set(day2)
		a.groups("second", 2)
		keyID, admin := a.newKey("admin", []string{"ADMIN"}, nil)
		a.as(admin).groups("third", 1)
		restore()
		b := a.as(admin)

		t.Run("newest first, a page at a time", func(t *testing.T) {
			var all []string
			vars := map[string]any{"first": 3}
			for pages := 0; ; pages++ {
				p := b.auditLog(vars)
				if pages > 0 != p.PageInfo.HasPreviousPage {
					t.Fatalf("page %d: hasPreviousPage %v", pages, p.PageInfo.HasPreviousPage)
				}
				all = append(all, summaries(p.entries())...)
				if !p.PageInfo.HasNextPage {
					break
				}
				vars["after"] = *p.PageInfo.EndCursor
			}
			want := []string{"created property group contacts.third_0", `created API key "admin" with scopes ADMIN`,
				"created property group contacts.second_1", "created property group contacts.second_0",
				"created property group contacts.first_2", "created property group contacts.first_1", "created property group contacts.first_0"}
			if strings.Join(all, "\n") != strings.Join(want, "\n") {
				t.Fatalf("pages:\n%s", strings.Join(all, "\n"))
			}
		})
		t.Run("by actor", func(t *testing.T) {
			if got := summaries(b.auditLog(map[string]any{"actor": keyID}).entries()); len(got) != 1 || got[0] != "created property group contacts.third_0" {
				t.Fatalf("the key's: %v", got)
			}
			if got := b.auditLog(map[string]any{"actor": "LOCAL"}).entries(); len(got) != 6 {
				t.Fatalf("local: %v", summaries(got))
			}
			if got := b.auditLog(map[string]any{"actor": "CLI"}).entries(); len(got) != 0 {
				t.Fatalf("cli: %v", summaries(got))
			}
			b.fails(auditLogQuery, map[string]any{"actor": "someone"}, "BAD_USER_INPUT", "")
		})
		t.Run("by action", func(t *testing.T) {
			if got := summaries(b.auditLog(map[string]any{"action": "CREATE_API_KEY"}).entries()); len(got) != 1 || got[0] != `created API key "admin" with scopes ADMIN` {
				t.Fatalf("keys: %v", got)
			}
			b.fails(auditLogQuery, map[string]any{"action": "DROP_TABLE"}, "BAD_USER_INPUT", "")
		})
		t.Run("by time: from inclusive, to exclusive", func(t *testing.T) {
			if got := b.auditLog(map[string]any{"to": day2.Format(time.RFC3339)}).entries(); len(got) != 3 {
				t.Fatalf("before day 2: %v", summaries(got))
			}
			if got := b.auditLog(map[string]any{"from": day2.Format(time.RFC3339), "actor": "LOCAL", "first": 1}); len(got.Edges) != 1 ||
				got.Edges[0].Node.Target.Summary != `created API key "admin" with scopes ADMIN` || !got.PageInfo.HasNextPage {
				t.Fatalf("from day 2, local, one: %+v", got)
			}
		})
	})
}

func TestAuditLogStaysInItsWorkspace(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		one, two := twoWorkspaces(t, a)
		one.api.groups("only_one", 1)
		for _, w := range []struct {
			l    lookalike
			want []string
		}{{one, []string{"created property group contacts.only_one_0", "created property contacts.tier", `created API key "one" with scopes ADMIN`}},
			{two, []string{"created property contacts.tier", `created API key "two" with scopes ADMIN`, `created workspace "second"`}}} {
			if got := summaries(w.l.api.auditLog(nil).entries()); strings.Join(got, "\n") != strings.Join(w.want, "\n") {
				t.Fatalf("trail:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w.want, "\n"))
			}
		}
	})
}

func TestAuditEntriesAreAppendOnly(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.groups("kept", 1)
		for _, stmt := range []string{"UPDATE audit_entries SET summary = 'nothing happened'", "DELETE FROM audit_entries"} {
			_, err := a.d.SQL.Exec(stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		if got := summaries(a.auditLog(nil).entries()); len(got) != 1 || got[0] != "created property group contacts.kept_0" {
			t.Fatalf("after the refused statements: %v", got)
		}
	})
}

func TestRequestID(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		for _, c := range []struct {
			name, sent string
			kept       bool
		}{
			{"a sane id is kept", "client-42.a_b:c/d", true},
			{"none gets one", "", false},
			{"a long one is replaced", strings.Repeat("x", 129), false},
			{"spaces are replaced", "two words", false},
			{"control characters are replaced", "line\x01feed", false},
			{"non-ASCII is replaced", "café", false},
		} {
			t.Run(c.name, func(t *testing.T) {
				rec := a.withRequestID(c.sent).serve([]byte(`{"query": "{ viewer { local } }"}`))
				got := rec.Header().Get("X-Request-Id")
				if c.kept && got != c.sent || !c.kept && (len(got) != 32 || strings.Trim(got, "0123456789abcdef") != "") {
					t.Fatalf("sent %q, answered %q", c.sent, got)
				}
			})
		}
		// Refusals before any field carry one too.
		rec := a.as("not-a-key").withRequestID("refused-1").serve([]byte(`{"query": "{ viewer { local } }"}`))
		if rec.Code != 401 || rec.Header().Get("X-Request-Id") != "refused-1" {
			t.Fatalf("%d %q", rec.Code, rec.Header().Get("X-Request-Id"))
		}
	})
}
