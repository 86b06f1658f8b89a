-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- PRAGMA foreign_keys does nothing inside the migration's transaction: if ent
-- rebuilds a table here (its way to change a SQLite column), the file needs
-- goose's NO TRANSACTION annotation above its Up annotation.
-- +goose Up
PRAGMA foreign_keys = off;
CREATE TABLE `webhooks` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `url` text NOT NULL, `event_types` json NOT NULL, `object_type_ids` json NOT NULL, `secret` text NOT NULL, `retry_at` datetime NULL, `workspace_id` integer NOT NULL, CONSTRAINT `webhooks_workspaces_workspace` FOREIGN KEY (`workspace_id`) REFERENCES `workspaces` (`id`) ON DELETE NO ACTION);
CREATE INDEX `webhook_workspace_id_id` ON `webhooks` (`workspace_id`, `id`);
CREATE TABLE `webhook_deliveries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `workspace_id` integer NOT NULL, `event_ids` json NOT NULL, `attempted_at` datetime NOT NULL, `status_code` integer NULL, `latency_ms` integer NOT NULL, `response` text NOT NULL, `error` text NOT NULL, `succeeded` bool NOT NULL, `redelivery` bool NOT NULL, `webhook_id` integer NOT NULL, CONSTRAINT `webhook_deliveries_webhooks_deliveries` FOREIGN KEY (`webhook_id`) REFERENCES `webhooks` (`id`) ON DELETE CASCADE);
CREATE INDEX `webhookdelivery_webhook_id_id` ON `webhook_deliveries` (`webhook_id`, `id`);
CREATE INDEX `webhookdelivery_attempted_at` ON `webhook_deliveries` (`attempted_at`);
CREATE TABLE `webhook_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `workspace_id` integer NOT NULL, `record_id` integer NOT NULL, `type` text NOT NULL, `payload` text NOT NULL, `status` text NOT NULL DEFAULT ('PENDING'), `attempts` integer NOT NULL DEFAULT (0), `created_at` datetime NOT NULL, `finished_at` datetime NULL, `webhook_id` integer NOT NULL, CONSTRAINT `webhook_events_webhooks_events` FOREIGN KEY (`webhook_id`) REFERENCES `webhooks` (`id`) ON DELETE CASCADE);
CREATE INDEX `webhookevent_webhook_id_status_id` ON `webhook_events` (`webhook_id`, `status`, `id`);
CREATE INDEX `webhookevent_status_finished_at` ON `webhook_events` (`status`, `finished_at`);
CREATE INDEX `webhookevent_workspace_id_record_id` ON `webhook_events` (`workspace_id`, `record_id`);
PRAGMA foreign_keys = on;
