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
