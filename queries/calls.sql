-- name: CreateCall :exec
-- The call keeps a copy of its contact's identifier, type and created date (see migration 3).
INSERT INTO calls (id, company_id, contact_id, contact_identifier, contact_type, contact_created_date,
                   agent_id, agent_version_id, phone_register_id, status, type,
                   recording_url, start_time, end_time, duration, end_reason, dynamic_variables, created_date)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: GetCall :one
SELECT * FROM calls WHERE company_id = ? AND id = ?;

-- name: CallExists :one
SELECT count(*) FROM calls WHERE company_id = ? AND id = ?;

-- name: UpdateCall :exec
UPDATE calls
SET status = ?, start_time = ?, end_time = ?, duration = ?, end_reason = ?, recording_url = ?, dynamic_variables = ?
WHERE company_id = ? AND id = ?;

-- Ids are global primary keys: an import must not reuse one from any company.
-- name: CallIDTaken :one
SELECT count(*) FROM calls WHERE id = ?;

-- Which of @ids are taken by calls of any company (an import checks a batch's ids at once).
-- name: ListTakenCallIDs :many
SELECT id FROM calls WHERE id IN (sqlc.slice(ids));
