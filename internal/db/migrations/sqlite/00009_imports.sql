-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
PRAGMA foreign_keys = off;
CREATE TABLE `import_errors` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `workspace_id` integer NOT NULL, `file` text NOT NULL, `row` integer NOT NULL, `column` text NOT NULL DEFAULT (''), `property` text NOT NULL DEFAULT (''), `code` text NOT NULL, `message` text NOT NULL, `warning` bool NOT NULL DEFAULT (false), `import_id` integer NOT NULL, CONSTRAINT `import_errors_import_jobs_job` FOREIGN KEY (`import_id`) REFERENCES `import_jobs` (`id`) ON DELETE CASCADE);
CREATE INDEX `importerror_import_id_id` ON `import_errors` (`import_id`, `id`);
CREATE TABLE `import_jobs` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `state` text NOT NULL DEFAULT ('PENDING'), `spec` json NOT NULL, `rows_read` integer NOT NULL DEFAULT (0), `created` integer NOT NULL DEFAULT (0), `updated` integer NOT NULL DEFAULT (0), `skipped` integer NOT NULL DEFAULT (0), `failed` integer NOT NULL DEFAULT (0), `message` text NOT NULL DEFAULT (''), `list_id` integer NULL, `started_at` datetime NULL, `finished_at` datetime NULL, `workspace_id` integer NOT NULL, CONSTRAINT `import_jobs_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION);
CREATE INDEX `importjob_workspace_id_id` ON `import_jobs` (`workspace_id`, `id`);
PRAGMA foreign_keys = on;
