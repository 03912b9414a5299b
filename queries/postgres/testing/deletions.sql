-- Queries only tests use (package db/postgres/pgtest, see sqlc.yaml): the audit trail as stored.

-- name: CountDeletionsOfCompany :one
SELECT count(*) FROM deletions WHERE company_id = $1;

-- How many audit rows hold needle in their requested ids, filter or route (an erasure must leave
-- the identifier it erased in none). strpos is SQLite's instr.
-- name: CountDeletionsHolding :one
SELECT count(*) FROM deletions WHERE strpos(requested_ids || coalesce(filter, '') || route, sqlc.arg(needle)::text) > 0;

-- name: GetDeletionRow :one
SELECT * FROM deletions WHERE id = $1;
