-- name: CreateMessage :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES ($1, $2, $3, $4, $5, $6);

-- Ten messages of one call in one statement: a multi-row insert costs much less per row than single
-- inserts, which matters to imports (transcripts are most of the rows). Every row has parameters of
-- its own, call_id too, as in the SQLite set (see there why), whose parameters these must match.
-- name: CreateMessages10 :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES ($1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12),
       ($13, $14, $15, $16, $17, $18), ($19, $20, $21, $22, $23, $24),
       ($25, $26, $27, $28, $29, $30), ($31, $32, $33, $34, $35, $36),
       ($37, $38, $39, $40, $41, $42), ($43, $44, $45, $46, $47, $48),
       ($49, $50, $51, $52, $53, $54), ($55, $56, $57, $58, $59, $60);

-- The transcripts of a chunk of calls in one statement, each call's messages in its order (the
-- primary key's): an export reads a chunk's messages at once instead of one query per call.
-- name: ListMessagesOfCalls :many
SELECT * FROM messages WHERE call_id = ANY(sqlc.arg(call_ids)::text[]) ORDER BY call_id, created_date, id;
