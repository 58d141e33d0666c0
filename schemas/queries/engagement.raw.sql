-- name: engagement.raw
-- answers: From raw access rows, per UTC day: sessions, requests per session, average session length, signed-in users and how many of them were new (first request in the lookback) or returning.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), lookback_days UInt32 = 30
-- A session's length is its last request minus its first on that day (a session across midnight counts on each
-- day it was seen). A user is new on the day of their first request in [from - lookback_days, to), else returning.
-- Distinct counts are exact, on the 64-bit keys of migration 011. Whole UTC days are read from access_log's
-- projections per day and session and per day and user (migration 020; over every service only, the projections
-- have no service), the partial first and last day from its rows, split as the rollup forms split a window (README:
-- "Raw forms over whole days"). The whole days and the edge days are different days, so the session branches are
-- grouped on their own. Users are one scan of [from - lookback_days, to) grouped per day and user: a pair is in the
-- window when its day is one of the window's whole days or its last request is at or after `from`; a user's first
-- day is the least of their days (a scan per figure and a join of the two took 1.4-1.9x as long).
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start,
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
  SELECT day, count() AS sessions, sum(requests) AS session_requests, avg(toUnixTimestamp64Milli(last) - toUnixTimestamp64Milli(first)) AS avg_session_ms
  FROM
  (
    SELECT toDate(timestamp) AS day, session_key, count() AS requests, min(timestamp) AS first, max(timestamp) AS last
    FROM access_log
    WHERE toDate(timestamp) >= whole_from AND toDate(timestamp) < whole_to
      AND ({service:String} = '' OR service = {service:String})
      AND session_key != 0
    GROUP BY toDate(timestamp), session_key
    UNION ALL
    SELECT toDate(timestamp) AS day, session_key, count() AS requests, min(timestamp) AS first, max(timestamp) AS last
    FROM access_log
    WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
      AND ({service:String} = '' OR service = {service:String})
      AND session_key != 0
    GROUP BY toDate(timestamp), session_key
  )
  GROUP BY day
) AS s
FULL OUTER JOIN
(
  SELECT day, count() AS users, countIf(day = first_day) AS new_users
  FROM
  (
    SELECT user_key, min(day) AS first_day, groupArrayIf(day, in_window) AS days
    FROM
    (
      SELECT toDate(timestamp) AS day, user_key, day >= whole_from AS in_window
      FROM access_log
      WHERE toDate(timestamp) >= lookback_whole_from AND toDate(timestamp) < whole_to
        AND ({service:String} = '' OR service = {service:String})
        AND user_key != 0
      GROUP BY toDate(timestamp), user_key
      UNION ALL
      SELECT toDate(timestamp) AS day, user_key, max(timestamp) >= {from:DateTime64(3, 'UTC')} AS in_window
      FROM access_log
      WHERE ((timestamp >= lookback_from AND timestamp < lookback_low_end) OR (timestamp >= lookback_high_start AND timestamp < {to:DateTime64(3, 'UTC')})
          OR (timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
        AND ({service:String} = '' OR service = {service:String})
        AND user_key != 0
      GROUP BY toDate(timestamp), user_key
    )
    GROUP BY user_key
  )
  ARRAY JOIN days AS day
  GROUP BY day
) AS u ON s.day = u.day
ORDER BY day
