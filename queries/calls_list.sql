-- Listing calls. One query per driving filter and direction, because SQLite fixes the plan when the
-- statement is prepared and cannot use an index for "(? IS NULL OR col = ?)": each query names the
-- index whose equality prefix is its driving filter and whose tail is the sort key (created_date, id),
-- so a page is a seek plus a short ordered scan whatever its depth. The other filters are residual
-- terms on the rows the index yields, written "(CAST(x AS TEXT) IS NULL OR col = x)": the NULL test
-- comes first so that for an absent filter SQLite never reads the table row (its seek from the index
-- into the table is deferred until a column is needed), which keeps a count on the index alone; the
-- CAST only tells sqlc the parameter's type. store.ListCalls picks the query by the most selective filter
-- present (contact > agent > phone > status > company). Every query takes the same parameters in
-- the same order, so the store can run them through one code path.
-- The unfiltered queries name no index: calls is clustered on (company_id, created_date, id)
-- (migration 00003), so its primary key is the company's list itself, and the planner has no better
-- choice (store/plan_test.go pins every plan).
-- The cursor (after/before) arrives as a call id; each list query looks its key up itself, in a
-- scalar subquery on the unique index calls_id that SQLite runs once per statement, instead of in
-- a query of its own (one statement per page instead of two; store/page.go, keyLookup). A NULL
-- cursor_date asks for that lookup; the first page passes the sentinel key instead, and coalesce
-- skips the subquery. The key narrows the created-date range (max/min with lo/hi), so the index seek
-- starts at the cursor; the OR term breaks ties on equal created_date. An id that is not a call of
-- the company makes the bound NULL and the page empty, and the store then tells that apart from the
-- end of the list with GetCallKey.

-- name: GetCallKey :one
SELECT created_date, id FROM calls WHERE company_id = @company_id AND id = @id;

-- name: ListCallsAsc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= max(CAST(@lo AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT @lim OFFSET @off;

-- name: ListCallsDesc :many
SELECT calls.*
FROM calls
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= min(CAST(@hi AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT @lim OFFSET @off;

-- name: CountCalls :one
SELECT count(*) FROM calls
WHERE calls.company_id = @company_id
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;

-- name: ListCallsByContactAsc :many
SELECT calls.*
FROM calls INDEXED BY calls_contact_created
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND calls.contact_id = sqlc.narg(contact_id)
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= max(CAST(@lo AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT @lim OFFSET @off;

-- name: ListCallsByContactDesc :many
SELECT calls.*
FROM calls INDEXED BY calls_contact_created
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND calls.contact_id = sqlc.narg(contact_id)
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= min(CAST(@hi AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT @lim OFFSET @off;

-- name: CountCallsByContact :one
SELECT count(*) FROM calls INDEXED BY calls_contact_created
WHERE calls.company_id = @company_id
  AND calls.contact_id = sqlc.narg(contact_id)
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;

-- name: ListCallsByAgentAsc :many
SELECT calls.*
FROM calls INDEXED BY calls_agent_created
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND calls.agent_id = sqlc.narg(agent_id)
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= max(CAST(@lo AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT @lim OFFSET @off;

-- name: ListCallsByAgentDesc :many
SELECT calls.*
FROM calls INDEXED BY calls_agent_created
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND calls.agent_id = sqlc.narg(agent_id)
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= min(CAST(@hi AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT @lim OFFSET @off;

-- name: CountCallsByAgent :one
SELECT count(*) FROM calls INDEXED BY calls_agent_created
WHERE calls.company_id = @company_id
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND calls.agent_id = sqlc.narg(agent_id)
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;

-- name: ListCallsByPhoneAsc :many
SELECT calls.*
FROM calls INDEXED BY calls_phone_created
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND calls.phone_register_id = sqlc.narg(phone_id)
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= max(CAST(@lo AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT @lim OFFSET @off;

-- name: ListCallsByPhoneDesc :many
SELECT calls.*
FROM calls INDEXED BY calls_phone_created
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND calls.phone_register_id = sqlc.narg(phone_id)
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= min(CAST(@hi AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT @lim OFFSET @off;

-- name: CountCallsByPhone :one
SELECT count(*) FROM calls INDEXED BY calls_phone_created
WHERE calls.company_id = @company_id
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND calls.phone_register_id = sqlc.narg(phone_id)
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR calls.status = sqlc.narg(status))
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;

-- name: ListCallsByStatusAsc :many
SELECT calls.*
FROM calls INDEXED BY calls_status_created
WHERE calls.company_id = @company_id
  AND (calls.created_date > coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id > @cursor_id)
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND calls.status = sqlc.narg(status)
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= max(CAST(@lo AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id))) AND calls.created_date <= @hi
ORDER BY calls.created_date, calls.id
LIMIT @lim OFFSET @off;

-- name: ListCallsByStatusDesc :many
SELECT calls.*
FROM calls INDEXED BY calls_status_created
WHERE calls.company_id = @company_id
  AND (calls.created_date < coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)) OR calls.id < @cursor_id)
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND calls.status = sqlc.narg(status)
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= min(CAST(@hi AS INTEGER), coalesce(CAST(sqlc.narg(cursor_date) AS INTEGER), (SELECT k.created_date FROM calls AS k WHERE k.company_id = @company_id AND k.id = @cursor_id)))
ORDER BY calls.created_date DESC, calls.id DESC
LIMIT @lim OFFSET @off;

-- name: CountCallsByStatus :one
SELECT count(*) FROM calls INDEXED BY calls_status_created
WHERE calls.company_id = @company_id
  AND (CAST(sqlc.narg(contact_id) AS TEXT) IS NULL OR calls.contact_id = sqlc.narg(contact_id))
  AND (CAST(sqlc.narg(agent_id) AS TEXT) IS NULL OR calls.agent_id = sqlc.narg(agent_id))
  AND (CAST(sqlc.narg(phone_id) AS TEXT) IS NULL OR calls.phone_register_id = sqlc.narg(phone_id))
  AND calls.status = sqlc.narg(status)
  AND (CAST(sqlc.narg(type) AS TEXT) IS NULL OR calls.type = sqlc.narg(type))
  AND calls.created_date >= @lo AND calls.created_date <= @hi;
