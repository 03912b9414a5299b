-- name: CreateCompany :one
INSERT INTO companies (id, name, created_date)
VALUES (?, ?, ?)
RETURNING *;

-- name: GetCompany :one
SELECT * FROM companies WHERE id = ?;

-- name: CountCompanies :one
SELECT count(*) FROM companies;
