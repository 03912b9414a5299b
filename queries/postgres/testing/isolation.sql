-- Queries only tests use (package db/postgres/pgtest, see sqlc.yaml): what a company holds, for the tenant
-- isolation property test (handlers/isolation_property_test.go).

-- name: CountContactsWithIdentifier :one
SELECT count(*) FROM contacts WHERE identifier = $1;

-- A company's contacts, whether each has an active call, and how many calls each has.
-- name: IsoContactsOfCompany :many
SELECT id, identifier,
       CAST(CASE WHEN EXISTS (SELECT 1 FROM calls WHERE calls.contact_id = contacts.id AND calls.status IN ('dialing', 'in_progress')) THEN 1 ELSE 0 END AS BIGINT) AS active,
       CAST((SELECT count(*) FROM calls WHERE calls.contact_id = contacts.id) AS BIGINT) AS calls
FROM contacts WHERE contacts.company_id = $1 ORDER BY created_date, id;

-- name: IsoCallsOfCompany :many
SELECT id, status, contact_id, CAST(coalesce(agent_id, '') AS TEXT) AS agent_id, CAST(coalesce(phone_register_id, '') AS TEXT) AS phone_register_id,
       CAST((SELECT count(*) FROM messages WHERE messages.call_id = calls.id) AS BIGINT) AS messages,
       CAST((SELECT count(*) FROM call_log WHERE call_log.call_id = calls.id) AS BIGINT) AS logs
FROM calls WHERE calls.company_id = $1 ORDER BY created_date, id;

-- name: IsoMessagesOfCompany :many
SELECT m.id, m.call_id FROM messages m JOIN calls c ON c.id = m.call_id WHERE c.company_id = $1 ORDER BY m.created_date, m.id;

-- name: IsoLogsOfCompany :many
SELECT id, CAST(coalesce(call_id, '') AS TEXT) AS call_id FROM call_log WHERE company_id = $1 ORDER BY timestamp, id;

-- name: IsoAPIKeysOfCompany :many
SELECT id FROM api_keys WHERE company_id = $1 ORDER BY created_date, id;

-- name: IsoAppsOfCompany :many
SELECT id FROM apps WHERE company_id = $1 ORDER BY id;

-- Every row of a company (and every row that points at one of its rows), table by table: the
-- property test compares these before and after each operation of another company.
-- name: SnapshotCompany :many
SELECT * FROM companies WHERE id = $1;

-- name: SnapshotCompanyCallCounts :many
SELECT * FROM company_call_counts WHERE company_id = $1;

-- name: SnapshotAPIKeys :many
SELECT * FROM api_keys WHERE company_id = $1 ORDER BY id;

-- name: SnapshotAccessTokens :many
SELECT * FROM access_tokens WHERE api_key_id IN (SELECT id FROM api_keys WHERE company_id = $1) ORDER BY token_hash;

-- name: SnapshotApps :many
SELECT * FROM apps WHERE company_id = $1 ORDER BY id;

-- name: SnapshotContacts :many
SELECT * FROM contacts WHERE company_id = $1 ORDER BY id;

-- name: SnapshotCalls :many
SELECT * FROM calls
WHERE calls.company_id = @company_id OR contact_id IN (SELECT id FROM contacts WHERE company_id = @company_id)
ORDER BY id;

-- name: SnapshotMessages :many
SELECT * FROM messages WHERE call_id IN (SELECT id FROM calls WHERE company_id = $1) ORDER BY call_id, created_date, id;

-- name: SnapshotCallLogs :many
SELECT * FROM call_log
WHERE call_log.company_id = @company_id OR call_id IN (SELECT id FROM calls WHERE company_id = @company_id)
ORDER BY id;

-- Straight deletes, with no rule attached, to keep the test's data small.
-- name: DeleteContactRow :execrows
DELETE FROM contacts WHERE company_id = $1 AND id = $2;

-- name: DeleteDetachedLogRows :execrows
DELETE FROM call_log WHERE company_id = $1 AND call_id IS NULL;
