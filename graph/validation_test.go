package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/ent/workspace"
)

const createMutation = `mutation($t: String!, $p: JSON!) { createRecord(input: {objectType: $t, properties: $p}) { record { id } } }`

// addDealPipeline adds a second deals pipeline with one stage, as an admin
// will through the schema API, so that a stage of one pipeline can be
// offered with the other.
func (a *api) addDealPipeline() {
	a.t.Helper()
	ctx := context.Background()
	c := a.d.Client
	ot := c.ObjectType.Query().Where(objecttype.WorkspaceID(a.ws), objecttype.Name("deals")).OnlyX(ctx)
	p := c.Pipeline.Create().SetWorkspaceID(a.ws).SetObjectTypeID(ot.ID).SetKey("renewals").SetLabel("Renewals").SetDisplayOrder(1).SaveX(ctx)
	c.PipelineStage.Create().SetWorkspaceID(a.ws).SetPipelineID(p.ID).SetKey("renewalstarted").SetLabel("Renewal started").SaveX(ctx)
	c.Workspace.Update().Where(workspace.ID(a.ws)).AddSchemaVersion(1).ExecX(ctx)
}

func TestValidationRefusals(t *testing.T) {
	deal := func(extra map[string]any) map[string]any {
		p := map[string]any{"dealname": "Big deal", "pipeline": "default", "dealstage": "qualifiedtobuy"}
		for k, v := range extra {
			if v == nil {
				delete(p, k)
			} else {
				p[k] = v
			}
		}
		return p
	}
	ticket := func(extra map[string]any) map[string]any {
		p := map[string]any{"subject": "Broken", "hs_pipeline": "0", "hs_pipeline_stage": "1"}
		for k, v := range extra {
			delete(p, k)
			if v != nil {
				p[k] = v
			}
		}
		return p
	}
	cases := []struct {
		name, objectType, property string
		props                      map[string]any
	}{
		{"unknown property", "contacts", "favourite_colour", map[string]any{"email": "a@b.io", "favourite_colour": "red"}},
		{"string given a number", "contacts", "firstname", map[string]any{"firstname": 12}},
		{"number given words", "deals", "amount", deal(map[string]any{"amount": "ten"})},
		{"number given a bool", "deals", "amount", deal(map[string]any{"amount": true})},
		{"unknown option", "contacts", "lifecyclestage", map[string]any{"lifecyclestage": "not-a-stage"}},
		{"read-only hs_object_id", "contacts", "hs_object_id", map[string]any{"hs_object_id": 5}},
		{"read-only createdate", "contacts", "createdate", map[string]any{"createdate": "2020-01-01T00:00:00Z"}},
		{"read-only lastmodifieddate", "contacts", "lastmodifieddate", map[string]any{"lastmodifieddate": "2020-01-01T00:00:00Z"}},
		{"deal without dealname", "deals", "dealname", deal(map[string]any{"dealname": nil})},
		{"deal without pipeline", "deals", "pipeline", deal(map[string]any{"pipeline": nil})},
		{"deal without dealstage", "deals", "dealstage", deal(map[string]any{"dealstage": nil})},
		{"ticket without subject", "tickets", "subject", ticket(map[string]any{"subject": nil})},
		{"ticket without pipeline", "tickets", "hs_pipeline", ticket(map[string]any{"hs_pipeline": nil})},
		{"ticket without stage", "tickets", "hs_pipeline_stage", ticket(map[string]any{"hs_pipeline_stage": nil})},
		{"string over 65,536 characters", "contacts", "firstname", map[string]any{"firstname": strings.Repeat("é", 65537)}},
		{"malformed date", "deals", "closedate", deal(map[string]any{"closedate": "31/31/1990"})},
		{"impossible date", "deals", "closedate", deal(map[string]any{"closedate": "2026-02-30"})},
		{"malformed datetime", "notes", "hs_timestamp", map[string]any{"hs_timestamp": "yesterday"}},
		{"stage of another pipeline", "deals", "dealstage", deal(map[string]any{"dealstage": "renewalstarted"})},
		{"unknown pipeline", "deals", "pipeline", deal(map[string]any{"pipeline": "nope"})},
		{"malformed email", "contacts", "email", map[string]any{"email": "not an email"}},
	}
	each(t, func(t *testing.T, a *api) {
		a.addDealPipeline()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := a.count(tc.objectType)
				e := a.fails(createMutation, map[string]any{"t": tc.objectType, "p": tc.props}, "BAD_USER_INPUT", tc.property)
				if e.Message == "" {
					t.Fatal("empty message")
				}
				if after := a.count(tc.objectType); after != before {
					t.Fatalf("%d records before, %d after", before, after)
				}
			})
		}
	})
}

