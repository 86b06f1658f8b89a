-- Full-text search on PostgreSQL, three ways, on generated contact-like rows:
-- what README.md ("Search") reports. Run it against a scratch database:
--
--   createdb -h 127.0.0.1 -U postgres crm_search_bench
--   psql -h 127.0.0.1 -U postgres -d crm_search_bench -v rows=1000000 -f bench/search.sql
--
-- search_text is written as the server writes it (internal/search): lower-case
-- words, each once, separated by single spaces. The rows are spread over four
-- object types; queries read one of them, a page of 50 by relevance, and count.
-- pg_trgm is a contrib extension: CREATE EXTENSION needs the privilege.
\set ON_ERROR_STOP on
\timing off
SET client_min_messages = warning;
DROP TABLE IF EXISTS search_rows;
CREATE TABLE search_rows (id bigint PRIMARY KEY, object_type_id int NOT NULL, search_text text);
WITH f AS (SELECT array['james','mary','john','patricia','robert','jennifer','michael','linda','william','elizabeth','david','barbara','richard','susan','joseph','jessica','thomas','sarah','charles','karen','christopher','nancy','daniel','lisa','matthew','betty','anthony','margaret','mark','sandra','donald','ashley','steven','kimberly','paul','emily','andrew','donna','joshua','michelle','kenneth','dorothy','kevin','carol','brian','amanda','george','melissa','edward','deborah','ronald','stephanie','timothy','rebecca','jason','sharon','jeffrey','laura','ryan','cynthia','jacob','kathleen','gary','amy','nicholas','shirley','eric','angela','jonathan','helen','stephen','anna','larry','brenda','justin','pamela','scott','nicole','brandon','emma','benjamin','samantha','samuel','katherine','gregory','christine','frank','debra','alexander','rachel','raymond','catherine','patrick','carolyn','jack','janet','dennis','ruth','jerry','maria','ann','annabel','annette','anne','sofia','lucas','noah','olivia','liam','mia','ada','alan','grace','hedy'] AS a),
     s AS (SELECT array['smi','john','wil','bro','jon','gar','mil','dav','rod','mar','her','lop','gon','wal','and','tho','tay','moo','jac','whi','har','cla','lew','rob','you','all','kin','wri','sco','tor','ngu','hil','flo','gre','ada','nel','bak','hal','riv','cam','mit','car','gom','phi','eva','tur','dia','par'] AS a),
     t AS (SELECT array['th','son','er','ley','ton','ez','ins','ith','ner','ers','man','ard','ell','ock','ford','well','more','stein','berg','wood'] AS a),
     c AS (SELECT array['globex','initech','umbrella','hooli','vandelay','stark','wayne','wonka','tyrell','cyberdyne','soylent','aperture','gringotts','oscorp','massive','dynamic','blue','green','north','south','east','west','atlas','apex','summit','pioneer','vertex','nimbus','quantum','acme'] AS a),
     k AS (SELECT array['industries','labs','systems','group','holdings','partners','solutions','ventures','corp','inc','gmbh','bv','media','logistics','health','energy','capital','foods','software','analytics'] AS a),
     d AS (SELECT array['gmail','yahoo','outlook','example','hotmail','proton','icloud','company','mail','fastmail'] AS a)
INSERT INTO search_rows
SELECT g, 1 + g % 4,
       -- firstname lastname, email (first.last42@domain.com), phone, company
       fn || ' ' || ln || ' ' || ln || (g % 97) || ' ' || dm || ' com 1 555 ' || lpad(((g::bigint * 7919) % 10000000)::text, 7, '0') || ' ' || cn || ' ' || ck
FROM generate_series(1, :rows) g,
LATERAL (SELECT (SELECT a[1 + (hashint4(g) & 2147483647) % array_length(a, 1)] FROM f) AS fn,
                (SELECT a[1 + (hashint4(g + 1) & 2147483647) % array_length(a, 1)] FROM s) ||
                (SELECT a[1 + (hashint4(g + 2) & 2147483647) % array_length(a, 1)] FROM t) AS ln,
                (SELECT a[1 + (hashint4(g + 3) & 2147483647) % array_length(a, 1)] FROM d) AS dm,
                (SELECT a[1 + (hashint4(g + 4) & 2147483647) % array_length(a, 1)] FROM c) AS cn,
                (SELECT a[1 + (hashint4(g + 5) & 2147483647) % array_length(a, 1)] FROM k) AS ck) x;

\echo 'index builds:'
\timing on
-- A: the server's index (migration 00002): the words as written.
CREATE INDEX search_rows_words ON search_rows USING gin (array_to_tsvector(string_to_array(search_text, ' ')));
-- B: the same through the text search parser ('simple'), which splits some words again.
CREATE INDEX search_rows_parsed ON search_rows USING gin (to_tsvector('simple', search_text));
-- C: trigrams.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX search_rows_trgm ON search_rows USING gin (search_text gin_trgm_ops);
\timing off
VACUUM ANALYZE search_rows;
SELECT pg_size_pretty(pg_table_size('search_rows')) AS "table", pg_size_pretty(pg_relation_size('search_rows_words')) AS "A words",
       pg_size_pretty(pg_relation_size('search_rows_parsed')) AS "B parsed", pg_size_pretty(pg_relation_size('search_rows_trgm')) AS "C trigram";

