package catalog_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/associationtype"
	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/ent/pipeline"
	"github.com/acme/crm/ent/pipelinestage"
	"github.com/acme/crm/ent/property"
	"github.com/acme/crm/ent/propertygroup"
	"github.com/acme/crm/internal/catalog"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/tenant"
)

// wantProperties is the number of properties per object type: the reference
// catalog's defaults (contacts also hs_additional_emails) plus hs_object_id,
// createdate, lastmodifieddate, hs_merged_object_ids and
// hs_merged_unique_values and hubspot_owner_id.
var wantProperties = map[string]int{
	"contacts": 29, "companies": 25, "deals": 20, "tickets": 19,
	"notes": 8, "calls": 12, "emails": 12, "meetings": 13, "tasks": 13,
}

// 16 ordered pairs among the four standard objects, 2 x 5 x 4 between
// engagements and them, and 3 Primary labels with their inverses.
const wantAssociationTypes = 16 + 40 + 6

func TestStandard(t *testing.T) {
	c := catalog.Standard()
	if len(c.ObjectTypes) != len(wantProperties) {
		t.Fatalf("object types: got %d, want %d", len(c.ObjectTypes), len(wantProperties))
	}
	for _, ot := range c.ObjectTypes {
		if got := len(ot.Properties); got != wantProperties[ot.Name] {
			t.Errorf("%s: %d properties, want %d", ot.Name, got, wantProperties[ot.Name])
		}
		for _, name := range []string{"hs_object_id", "createdate", "lastmodifieddate"} {
			if p := find(t, ot, name); !p.ReadOnlyValue {
				t.Errorf("%s.%s: value should be read-only", ot.Name, name)
			}
		}
		if ot.Kind == objecttype.KindEngagement && !slices.Equal(ot.RequiredProperties, []string{"hs_timestamp"}) {
			t.Errorf("%s: required %v, want [hs_timestamp]", ot.Name, ot.RequiredProperties)
		}
	}
	if got := len(c.AssociationTypes); got != wantAssociationTypes {
		t.Errorf("association types: got %d, want %d", got, wantAssociationTypes)
	}

	// CSV imports match column headers to these labels.
	contacts := objectType(t, c, "contacts")
	for name, label := range map[string]string{
		"firstname": "First Name", "phone": "Phone Number", "state": "State/Region",
		"zip": "Postal Code", "lifecyclestage": "Lifecycle Stage", "hs_object_id": "Record ID",
	} {
		if got := find(t, contacts, name).Label; got != label {
			t.Errorf("contacts.%s label %q, want %q", name, got, label)
		}
	}

	// Every industry the shared fixtures use is an option.
	industry := find(t, objectType(t, c, "companies"), "industry")
	values := map[string]bool{}
	for _, o := range industry.Options {
		values[o.Value] = true
	}
	for _, v := range []string{"COMPUTER_SOFTWARE", "EDUCATION_MANAGEMENT", "FINANCIAL_SERVICES",
		"HOSPITAL_HEALTH_CARE", "MARKETING_AND_ADVERTISING", "RETAIL"} {
		if !values[v] {
			t.Errorf("industry lacks option %s", v)
		}
	}
	if len(industry.Options) < 140 {
		t.Errorf("industry has %d options, want HubSpot's full list", len(industry.Options))
	}
}

