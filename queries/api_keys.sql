-- name: CreateAPIKey :one
INSERT INTO api_keys (id, company_id, name, key_hash, last_four, restricted, permissions, creator_id, expires_at, created_date)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: GetAPIKeyByHash :one
SELECT * FROM api_keys WHERE key_hash = ?;

-- name: GetAPIKey :one
SELECT * FROM api_keys WHERE company_id = ? AND id = ?;

-- name: UpdateAPIKey :one
UPDATE api_keys SET name = ?, restricted = ?, permissions = ?
WHERE company_id = ? AND id = ?
RETURNING *;

-- name: DeleteAPIKey :execrows
DELETE FROM api_keys WHERE company_id = ? AND id = ?;

-- name: CountAPIKeys :one
SELECT count(*) FROM api_keys WHERE company_id = ?;

-- Keyset pages: Go folds the cursor into [lo, hi]; the OR term breaks ties on equal created_date.
-- name: ListAPIKeysAsc :many
SELECT * FROM api_keys
WHERE company_id = @company_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date > @cursor_date OR id > @cursor_id)
ORDER BY created_date, id
LIMIT @lim OFFSET @off;

-- name: ListAPIKeysDesc :many
SELECT * FROM api_keys
WHERE company_id = @company_id
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date < @cursor_date OR id < @cursor_id)
ORDER BY created_date DESC, id DESC
LIMIT @lim OFFSET @off;

-- Every key of a company, oldest first (the command line's list; companies have a handful).
-- name: ListCompanyAPIKeys :many
SELECT * FROM api_keys WHERE company_id = ? ORDER BY created_date, id;

-- A new secret for an existing key: only its hash and last four characters change.
-- name: RotateAPIKey :one
UPDATE api_keys SET key_hash = ?, last_four = ?
WHERE company_id = ? AND id = ?
RETURNING *;

-- The access and refresh tokens issued for a key (the GenLogs-style flow); a rotated key's old
-- tokens must stop working with it.
-- name: DeleteAPIKeyTokens :execrows
DELETE FROM access_tokens WHERE api_key_id = ?;
