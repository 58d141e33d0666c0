-- name: activities
-- answers: The latest custom activities (trackActivity), newest first, filtered by user, action, resource type and resource id.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), user String = '', action String = '', resource_type String = '', resource_id String = '', include_audit Bool = false, limit UInt32 = 100, offset UInt32 = 0
-- The service's own audit rows (service 'otel-activity': dashboard and admin API use) are left out unless
-- include_audit=true.
SELECT
  timestamp,
  user_id,
  session_id,
  action,
  resource_type,
  resource_id,
  details,
  replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip
FROM activities
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({user:String} = '' OR user_id = {user:String})
  AND ({action:String} = '' OR action = {action:String})
  AND ({resource_type:String} = '' OR resource_type = {resource_type:String})
  AND ({resource_id:String} = '' OR resource_id = {resource_id:String})
  AND ({include_audit:Bool} OR service != 'otel-activity')
ORDER BY timestamp DESC, span_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
