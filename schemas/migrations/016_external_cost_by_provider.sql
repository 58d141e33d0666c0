-- 016_external_cost_by_provider: a projection of external_cost_daily summed per day, service, environment and
-- provider, without the model and user dimensions. cost-by-provider, cost-per-day and trends read every row of the
-- rollup for a window to add up a handful of groups: 850k rows (one per provider, model, user and day) and ~50-80 ms
-- on the 10M-row bench data, ~6 ms from the projection. Reports that group by model or user still read the table.
-- Lightweight DELETE (erase-user, cleanup) and merges rebuild the projection of the parts they change: without these
-- settings ClickHouse refuses a DELETE on a table with a projection, and a SummingMergeTree merge would drop it.
ALTER TABLE external_cost_daily MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild', lightweight_mutation_projection_mode = 'rebuild';

ALTER TABLE external_cost_daily ADD PROJECTION IF NOT EXISTS by_provider_day
(
    SELECT
        day,
        service,
        environment,
        provider,
        sum(calls),
        sum(unpriced_calls),
        sum(errors),
        sum(input_tokens),
        sum(output_tokens),
        sum(cache_read_tokens),
        sum(cache_write_tokens),
        sum(reasoning_tokens),
        sum(cost_usd),
        sum(duration_ms_sum)
    GROUP BY day, service, environment, provider
);

-- Parts written before this migration get the projection too (a mutation; the rollup is small).
ALTER TABLE external_cost_daily MATERIALIZE PROJECTION by_provider_day SETTINGS mutations_sync = 1;
