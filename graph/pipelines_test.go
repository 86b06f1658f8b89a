package graph_test

// Tests of pipelines and stages (issue rule 7) for deals, tickets and
// custom objects: create, rename, reorder, archive; probabilities, ticket
// states, the 100-stage limit, labels unique in a pipeline; a record's
// pipeline and stage validated together; archiving what records use is
// refused with the count unless the request says where they move.

import (
	"fmt"
	"slices"
	"testing"
)

const (
	createPipelineMutation  = `mutation($in: CreatePipelineInput!) { createPipeline(input: $in) { pipeline { ` + pipelineFields + ` } } }`
	updatePipelineMutation  = `mutation($in: UpdatePipelineInput!) { updatePipeline(input: $in) { pipeline { ` + pipelineFields + ` } } }`
	archivePipelineMutation = `mutation($id: ID!, $to: MoveRecordsInput) { archivePipeline(input: {id: $id, moveTo: $to}) { movedRecords pipeline { ` + pipelineFields + ` } } }`
	createStageMutation     = `mutation($p: ID!, $s: PipelineStageInput!) { createPipelineStage(input: {pipelineId: $p, stage: $s}) { stage { ` + stageFields + ` } } }`
	updateStageMutation     = `mutation($in: UpdatePipelineStageInput!) { updatePipelineStage(input: $in) { stage { ` + stageFields + ` } } }`
	archiveStageMutation    = `mutation($id: ID!, $to: String) { archivePipelineStage(input: {id: $id, moveToStage: $to}) { movedRecords stage { ` + stageFields + ` } } }`
)

// createPipeline adds a pipeline to objectType and returns it as answered.
func (a *api) createPipeline(objectType string, in map[string]any) pipelineJSON {
	a.t.Helper()
	in["objectType"] = objectType
	var out struct {
		CreatePipeline struct{ Pipeline pipelineJSON } `json:"createPipeline"`
	}
	a.ok(createPipelineMutation, inVars(in), &out)
	return out.CreatePipeline.Pipeline
}

// pipelineOf reads a pipeline, archived or not, from its object type's
// definitions.
func (a *api) pipelineOf(objectType, key string) pipelineJSON {
	a.t.Helper()
	p := a.mustObjectType(objectType).pipeline(key)
	if p == nil {
		a.t.Fatalf("%s has no pipeline %q", objectType, key)
	}
	return *p
}

type archiveStageJSON struct {
	ArchivePipelineStage struct {
		MovedRecords int
		Stage        stageJSON
	}
}

type archivePipelineJSON struct {
	ArchivePipeline struct {
		MovedRecords int
		Pipeline     pipelineJSON
	}
}

