-- Which of these span ids a table already holds, within the batch's time range (the range lets the day partitions
-- and the timestamp key prune). Used only for a while after a restart, to skip rows a sender or the spool sends again.
SELECT span_id
FROM {table:Identifier}
WHERE timestamp >= {from:DateTime64(3, 'UTC')}
  AND timestamp <= {to:DateTime64(3, 'UTC')}
  AND span_id IN {ids:Array(String)}
