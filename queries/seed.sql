-- Queries of "callstore seed", the synthetic data generator (package seed). It writes millions of rows,
-- so the transcript and the audit log go in multi-row INSERTs of a fixed 10 rows (one statement per 10 rows
-- instead of one per row: the per-statement cost of database/sql and the driver is a third of a one-row insert);
-- the remainder of a transaction goes through the one-row forms.

-- name: SeedContact :exec
INSERT INTO contacts (id, company_id, identifier, contact_type, created_date)
VALUES (?, ?, ?, ?, ?);

-- name: SeedCall :exec
INSERT INTO calls (id, company_id, contact_id, agent_id, agent_version_id, phone_register_id, status, type,
                   recording_url, start_time, end_time, duration, end_reason, dynamic_variables, created_date)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: SeedMessage :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES (?, ?, ?, ?, ?, ?);

-- name: SeedMessages10 :exec
INSERT INTO messages (call_id, created_date, id, role, content, tool_call)
VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?);

-- name: SeedCallLog :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: SeedCallLogs10 :exec
INSERT INTO call_log (id, company_id, call_id, timestamp, level, category, event, trace_id, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?),
       (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- What a seed run left in the database, for its tests: row counts, rows whose references point
-- nowhere (the load runs with foreign key enforcement on, so these must be 0), and samples.
-- name: SeedCounts :one
SELECT (SELECT count(*) FROM contacts) AS contacts,
       (SELECT count(*) FROM calls) AS calls,
       (SELECT count(*) FROM messages) AS messages,
       (SELECT count(*) FROM call_log) AS logs,
       (SELECT count(*) FROM calls WHERE status IN ('dialing', 'in_progress')) AS active_calls;

-- name: SeedOrphans :one
SELECT (SELECT count(*) FROM contacts
        WHERE NOT EXISTS (SELECT 1 FROM companies WHERE companies.id = contacts.company_id)) AS contacts,
       (SELECT count(*) FROM calls
        WHERE NOT EXISTS (SELECT 1 FROM companies WHERE companies.id = calls.company_id)
           OR NOT EXISTS (SELECT 1 FROM contacts
                          WHERE contacts.id = calls.contact_id AND contacts.company_id = calls.company_id)) AS calls,
       (SELECT count(*) FROM messages
        WHERE NOT EXISTS (SELECT 1 FROM calls WHERE calls.id = messages.call_id)) AS messages,
       (SELECT count(*) FROM call_log
        WHERE NOT EXISTS (SELECT 1 FROM companies WHERE companies.id = call_log.company_id)
           OR (call_log.call_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM calls
                               WHERE calls.id = call_log.call_id AND calls.company_id = call_log.company_id))) AS logs;

-- name: SeedSampleCalls :many
SELECT * FROM calls WHERE company_id = ? ORDER BY created_date, id LIMIT 1000;

-- name: SeedSampleMessages :many
SELECT * FROM messages WHERE call_id = ? ORDER BY created_date, id;

-- name: SeedSampleLogs :many
SELECT * FROM call_log WHERE call_id = ? ORDER BY timestamp, id;
