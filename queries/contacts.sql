-- name: GetContact :one
SELECT * FROM contacts WHERE company_id = ? AND id = ?;

-- Get-or-create in one statement. The no-op-looking DO UPDATE makes RETURNING yield the existing
-- row; it also keeps created_date at the earliest call seen (imports may arrive out of order).
-- name: UpsertContact :one
INSERT INTO contacts (id, company_id, identifier, contact_type, created_date)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (company_id, contact_type, identifier)
DO UPDATE SET created_date = min(contacts.created_date, excluded.created_date)
RETURNING *;
