-- name: CreateMessage :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES (?, ?, ?, ?, ?, ?);
