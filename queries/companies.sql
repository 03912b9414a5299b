-- name: CreateCompany :one
INSERT INTO companies (id, name, created_date)
VALUES (?, ?, ?)
RETURNING *;

-- name: GetCompany :one
SELECT * FROM companies WHERE id = ?;

-- name: CountCompanies :one
SELECT count(*) FROM companies;

-- name: CountCompanyCalls :one
SELECT calls FROM company_call_counts WHERE company_id = ?;

-- name: ListCompanies :many
SELECT * FROM companies ORDER BY created_date, id;
