-- Queries only tests use (package db/sqlctest, see sqlc.yaml).

-- name: GetCallLogRow :one
SELECT * FROM call_log WHERE id = ?;
