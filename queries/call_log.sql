-- name: CreateCallLog :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: CallLogIDTaken :one
SELECT count(*) FROM call_log WHERE id = ?;

-- name: GetCallLogRow :one
SELECT * FROM call_log WHERE id = ?;
