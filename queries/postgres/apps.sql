-- name: CreateApp :one
INSERT INTO apps (id, company_id, name, client_secret, restricted, permissions, created_date)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: GetApp :one
SELECT * FROM apps WHERE id = $1;
