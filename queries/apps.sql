-- name: CreateApp :one
INSERT INTO apps (id, company_id, name, client_secret, restricted, permissions, created_date)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: GetApp :one
SELECT * FROM apps WHERE id = ?;
