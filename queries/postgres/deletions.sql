-- The deletion audit trail (store/deletions.go). Rows are inserted in the deleting transaction and
-- only ever grow their counts (a purge's later batches); nothing deletes them but their company.

-- name: CreateDeletion :exec
INSERT INTO deletions (company_id, created_date, id, kind, dialect, route, credential_type, credential_id,
                       dry_run, requested_ids, filter, calls, messages, contacts, logs_detached, logs_redacted)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16);

-- name: AddDeletionCounts :execrows
UPDATE deletions
SET calls = calls + sqlc.arg(calls)::bigint, messages = messages + sqlc.arg(messages)::bigint,
    contacts = contacts + sqlc.arg(contacts)::bigint, logs_detached = logs_detached + sqlc.arg(logs_detached)::bigint,
    logs_redacted = logs_redacted + sqlc.arg(logs_redacted)::bigint
WHERE company_id = @company_id AND id = @id;

-- name: GetDeletion :one
SELECT * FROM deletions WHERE company_id = @company_id AND id = @id;

-- name: GetDeletionKey :one
SELECT created_date, id FROM deletions WHERE company_id = @company_id AND id = @id;

-- Keyset pages by (created_date, id), the primary key's order after company_id. LIMIT and OFFSET
-- behave as SQLite's do: a negative limit means no limit, a negative offset none.

-- name: ListDeletionsAsc :many
SELECT * FROM deletions
WHERE company_id = @company_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date > @cursor_date OR id > @cursor_id)
ORDER BY created_date, id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListDeletionsDesc :many
SELECT * FROM deletions
WHERE company_id = @company_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date < @cursor_date OR id < @cursor_id)
ORDER BY created_date DESC, id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: CountDeletions :one
SELECT count(*) FROM deletions
WHERE company_id = @company_id AND created_date >= @lo AND created_date <= @hi;
