-- name: CreateMessage :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES ($1, $2, $3, $4, $5, $6);

-- Ten messages of one call in one statement: a multi-row insert costs much less per row than single
-- inserts, which matters to imports (transcripts are most of the rows).
-- name: CreateMessages10 :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES (@call_id, @created_date_1, @id_1, @role_1, @content_1, @tool_call_1),
       (@call_id, @created_date_2, @id_2, @role_2, @content_2, @tool_call_2),
       (@call_id, @created_date_3, @id_3, @role_3, @content_3, @tool_call_3),
       (@call_id, @created_date_4, @id_4, @role_4, @content_4, @tool_call_4),
       (@call_id, @created_date_5, @id_5, @role_5, @content_5, @tool_call_5),
       (@call_id, @created_date_6, @id_6, @role_6, @content_6, @tool_call_6),
       (@call_id, @created_date_7, @id_7, @role_7, @content_7, @tool_call_7),
       (@call_id, @created_date_8, @id_8, @role_8, @content_8, @tool_call_8),
       (@call_id, @created_date_9, @id_9, @role_9, @content_9, @tool_call_9),
       (@call_id, @created_date_10, @id_10, @role_10, @content_10, @tool_call_10);

-- The transcripts of a chunk of calls in one statement, each call's messages in its order (the
-- primary key's): an export reads a chunk's messages at once instead of one query per call.
-- name: ListMessagesOfCalls :many
SELECT * FROM messages WHERE call_id = ANY(sqlc.arg(call_ids)::text[]) ORDER BY call_id, created_date, id;
