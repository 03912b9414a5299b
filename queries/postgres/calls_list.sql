-- Listing calls. The SQLite set has one query per driving filter and direction because SQLite fixes
-- the plan when the statement is prepared and cannot use an index for "(? IS NULL OR col = ?)": each
-- query names (INDEXED BY) the index whose equality prefix is its driving filter and whose tail is
-- the sort key (created_date, id), so a page is a seek plus a short ordered scan whatever its depth.
-- This set keeps the same queries with the same parameters in the same order (store.ListCalls picks
-- one by the most selective filter present: contact > agent > phone > status > company, and runs
-- them all through one code path), without the hints, which PostgreSQL does not have: the driving
-- filter's equality and the ORDER BY lead the planner to the same indexes. The other filters are
-- residual terms, written "(x::text IS NULL OR col = x)"; the cast types the parameter for sqlc and
-- for the server. PostgreSQL plans a prepared statement's first executions with the parameters'
-- values (custom plans), which folds the NULL test of an absent filter away.
-- The unfiltered queries are served by the primary key (company_id, created_date, id), the order of
-- a company's list (SQLite clusters the table on it).
-- The cursor (after/before) arrives as a call id; each list query looks its key up itself, in an
-- uncorrelated scalar subquery on the unique index calls_id that PostgreSQL runs once per statement
-- (an InitPlan), instead of in a query of its own (one statement per page instead of two;
-- store/page.go, keyLookup). A NULL cursor_date asks for that lookup; the first page passes the
-- sentinel key instead, and coalesce skips the subquery. The key narrows the created-date range, so
-- the index scan starts at the cursor; the OR term breaks ties on equal created_date. An id that is
-- not a call of the company makes the key NULL and the page empty, and the store then tells that
-- apart from the end of the list with GetCallKey.
-- SQLite narrows the range with max(@lo, key) (min(@hi, key) descending), which is NULL when the key
-- is. PostgreSQL's greatest() and least() skip NULLs, so a missing key would leave the range open and
-- the page not empty: the bound is written as two terms instead (created_date >= @lo AND
-- created_date >= key). A NULL key still empties the page, and the btree scan starts at the tighter
-- of the two bounds.
-- LIMIT and OFFSET behave as SQLite's do: a negative limit means no limit, a negative offset none.

-- name: GetCallKey :one
SELECT created_date, id FROM calls WHERE company_id = @company_id AND id = @id;

-- name: ListCallsAsc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date >= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListCallsDesc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi AND calls.created_date <= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: CountCalls :one
SELECT count(*) FROM calls
WHERE calls.company_id = @company_id
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;

-- name: ListCallsByContactAsc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND calls.contact_id = sqlc.narg(contact_id)
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date >= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListCallsByContactDesc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND calls.contact_id = sqlc.narg(contact_id)
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi AND calls.created_date <= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: CountCallsByContact :one
SELECT count(*) FROM calls
WHERE calls.company_id = @company_id
  AND calls.contact_id = sqlc.narg(contact_id)
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;

-- name: ListCallsByAgentAsc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND calls.agent_id = sqlc.narg(agent_id)
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date >= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListCallsByAgentDesc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND calls.agent_id = sqlc.narg(agent_id)
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi AND calls.created_date <= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: CountCallsByAgent :one
SELECT count(*) FROM calls
WHERE calls.company_id = @company_id
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND calls.agent_id = sqlc.narg(agent_id)
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;

-- name: ListCallsByPhoneAsc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND calls.phone_register_id = sqlc.narg(phone_id)
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date >= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListCallsByPhoneDesc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND calls.phone_register_id = sqlc.narg(phone_id)
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi AND calls.created_date <= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: CountCallsByPhone :one
SELECT count(*) FROM calls
WHERE calls.company_id = @company_id
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND calls.phone_register_id = sqlc.narg(phone_id)
  AND (sqlc.narg(status)::text IS NULL OR calls.status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;

-- name: ListCallsByStatusAsc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND calls.status = sqlc.narg(status)
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date >= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListCallsByStatusDesc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND calls.status = sqlc.narg(status)
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi AND calls.created_date <= coalesce(sqlc.narg(cursor_date)::bigint, (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: CountCallsByStatus :one
SELECT count(*) FROM calls
WHERE calls.company_id = @company_id
  AND (sqlc.narg(contact_id)::text IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (sqlc.narg(agent_id)::text IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (sqlc.narg(phone_id)::text IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND calls.status = sqlc.narg(status)
  AND (sqlc.narg(type)::text IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;
