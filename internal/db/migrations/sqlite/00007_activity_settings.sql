-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
PRAGMA foreign_keys = off;
CREATE TABLE `activity_settings` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `rule` text NOT NULL, `enabled` bool NOT NULL, `workspace_id` integer NOT NULL, `object_type_id` integer NOT NULL, `activity_type_id` integer NOT NULL, CONSTRAINT `activity_settings_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION, CONSTRAINT `activity_settings_object_types_object_type` FOREIGN KEY (`object_type_id`) REFERENCES `object_types` (`id`) ON DELETE NO ACTION, CONSTRAINT `activity_settings_object_types_activity_type` FOREIGN KEY (`activity_type_id`) REFERENCES `object_types` (`id`) ON DELETE NO ACTION);
CREATE UNIQUE INDEX `activitysetting_workspace_id_ob_659afa8e72395c37f531444bde5fd15c` ON `activity_settings` (`workspace_id`, `object_type_id`, `activity_type_id`, `rule`);
PRAGMA foreign_keys = on;
