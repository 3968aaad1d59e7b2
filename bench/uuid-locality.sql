-- Random (version 4) against time-ordered (version 7) primary keys on PostgreSQL: what a new
-- task's id costs once the task table outgrows the cache (bench/RESULTS.md run 23).
--
--   psql -h 127.0.0.1 -U postgres -d test -f bench/uuid-locality.sql
--
-- Two tables of 4 million rows with a uuid primary key (about 150 MB each, over the default
-- 128 MB of shared_buffers), then 200,000 more inserts into each, 10 per transaction, after a
-- CHECKPOINT: the time and the WAL each took. Uses its own schema, dropped at the end.
\timing on
DROP SCHEMA IF EXISTS uuid_locality CASCADE;
CREATE SCHEMA uuid_locality;
SET search_path = uuid_locality;
-- PostgreSQL 15 has no uuidv7(): the Unix milliseconds over the first 48 bits of a random uuid,
-- version bits 0100 -> 0111
CREATE FUNCTION uuid7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
      PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
      FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;
CREATE TABLE random_ids (id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), pad text);
CREATE TABLE ordered_ids (id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), pad text);
INSERT INTO random_ids SELECT gen_random_uuid(), now(), 'x' FROM generate_series(1, 4000000);
INSERT INTO ordered_ids SELECT uuid7(), now(), 'x' FROM generate_series(1, 4000000);
SELECT pg_size_pretty(pg_relation_size('random_ids_pkey')) AS random_pkey,
       pg_size_pretty(pg_relation_size('ordered_ids_pkey')) AS ordered_pkey,
       current_setting('shared_buffers') AS shared_buffers;

CHECKPOINT;
SELECT pg_current_wal_lsn() AS start_lsn \gset
DO $$ BEGIN FOR i IN 1..20000 LOOP
  INSERT INTO random_ids (id, pad) SELECT gen_random_uuid(), 'x' FROM generate_series(1, 10);
  COMMIT;
END LOOP; END $$;
SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), :'start_lsn')) AS random_ids_wal;

CHECKPOINT;
SELECT pg_current_wal_lsn() AS start_lsn \gset
DO $$ BEGIN FOR i IN 1..20000 LOOP
  INSERT INTO ordered_ids (id, pad) SELECT uuid7(), 'x' FROM generate_series(1, 10);
  COMMIT;
END LOOP; END $$;
SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), :'start_lsn')) AS ordered_ids_wal;

DROP SCHEMA uuid_locality CASCADE;
