-- Queries only tests use (package db/postgres/pgtest, see sqlc.yaml).

-- name: GetCallLogRow :one
SELECT * FROM call_log WHERE id = $1;
