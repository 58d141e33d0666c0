-- name: auth-per-day
-- answers: How many signups, logins, failed logins, logouts (every auth event) per UTC day? Whole days from the daily rollup, partial days from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
-- source: rollup
-- Exact for any window: whole UTC days inside [from, to) from the rollup, the partial first and last day from raw
-- rows, their states merged (README: "Rollup and raw forms").
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start
SELECT
  day,
  event,
  success,
  sum(part_events) AS events,
  uniqMerge(part_users) AS unique_users
FROM
(
  SELECT day, event, success, CAST(events AS UInt64) AS part_events, users AS part_users
  FROM auth_daily
  WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
  UNION ALL
  SELECT toDate(timestamp), event, success, count(), uniqState(nullIf(user_id, ''))
  FROM auth_events
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String})
  GROUP BY toDate(timestamp), event, success
)
GROUP BY day, event, success
ORDER BY day, event, success