func TestParseRejectsInconsistentCatalogs(t *testing.T) {
	valid := `{"objectTypes": [{"name": "things", "singularLabel": "Thing", "pluralLabel": "Things",
		"kind": "standard", "primaryDisplayProperty": "title",
		"groups": [{"name": "thinginformation", "label": "Thing information"}],
		"properties": [{"name": "title", "label": "Title", "type": "string", "fieldType": "text"}]}],
		"associationTypes": {"unlabeled": [{"between": ["things"], "and": ["things"]}]}}`
	if _, err := catalog.Parse([]byte(valid)); err != nil {
		t.Fatalf("valid catalog rejected: %v", err)
	}
	for name, tc := range map[string]struct{ old, new, want string }{
		"bad pair":           {`"fieldType": "text"`, `"fieldType": "number"`, "cannot use field type"},
		"unknown property":   {`"primaryDisplayProperty": "title"`, `"primaryDisplayProperty": "name"`, "undefined property"},
		"unknown group":      {`"fieldType": "text"`, `"fieldType": "text", "group": "other"`, "undefined group"},
		"bad kind":           {`"kind": "standard"`, `"kind": "special"`, "kind"},
		"unknown field":      {`"fieldType": "text"`, `"fieldType": "text", "unique": true`, "unknown field"},
		"unknown object":     {`"and": ["things"]`, `"and": ["widgets"]`, "undefined object type"},
		"label without pair": {`"unlabeled": [{"between": ["things"], "and": ["things"]}]`, `"labeled": [{"from": "things", "to": "things", "label": "Twin", "inverseLabel": "Twin"}]`, "no unlabeled default"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(valid, tc.old, tc.new, 1)
			if bad == valid {
				t.Fatalf("test case does not change the catalog")
			}
			_, err := catalog.Parse([]byte(bad))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestSeedFreshWorkspace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		client := d.Client
		ws := workspace(t, client, "acme")
		if err := catalog.Seed(ctx, d, ws); err != nil {
			t.Fatalf("seed: %v", err)
		}

		ots := client.ObjectType.Query().Where(objecttype.WorkspaceID(ws)).AllX(ctx)
		if len(ots) != len(wantProperties) {
			t.Fatalf("object types: got %d, want %d", len(ots), len(wantProperties))
		}
		byName := map[string]*ent.ObjectType{}
		for _, ot := range ots {
			byName[ot.Name] = ot
			n := client.Property.Query().Where(property.ObjectTypeID(ot.ID)).CountX(ctx)
			if n != wantProperties[ot.Name] {
				t.Errorf("%s: %d properties, want %d", ot.Name, n, wantProperties[ot.Name])
			}
			groups := client.PropertyGroup.Query().Where(propertygroup.ObjectTypeID(ot.ID)).AllX(ctx)
			wantGroup := strings.ToLower(ot.SingularLabel) + "information"
			if len(groups) != 1 || groups[0].Name != wantGroup || groups[0].Label != ot.SingularLabel+" information" {
				t.Errorf("%s: groups %v, want one named %s", ot.Name, groups, wantGroup)
				continue
			}
			ungrouped := client.Property.Query().Where(property.ObjectTypeID(ot.ID),
				property.Or(property.GroupIDIsNil(), property.GroupIDNEQ(groups[0].ID))).CountX(ctx)
			if ungrouped != 0 {
				t.Errorf("%s: %d properties outside %s", ot.Name, ungrouped, wantGroup)
			}
		}
		contacts, deals := byName["contacts"], byName["deals"]
		if contacts.Kind != objecttype.KindStandard || byName["notes"].Kind != objecttype.KindEngagement {
			t.Errorf("kinds: contacts %s, notes %s", contacts.Kind, byName["notes"].Kind)
		}
		if contacts.PrimaryDisplayProperty != "email" || !slices.Equal(contacts.DisplayNameProperties, []string{"firstname", "lastname"}) {
			t.Errorf("contacts display: primary %q, name %v", contacts.PrimaryDisplayProperty, contacts.DisplayNameProperties)
		}
		if deals.PipelineProperty != "pipeline" || deals.StageProperty != "dealstage" ||
			!slices.Equal(deals.RequiredProperties, []string{"dealname", "pipeline", "dealstage"}) {
			t.Errorf("deals: pipeline %q stage %q required %v", deals.PipelineProperty, deals.StageProperty, deals.RequiredProperties)
		}

		email := prop(t, client, contacts.ID, "email")
		if !email.HasUniqueValue || email.Type != propdef.String || email.FieldType != propdef.Text ||
			email.Label != "Email" || !email.ReadOnlyDefinition || email.ReadOnlyValue {
			t.Errorf("contacts.email: %+v", email)
		}
		if p := prop(t, client, deals.ID, "amount"); p.Type != propdef.Number || p.FieldType != propdef.NumberField {
			t.Errorf("deals.amount: %s/%s", p.Type, p.FieldType)
		}
		if p := prop(t, client, deals.ID, "closedate"); p.Type != propdef.Date || p.FieldType != propdef.DateField {
			t.Errorf("deals.closedate: %s/%s", p.Type, p.FieldType)
		}
		if p := prop(t, client, deals.ID, "dealstage"); p.Type != propdef.Enumeration || len(p.Options) != 0 {
			t.Errorf("deals.dealstage: %s with %d options, want an enumeration without", p.Type, len(p.Options))
		}
		if p := prop(t, client, contacts.ID, "hs_object_id"); !p.ReadOnlyValue || p.Label != "Record ID" {
			t.Errorf("contacts.hs_object_id: %+v", p)
		}
		stage := prop(t, client, contacts.ID, "lifecyclestage")
		var values []string
		for i, o := range stage.Options {
			values = append(values, o.Value)
			if o.DisplayOrder != i {
				t.Errorf("lifecyclestage option %s has display order %d, want %d", o.Value, o.DisplayOrder, i)
			}
		}
		want := []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"}
		if !slices.Equal(values, want) || stage.Options[2].Label != "Marketing Qualified Lead" {
			t.Errorf("lifecyclestage options %v, want %v", stage.Options, want)
		}

		checkPipelines(t, client, ws, deals.ID, byName["tickets"].ID)
		checkAssociationTypes(t, client, ws, byName)

		if v := client.Workspace.GetX(ctx, ws).SchemaVersion; v != 1 {
			t.Errorf("schema version %d, want 1", v)
		}
	})
}

