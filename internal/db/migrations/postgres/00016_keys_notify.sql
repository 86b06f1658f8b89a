-- Written by hand: no table changes. A change of an API key (revoked,
-- renamed, deleted, truncated; not its last-used time, which a request writes at most
-- once a minute) or of a workspace's name tells every listening server
-- process, whose key cache (auth.Store) trusts a key read earlier only while
-- it heard nothing of keys since (internal/db/watch.go). The payload names
-- the schema as the servers' watch does ("schema:keys"). Never edit a
-- migration once released.
-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION crm_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('crm_definitions', (SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = TG_RELID) || ':keys');
  RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER api_keys_changed AFTER UPDATE ON api_keys FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at')) EXECUTE FUNCTION crm_keys_changed();
CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION crm_keys_changed();
CREATE TRIGGER workspaces_renamed AFTER UPDATE OF name ON workspaces FOR EACH STATEMENT EXECUTE FUNCTION crm_keys_changed();
CREATE TRIGGER workspaces_deleted AFTER DELETE ON workspaces FOR EACH STATEMENT EXECUTE FUNCTION crm_keys_changed();
CREATE TRIGGER api_keys_truncated AFTER TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION crm_keys_changed();
CREATE TRIGGER workspaces_truncated AFTER TRUNCATE ON workspaces FOR EACH STATEMENT EXECUTE FUNCTION crm_keys_changed();
