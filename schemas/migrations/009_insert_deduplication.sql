-- 009_insert_deduplication: make a retried or replayed batch count once, in the raw tables AND in the rollups.
--
-- The exporter sends every batch with the same insert_deduplication_token on each retry and on spool replay
-- (after a crash between a successful INSERT and deleting the spool file, a batch is sent again). Replicated
-- tables remember recent block tokens by default; plain MergeTree only with non_replicated_deduplication_window.
-- The rollup tables need it too: the sinks insert with deduplicate_blocks_in_dependent_materialized_views = 1,
-- and without a window on the target a deduplicated raw block would still be added to the rollup a second time.
-- 1000 blocks = the last 1000 batches per table; the hashes live in a small file in the table's directory.
ALTER TABLE access_log MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE auth_events MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE external_calls MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE activities MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE access_route_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE auth_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE external_cost_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
