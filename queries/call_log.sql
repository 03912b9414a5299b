-- name: CreateCallLog :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- Which of @ids are taken by log entries of any company (an import checks a batch's ids at once).
-- name: ListTakenCallLogIDs :many
SELECT id FROM call_log WHERE id IN (sqlc.slice(ids));

-- Ten audit entries of one company in one statement, like CreateMessages10: the per-statement cost
-- of database/sql and the driver is about a third of a one-row insert. An import writes the entries
-- of many calls at once, so each row names its call. The parameters are plain ? ones, each row its
-- own (company_id too): the driver (modernc.org/sqlite) looks up the name of every numbered (?NNN)
-- or named parameter at every run, by a search among all the names of the statement, which costs
-- a ten-row insert more than the extra binds.
-- name: CreateCallLogs10 :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- The audit entries of a chunk of calls of one company in one statement, each call's in the order
-- of the call_log_call_ts index (timestamp, id), for the export. The index is named: with the
-- statistics of a real database the planner preferred call_log_company_ts, which walks every entry
-- of the company for each chunk (an export of 20,000 calls took 5 s instead of 0.75 s).
-- name: ListCallLogsOfCalls :many
SELECT * FROM call_log INDEXED BY call_log_call_ts
WHERE company_id = @company_id AND call_id IN (sqlc.slice(call_ids))
ORDER BY call_id, timestamp, id;
