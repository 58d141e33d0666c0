-- name: alert-history
-- answers: Which alerts were raised in the window, per rule and severity: how many, about how many subjects, how many acknowledged, resolved or still open, and how fast they were acknowledged?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), rule String = ''
-- alerts is a ReplacingMergeTree: the newest version of each alert (argMax by updated_at) is its state.
SELECT
  alert_rule AS rule,
  alert_severity AS severity,
  count() AS raised,
  uniqExact(alert_subject) AS subjects,
  countIf(acked_at IS NOT NULL) AS acknowledged,
  countIf(last_status = 'resolved') AS resolved,
  countIf(last_status = 'open') AS still_open,
  round(avgIf(toUnixTimestamp64Milli(assumeNotNull(acked_at)) - toUnixTimestamp64Milli(raised_at), acked_at IS NOT NULL) / 60000, 3) AS avg_minutes_to_ack,
  min(raised_at) AS first_raised,
  max(raised_at) AS last_raised
FROM
(
  SELECT
    id,
    any(created_at) AS raised_at,
    any(rule) AS alert_rule,
    any(severity) AS alert_severity,
    any(subject) AS alert_subject,
    argMax(status, updated_at) AS last_status,
    argMax(acknowledged_at, updated_at) AS acked_at
  FROM alerts
  WHERE created_at >= {from:DateTime64(3, 'UTC')} AND created_at < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({rule:String} = '' OR rule = {rule:String})
  GROUP BY id
)
GROUP BY alert_rule, alert_severity
ORDER BY raised DESC, rule, severity
