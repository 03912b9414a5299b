-- name: CreateAPIKey :one
INSERT INTO api_keys (id, company_id, name, key_hash, last_four, restricted, permissions, creator_id, expires_at, created_date)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING *;

-- name: GetAPIKeyByHash :one
SELECT * FROM api_keys WHERE key_hash = $1;

-- name: GetAPIKey :one
SELECT * FROM api_keys WHERE company_id = $1 AND id = $2;

-- name: UpdateAPIKey :one
UPDATE api_keys SET name = $1, restricted = $2, permissions = $3
WHERE company_id = $4 AND id = $5
RETURNING *;

-- name: DeleteAPIKey :execrows
DELETE FROM api_keys WHERE company_id = $1 AND id = $2;

-- name: CountAPIKeys :one
SELECT count(*) FROM api_keys WHERE company_id = $1;

-- Keyset pages: Go folds the cursor into [lo, hi]; the OR term breaks ties on equal created_date.
-- LIMIT and OFFSET are written to behave as SQLite's do: a negative limit means no limit (NULL
-- here), a negative offset means none (PostgreSQL rejects both).
-- name: ListAPIKeysAsc :many
SELECT * FROM api_keys
WHERE company_id = @company_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date > @cursor_date OR id > @cursor_id)
ORDER BY created_date, id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListAPIKeysDesc :many
SELECT * FROM api_keys
WHERE company_id = @company_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date < @cursor_date OR id < @cursor_id)
ORDER BY created_date DESC, id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- Every key of a company, oldest first (the command line's list; companies have a handful).
-- name: ListCompanyAPIKeys :many
SELECT * FROM api_keys WHERE company_id = $1 ORDER BY created_date, id;

-- A new secret for an existing key: only its hash and last four characters change.
-- name: RotateAPIKey :one
UPDATE api_keys SET key_hash = $1, last_four = $2
WHERE company_id = $3 AND id = $4
RETURNING *;

-- The access and refresh tokens issued for a key (the GenLogs-style flow); a rotated key's old
-- tokens must stop working with it.
-- name: DeleteAPIKeyTokens :execrows
DELETE FROM access_tokens WHERE api_key_id = $1;
