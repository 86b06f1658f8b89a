-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
PRAGMA foreign_keys = off;
CREATE TABLE `lists` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `kind` text NOT NULL, `filter` json NULL, `workspace_id` integer NOT NULL, `object_type_id` integer NOT NULL, CONSTRAINT `lists_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION, CONSTRAINT `lists_object_types_object_type` FOREIGN KEY (`object_type_id`) REFERENCES `object_types` (`id`) ON DELETE NO ACTION);
CREATE UNIQUE INDEX `list_workspace_id_object_type_id_name` ON `lists` (`workspace_id`, `object_type_id`, `name`);
CREATE TABLE `list_members` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `workspace_id` integer NOT NULL, `added_at` datetime NOT NULL, `list_id` integer NOT NULL, `record_id` integer NOT NULL, CONSTRAINT `list_members_lists_list` FOREIGN KEY (`list_id`) REFERENCES `lists` (`id`) ON DELETE CASCADE, CONSTRAINT `list_members_records_record` FOREIGN KEY (`record_id`) REFERENCES `records` (`id`) ON DELETE CASCADE);
CREATE UNIQUE INDEX `listmember_workspace_id_list_id_record_id` ON `list_members` (`workspace_id`, `list_id`, `record_id`);
CREATE INDEX `listmember_list_id_added_at_record_id` ON `list_members` (`list_id`, `added_at`, `record_id`);
CREATE INDEX `listmember_record_id` ON `list_members` (`record_id`);
PRAGMA foreign_keys = on;
