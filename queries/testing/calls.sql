-- Queries only tests use (package db/sqlctest, see sqlc.yaml).

-- DeleteCallRow deletes one call row by id alone, with no rule attached (tests of the schema's cascades).
-- name: DeleteCallRow :execrows
DELETE FROM calls WHERE id = ?;