func stagesInput(labels ...string) []map[string]any {
	out := make([]map[string]any, len(labels))
	for i, l := range labels {
		out[i] = map[string]any{"label": l}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestDealPipelines(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var renewals pipelineJSON
		var d1, d2, d3 recordJSON
		newDeal := func(a *api, pipeline, stage string) recordJSON {
			return a.create("deals", map[string]any{"dealname": "Deal " + stage, "pipeline": pipeline, "dealstage": stage})
		}

		t.Run("create with stages", func(t *testing.T) {
			a := a.with(t)
			renewals = a.createPipeline("deals", map[string]any{"key": "renewals", "label": "Renewals", "displayOrder": 1, "stages": []map[string]any{
				{"key": "r_open", "label": "Open", "probability": 0.1},
				{"key": "r_won", "label": "Won", "probability": 1.0, "closed": true},
				{"label": "Lost", "probability": 0.0, "closed": true},
			}})
			stored := a.pipelineOf("deals", "renewals")
			if !equalJSON(stored, renewals) {
				t.Fatalf("answer %+v, definitions %+v", renewals, stored)
			}
			if stored.Label != "Renewals" || stored.DisplayOrder != 1 || stored.Archived || len(stored.Stages) != 3 {
				t.Fatalf("pipeline %+v", stored)
			}
			open, won, lost := stored.Stages[0], stored.Stages[1], stored.Stages[2]
			if open.Key != "r_open" || *open.Probability != 0.1 || open.Closed ||
				won.Key != "r_won" || *won.Probability != 1.0 || !won.Closed ||
				lost.Label != "Lost" || lost.Key == "" || lost.Key == "r_open" || *lost.Probability != 0 || !lost.Closed {
				t.Fatalf("stages %+v", stored.Stages)
			}
			if open.DisplayOrder >= won.DisplayOrder || won.DisplayOrder >= lost.DisplayOrder {
				t.Fatalf("stage order %+v", stored.Stages)
			}
			if got := a.mustObjectType("deals").pipelineKeys(); !slices.Equal(got, []string{"default", "renewals"}) {
				t.Fatalf("pipelines %v", got)
			}
			// The pipeline and stage properties offer them as options.
			if p := a.mustProperty("deals", "pipeline"); p.option("renewals") == nil {
				t.Fatalf("pipeline options %v", p.optionValues())
			}
			if p := a.mustProperty("deals", "dealstage"); p.option("r_open") == nil || p.option(lost.Key) == nil {
				t.Fatalf("dealstage options %v", p.optionValues())
			}
			a.fails(createPipelineMutation, inVars(map[string]any{"objectType": "deals", "key": "renewals", "label": "Again", "stages": stagesInput("A")}), "BAD_USER_INPUT", "key")
			a.fails(createPipelineMutation, inVars(map[string]any{"objectType": "deals", "label": "Empty", "stages": []any{}}), "BAD_USER_INPUT", "stages")
			if n := len(a.mustObjectType("deals").AllPipelines); n != 2 {
				t.Fatalf("%d pipelines after refusals", n)
			}
		})

		t.Run("a record's pipeline and stage are validated together", func(t *testing.T) {
			a := a.with(t)
			d1 = newDeal(a, "renewals", "r_open")
			d2 = newDeal(a, "renewals", "r_open")
			d3 = newDeal(a, "renewals", "r_open")
			a.archiveRecord(d3)
			if got := a.stored(d1); got["pipeline"] != "renewals" || got["dealstage"] != "r_open" {
				t.Fatalf("stored %v", got)
			}
			count := a.count("deals")
			for _, tc := range []struct{ pipeline, stage, property string }{
				{"renewals", "appointmentscheduled", "dealstage"}, // a stage of the default pipeline
				{"default", "r_open", "dealstage"},
				{"nope", "r_open", "pipeline"},
			} {
				a.fails(createMutation, map[string]any{"t": "deals", "p": map[string]any{"dealname": "X", "pipeline": tc.pipeline, "dealstage": tc.stage}}, "BAD_USER_INPUT", tc.property)
			}
			before := a.snapshot("deals")
			a.fails(updateRecordMutation, map[string]any{"id": d1.ID, "p": map[string]any{"pipeline": "default"}}, "BAD_USER_INPUT", "dealstage")
			a.fails(updateRecordMutation, map[string]any{"id": d1.ID, "p": map[string]any{"dealstage": "closedwon"}}, "BAD_USER_INPUT", "dealstage")
			a.unchanged("deals", before)
			if n := a.count("deals"); n != count {
				t.Fatalf("%d deals, had %d", n, count)
			}
		})

		t.Run("probability is 0.0-1.0", func(t *testing.T) {
			a := a.with(t)
			for _, p := range []float64{1.5, -0.1} {
				a.fails(createPipelineMutation, inVars(map[string]any{"objectType": "deals", "label": fmt.Sprint("P", p),
					"stages": []map[string]any{{"label": "S", "probability": p}}}), "BAD_USER_INPUT", "probability")
				a.fails(createStageMutation, map[string]any{"p": renewals.ID, "s": map[string]any{"label": "S", "probability": p}}, "BAD_USER_INPUT", "probability")
				a.fails(updateStageMutation, inVars(map[string]any{"id": renewals.Stages[0].ID, "probability": p}), "BAD_USER_INPUT", "probability")
			}
			if n := len(a.mustObjectType("deals").AllPipelines); n != 2 {
				t.Fatalf("%d pipelines after refusals", n)
			}
			if got := a.pipelineOf("deals", "renewals"); !equalJSON(got, renewals) {
				t.Fatalf("renewals changed: %+v", got)
			}
		})

		t.Run("stage labels are unique within a pipeline", func(t *testing.T) {
			a := a.with(t)
			a.fails(createPipelineMutation, inVars(map[string]any{"objectType": "deals", "label": "Twice", "stages": stagesInput("Open", "Open")}), "BAD_USER_INPUT", "")
			a.fails(createStageMutation, map[string]any{"p": renewals.ID, "s": map[string]any{"label": "Open"}}, "BAD_USER_INPUT", "")
			a.fails(updateStageMutation, inVars(map[string]any{"id": renewals.Stages[1].ID, "label": "Open"}), "BAD_USER_INPUT", "label")
			if got := a.pipelineOf("deals", "renewals"); !equalJSON(got, renewals) {
				t.Fatalf("renewals changed: %+v", got)
			}
			if n := len(a.mustObjectType("deals").AllPipelines); n != 2 {
				t.Fatalf("%d pipelines after refusals", n)
			}
			// The same label in another pipeline is fine.
			upsell := a.createPipeline("deals", map[string]any{"key": "upsell", "label": "Upsell", "displayOrder": 2, "stages": stagesInput("Open", "Won")})
			if upsell.Stages[0].Label != "Open" || upsell.Stages[0].Key == "r_open" {
				t.Fatalf("upsell %+v", upsell)
			}
		})

		t.Run("rename and reorder a pipeline", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("deals")
			var out struct {
				UpdatePipeline struct{ Pipeline pipelineJSON }
			}
			a.ok(updatePipelineMutation, inVars(map[string]any{"id": renewals.ID, "label": "Renewals 2026"}), &out)
			if got := a.pipelineOf("deals", "renewals"); got.Label != "Renewals 2026" || got.Key != "renewals" || !equalJSON(got, out.UpdatePipeline.Pipeline) {
				t.Fatalf("%+v", got)
			}
			a.ok(updatePipelineMutation, inVars(map[string]any{"id": renewals.ID, "displayOrder": -1}), nil)
			if got := a.mustObjectType("deals").pipelineKeys(); !slices.Equal(got, []string{"renewals", "default", "upsell"}) {
				t.Fatalf("pipelines %v", got)
			}
			if got := a.pipelineOf("deals", "renewals"); got.Label != "Renewals 2026" {
				t.Fatalf("reorder changed the label: %+v", got)
			}
			a.fails(updatePipelineMutation, inVars(map[string]any{"id": renewals.ID, "label": " "}), "BAD_USER_INPUT", "label")
			// Records hold the key, which does not change.
			a.unchanged("deals", before)
		})

		t.Run("add, rename, reorder and re-rate stages", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("deals")
			var out struct{ CreatePipelineStage struct{ Stage stageJSON } }
			a.ok(createStageMutation, map[string]any{"p": renewals.ID, "s": map[string]any{"key": "r_nego", "label": "Negotiation", "probability": 0.5, "displayOrder": 5}}, &out)
			if s := out.CreatePipelineStage.Stage; s.Key != "r_nego" || *s.Probability != 0.5 {
				t.Fatalf("answer %+v", s)
			}
			if got := a.pipelineOf("deals", "renewals").stageKeys(); len(got) != 4 || got[3] != "r_nego" {
				t.Fatalf("stages %v", got)
			}
			var upd struct{ UpdatePipelineStage struct{ Stage stageJSON } }
			a.ok(updateStageMutation, inVars(map[string]any{"id": out.CreatePipelineStage.Stage.ID, "label": "Negotiating", "displayOrder": -1, "probability": 0.6}), &upd)
			p := a.pipelineOf("deals", "renewals")
			s := p.stage("r_nego")
			if s == nil || s.Label != "Negotiating" || *s.Probability != 0.6 || !equalJSON(*s, upd.UpdatePipelineStage.Stage) {
				t.Fatalf("stage %+v", s)
			}
			if got := p.stageKeys(); got[0] != "r_nego" || got[1] != "r_open" {
				t.Fatalf("stage order %v", got)
			}
			a.fails(updateStageMutation, inVars(map[string]any{"id": s.ID, "label": ""}), "BAD_USER_INPUT", "label")
			a.unchanged("deals", before)
			newDeal(a, "renewals", "r_nego")
		})

		t.Run("at most 100 stages", func(t *testing.T) {
			a := a.with(t)
			labels := make([]string, 101)
			for i := range labels {
				labels[i] = fmt.Sprint("Stage ", i+1)
			}
			a.fails(createPipelineMutation, inVars(map[string]any{"objectType": "deals", "label": "Too long", "stages": stagesInput(labels...)}), "LIMIT_EXCEEDED", "")
			if n := len(a.mustObjectType("deals").AllPipelines); n != 3 {
				t.Fatalf("%d pipelines after the refusal", n)
			}
			long := a.createPipeline("deals", map[string]any{"key": "long", "label": "Long", "stages": stagesInput(labels[:100]...)})
			if len(long.Stages) != 100 {
				t.Fatalf("%d stages", len(long.Stages))
			}
			a.fails(createStageMutation, map[string]any{"p": long.ID, "s": map[string]any{"label": "One more"}}, "LIMIT_EXCEEDED", "")
			if got := a.pipelineOf("deals", "long"); len(got.AllStages) != 100 {
				t.Fatalf("%d stages after the refusal", len(got.AllStages))
			}
		})

		t.Run("archiving a stage records use", func(t *testing.T) {
			a := a.with(t)
			open := a.pipelineOf("deals", "renewals").stage("r_open")
			before := a.snapshot("deals")
			e := a.fails(archiveStageMutation, map[string]any{"id": open.ID}, "CONFLICT", "")
			// d1, d2 and d3, which is in the recycle bin: restoring it must
			// not bring back a stage that is gone.
			wantMessage(t, e, "3 records")
			a.fails(archiveStageMutation, map[string]any{"id": open.ID, "to": "appointmentscheduled"}, "BAD_USER_INPUT", "")
			a.fails(archiveStageMutation, map[string]any{"id": open.ID, "to": "r_open"}, "BAD_USER_INPUT", "")
			if s := a.pipelineOf("deals", "renewals").stage("r_open"); s.Archived {
				t.Fatal("stage archived by a refused request")
			}
			a.unchanged("deals", before)

			var out archiveStageJSON
			a.ok(archiveStageMutation, map[string]any{"id": open.ID, "to": "r_won"}, &out)
			if out.ArchivePipelineStage.MovedRecords != 3 || !out.ArchivePipelineStage.Stage.Archived {
				t.Fatalf("answer %+v", out)
			}
			for _, d := range []recordJSON{d1, d2, d3} {
				if got := a.stored(d); got["pipeline"] != "renewals" || got["dealstage"] != "r_won" || got["dealname"] != "Deal r_open" {
					t.Fatalf("deal %s stored %v", d.RecordID, got)
				}
			}
			p := a.pipelineOf("deals", "renewals")
			if slices.Contains(p.stageKeys(), "r_open") || p.stage("r_open") == nil || !p.stage("r_open").Archived {
				t.Fatalf("stages %v, all %+v", p.stageKeys(), p.AllStages)
			}
			a.fails(createMutation, map[string]any{"t": "deals", "p": map[string]any{"dealname": "X", "pipeline": "renewals", "dealstage": "r_open"}}, "BAD_USER_INPUT", "dealstage")
			a.fails(updateRecordMutation, map[string]any{"id": d1.ID, "p": map[string]any{"dealstage": "r_open"}}, "BAD_USER_INPUT", "dealstage")
			// A stage no record uses goes without a destination.
			lost := p.Stages[len(p.Stages)-1]
			var out2 archiveStageJSON
			a.ok(archiveStageMutation, map[string]any{"id": lost.ID}, &out2)
			if out2.ArchivePipelineStage.MovedRecords != 0 || !a.pipelineOf("deals", "renewals").stage(lost.Key).Archived {
				t.Fatalf("answer %+v", out2)
			}
		})

		t.Run("archiving a pipeline records use", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("deals")
			held := a.recordsHolding("deals", "dealname") // every deal
			inRenewals := 4                               // d1, d2, d3 and the r_nego deal
			e := a.fails(archivePipelineMutation, map[string]any{"id": renewals.ID}, "CONFLICT", "")
			wantMessage(t, e, fmt.Sprintf("%d records", inRenewals))
			for _, to := range []map[string]any{
				{"pipeline": "renewals", "stage": "r_won"}, // itself
				{"pipeline": "default", "stage": "r_won"},  // a stage of another pipeline
				{"pipeline": "nope", "stage": "closedwon"}, // no such pipeline
				{"pipeline": "default", "stage": "nope"},   // no such stage
			} {
				a.fails(archivePipelineMutation, map[string]any{"id": renewals.ID, "to": to}, "BAD_USER_INPUT", "")
			}
			if p := a.pipelineOf("deals", "renewals"); p.Archived {
				t.Fatal("pipeline archived by a refused request")
			}
			a.unchanged("deals", before)

			var out archivePipelineJSON
			a.ok(archivePipelineMutation, map[string]any{"id": renewals.ID, "to": map[string]any{"pipeline": "default", "stage": "closedwon"}}, &out)
			if out.ArchivePipeline.MovedRecords != inRenewals || !out.ArchivePipeline.Pipeline.Archived {
				t.Fatalf("answer %+v", out)
			}
			for _, d := range []recordJSON{d1, d2, d3} {
				if got := a.stored(d); got["pipeline"] != "default" || got["dealstage"] != "closedwon" {
					t.Fatalf("deal %s stored %v", d.RecordID, got)
				}
			}
			ot := a.mustObjectType("deals")
			if slices.Contains(ot.pipelineKeys(), "renewals") || ot.pipeline("renewals") == nil || !ot.pipeline("renewals").Archived {
				t.Fatalf("pipelines %v", ot.pipelineKeys())
			}
			if n := a.recordsHolding("deals", "dealname"); n != held {
				t.Fatalf("%d deals, had %d", n, held)
			}
			a.fails(createMutation, map[string]any{"t": "deals", "p": map[string]any{"dealname": "X", "pipeline": "renewals", "dealstage": "r_won"}}, "BAD_USER_INPUT", "pipeline")
			// A pipeline no record uses goes without a destination.
			var out2 archivePipelineJSON
			a.ok(archivePipelineMutation, map[string]any{"id": a.pipelineOf("deals", "long").ID}, &out2)
			if out2.ArchivePipeline.MovedRecords != 0 || !a.pipelineOf("deals", "long").Archived {
				t.Fatalf("answer %+v", out2)
			}
		})

		t.Run("objects without pipelines", func(t *testing.T) {
			a := a.with(t)
			a.fails(createPipelineMutation, inVars(map[string]any{"objectType": "contacts", "label": "P", "stages": stagesInput("S")}), "BAD_USER_INPUT", "")
			a.fails(createPipelineMutation, inVars(map[string]any{"objectType": "notes", "label": "P", "stages": stagesInput("S")}), "BAD_USER_INPUT", "")
			ot := a.mustObjectType("contacts")
			if len(ot.AllPipelines) != 0 || ot.prop("hs_pipeline") != nil {
				t.Fatalf("contacts got pipelines: %+v", ot.AllPipelines)
			}
		})
	})
}

