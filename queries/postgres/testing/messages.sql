-- Queries only tests use (package db/postgres/pgtest, see sqlc.yaml).

-- name: ListMessageRowsOfCall :many
SELECT * FROM messages WHERE call_id = $1 ORDER BY created_date, id;
