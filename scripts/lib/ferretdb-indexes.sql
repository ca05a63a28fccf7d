-- Applied by scripts/services.sh to the `ferretdb` database at every start (idempotent).
--
-- Why: FerretDB 1.24's PostgreSQL handler turns an equality filter such as {_id: "qry_…"}
-- or {conversationId: "conv_…"} into `_jsonb->'field' @> '"value"'` (containment, so that
-- a value inside an array matches too), while the indexes it creates for createIndex are
-- btree indexes on `_jsonb->'field'`, which cannot answer `@>`. So every lookup, even by
-- _id, read the whole table: 100-400 ms per find at 100,000 queries. For every btree index
-- FerretDB creates on a plain field we add a GIN (jsonb_path_ops) index on the same
-- expression, which answers `@>`: the same lookup takes 0.1 ms. See docs/decisions.md,
-- "FerretDB on PostgreSQL: indexes that FerretDB's filters can use".

CREATE OR REPLACE FUNCTION llmchat_contains_index_for(btree regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  tbl regclass;
  first_key text;
  field text;
  gin_name text;
BEGIN
  SELECT i.indrelid::regclass, pg_get_indexdef(i.indexrelid, 1, false)
    INTO tbl, first_key
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_am am ON am.oid = c.relam
   WHERE i.indexrelid = btree AND am.amname = 'btree';
  -- Only FerretDB's own indexes on one top-level field: "((_jsonb -> 'field'::text))".
  field := substring(first_key FROM '^\(?\(_jsonb -> ''([^'']+)''::text\)\)?$');
  IF tbl IS NULL OR field IS NULL THEN
    RETURN;
  END IF;
  gin_name := left(split_part(tbl::text, '.', 2), 40) || '_' || left(md5(field), 8) || '_contains';
  EXECUTE format(
    'CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops)',
    gin_name, tbl, field
  );
END;
$$;

CREATE OR REPLACE FUNCTION llmchat_on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    PERFORM llmchat_contains_index_for(created.objid::regclass);
  END LOOP;
END;
$$;

DROP EVENT TRIGGER IF EXISTS llmchat_contains_indexes;
CREATE EVENT TRIGGER llmchat_contains_indexes ON ddl_command_end
  WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION llmchat_on_create_index();

-- Indexes created before this file was applied (a cluster from an earlier version).
DO $$
DECLARE
  existing record;
BEGIN
  FOR existing IN
    SELECT i.indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  LOOP
    PERFORM llmchat_contains_index_for(existing.indexrelid::regclass);
  END LOOP;
END;
$$;
