-- Generated from ent/schema by ent itself (Client.Schema.WriteTo against a
-- database at the previous migration). Never edit a migration once released.
-- +goose Up
ALTER TABLE "records" ADD COLUMN "search_text" text NULL;
CREATE INDEX "records_search_text_missing" ON "records" ("workspace_id", "id") WHERE search_text IS NULL;

-- Not declarable in ent/schema: full-text search matches and ranks search_text
-- through this GIN index. Its words are taken as the server wrote them
-- (array_to_tsvector, no text search parser), so that PostgreSQL and SQLite
-- split a value into the same words. See README.md, "Search".
CREATE INDEX IF NOT EXISTS records_search_text ON records USING gin (array_to_tsvector(string_to_array(search_text, ' ')));
