-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
PRAGMA foreign_keys = off;
ALTER TABLE `api_keys` ADD COLUMN `rate_burst` integer NULL;
ALTER TABLE `api_keys` ADD COLUMN `rate_per_second` real NULL;
PRAGMA foreign_keys = on;
