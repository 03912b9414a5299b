-- Queries only tests use (package db/sqlctest, see sqlc.yaml): the audit trail as stored.

-- name: CountDeletionsOfCompany :one
SELECT count(*) FROM deletions WHERE company_id = ?;

-- How many audit rows hold needle in their requested ids, filter or route (an erasure must leave
-- the identifier it erased in none).
-- name: CountDeletionsHolding :one
SELECT count(*) FROM deletions WHERE instr(requested_ids || coalesce(filter, '') || route, sqlc.arg(needle)) > 0;

-- name: GetDeletionRow :one
SELECT * FROM deletions WHERE id = ?;