func checkPipelines(t *testing.T, client *ent.Client, ws, dealsID, ticketsID int) {
	t.Helper()
	ctx := context.Background()
	if n := client.Pipeline.Query().Where(pipeline.WorkspaceID(ws)).CountX(ctx); n != 2 {
		t.Errorf("pipelines: got %d, want 2", n)
	}
	sales := client.Pipeline.Query().Where(pipeline.ObjectTypeID(dealsID), pipeline.Key("default")).OnlyX(ctx)
	support := client.Pipeline.Query().Where(pipeline.ObjectTypeID(ticketsID), pipeline.Key("0")).OnlyX(ctx)
	if sales.Label != "Sales pipeline" || support.Label != "Support pipeline" {
		t.Errorf("pipeline labels %q, %q", sales.Label, support.Label)
	}
	stages := client.PipelineStage.Query().Where(pipelinestage.PipelineID(sales.ID)).
		Order(ent.Asc(pipelinestage.FieldDisplayOrder)).AllX(ctx)
	if len(stages) != 7 {
		t.Fatalf("sales stages: got %d, want 7", len(stages))
	}
	won, lost := stages[5], stages[6]
	if stages[0].Key != "appointmentscheduled" || *stages[0].Probability != 0.2 || stages[0].Closed ||
		won.Key != "closedwon" || *won.Probability != 1 || !won.Closed ||
		lost.Key != "closedlost" || *lost.Probability != 0 || !lost.Closed {
		t.Errorf("sales stages: %v", stages)
	}
	tickets := client.PipelineStage.Query().Where(pipelinestage.PipelineID(support.ID)).
		Order(ent.Asc(pipelinestage.FieldDisplayOrder)).AllX(ctx)
	if len(tickets) != 4 {
		t.Fatalf("support stages: got %d, want 4", len(tickets))
	}
	for i, s := range tickets {
		closed := i == 3
		state := pipelinestage.TicketStateOPEN
		if closed {
			state = pipelinestage.TicketStateCLOSED
		}
		if s.Key != string(rune('1'+i)) || s.TicketState == nil || *s.TicketState != state || s.Closed != closed || s.Probability != nil {
			t.Errorf("support stage %d: %+v", i, s)
		}
	}
}

