-- Queries only tests use (package db/postgres/pgtest, see sqlc.yaml): what a company holds, counted.

-- name: CountCallsOfCompany :one
SELECT count(*) FROM calls WHERE company_id = $1;

-- name: CountMessagesOfCompany :one
SELECT count(*) FROM messages WHERE call_id IN (SELECT id FROM calls WHERE company_id = $1);

-- name: CountLogsOfCompany :one
-- call_log rows of a company, and how many of them have lost their call.
SELECT count(*) AS total, (count(*) - count(call_id))::bigint AS detached FROM call_log WHERE company_id = $1;
