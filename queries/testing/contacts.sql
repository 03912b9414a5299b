-- Queries only tests use (package db/sqlctest, see sqlc.yaml). callstore creates contacts through
-- UpsertContact, with a call; tests write them directly, with the ids and dates they need.

-- name: CreateContact :one
INSERT INTO contacts (id, company_id, identifier, contact_type, created_date)
VALUES (?, ?, ?, ?, ?)
RETURNING *;
