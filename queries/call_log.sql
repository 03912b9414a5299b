-- name: CreateCallLog :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- Which of @ids are taken by log entries of any company (an import checks a batch's ids at once).
-- name: ListTakenCallLogIDs :many
SELECT id FROM call_log WHERE id IN (sqlc.slice(ids));

-- Ten audit entries of one company in one statement, like CreateMessages10: the per-statement cost
-- of database/sql and the driver is about a third of a one-row insert. An import writes the entries
-- of many calls at once, so each row names its call.
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
-- of the call_log_call_ts index (timestamp, id), for the export. The index is named: with the
-- statistics of a real database the planner preferred call_log_company_ts, which walks every entry
-- of the company for each chunk (an export of 20,000 calls took 5 s instead of 0.75 s).
-- name: ListCallLogsOfCalls :many
SELECT * FROM call_log INDEXED BY call_log_call_ts
WHERE company_id = @company_id AND call_id IN (sqlc.slice(call_ids))
ORDER BY call_id, timestamp, id;
