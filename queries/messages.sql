-- name: CreateMessage :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES (?, ?, ?, ?, ?, ?);

-- name: CountMessagesOfCall :one
SELECT count(*) FROM messages WHERE call_id = ?;
