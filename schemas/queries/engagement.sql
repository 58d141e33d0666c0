-- name: engagement
-- answers: Per UTC day: sessions, requests per session, average session length, signed-in users and how many of them were new (first request in the lookback) or returning.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), lookback_days UInt32 = 30
-- A session's length is its last request minus its first on that day (a session across midnight counts on each
-- day it was seen). A user is new on the day of their first request in [from - lookback_days, to), else returning.
-- Distinct counts are exact, on the 64-bit keys of migration 011.
SELECT
  a.day AS day,
  a.sessions AS sessions,
  if(a.sessions = 0, 0, round(a.session_requests / a.sessions, 3)) AS requests_per_session,
  round(s.avg_session_ms / 60000, 3) AS avg_session_minutes,
  a.users AS users,
  a.new_users AS new_users,
  a.users - a.new_users AS returning_users
FROM
(
  SELECT
    day,
    uniqExactIf(session_key, session_key != 0) AS sessions,
    countIf(session_key != 0) AS session_requests,
    uniqExactIf(user_key, user_key != 0) AS users,
    uniqExactIf(user_key, user_key != 0 AND first_day = day) AS new_users
  FROM
  (
    SELECT toDate(timestamp) AS day, session_key, user_key
    FROM access_log
    WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
      AND ({service:String} = '' OR service = {service:String})
  ) AS rows_in_window
  LEFT JOIN
  (
    SELECT user_key, toDate(min(timestamp)) AS first_day
    FROM access_log
    WHERE timestamp >= {from:DateTime64(3, 'UTC')} - toIntervalDay({lookback_days:UInt32}) AND timestamp < {to:DateTime64(3, 'UTC')}
      AND ({service:String} = '' OR service = {service:String})
      AND user_key != 0
    GROUP BY user_key
  ) AS first_seen USING user_key
  GROUP BY day
) AS a
LEFT JOIN
(
  SELECT day, avg(length_ms) AS avg_session_ms
  FROM
  (
    SELECT toDate(timestamp) AS day, session_key, toUnixTimestamp64Milli(max(timestamp)) - toUnixTimestamp64Milli(min(timestamp)) AS length_ms
    FROM access_log
    WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
      AND ({service:String} = '' OR service = {service:String})
      AND session_key != 0
    GROUP BY day, session_key
  )
  GROUP BY day
) AS s USING day
ORDER BY day