func checkAssociationTypes(t *testing.T, client *ent.Client, ws int, byName map[string]*ent.ObjectType) {
	t.Helper()
	ctx := context.Background()
	rows := client.AssociationType.Query().Where(associationtype.WorkspaceID(ws)).AllX(ctx)
	if len(rows) != wantAssociationTypes {
		t.Fatalf("association types: got %d, want %d", len(rows), wantAssociationTypes)
	}
	byID := map[int]*ent.AssociationType{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	for _, r := range rows {
		if r.Category != associationtype.CategoryStandard {
			t.Errorf("association type %d: category %s", r.ID, r.Category)
		}
		if r.InverseID == nil {
			t.Errorf("association type %d has no inverse", r.ID)
			continue
		}
		inv := byID[*r.InverseID]
		if inv == nil || inv.InverseID == nil || *inv.InverseID != r.ID ||
			inv.FromObjectTypeID != r.ToObjectTypeID || inv.ToObjectTypeID != r.FromObjectTypeID || inv.Label != r.Label {
			t.Errorf("association type %d: inverse %+v does not point back", r.ID, inv)
		}
		if r.FromObjectTypeID == r.ToObjectTypeID && r.Label == "" && *r.InverseID != r.ID {
			t.Errorf("same-type default %d: inverse %d, want itself", r.ID, *r.InverseID)
		}
	}
	companies := byName["companies"].ID
	for _, from := range []string{"contacts", "deals", "tickets"} {
		primary := client.AssociationType.Query().Where(associationtype.FromObjectTypeID(byName[from].ID),
			associationtype.ToObjectTypeID(companies), associationtype.LabelEQ("Primary")).OnlyX(ctx)
		if primary.MaxAssociations == nil || *primary.MaxAssociations != 1 {
			t.Errorf("%s->companies Primary: max %v, want 1", from, primary.MaxAssociations)
		}
		if back := byID[*primary.InverseID]; back.MaxAssociations != nil {
			t.Errorf("companies->%s Primary: max %d, want no limit", from, *back.MaxAssociations)
		}
	}
	notesToDeals := client.AssociationType.Query().Where(associationtype.FromObjectTypeID(byName["notes"].ID),
		associationtype.ToObjectTypeID(byName["deals"].ID), associationtype.LabelEQ("")).CountX(ctx)
	notesToCalls := client.AssociationType.Query().Where(associationtype.FromObjectTypeID(byName["notes"].ID),
		associationtype.ToObjectTypeID(byName["calls"].ID)).CountX(ctx)
	if notesToDeals != 1 || notesToCalls != 0 {
		t.Errorf("notes->deals defaults %d (want 1), notes->calls %d (want 0)", notesToDeals, notesToCalls)
	}
}

func TestSeedTwiceChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ws := workspace(t, d.Client, "acme")
		if err := catalog.Seed(ctx, d, ws); err != nil {
			t.Fatalf("seed: %v", err)
		}
		// An admin's changes survive: Seed never overwrites.
		lifecycle := prop(t, d.Client, objectTypeID(t, d.Client, ws, "contacts"), "lifecyclestage")
		extended := append(slices.Clone(lifecycle.Options), propdef.Option{Label: "Partner", Value: "partner", DisplayOrder: 8})
		d.Client.Property.UpdateOne(lifecycle).SetOptions(extended).SetLabel("Stage").ExecX(ctx)
		before := counts(t, d.Client, ws)
		version := d.Client.Workspace.GetX(ctx, ws).SchemaVersion

		if err := catalog.Seed(ctx, d, ws); err != nil {
			t.Fatalf("seed again: %v", err)
		}
		if after := counts(t, d.Client, ws); after != before {
			t.Errorf("row counts changed: %+v, then %+v", before, after)
		}
		if v := d.Client.Workspace.GetX(ctx, ws).SchemaVersion; v != version {
			t.Errorf("schema version %d, want %d", v, version)
		}
		got := d.Client.Property.GetX(ctx, lifecycle.ID)
		if got.Label != "Stage" || len(got.Options) != 9 {
			t.Errorf("admin's lifecyclestage overwritten: %q with %d options", got.Label, len(got.Options))
		}
	})
}

