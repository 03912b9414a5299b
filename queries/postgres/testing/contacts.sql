-- Queries only tests use (package db/postgres/pgtest, see sqlc.yaml). callstore creates contacts
-- through UpsertContact, with a call; tests write them directly, with the ids and dates they need.

-- name: CreateContact :one
INSERT INTO contacts (id, company_id, identifier, contact_type, created_date)
VALUES ($1, $2, $3, $4, $5)
RETURNING *;
