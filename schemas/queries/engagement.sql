-- name: engagement
-- answers: Per UTC day: sessions, requests per session, average session length, signed-in users and how many of them were new (first request in the lookback) or returning. Whole days from the session and user rollups, partial days from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), lookback_days UInt32 = 30
-- source: rollup
-- A session's length is its last request minus its first on that day (a session across midnight counts on each
-- day it was seen). A user is new on the day of their first request in [from - lookback_days, to), else returning.
-- Exact distinct counts (session keys of migration 011, user ids). Whole UTC days come from access_session_daily / access_user_daily
-- (migration 014), the partial first and last day of both ranges (the window, and the window with its lookback)
-- from access_log (README: "Rollup and raw forms").
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start,
    -- The same split of [from - lookback_days, to): whole days shift by the lookback, the ends keep their time of day.
    {from:DateTime64(3, 'UTC')} - toIntervalDay({lookback_days:UInt32}) AS lookback_from,
    whole_from - {lookback_days:UInt32} AS lookback_whole_from,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(lookback_whole_from, 3, 'UTC')) AS lookback_low_end,
    greatest(lookback_low_end, toDateTime64(whole_to, 3, 'UTC')) AS lookback_high_start
SELECT
  greatest(s.day, u.day) AS day,
  s.sessions AS sessions,
  if(s.sessions = 0, 0, round(s.session_requests / s.sessions, 3)) AS requests_per_session,
  round(s.avg_session_ms / 60000, 3) AS avg_session_minutes,
  u.users AS users,
  u.new_users AS new_users,
  u.users - u.new_users AS returning_users
FROM
(
  SELECT day, count() AS sessions, sum(requests) AS session_requests, avg(last_ms - first_ms) AS avg_session_ms
  FROM
  (
    SELECT day, session_key, sum(part_requests) AS requests, min(part_first) AS first_ms, max(part_last) AS last_ms
    FROM
    (
      SELECT day, session_key, CAST(requests AS UInt64) AS part_requests, CAST(first_ms AS Int64) AS part_first, CAST(last_ms AS Int64) AS part_last
      FROM access_session_daily
      WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
      UNION ALL
      SELECT toDate(timestamp), session_key, count(), min(toUnixTimestamp64Milli(timestamp)), max(toUnixTimestamp64Milli(timestamp))
      FROM access_log
      WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
        AND ({service:String} = '' OR service = {service:String})
        AND session_key != 0
      GROUP BY toDate(timestamp), session_key
    )
    GROUP BY day, session_key
  )
  GROUP BY day
) AS s
FULL OUTER JOIN
(
  SELECT day, count() AS users, countIf(day = first_day) AS new_users
  FROM
  (
    SELECT day, user_id
    FROM
    (
      SELECT day, user_id FROM access_user_daily
      WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
      UNION ALL
      SELECT toDate(timestamp), user_id FROM access_log
      WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
        AND ({service:String} = '' OR service = {service:String})
        AND user_id != ''
    )
    GROUP BY day, user_id
  ) AS user_days
  INNER JOIN
  (
    SELECT user_id, min(part_day) AS first_day
    FROM
    (
      SELECT user_id, min(day) AS part_day FROM access_user_daily
      WHERE day >= lookback_whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
      GROUP BY user_id
      UNION ALL
      SELECT user_id, toDate(min(timestamp)) FROM access_log
      WHERE ((timestamp >= lookback_from AND timestamp < lookback_low_end) OR (timestamp >= lookback_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
        AND ({service:String} = '' OR service = {service:String})
        AND user_id != ''
      GROUP BY user_id
    )
    GROUP BY user_id
  ) AS first_seen USING user_id
  GROUP BY day
) AS u ON s.day = u.day
ORDER BY day
