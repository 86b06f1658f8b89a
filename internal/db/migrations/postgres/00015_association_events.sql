-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- +goose Up
ALTER TABLE "change_events" ADD COLUMN "to_record_id" bigint NULL, ADD COLUMN "to_object_type_id" bigint NULL;
