-- The newest row a table holds, read before this process first inserts into it after a restart: a row newer than
-- that cannot have been stored before the restart, so the restart check looks up only rows at or before it.
SELECT max(timestamp) AS newest
FROM {table:Identifier}
