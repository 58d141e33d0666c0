-- 018_access_trace_key: trace_key, a 64-bit hash of trace_id (0 when there is none), so cost-by-route finds the
-- requests of the external calls' traces by comparing integers. Its `trace_id IN (the calls' trace ids)` read and
-- hashed 10M trace id strings and checked each granule's bloom filter against the whole set of 1M ids: 2.9 s on the
-- 10M-row bench (bench/RESULTS.md). The hash only narrows the rows: the report still joins on the trace id itself,
-- so a collision cannot attribute a call to another trace. ~80 MB per 10M rows (random hashes do not compress).
-- MATERIALIZED as migration 011's keys: computed at insert, never sent by writers, not in SELECT *; parts written
-- before this migration compute it from trace_id when read, until merged.
ALTER TABLE access_log ADD COLUMN IF NOT EXISTS trace_key UInt64 MATERIALIZED if(trace_id = '', 0, cityHash64(trace_id)) CODEC(LZ4) AFTER trace_id;
