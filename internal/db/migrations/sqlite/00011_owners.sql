-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
-- Moved by hand above the tables that refer to it: with foreign keys on,
-- SQLite refuses rows that refer to a table yet to exist.
CREATE TABLE `owners` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `first_name` text NOT NULL DEFAULT (''), `last_name` text NOT NULL DEFAULT (''), `archived_at` datetime NULL, `workspace_id` integer NOT NULL, CONSTRAINT `owners_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION);
CREATE UNIQUE INDEX `owner_workspace_id_email` ON `owners` (`workspace_id`, `email`);
PRAGMA foreign_keys = off;
PRAGMA foreign_keys = off;
CREATE TABLE `new_views` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `filter` json NULL, `sort` json NOT NULL, `columns` json NOT NULL, `visibility` text NOT NULL DEFAULT ('SHARED'), `workspace_id` integer NOT NULL, `object_type_id` integer NOT NULL, `owner_id` integer NULL, CONSTRAINT `views_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION, CONSTRAINT `views_object_types_object_type` FOREIGN KEY (`object_type_id`) REFERENCES `object_types` (`id`) ON DELETE NO ACTION, CONSTRAINT `views_owners_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE SET NULL);
INSERT INTO `new_views` (`id`, `created_at`, `updated_at`, `name`, `filter`, `sort`, `columns`, `visibility`, `workspace_id`, `object_type_id`) SELECT `id`, `created_at`, `updated_at`, `name`, `filter`, `sort`, `columns`, `visibility`, `workspace_id`, `object_type_id` FROM `views`;
DROP TABLE `views`;
ALTER TABLE `new_views` RENAME TO `views`;
CREATE UNIQUE INDEX `view_workspace_id_object_type_id_name` ON `views` (`workspace_id`, `object_type_id`, `name`);
CREATE TABLE `new_api_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `name` text NOT NULL, `secret_hash` text NOT NULL, `scopes` text NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NULL, `revoked_at` datetime NULL, `last_used_at` datetime NULL, `workspace_id` integer NOT NULL, `owner_id` integer NULL, CONSTRAINT `api_keys_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION, CONSTRAINT `api_keys_owners_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE SET NULL);
INSERT INTO `new_api_keys` (`id`, `name`, `secret_hash`, `scopes`, `created_at`, `expires_at`, `revoked_at`, `last_used_at`, `workspace_id`) SELECT `id`, `name`, `secret_hash`, `scopes`, `created_at`, `expires_at`, `revoked_at`, `last_used_at`, `workspace_id` FROM `api_keys`;
DROP TABLE `api_keys`;
ALTER TABLE `new_api_keys` RENAME TO `api_keys`;
CREATE UNIQUE INDEX `api_keys_secret_hash_key` ON `api_keys` (`secret_hash`);
CREATE INDEX `apikey_workspace_id_id` ON `api_keys` (`workspace_id`, `id`);
CREATE TABLE `teams` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `workspace_id` integer NOT NULL, CONSTRAINT `teams_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION);
CREATE UNIQUE INDEX `team_workspace_id_name` ON `teams` (`workspace_id`, `name`);
CREATE TABLE `team_layouts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `layout` json NOT NULL, `workspace_id` integer NOT NULL, `team_id` integer NOT NULL, `object_type_id` integer NOT NULL, CONSTRAINT `team_layouts_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION, CONSTRAINT `team_layouts_teams_team` FOREIGN KEY (`team_id`) REFERENCES `teams` (`id`) ON DELETE NO ACTION, CONSTRAINT `team_layouts_object_types_object_type` FOREIGN KEY (`object_type_id`) REFERENCES `object_types` (`id`) ON DELETE NO ACTION);
CREATE UNIQUE INDEX `teamlayout_workspace_id_object_type_id_team_id` ON `team_layouts` (`workspace_id`, `object_type_id`, `team_id`);
CREATE TABLE `team_memberships` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `primary` bool NOT NULL DEFAULT (false), `workspace_id` integer NOT NULL, `team_id` integer NOT NULL, `owner_id` integer NOT NULL, CONSTRAINT `team_memberships_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION, CONSTRAINT `team_memberships_teams_team` FOREIGN KEY (`team_id`) REFERENCES `teams` (`id`) ON DELETE NO ACTION, CONSTRAINT `team_memberships_owners_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE NO ACTION);
CREATE UNIQUE INDEX `teammembership_workspace_id_owner_id_team_id` ON `team_memberships` (`workspace_id`, `owner_id`, `team_id`);
PRAGMA foreign_keys = on;
-- Written by hand: every object type of every workspace, custom ones
-- included, gets hubspot_owner_id (the catalog's common property, which new
-- object types and workspaces get from the catalog), in its first group.
INSERT INTO `properties` (`created_at`, `updated_at`, `name`, `label`, `type`, `field_type`, `description`, `display_order`, `options`, `has_unique_value`, `sortable`, `hidden`, `read_only_value`, `read_only_definition`, `workspace_id`, `object_type_id`, `group_id`)
SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00', strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00', 'hubspot_owner_id', 'Owner', 'owner', 'select', 'The owner the record is assigned to: an owner of the workspace, by id.',
  (SELECT COALESCE(MAX(p.display_order), 0) + 1 FROM `properties` p WHERE p.object_type_id = ot.id), '[]', 0, 1, 0, 0, 1, ot.workspace_id, ot.id,
  (SELECT g.id FROM `property_groups` g WHERE g.object_type_id = ot.id ORDER BY g.display_order, g.id LIMIT 1)
FROM `object_types` ot
WHERE NOT EXISTS (SELECT 1 FROM `properties` p WHERE p.object_type_id = ot.id AND p.name = 'hubspot_owner_id');
UPDATE `workspaces` SET `schema_version` = `schema_version` + 1 WHERE `id` IN (SELECT `workspace_id` FROM `object_types`);
PRAGMA foreign_keys = on;
