-- name: CreateAccessToken :exec
INSERT INTO access_tokens (token_hash, api_key_id, kind, expires_at, created_date)
VALUES ($1, $2, $3, $4, $5);

-- name: GetAccessToken :one
SELECT * FROM access_tokens WHERE token_hash = $1;

-- name: DeleteExpiredAccessTokens :execrows
-- Housekeeping when a key gets new tokens: its expired ones can never authenticate again.
DELETE FROM access_tokens WHERE api_key_id = @api_key_id AND expires_at <= @now;
