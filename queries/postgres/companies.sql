-- name: CreateCompany :one
INSERT INTO companies (id, name, created_date)
VALUES ($1, $2, $3)
RETURNING *;

-- name: GetCompany :one
SELECT * FROM companies WHERE id = $1;

-- name: CountCompanies :one
SELECT count(*) FROM companies;

-- name: CountCompanyCalls :one
SELECT calls FROM company_call_counts WHERE company_id = $1;

-- name: ListCompanies :many
SELECT * FROM companies ORDER BY created_date, id;

-- name: SetCompanyRetention :execrows
UPDATE companies SET retention_days = sqlc.narg(retention_days) WHERE id = @id;

-- name: ListCompaniesWithRetention :many
SELECT * FROM companies WHERE retention_days IS NOT NULL ORDER BY id;