func TestValidationOnUpdate(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.addDealPipeline()
		d := a.create("deals", map[string]any{"dealname": "D", "pipeline": "default", "dealstage": "closedwon", "amount": "100"})
		const upd = `mutation($id: ID!, $p: JSON!) { updateRecord(input: {id: $id, properties: $p}) { record { properties } } }`
		cases := []struct {
			name, property string
			props          map[string]any
		}{
			{"clearing a required property", "dealname", map[string]any{"dealname": nil}},
			{"moving pipeline without a stage of it", "dealstage", map[string]any{"pipeline": "renewals"}},
			{"a stage of another pipeline", "dealstage", map[string]any{"dealstage": "renewalstarted"}},
			{"one bad value among good ones", "amount", map[string]any{"dealname": "Renamed", "amount": "lots"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				a.fails(upd, map[string]any{"id": d.ID, "p": tc.props}, "BAD_USER_INPUT", tc.property)
				var got getRecordJSON
				a.ok(getRecord, map[string]any{"id": d.ID}, &got)
				p := got.Record.Properties
				if p["dealname"] != "D" || p["pipeline"] != "default" || p["dealstage"] != "closedwon" || p["amount"] != float64(100) {
					t.Fatalf("record changed: %v", p)
				}
			})
		}
		t.Run("moving pipeline with a stage of it", func(t *testing.T) {
			var got struct {
				UpdateRecord struct {
					Record struct{ Properties map[string]any }
				}
			}
			a.ok(upd, map[string]any{"id": d.ID, "p": map[string]any{"pipeline": "renewals", "dealstage": "renewalstarted"}}, &got)
			if got.UpdateRecord.Record.Properties["dealstage"] != "renewalstarted" {
				t.Fatalf("got %v", got.UpdateRecord.Record.Properties)
			}
		})
	})
}

func TestValuesAreStoredTyped(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		// HubSpot clients send every value as a string.
		d := a.create("deals", map[string]any{"dealname": "D", "pipeline": "default", "dealstage": "closedwon",
			"amount": "1250.50", "closedate": "2026-03-01"})
		m := a.create("meetings", map[string]any{"hs_timestamp": "2026-03-01T10:00:00+02:00", "hs_meeting_title": "Kickoff"})
		if d.Properties["amount"] != 1250.5 || d.Properties["closedate"] != "2026-03-01" {
			t.Fatalf("deal %v", d.Properties)
		}
		if m.Properties["hs_timestamp"] != "2026-03-01T08:00:00.000Z" {
			t.Fatalf("meeting %v", m.Properties)
		}
		// Inline literals arrive as int64/float64 rather than json.Number.
		var out struct {
			CreateRecord struct {
				Record struct{ Properties map[string]any }
			}
		}
		a.ok(`mutation { createRecord(input: {objectType: "companies", properties: {name: "Acme", numberofemployees: 12, annualrevenue: 1.5e6}}) { record { properties } } }`, nil, &out)
		p := out.CreateRecord.Record.Properties
		if p["numberofemployees"] != float64(12) || p["annualrevenue"] != float64(1500000) {
			t.Fatalf("company %v", p)
		}
	})
}
