-- name: CreateMessage :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES (?, ?, ?, ?, ?, ?);

-- Ten messages of one call in one statement: a multi-row insert costs about half as much per row
-- as single inserts, which matters to imports (transcripts are most of the rows). The parameters
-- are plain ? ones, each row its own (call_id too), for the reason CreateCallLogs10 gives.
-- name: CreateMessages10 :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?);

-- The transcripts of a chunk of calls in one statement, each call's messages in its order (the
-- primary key's): an export reads a chunk's messages at once instead of one query per call.
-- name: ListMessagesOfCalls :many
SELECT * FROM messages WHERE call_id IN (sqlc.slice(call_ids)) ORDER BY call_id, created_date, id;
