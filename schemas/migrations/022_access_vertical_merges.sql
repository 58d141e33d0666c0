-- 022_access_vertical_merges: access_log's background merges column by column. The service inserts parts of a few
-- thousand rows, under the 131072 rows from which ClickHouse merges vertically, so every merge of them read all of
-- the table's columns (and its projections') at once: the engine's memory jumped from ~40 to 170-180 MiB during each
-- one. Merged a column at a time, the peak is 72-77 MiB, inserts as fast (bench/RESULTS.md, 2026-12-03).
ALTER TABLE access_log MODIFY SETTING vertical_merge_algorithm_min_rows_to_activate = 1, vertical_merge_algorithm_min_columns_to_activate = 1;
