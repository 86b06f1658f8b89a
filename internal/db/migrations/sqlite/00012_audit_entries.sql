-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
PRAGMA foreign_keys = off;
CREATE TABLE `audit_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `actor_kind` text NOT NULL, `actor_key_id` integer NULL, `actor_name` text NOT NULL, `action` text NOT NULL, `target_type` text NOT NULL, `target_id` integer NOT NULL, `summary` text NOT NULL, `request_id` text NOT NULL DEFAULT (''), `workspace_id` integer NOT NULL, CONSTRAINT `audit_entries_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION);
CREATE INDEX `auditentry_workspace_id_id` ON `audit_entries` (`workspace_id`, `id`);
CREATE INDEX `auditentry_workspace_id_action_id` ON `audit_entries` (`workspace_id`, `action`, `id`);
CREATE INDEX `auditentry_workspace_id_actor_kind_actor_key_id_id` ON `audit_entries` (`workspace_id`, `actor_kind`, `actor_key_id`, `id`);
PRAGMA foreign_keys = on;

-- Not declarable in ent/schema: the audit trail is append-only. These
-- triggers refuse every UPDATE and DELETE of its rows, whoever sends them.
-- See README.md, "Audit trail".
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused');
END;
-- +goose StatementEnd
