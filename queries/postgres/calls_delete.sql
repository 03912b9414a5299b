-- Bulk delete: one set statement. Only terminal calls of the company go; the schema's foreign keys
-- then delete their messages (ON DELETE CASCADE, served by the messages primary key) and keep their
-- call_log rows with call_id NULL (ON DELETE SET NULL, served by call_log_call_ts).
-- SQLite names the unique index on id (INDEXED BY calls_id) so that without statistics its planner
-- does not walk every terminal call of the company through calls_status_created; PostgreSQL has no
-- index hints, and its planner costs id = ANY(...) on calls_id by the array's size (at most 500 ids).

-- name: DeleteTerminalCalls :execrows
DELETE FROM calls
WHERE company_id = @company_id
  AND status IN ('completed', 'failed', 'transferred', 'no_answer')
  AND id = ANY(sqlc.arg(ids)::text[]);

-- name: CountCallDeletionEffects :one
-- What DeleteTerminalCalls would take with the same ids: the calls, their messages (cascade) and the
-- call_log rows that would lose their call_id (SET NULL). Run in the deleting transaction, it is
-- what the delete does, for the audit trail.
WITH doomed AS (
    SELECT calls.id FROM calls
    WHERE calls.company_id = @company_id
      AND calls.status IN ('completed', 'failed', 'transferred', 'no_answer')
      AND calls.id = ANY(sqlc.arg(ids)::text[])
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
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(contact_id)::text IS NULL OR contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(type)::text IS NULL OR type = sqlc.narg(type))
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date > @cursor_date OR (created_date = @cursor_date AND id > @cursor_id))
ORDER BY created_date, id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END;

-- name: CountPurgeableCalls :one
SELECT count(*) FROM calls
WHERE company_id = @company_id
  AND status IN ('completed', 'failed', 'transferred', 'no_answer')
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(contact_id)::text IS NULL OR contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(type)::text IS NULL OR type = sqlc.narg(type))
  AND created_date >= @lo AND created_date <= @hi;