-- compare runs each of stmts once to warm the cache, then n rounds of all
-- of them in turn (so that the box's load weighs on each alike), and
-- reports each one's median and slowest: dynamic SQL, planned each time as
-- a new statement.
CREATE OR REPLACE FUNCTION pg_temp.compare(labels text[], stmts text[], n int) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; ms float8[] := array_fill(0::float8, ARRAY[array_length(stmts, 1), n]); r record;
BEGIN
  FOR i IN 1..array_length(stmts, 1) LOOP
    EXECUTE stmts[i];
  END LOOP;
  FOR j IN 1..n LOOP
    FOR i IN 1..array_length(stmts, 1) LOOP
      t0 := clock_timestamp();
      EXECUTE stmts[i];
      ms[i][j] := extract(epoch FROM clock_timestamp() - t0) * 1000;
    END LOOP;
  END LOOP;
  FOR i IN 1..array_length(stmts, 1) LOOP
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS p50, max(x) AS mx INTO r FROM unnest(ms[i:i][1:n]) x;
    RETURN NEXT format('%s p50 %s ms  max %s ms', rpad(labels[i], 22), lpad(round(r.p50::numeric, 2)::text, 8), lpad(round(r.mx::numeric, 2)::text, 8));
  END LOOP;
END $$;

-- run measures one query: tsq the server's tsquery, whole its every-word-whole
-- tsquery, trgm the trigram condition, words the query for word_similarity.
CREATE OR REPLACE FUNCTION pg_temp.run(label text, tsq text, whole text, trgm text, words text, n int DEFAULT 15) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE matches bigint; a text := $a$array_to_tsvector(string_to_array(r.search_text, ' '))$a$;
BEGIN
  EXECUTE format('SELECT count(*) FROM search_rows r WHERE r.object_type_id = 2 AND %s @@ %L::tsquery', a, tsq) INTO matches;
  RETURN NEXT format('--- %s: %s matches of %s', label, matches, (SELECT count(*) FROM search_rows WHERE object_type_id = 2));
  RETURN QUERY SELECT pg_temp.compare(
    ARRAY['A words   page of 50', 'A words   count', 'B parsed  page of 50', 'B parsed  count', 'C trigram page of 50', 'C trigram count'],
    ARRAY[
      format($f$SELECT r.id, CAST(ts_rank(%1$s, s.query, 1) AS double precision) + CASE WHEN %1$s @@ s.whole THEN 1 ELSE 0 END AS rank
        FROM search_rows r JOIN (SELECT CAST(%2$L AS tsquery) AS query, CAST(%3$L AS tsquery) AS whole) AS s ON %1$s @@ s.query
        WHERE r.object_type_id = 2 ORDER BY rank DESC, r.id LIMIT 51$f$, a, tsq, whole),
      format($f$SELECT count(*) FROM search_rows r WHERE r.object_type_id = 2 AND %s @@ %L::tsquery$f$, a, tsq),
      format($f$SELECT r.id, CAST(ts_rank(to_tsvector('simple', r.search_text), %1$L::tsquery, 1) AS double precision)
          + CASE WHEN to_tsvector('simple', r.search_text) @@ %2$L::tsquery THEN 1 ELSE 0 END AS rank
        FROM search_rows r WHERE r.object_type_id = 2 AND to_tsvector('simple', r.search_text) @@ %1$L::tsquery ORDER BY rank DESC, r.id LIMIT 51$f$, tsq, whole),
      format($f$SELECT count(*) FROM search_rows r WHERE r.object_type_id = 2 AND to_tsvector('simple', r.search_text) @@ %L::tsquery$f$, tsq),
      format($f$SELECT r.id, word_similarity(%2$L, r.search_text) AS rank FROM search_rows r
        WHERE r.object_type_id = 2 AND %1$s ORDER BY rank DESC, r.id LIMIT 51$f$, trgm, words),
      format($f$SELECT count(*) FROM search_rows r WHERE r.object_type_id = 2 AND %s$f$, trgm)],
    n);
END $$;

SET max_parallel_workers_per_gather = 0; -- one core per request, as the API runs many
\pset tuples_only on
SELECT pg_temp.run('"ann smi" (a first name, a last name typed)', $$'ann' & 'smi':*$$, $$'ann' & 'smi'$$,
  $$r.search_text ~ '(^| )ann( |$)' AND r.search_text ~ '(^| )smi'$$, 'ann smi');
SELECT pg_temp.run('"mary johnson" (no such person)', $$'mary' & 'johnson':*$$, $$'mary' & 'johnson'$$,
  $$r.search_text ~ '(^| )mary( |$)' AND r.search_text ~ '(^| )johnson'$$, 'mary johnson');
SELECT pg_temp.run('"555 34673" (a phone number)', $$'555' & '34673':*$$, $$'555' & '34673'$$,
  $$r.search_text ~ '(^| )555( |$)' AND r.search_text ~ '(^| )34673'$$, '555 34673');
SELECT pg_temp.run('"acme" (a company, 1 in 30)', $$'acme':*$$, $$'acme'$$, $$r.search_text ~ '(^| )acme'$$, 'acme', 9);
SELECT pg_temp.run('"jo" (two letters typed)', $$'jo':*$$, $$'jo'$$, $$r.search_text ~ '(^| )jo'$$, 'jo', 9);
