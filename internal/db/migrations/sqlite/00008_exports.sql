-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
PRAGMA foreign_keys = off;
CREATE TABLE `exports` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `token` text NOT NULL, `spec` json NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `workspace_id` integer NOT NULL, `object_type_id` integer NOT NULL, CONSTRAINT `exports_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION, CONSTRAINT `exports_object_types_object_type` FOREIGN KEY (`object_type_id`) REFERENCES `object_types` (`id`) ON DELETE NO ACTION);
CREATE INDEX `export_token` ON `exports` (`token`);
CREATE INDEX `export_expires_at` ON `exports` (`expires_at`);
PRAGMA foreign_keys = on;
