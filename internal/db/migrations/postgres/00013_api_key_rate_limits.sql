-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- +goose Up
ALTER TABLE "api_keys" ADD COLUMN "rate_burst" bigint NULL, ADD COLUMN "rate_per_second" double precision NULL;
