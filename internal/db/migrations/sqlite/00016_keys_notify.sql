-- Written by hand: nothing on SQLite, whose servers read a request's key at
-- every request (the PostgreSQL file notifies the key caches of changes).
-- The file keeps both dialects' versions in step. Never edit a migration
-- once released.
-- +goose Up
SELECT 1;
