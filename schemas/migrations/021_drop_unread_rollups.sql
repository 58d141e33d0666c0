-- 021_drop_unread_rollups: migration 014's access_session_daily and access_user_daily, and their views, dropped. No
-- report has read them since 017 moved the engagement report to engagement_session_daily and engagement_user_monthly
-- (which took their history), yet their two views were two of the seven GROUP BYs every access_log insert paid.
DROP VIEW IF EXISTS access_session_daily_mv;
DROP TABLE IF EXISTS access_session_daily;
DROP VIEW IF EXISTS access_user_daily_mv;
DROP TABLE IF EXISTS access_user_daily;
