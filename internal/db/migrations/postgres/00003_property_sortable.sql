-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- +goose Up
ALTER TABLE "properties" ADD COLUMN "sortable" boolean NOT NULL DEFAULT false;

-- The standard properties internal/catalog/catalog.json marks sortable, in
-- workspaces seeded before it did: the server builds their indexes at its
-- next start (internal/indexes).
UPDATE properties SET sortable = true WHERE read_only_definition AND EXISTS (
  SELECT 1 FROM object_types o WHERE o.id = properties.object_type_id AND (o.name, properties.name) IN (VALUES
    ('contacts', 'lifecyclestage'), ('companies', 'industry'), ('companies', 'annualrevenue'),
    ('companies', 'numberofemployees'), ('deals', 'amount'), ('deals', 'closedate'), ('deals', 'dealstage'),
    ('tickets', 'hs_pipeline_stage'), ('tickets', 'hs_ticket_priority'), ('notes', 'hs_timestamp'),
    ('calls', 'hs_timestamp'), ('emails', 'hs_timestamp'), ('meetings', 'hs_timestamp'),
    ('meetings', 'hs_meeting_start_time'), ('tasks', 'hs_timestamp')));
