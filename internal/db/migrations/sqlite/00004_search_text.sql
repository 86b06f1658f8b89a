-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- +goose Up
PRAGMA foreign_keys = off;
ALTER TABLE `records` ADD COLUMN `search_text` text NULL;
CREATE INDEX `records_search_text_missing` ON `records` (`workspace_id`, `id`) WHERE search_text IS NULL;
PRAGMA foreign_keys = on;

-- Not declarable in ent/schema: full-text search matches and ranks search_text
-- through an FTS5 index that reads its content from records (external content)
-- and is kept by these triggers, in the transaction of every write. Diacritics
-- stay, as on PostgreSQL. Only rows with a search text are in it, so that the
-- row count bm25 ranks by is the indexed rows'. See README.md, "Search".
CREATE VIRTUAL TABLE records_fts USING fts5(search_text, content='records', content_rowid='id', tokenize='unicode61 remove_diacritics 0');
-- +goose StatementBegin
CREATE TRIGGER records_fts_insert AFTER INSERT ON records WHEN new.search_text IS NOT NULL BEGIN
  INSERT INTO records_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER records_fts_delete AFTER DELETE ON records WHEN old.search_text IS NOT NULL BEGIN
  INSERT INTO records_fts(records_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER records_fts_update AFTER UPDATE OF search_text ON records WHEN old.search_text IS NOT new.search_text BEGIN
  INSERT INTO records_fts(records_fts, rowid, search_text) SELECT 'delete', old.id, old.search_text WHERE old.search_text IS NOT NULL;
  INSERT INTO records_fts(rowid, search_text) SELECT new.id, new.search_text WHERE new.search_text IS NOT NULL;
END;
-- +goose StatementEnd
