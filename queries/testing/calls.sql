-- Queries only tests use (package db/sqlctest, see sqlc.yaml).

-- DeleteCallRow deletes one call row by id alone, with no rule attached (tests of the schema's cascades).
-- name: DeleteCallRow :execrows
DELETE FROM calls WHERE id = ?;

-- The ids of a company's calls, sorted.
-- name: ListCallIDsOfCompany :many
SELECT id FROM calls WHERE company_id = ? ORDER BY id;