func TestSeedRecreatesOnlyWhatIsMissing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ws := workspace(t, d.Client, "acme")
		if err := catalog.Seed(ctx, d, ws); err != nil {
			t.Fatalf("seed: %v", err)
		}
		before := counts(t, d.Client, ws)
		oldIDs := d.Client.Property.Query().IDsX(ctx)
		contacts := objectTypeID(t, d.Client, ws, "contacts")
		companies := objectTypeID(t, d.Client, ws, "companies")
		jobtitle := prop(t, d.Client, contacts, "jobtitle")
		d.Client.Property.DeleteOne(jobtitle).ExecX(ctx)
		// Deleting one direction of a pair leaves the other without an
		// inverse (ON DELETE SET NULL); seeding must pair them again.
		d.Client.AssociationType.Delete().Where(associationtype.FromObjectTypeID(companies),
			associationtype.ToObjectTypeID(contacts), associationtype.LabelEQ("")).ExecX(ctx)

		if err := catalog.Seed(ctx, d, ws); err != nil {
			t.Fatalf("seed again: %v", err)
		}
		if after := counts(t, d.Client, ws); after != before {
			t.Errorf("row counts: %+v, want %+v", after, before)
		}
		var recreated []int
		for _, id := range d.Client.Property.Query().IDsX(ctx) {
			if !slices.Contains(oldIDs, id) {
				recreated = append(recreated, id)
			}
		}
		if len(recreated) != 1 {
			t.Fatalf("recreated properties %v, want exactly one", recreated)
		}
		if p := d.Client.Property.GetX(ctx, recreated[0]); p.Name != "jobtitle" || p.ObjectTypeID != contacts ||
			p.Label != "Job Title" || p.GroupID == nil || *p.GroupID != *jobtitle.GroupID || p.DisplayOrder != jobtitle.DisplayOrder {
			t.Errorf("recreated property: %+v", p)
		}
		forward := d.Client.AssociationType.Query().Where(associationtype.FromObjectTypeID(contacts),
			associationtype.ToObjectTypeID(companies), associationtype.LabelEQ("")).OnlyX(ctx)
		back := d.Client.AssociationType.Query().Where(associationtype.FromObjectTypeID(companies),
			associationtype.ToObjectTypeID(contacts), associationtype.LabelEQ("")).OnlyX(ctx)
		if forward.InverseID == nil || *forward.InverseID != back.ID || back.InverseID == nil || *back.InverseID != forward.ID {
			t.Errorf("contacts<->companies defaults not paired: %+v, %+v", forward, back)
		}
		if v := d.Client.Workspace.GetX(ctx, ws).SchemaVersion; v != 2 {
			t.Errorf("schema version %d, want 2", v)
		}
	})
}

func TestSeedKeepsWorkspacesApart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := workspace(t, d.Client, "a")
		b := workspace(t, d.Client, "b")
		if err := catalog.Seed(ctx, d, a); err != nil {
			t.Fatalf("seed a: %v", err)
		}
		seededA := counts(t, d.Client, a)
		if empty := counts(t, d.Client, b); empty != (tableCounts{}) {
			t.Errorf("seeding a wrote into b: %+v", empty)
		}
		if err := catalog.Seed(ctx, d, b); err != nil {
			t.Fatalf("seed b: %v", err)
		}
		if got := counts(t, d.Client, b); got != seededA {
			t.Errorf("b has %+v, a has %+v", got, seededA)
		}
		if got := counts(t, d.Client, a); got != seededA {
			t.Errorf("seeding b changed a: %+v, was %+v", got, seededA)
		}
		if objectTypeID(t, d.Client, a, "contacts") == objectTypeID(t, d.Client, b, "contacts") {
			t.Error("workspaces share the contacts object type")
		}
		if v := d.Client.Workspace.GetX(ctx, a).SchemaVersion; v != 1 {
			t.Errorf("workspace a schema version %d, want 1", v)
		}
		if err := catalog.Seed(ctx, d, b+1000); err == nil {
			t.Error("seeding a missing workspace succeeded")
		}
	})
}