func TestTicketPipelines(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var it pipelineJSON
		var tk recordJSON
		t.Run("the support pipeline's ticket states", func(t *testing.T) {
			a := a.with(t)
			p := a.pipelineOf("tickets", "0")
			var states []string
			for _, s := range p.Stages {
				states = append(states, *s.TicketState)
				if s.Closed != (*s.TicketState == "CLOSED") {
					t.Fatalf("stage %+v", s)
				}
			}
			if !slices.Equal(p.stageKeys(), []string{"1", "2", "3", "4"}) || !slices.Equal(states, []string{"OPEN", "OPEN", "OPEN", "CLOSED"}) {
				t.Fatalf("stages %v states %v", p.stageKeys(), states)
			}
		})
		t.Run("create with ticket states", func(t *testing.T) {
			a := a.with(t)
			it = a.createPipeline("tickets", map[string]any{"key": "it", "label": "IT requests", "stages": []map[string]any{
				{"key": "it_new", "label": "New", "ticketState": "OPEN"},
				{"key": "it_wait", "label": "Waiting", "ticketState": "OPEN"},
				{"key": "it_done", "label": "Done", "ticketState": "CLOSED"},
			}})
			p := a.pipelineOf("tickets", "it")
			if !equalJSON(p, it) || !slices.Equal(p.stageKeys(), []string{"it_new", "it_wait", "it_done"}) {
				t.Fatalf("%+v", p)
			}
			if s := p.stage("it_new"); *s.TicketState != "OPEN" || s.Closed {
				t.Fatalf("%+v", s)
			}
			if s := p.stage("it_done"); *s.TicketState != "CLOSED" || !s.Closed {
				t.Fatalf("%+v", s)
			}
			a.fails(createPipelineMutation, inVars(map[string]any{"objectType": "tickets", "label": "Bad", "stages": []map[string]any{{"label": "S", "ticketState": "PENDING"}}}), "BAD_USER_INPUT", "")
			if n := len(a.mustObjectType("tickets").AllPipelines); n != 2 {
				t.Fatalf("%d pipelines", n)
			}
		})
		t.Run("a stage's state changes", func(t *testing.T) {
			a := a.with(t)
			wait := it.Stages[1]
			a.ok(updateStageMutation, inVars(map[string]any{"id": wait.ID, "ticketState": "CLOSED"}), nil)
			if s := a.pipelineOf("tickets", "it").stage("it_wait"); *s.TicketState != "CLOSED" || !s.Closed {
				t.Fatalf("%+v", s)
			}
			a.ok(updateStageMutation, inVars(map[string]any{"id": wait.ID, "ticketState": "OPEN"}), nil)
			if s := a.pipelineOf("tickets", "it").stage("it_wait"); *s.TicketState != "OPEN" || s.Closed {
				t.Fatalf("%+v", s)
			}
		})
		t.Run("records", func(t *testing.T) {
			a := a.with(t)
			tk = a.create("tickets", map[string]any{"subject": "Laptop", "hs_pipeline": "it", "hs_pipeline_stage": "it_new"})
			a.fails(createMutation, map[string]any{"t": "tickets", "p": map[string]any{"subject": "S", "hs_pipeline": "it", "hs_pipeline_stage": "1"}}, "BAD_USER_INPUT", "hs_pipeline_stage")
			a.fails(createMutation, map[string]any{"t": "tickets", "p": map[string]any{"subject": "S", "hs_pipeline": "0", "hs_pipeline_stage": "it_new"}}, "BAD_USER_INPUT", "hs_pipeline_stage")
		})
		t.Run("archiving a stage in use", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("tickets")
			newStage := it.Stages[0]
			e := a.fails(archiveStageMutation, map[string]any{"id": newStage.ID}, "CONFLICT", "")
			wantMessage(t, e, "1 records")
			a.unchanged("tickets", before)
			var out archiveStageJSON
			a.ok(archiveStageMutation, map[string]any{"id": newStage.ID, "to": "it_wait"}, &out)
			if out.ArchivePipelineStage.MovedRecords != 1 || a.stored(tk)["hs_pipeline_stage"] != "it_wait" || a.stored(tk)["hs_pipeline"] != "it" {
				t.Fatalf("answer %+v, stored %v", out, a.stored(tk))
			}
		})
	})
}

