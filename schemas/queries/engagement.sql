-- name: engagement
-- answers: Per UTC day: sessions, requests per session, average session length, signed-in users and how many of them were new (first request in the lookback) or returning. Whole days from the session and user rollups, partial days from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), lookback_days UInt32 = 30
-- source: rollup
-- A session's length is its last request minus its first on that day (a session across midnight counts on each
-- day it was seen). A user is new on the day of their first request in [from - lookback_days, to), else returning.
-- Exact distinct counts (session keys of migration 011, user ids). Whole UTC days come from engagement_session_daily
-- (migration 017) and engagement_user_days (migration 023), scope '' = every service; the partial first and last day of both
-- ranges (the window, and the window with its lookback) from access_log (README: "Rollup and raw forms").
-- The whole days and the partial edge days of the window are different days, so each session branch is reduced to
-- per-day sums on its own and only those are added up; users are grouped per user once, for their first day.
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
  SELECT day, sum(part_sessions) AS sessions, sum(part_requests) AS session_requests, sum(part_length_ms) / sessions AS avg_session_ms
  FROM
  (
    SELECT toDate(fromUnixTimestamp64Milli(first_ms, 'UTC')) AS day, count() AS part_sessions, sum(requests) AS part_requests,
      sum(last_ms - first_ms) AS part_length_ms
    FROM
    (
      -- Grouped again by session and day, not read with FINAL: on a cluster FINAL merges each shard alone, and a
      -- session's requests (sharded by trace) land on several shards. One UInt64 key (the day mixed into the session
      -- key, as likely to collide as two session ids' cityHash64) and no day column: 600k groups hash 1.2-1.5x faster
      -- than (day, session_key), and the day is that of first_ms.
      SELECT sum(requests) AS requests, min(first_ms) AS first_ms, max(last_ms) AS last_ms
      FROM engagement_session_daily
      WHERE scope = {service:String} AND day >= whole_from AND day < whole_to
      GROUP BY bitXor(session_key, toUInt64(day) * 0x9E3779B97F4A7C15)
    )
    GROUP BY day
    UNION ALL
    SELECT day, count(), sum(requests), sum(last_ms - first_ms)
    FROM
    (
      SELECT toDate(timestamp) AS day, session_key, count() AS requests,
        min(toUnixTimestamp64Milli(timestamp)) AS first_ms, max(toUnixTimestamp64Milli(timestamp)) AS last_ms
      FROM access_log
      WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
        AND ({service:String} = '' OR service = {service:String})
        AND session_key != 0
      GROUP BY day, session_key
    )
    GROUP BY day
  )
  GROUP BY day
) AS s
FULL OUTER JOIN
(
  SELECT day, count() AS users, countIf(day = first_day) AS new_users
  FROM
  (
    SELECT user_id, min(part_first) AS first_day, groupArrayArray(part_days) AS days
    FROM
    (
      -- Whole days of [from - lookback_days, to), per month: the user's first of them, and those inside the window.
      -- Bit n of `days` is the month's day n + 1; `seen` keeps the bits of the whole days in the range.
      SELECT user_id, part_first, part_days
      FROM
      (
        SELECT user_id,
          -- Bits [lo, hi) of the month; a window inside one day has no whole day (hi <= lo).
          toUInt8(least(greatest(whole_to - month, 0), 32)) AS hi,
          toUInt8(least(greatest(lookback_whole_from - month, 0), hi)) AS lo,
          bitAnd(month_days, bitShiftLeft(toUInt64(1), hi) - bitShiftLeft(toUInt64(1), lo)) AS seen,
          month + bitCount(bitAnd(bitNot(seen), seen - 1)) AS part_first,
          arrayMap(i -> month + i, arrayFilter(i -> bitTest(seen, i) AND month + i >= whole_from, range(31))) AS part_days
        FROM
        (
          SELECT month, user_id, groupBitOr(days) AS month_days
          FROM engagement_user_days
          WHERE scope = {service:String} AND month >= toStartOfMonth(lookback_whole_from) AND month < whole_to
          GROUP BY month, user_id
        )
        WHERE seen != 0
      )
      UNION ALL
      -- Partial days of both ranges; rows from `from` on are the window's.
      SELECT user_id, toDate(min(timestamp)), groupUniqArrayIf(toDate(timestamp), timestamp >= {from:DateTime64(3, 'UTC')})
      FROM access_log
      WHERE ((timestamp >= lookback_from AND timestamp < lookback_low_end) OR (timestamp >= lookback_high_start AND timestamp < {to:DateTime64(3, 'UTC')})
          OR (timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
        AND ({service:String} = '' OR service = {service:String})
        AND user_key != 0
      GROUP BY user_id
    )
    GROUP BY user_id
  )
  ARRAY JOIN days AS day
  GROUP BY day
) AS u ON s.day = u.day
ORDER BY day
