-- Reading the audit log, ordered by (timestamp, id). Like calls_list.sql, one query per driving
-- filter and direction, each naming its index: the company's log (call_log_company_ts) or one call's
-- (call_log_call_ts). Every query also requires the company, so a call id never reaches another
-- company's entries. Entries of deleted calls have call_id NULL and are reached through the company.
-- Residual filters are written as in calls_list.sql (NULL test first, CAST for sqlc's typing).

-- name: GetLogKey :one
SELECT timestamp, id FROM call_log
WHERE company_id = @company_id AND id = @id
  AND (CAST(sqlc.narg(call_id) AS TEXT) IS NULL OR call_id = sqlc.narg(call_id));

-- name: ListLogsAsc :many
SELECT * FROM call_log INDEXED BY call_log_company_ts
WHERE company_id = @company_id
  AND (CAST(sqlc.narg(call_id) AS TEXT) IS NULL OR call_id = sqlc.narg(call_id))
  AND (CAST(sqlc.narg(category) AS TEXT) IS NULL OR category = sqlc.narg(category))
  AND (CAST(sqlc.narg(level) AS TEXT) IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi
  AND (timestamp > @cursor_date OR id > @cursor_id)
ORDER BY timestamp, id
LIMIT @lim OFFSET @off;

-- name: ListLogsDesc :many
SELECT * FROM call_log INDEXED BY call_log_company_ts
WHERE company_id = @company_id
  AND (CAST(sqlc.narg(call_id) AS TEXT) IS NULL OR call_id = sqlc.narg(call_id))
  AND (CAST(sqlc.narg(category) AS TEXT) IS NULL OR category = sqlc.narg(category))
  AND (CAST(sqlc.narg(level) AS TEXT) IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi
  AND (timestamp < @cursor_date OR id < @cursor_id)
ORDER BY timestamp DESC, id DESC
LIMIT @lim OFFSET @off;

-- name: CountLogs :one
SELECT count(*) FROM call_log INDEXED BY call_log_company_ts
WHERE company_id = @company_id
  AND (CAST(sqlc.narg(call_id) AS TEXT) IS NULL OR call_id = sqlc.narg(call_id))
  AND (CAST(sqlc.narg(category) AS TEXT) IS NULL OR category = sqlc.narg(category))
  AND (CAST(sqlc.narg(level) AS TEXT) IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi;

-- name: ListLogsByCallAsc :many
SELECT * FROM call_log INDEXED BY call_log_call_ts
WHERE company_id = @company_id
  AND call_id = sqlc.narg(call_id)
  AND (CAST(sqlc.narg(category) AS TEXT) IS NULL OR category = sqlc.narg(category))
  AND (CAST(sqlc.narg(level) AS TEXT) IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi
  AND (timestamp > @cursor_date OR id > @cursor_id)
ORDER BY timestamp, id
LIMIT @lim OFFSET @off;

-- name: ListLogsByCallDesc :many
SELECT * FROM call_log INDEXED BY call_log_call_ts
WHERE company_id = @company_id
  AND call_id = sqlc.narg(call_id)
  AND (CAST(sqlc.narg(category) AS TEXT) IS NULL OR category = sqlc.narg(category))
  AND (CAST(sqlc.narg(level) AS TEXT) IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi
  AND (timestamp < @cursor_date OR id < @cursor_id)
ORDER BY timestamp DESC, id DESC
LIMIT @lim OFFSET @off;

-- name: CountLogsByCall :one
SELECT count(*) FROM call_log INDEXED BY call_log_call_ts
WHERE company_id = @company_id
  AND call_id = sqlc.narg(call_id)
  AND (CAST(sqlc.narg(category) AS TEXT) IS NULL OR category = sqlc.narg(category))
  AND (CAST(sqlc.narg(level) AS TEXT) IS NULL OR level = sqlc.narg(level))
  AND timestamp >= @lo AND timestamp <= @hi;
