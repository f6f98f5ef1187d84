-- The outbox payload is written once and read once by the relay, never queried inside Postgres: json (kept as
-- text) is several times cheaper than jsonb to build with json_agg and to send back, which is most of what a
-- recordEvents batch costs beyond inserting its rows (bench:ingest).
ALTER TABLE "outbox" ALTER COLUMN "payload" TYPE JSON USING "payload"::json;
