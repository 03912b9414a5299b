-- name: CreateCall :exec
-- The call keeps a copy of its contact's identifier, type and created date (see the migration).
INSERT INTO calls (id, company_id, contact_id, contact_identifier, contact_type, contact_created_date,
                   agent_id, agent_version_id, phone_register_id, status, type,
                   recording_url, start_time, end_time, duration, end_reason, dynamic_variables, created_date)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18);

-- name: GetCall :one
SELECT * FROM calls WHERE company_id = $1 AND id = $2;

-- name: CallExists :one
SELECT count(*) FROM calls WHERE company_id = $1 AND id = $2;

-- name: UpdateCall :exec
UPDATE calls
SET status = $1, start_time = $2, end_time = $3, duration = $4, end_reason = $5, recording_url = $6, dynamic_variables = $7
WHERE company_id = $8 AND id = $9;

-- Ids are global primary keys: an import must not reuse one from any company.
-- name: CallIDTaken :one
SELECT count(*) FROM calls WHERE id = $1;

-- Which of @ids are taken by calls of any company (an import checks a batch's ids at once).
-- name: ListTakenCallIDs :many
SELECT id FROM calls WHERE id = ANY(sqlc.arg(ids)::text[]);
