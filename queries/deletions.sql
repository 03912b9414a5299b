-- The deletion audit trail (store/deletions.go). Rows are inserted in the deleting transaction and
-- only ever grow their counts (a purge's later batches); nothing deletes them but their company.

-- name: CreateDeletion :exec
INSERT INTO deletions (company_id, created_date, id, kind, dialect, route, credential_type, credential_id,
                       dry_run, requested_ids, filter, calls, messages, contacts, logs_detached, logs_redacted)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: AddDeletionCounts :execrows
UPDATE deletions
SET calls = calls + @calls, messages = messages + @messages, contacts = contacts + @contacts,
    logs_detached = logs_detached + @logs_detached, logs_redacted = logs_redacted + @logs_redacted
WHERE company_id = @company_id AND id = @id;

-- name: GetDeletion :one
SELECT * FROM deletions WHERE company_id = @company_id AND id = @id;

-- name: GetDeletionKey :one
SELECT created_date, id FROM deletions WHERE company_id = @company_id AND id = @id;

-- Keyset pages by (created_date, id), the primary key's order after company_id.

-- name: ListDeletionsAsc :many
SELECT * FROM deletions
WHERE company_id = @company_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date > @cursor_date OR id > @cursor_id)
ORDER BY created_date, id
LIMIT @lim OFFSET @off;

-- name: ListDeletionsDesc :many
SELECT * FROM deletions
WHERE company_id = @company_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date < @cursor_date OR id < @cursor_id)
ORDER BY created_date DESC, id DESC
LIMIT @lim OFFSET @off;

-- name: CountDeletions :one
SELECT count(*) FROM deletions
WHERE company_id = @company_id AND created_date >= @lo AND created_date <= @hi;
