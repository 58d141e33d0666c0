-- name: activity-counts
-- answers: How many custom activities, by how many users, per UTC day and per action, user or resource type (by=action|user|resource_type)?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), by String = 'action', limit UInt32 = 1000, offset UInt32 = 0
-- Dashboard audit rows are not counted. Activities without a user are labelled (anonymous).
SELECT
  toDate(timestamp) AS day,
  multiIf(
    {by:String} = 'action', action,
    {by:String} = 'resource_type', resource_type,
    if(user_id = '', '(anonymous)', user_id)) AS key,
  count() AS activities,
  uniqExact(nullIf(user_id, '')) AS unique_users
FROM activities
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND service != 'otel-activity'
  AND throwIf({by:String} NOT IN ('action', 'user', 'resource_type'), 'activity-counts: by must be action, user or resource_type') = 0
GROUP BY day, key
ORDER BY day, activities DESC, key
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
