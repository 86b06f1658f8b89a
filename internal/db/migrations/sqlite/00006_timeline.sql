-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
PRAGMA foreign_keys = off;
CREATE TABLE `timeline_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `workspace_id` integer NOT NULL, `type` text NOT NULL, `occurred_at` datetime NOT NULL, `other_record_id` integer NULL, `list_id` integer NULL, `detail` json NULL, `record_id` integer NOT NULL, CONSTRAINT `timeline_events_records_record` FOREIGN KEY (`record_id`) REFERENCES `records` (`id`) ON DELETE CASCADE);
CREATE INDEX `timelineevent_record_id_occurred_at_id` ON `timeline_events` (`record_id`, `occurred_at`, `id`);
CREATE INDEX `timelineevent_other_record_id` ON `timeline_events` (`other_record_id`);
PRAGMA foreign_keys = on;