// Seeding does a fixed number of statements however large the catalog: one
// read and one bulk insert per table, not one insert per row.
func TestSeedStatements(t *testing.T) {
	var counter db.Counter
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ws := workspace(t, d.Client, "acme")
		counter.Reset()
		if err := catalog.Seed(ctx, d, ws); err != nil {
			t.Fatalf("seed: %v", err)
		}
		// lock, 6 reads, 6 bulk inserts, pairing inverses, schema version
		// and, on PostgreSQL, its notification.
		most := int64(15)
		if d.Dialect.Name() == "postgres" {
			most = 16
		}
		if n := counter.Count(); n > most {
			t.Errorf("fresh seed sent %d statements, want at most %d", n, most)
		}
		counter.Reset()
		if err := catalog.Seed(ctx, d, ws); err != nil {
			t.Fatalf("seed again: %v", err)
		}
		if n := counter.Count(); n > 7 {
			t.Errorf("seeding a seeded workspace sent %d statements, want at most 7", n)
		}
	}, db.WithCounter(&counter))
}

type tableCounts struct {
	objectTypes, groups, properties, pipelines, stages, associationTypes int
}

func counts(t *testing.T, client *ent.Client, ws int) tableCounts {
	t.Helper()
	ctx := context.Background()
	return tableCounts{
		objectTypes:      client.ObjectType.Query().Where(objecttype.WorkspaceID(ws)).CountX(ctx),
		groups:           client.PropertyGroup.Query().Where(propertygroup.WorkspaceID(ws)).CountX(ctx),
		properties:       client.Property.Query().Where(property.WorkspaceID(ws)).CountX(ctx),
		pipelines:        client.Pipeline.Query().Where(pipeline.WorkspaceID(ws)).CountX(ctx),
		stages:           client.PipelineStage.Query().Where(pipelinestage.WorkspaceID(ws)).CountX(ctx),
		associationTypes: client.AssociationType.Query().Where(associationtype.WorkspaceID(ws)).CountX(ctx),
	}
}

func workspace(t *testing.T, client *ent.Client, name string) int {
	t.Helper()
	ws, err := tenant.EnsureWorkspace(context.Background(), client, name)
	if err != nil {
		t.Fatalf("workspace %s: %v", name, err)
	}
	return ws.ID
}

func objectTypeID(t *testing.T, client *ent.Client, ws int, name string) int {
	t.Helper()
	return client.ObjectType.Query().Where(objecttype.WorkspaceID(ws), objecttype.Name(name)).OnlyIDX(context.Background())
}

func prop(t *testing.T, client *ent.Client, objectTypeID int, name string) *ent.Property {
	t.Helper()
	p, err := client.Property.Query().Where(property.ObjectTypeID(objectTypeID), property.Name(name)).Only(context.Background())
	if err != nil {
		t.Fatalf("property %s: %v", name, err)
	}
	return p
}

func objectType(t *testing.T, c *catalog.Catalog, name string) catalog.ObjectType {
	t.Helper()
	for _, ot := range c.ObjectTypes {
		if ot.Name == name {
			return ot
		}
	}
	t.Fatalf("no object type %s", name)
	return catalog.ObjectType{}
}

func find(t *testing.T, ot catalog.ObjectType, name string) catalog.Property {
	t.Helper()
	for _, p := range ot.Properties {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("%s has no property %s", ot.Name, name)
	return catalog.Property{}
}

// Two servers starting together seed the same workspace at once: one waits
// for the other and finds its rows, instead of failing on a unique index.
func TestSeedConcurrently(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ws := workspace(t, d.Client, "acme")
		errs := make(chan error, 4)
		for range cap(errs) {
			go func() { errs <- catalog.Seed(ctx, d, ws) }()
		}
		for range cap(errs) {
			if err := <-errs; err != nil {
				t.Errorf("seed: %v", err)
			}
		}
		if got := counts(t, d.Client, ws); got.properties != 151 || got.associationTypes != wantAssociationTypes {
			t.Errorf("after concurrent seeds: %+v", got)
		}
		if v := d.Client.Workspace.GetX(ctx, ws).SchemaVersion; v != 1 {
			t.Errorf("schema version %d, want 1", v)
		}
	})
}
