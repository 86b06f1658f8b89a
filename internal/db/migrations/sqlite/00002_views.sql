-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
PRAGMA foreign_keys = off;
CREATE TABLE `views` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `filter` json NULL, `sort` json NOT NULL, `columns` json NOT NULL, `visibility` text NOT NULL DEFAULT ('SHARED'), `workspace_id` integer NOT NULL, `object_type_id` integer NOT NULL, CONSTRAINT `views_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION, CONSTRAINT `views_object_types_object_type` FOREIGN KEY (`object_type_id`) REFERENCES `object_types` (`id`) ON DELETE NO ACTION);
CREATE UNIQUE INDEX `view_workspace_id_object_type_id_name` ON `views` (`workspace_id`, `object_type_id`, `name`);
PRAGMA foreign_keys = on;
