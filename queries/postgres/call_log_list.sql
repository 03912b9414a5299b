-- Reading the audit log, ordered by (timestamp, id). Like calls_list.sql, one query per driving
-- filter and direction: the company's log (served by call_log_company_ts) or one call's (by
-- call_log_call_ts). SQLite needs the split because it fixes a plan when the statement is
-- prepared; PostgreSQL has no index hints, but a query per driving filter keeps the two sets
-- alike and each query's plan simple. Every query also requires the company, so a call id never
-- reaches another company's entries. Entries of deleted calls have call_id NULL and are reached
-- through the company.
-- Residual filters are written as in calls_list.sql (NULL test first; the cast types the parameter
-- for sqlc and for the server).

-- name: GetLogKey :one
SELECT timestamp, id FROM call_log
WHERE company_id = @company_id AND id = @id
  AND (sqlc.narg(call_id)::text IS NULL OR call_id = sqlc.narg(call_id));

-- name: ListLogsAsc :many
SELECT * FROM call_log
WHERE company_id = @company_id
  AND (sqlc.narg(call_id)::text IS NULL OR call_id = sqlc.narg(call_id))
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(level)::text IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi
  AND (timestamp > @cursor_date OR id > @cursor_id)
ORDER BY timestamp, id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListLogsDesc :many
SELECT * FROM call_log
WHERE company_id = @company_id
  AND (sqlc.narg(call_id)::text IS NULL OR call_id = sqlc.narg(call_id))
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(level)::text IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi
  AND (timestamp < @cursor_date OR id < @cursor_id)
ORDER BY timestamp DESC, id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: CountLogs :one
SELECT count(*) FROM call_log
WHERE company_id = @company_id
  AND (sqlc.narg(call_id)::text IS NULL OR call_id = sqlc.narg(call_id))
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(level)::text IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi;

-- name: ListLogsByCallAsc :many
SELECT * FROM call_log
WHERE company_id = @company_id
  AND call_id = sqlc.narg(call_id)
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(level)::text IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi
  AND (timestamp > @cursor_date OR id > @cursor_id)
ORDER BY timestamp, id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListLogsByCallDesc :many
SELECT * FROM call_log
WHERE company_id = @company_id
  AND call_id = sqlc.narg(call_id)
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(level)::text IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi
  AND (timestamp < @cursor_date OR id < @cursor_id)
ORDER BY timestamp DESC, id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: CountLogsByCall :one
SELECT count(*) FROM call_log
WHERE company_id = @company_id
  AND call_id = sqlc.narg(call_id)
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(level)::text IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi;
