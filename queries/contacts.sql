-- name: GetContactByIdentifier :one
SELECT * FROM contacts WHERE company_id = ? AND contact_type = ? AND identifier = ?;

-- name: CreateContact :one
INSERT INTO contacts (id, company_id, identifier, contact_type, created_date)
VALUES (?, ?, ?, ?, ?)
RETURNING *;

-- name: GetContact :one
SELECT * FROM contacts WHERE company_id = ? AND id = ?;
