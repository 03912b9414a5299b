-- name: CreateCallLog :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- Which of @ids are taken by log entries of any company (an import checks a batch's ids at once).
-- name: ListTakenCallLogIDs :many
SELECT id FROM call_log WHERE id = ANY(sqlc.arg(ids)::text[]);

-- Ten audit entries of one company in one statement, like CreateMessages10: the per-statement cost
-- of the driver and the round trip is a large part of a one-row insert. An import writes the
-- entries of many calls at once, so each row names its call. Every row has parameters of its own,
-- company_id too, as in the SQLite set (see there why), whose parameters these must match.
-- name: CreateCallLogs10 :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9), ($10, $11, $12, $13, $14, $15, $16, $17, $18),
       ($19, $20, $21, $22, $23, $24, $25, $26, $27), ($28, $29, $30, $31, $32, $33, $34, $35, $36),
       ($37, $38, $39, $40, $41, $42, $43, $44, $45), ($46, $47, $48, $49, $50, $51, $52, $53, $54),
       ($55, $56, $57, $58, $59, $60, $61, $62, $63), ($64, $65, $66, $67, $68, $69, $70, $71, $72),
       ($73, $74, $75, $76, $77, $78, $79, $80, $81), ($82, $83, $84, $85, $86, $87, $88, $89, $90);

-- The audit entries of a chunk of calls of one company in one statement, each call's in the order
-- of the call_log_call_ts index (call_id, timestamp, id), for the export. (SQLite names the index:
-- with its statistics the planner preferred call_log_company_ts, which walks every entry of the
-- company for each chunk. PostgreSQL has no index hints; its planner costs = ANY on
-- call_log_call_ts by the array's size.)
-- call_ids is varchar[] only so that sqlc types it []*string, as the SQLite set's sqlc.slice of the
-- nullable call_id is (sqlc.yaml maps varchar to *string for this engine; no column is varchar).
-- A NULL element matches nothing, as in SQLite's IN list.
-- name: ListCallLogsOfCalls :many
SELECT * FROM call_log
WHERE company_id = @company_id AND call_id = ANY(sqlc.arg(call_ids)::varchar[])
ORDER BY call_id, timestamp, id;
