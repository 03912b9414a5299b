-- name: GetContact :one
SELECT * FROM contacts WHERE company_id = $1 AND id = $2;

-- The contact a call with this identifier belongs to, if the company has it: a read, so that
-- writing a call of a known contact (most calls) does not rewrite the contact's row.
-- name: GetContactByIdentifier :one
SELECT * FROM contacts WHERE company_id = $1 AND contact_type = $2 AND identifier = $3;

-- The company's contacts with any of these identifiers (of either type): an import looks up the
-- contacts of a whole batch of calls at once.
-- name: ListContactsByIdentifiers :many
SELECT * FROM contacts
WHERE company_id = @company_id AND contact_type IN ('call', 'web') AND identifier = ANY(sqlc.arg(identifiers)::text[]);

-- Get-or-create in one statement. The no-op-looking DO UPDATE makes RETURNING yield the existing
-- row; it also keeps created_date at the earliest call seen (imports may arrive out of order).
-- (least() of two non-NULL values is SQLite's two-argument min().)
-- name: UpsertContact :one
INSERT INTO contacts (id, company_id, identifier, contact_type, created_date)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (company_id, contact_type, identifier)
DO UPDATE SET created_date = least(contacts.created_date, excluded.created_date)
RETURNING *;
