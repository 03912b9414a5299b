-- Reading a call's transcript. messages is keyed on (call_id, created_date, id), so a page is a
-- range read of the primary key; Go folds the cursor into [lo, hi] (see store/page.go). LIMIT and
-- OFFSET behave as SQLite's do: a negative limit means no limit, a negative offset none.

-- name: GetMessageKey :one
SELECT created_date, id FROM messages WHERE call_id = @call_id AND id = @id;

-- name: HasMessages :one
SELECT EXISTS (SELECT 1 FROM messages WHERE call_id = @call_id);

-- name: CountMessages :one
SELECT count(*) FROM messages WHERE call_id = @call_id;

-- name: ListMessagesAsc :many
SELECT * FROM messages
WHERE call_id = @call_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date > @cursor_date OR id > @cursor_id)
ORDER BY created_date, id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListMessagesDesc :many
SELECT * FROM messages
WHERE call_id = @call_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date < @cursor_date OR id < @cursor_id)
ORDER BY created_date DESC, id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);
