-- name: CreateCallLog :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- Which of @ids are taken by log entries of any company (an import checks a batch's ids at once).
-- name: ListTakenCallLogIDs :many
SELECT id FROM call_log WHERE id = ANY(sqlc.arg(ids)::text[]);

-- Ten audit entries of one company in one statement, like CreateMessages10: the per-statement cost
-- of the driver and the round trip is a large part of a one-row insert. An import writes the
-- entries of many calls at once, so each row names its call.
-- name: CreateCallLogs10 :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES (@id_1, @company_id, @call_id_1, @timestamp_1, @level_1, @category_1, @event_1, @trace_id_1, @data_1),
       (@id_2, @company_id, @call_id_2, @timestamp_2, @level_2, @category_2, @event_2, @trace_id_2, @data_2),
       (@id_3, @company_id, @call_id_3, @timestamp_3, @level_3, @category_3, @event_3, @trace_id_3, @data_3),
       (@id_4, @company_id, @call_id_4, @timestamp_4, @level_4, @category_4, @event_4, @trace_id_4, @data_4),
       (@id_5, @company_id, @call_id_5, @timestamp_5, @level_5, @category_5, @event_5, @trace_id_5, @data_5),
       (@id_6, @company_id, @call_id_6, @timestamp_6, @level_6, @category_6, @event_6, @trace_id_6, @data_6),
       (@id_7, @company_id, @call_id_7, @timestamp_7, @level_7, @category_7, @event_7, @trace_id_7, @data_7),
       (@id_8, @company_id, @call_id_8, @timestamp_8, @level_8, @category_8, @event_8, @trace_id_8, @data_8),
       (@id_9, @company_id, @call_id_9, @timestamp_9, @level_9, @category_9, @event_9, @trace_id_9, @data_9),
       (@id_10, @company_id, @call_id_10, @timestamp_10, @level_10, @category_10, @event_10, @trace_id_10, @data_10);

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
