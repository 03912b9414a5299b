-- Queries only tests use (package db/postgres/pgtest, see sqlc.yaml).

-- What a seed run left in the database, for its tests: row counts, rows whose references point
-- nowhere (the load runs with foreign key enforcement on, so these must be 0) or, for calls, whose
-- copy of their contact's fields differs from the contact, and samples.
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
                          WHERE contacts.id = calls.contact_id AND contacts.company_id = calls.company_id
                            AND contacts.identifier = calls.contact_identifier AND contacts.contact_type = calls.contact_type
                            AND contacts.created_date = calls.contact_created_date)) AS calls,
       (SELECT count(*) FROM messages
        WHERE NOT EXISTS (SELECT 1 FROM calls WHERE calls.id = messages.call_id)) AS messages,
       (SELECT count(*) FROM call_log
        WHERE NOT EXISTS (SELECT 1 FROM companies WHERE companies.id = call_log.company_id)
           OR (call_log.call_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM calls
                               WHERE calls.id = call_log.call_id AND calls.company_id = call_log.company_id))) AS logs;

-- name: SeedSampleCalls :many
SELECT * FROM calls WHERE company_id = $1 ORDER BY created_date, id LIMIT 1000;

-- name: SeedSampleLogs :many
SELECT * FROM call_log WHERE call_id = $1 ORDER BY timestamp, id;
