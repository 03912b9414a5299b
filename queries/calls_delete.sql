-- Bulk delete: one set statement. Only terminal calls of the company go; the schema's foreign keys
-- then delete their messages (ON DELETE CASCADE, served by the messages primary key) and keep their
-- call_log rows with call_id NULL (ON DELETE SET NULL, served by call_log_call_ts).
-- INDEXED BY the unique index on id: without statistics the planner may otherwise walk every terminal call
-- of the company through calls_status_created instead of looking up the (at most 500) ids.

-- name: DeleteTerminalCalls :execrows
DELETE FROM calls INDEXED BY calls_id
WHERE company_id = @company_id
  AND status IN ('completed', 'failed', 'transferred', 'no_answer')
  AND id IN (sqlc.slice(ids));

-- name: CountCallDeletionEffects :one
-- What DeleteTerminalCalls would take with the same ids: the calls, their messages (cascade) and the
-- call_log rows that would lose their call_id (SET NULL). Run in the deleting transaction, it is
-- what the delete does, for the audit trail.
WITH doomed AS (
    SELECT calls.id FROM calls INDEXED BY calls_id
    WHERE calls.company_id = @company_id
      AND calls.status IN ('completed', 'failed', 'transferred', 'no_answer')
      AND calls.id IN (sqlc.slice(ids))
)
SELECT
    (SELECT count(*) FROM doomed) AS calls,
    (SELECT count(*) FROM messages WHERE call_id IN (SELECT id FROM doomed)) AS messages,
    (SELECT count(*) FROM call_log WHERE call_id IN (SELECT id FROM doomed)) AS logs;

-- Purge (store/purge.go): the company's terminal calls that match a filter named like the list's,
-- oldest first from a cursor, a batch at a time. The (company_id, created_date, id) primary key
-- serves the order; the cursor keeps a batch from re-reading the calls an earlier batch skipped.

-- name: ListPurgeableCalls :many
SELECT id, created_date FROM calls
WHERE company_id = @company_id
  AND status IN ('completed', 'failed', 'transferred', 'no_answer')
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR status = sqlc.narg(status))
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR type = sqlc.narg(type))
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date > @cursor_date OR (created_date = @cursor_date AND id > @cursor_id))
ORDER BY created_date, id
LIMIT @lim;

-- name: CountPurgeableCalls :one
SELECT count(*) FROM calls
WHERE company_id = @company_id
  AND status IN ('completed', 'failed', 'transferred', 'no_answer')
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR status = sqlc.narg(status))
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR type = sqlc.narg(type))
  AND created_date >= @lo AND created_date <= @hi;