func TestCustomObjectPipelines(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.createObjectType(map[string]any{"name": "projects", "singularLabel": "Project", "pluralLabel": "Projects",
			"properties":         []map[string]any{{"name": "title", "label": "Title", "type": "STRING", "fieldType": "TEXT"}},
			"requiredProperties": []string{"title"}})
		var delivery, support pipelineJSON
		var pr recordJSON
		t.Run("the first pipeline brings the pipeline and stage properties", func(t *testing.T) {
			a := a.with(t)
			if ot := a.mustObjectType("projects"); ot.prop("hs_pipeline") != nil || len(ot.AllPipelines) != 0 {
				t.Fatalf("%+v", ot)
			}
			a.create("projects", map[string]any{"title": "Before pipelines"})
			delivery = a.createPipeline("projects", map[string]any{"key": "delivery", "label": "Delivery", "stages": []map[string]any{
				{"key": "planned", "label": "Planned"}, {"key": "shipped", "label": "Shipped", "closed": true}}})
			ot := a.mustObjectType("projects")
			pp, sp := ot.prop("hs_pipeline"), ot.prop("hs_pipeline_stage")
			if pp == nil || sp == nil || pp.Type != "ENUMERATION" || sp.Type != "ENUMERATION" {
				t.Fatalf("properties %v", propertyNamesOf(ot.Properties))
			}
			if !slices.Equal(pp.optionValues(), []string{"delivery"}) || !slices.Equal(sp.optionValues(), []string{"planned", "shipped"}) {
				t.Fatalf("options %v %v", pp.optionValues(), sp.optionValues())
			}
			if !slices.Equal(ot.RequiredProperties, []string{"title", "hs_pipeline", "hs_pipeline_stage"}) {
				t.Fatalf("required %v", ot.RequiredProperties)
			}
			if got := ot.pipelineKeys(); !slices.Equal(got, []string{"delivery"}) {
				t.Fatalf("pipelines %v", got)
			}
		})
		t.Run("records validate pipeline and stage together", func(t *testing.T) {
			a := a.with(t)
			support = a.createPipeline("projects", map[string]any{"key": "support", "label": "Support", "stages": []map[string]any{{"key": "triage", "label": "Triage"}}})
			if len(a.mustObjectType("projects").Properties) != len(a.mustObjectType("projects").AllProperties) {
				t.Fatal("a second pipeline changed the properties")
			}
			a.fails(createMutation, map[string]any{"t": "projects", "p": map[string]any{"title": "P"}}, "BAD_USER_INPUT", "hs_pipeline")
			a.fails(createMutation, map[string]any{"t": "projects", "p": map[string]any{"title": "P", "hs_pipeline": "delivery", "hs_pipeline_stage": "triage"}}, "BAD_USER_INPUT", "hs_pipeline_stage")
			pr = a.create("projects", map[string]any{"title": "P", "hs_pipeline": "delivery", "hs_pipeline_stage": "planned"})
			a.updateRecord(pr, map[string]any{"hs_pipeline": "support", "hs_pipeline_stage": "triage"})
			a.updateRecord(pr, map[string]any{"hs_pipeline": "delivery", "hs_pipeline_stage": "planned"})
		})
		t.Run("archiving a pipeline moves its records", func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot("projects")
			e := a.fails(archivePipelineMutation, map[string]any{"id": delivery.ID}, "CONFLICT", "")
			wantMessage(t, e, "1 records")
			a.unchanged("projects", before)
			var out archivePipelineJSON
			a.ok(archivePipelineMutation, map[string]any{"id": delivery.ID, "to": map[string]any{"pipeline": "support", "stage": "triage"}}, &out)
			if out.ArchivePipeline.MovedRecords != 1 {
				t.Fatalf("answer %+v", out)
			}
			if got := a.stored(pr); got["hs_pipeline"] != "support" || got["hs_pipeline_stage"] != "triage" || got["title"] != "P" {
				t.Fatalf("stored %v", got)
			}
			if got := a.mustObjectType("projects").pipelineKeys(); !slices.Equal(got, []string{"support"}) {
				t.Fatalf("pipelines %v", got)
			}
			_ = support
		})
	})
}
