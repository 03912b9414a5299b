-- Queries only tests use (package db/sqlctest, see sqlc.yaml).

-- name: ListMessageRowsOfCall :many
SELECT * FROM messages WHERE call_id = ? ORDER BY created_date, id;
