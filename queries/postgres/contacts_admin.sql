-- Contact listing and the contact deletion engine. Every query is scoped by company_id; id lists are
-- text[] parameters (= ANY), the SQLite set's sqlc.slice.

-- name: ListOwnedContactIDs :many
-- The ids among @ids that are contacts of the company: each id is one primary-key lookup, the
-- company a filter on the row. (SQLite's query writes +company_id to keep its planner off
-- contacts_company_created, a scan of the whole company; PostgreSQL has no such operator on text,
-- and its planner costs the primary key's = ANY by the array's size.)
SELECT id FROM contacts
WHERE company_id = @company_id AND id = ANY(sqlc.arg(ids)::text[]);

-- name: ListContactsWithActiveCalls :many
-- The contacts among @ids that have a call still dialing or in progress
-- (served by calls_contact_created: contact_id = ANY(...), then company_id).
SELECT DISTINCT contact_id FROM calls
WHERE company_id = @company_id
  AND status IN ('dialing', 'in_progress')
  AND contact_id = ANY(sqlc.arg(ids)::text[]);

-- name: CountContactDeletionEffects :one
-- What deleting the contacts @ids would take with it: their calls, the calls' messages (cascade) and
-- the call_log rows that would lose their call_id (SET NULL).
WITH doomed AS (
    SELECT calls.id FROM calls
    WHERE calls.company_id = @company_id AND calls.contact_id = ANY(sqlc.arg(ids)::text[])
)
SELECT
    (SELECT count(*) FROM doomed) AS calls,
    (SELECT count(*) FROM messages WHERE call_id IN (SELECT id FROM doomed)) AS messages,
    (SELECT count(*) FROM call_log WHERE call_id IN (SELECT id FROM doomed)) AS logs;

-- name: DeleteContacts :execrows
-- Deletes the company's contacts among @ids; the schema's cascades remove their calls and messages
-- and detach their call_log rows. Primary-key lookups, as in ListOwnedContactIDs.
DELETE FROM contacts
WHERE company_id = @company_id AND id = ANY(sqlc.arg(ids)::text[]);

-- name: CountContacts :one
SELECT count(*) FROM contacts
WHERE company_id = @company_id
  AND (contact_type = sqlc.narg(contact_type) OR sqlc.narg(contact_type) IS NULL)
  AND (identifier = sqlc.narg(identifier) OR sqlc.narg(identifier) IS NULL);

-- Keyset pages over contacts_company_created: Go folds the cursor into [lo, hi]; the OR term breaks
-- ties on equal created_date. LIMIT and OFFSET behave as SQLite's do: a negative limit means no
-- limit, a negative offset none.
-- name: ListContactsAsc :many
SELECT * FROM contacts
WHERE company_id = @company_id
  AND (contact_type = sqlc.narg(contact_type) OR sqlc.narg(contact_type) IS NULL)
  AND (identifier = sqlc.narg(identifier) OR sqlc.narg(identifier) IS NULL)
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date > @cursor_date OR id > @cursor_id)
ORDER BY created_date, id
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- name: ListContactsDesc :many
SELECT * FROM contacts
WHERE company_id = @company_id
  AND (contact_type = sqlc.narg(contact_type) OR sqlc.narg(contact_type) IS NULL)
  AND (identifier = sqlc.narg(identifier) OR sqlc.narg(identifier) IS NULL)
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date < @cursor_date OR id < @cursor_id)
ORDER BY created_date DESC, id DESC
LIMIT CASE WHEN sqlc.arg(lim)::bigint >= 0 THEN sqlc.arg(lim)::bigint END OFFSET greatest(sqlc.arg(off)::bigint, 0);

-- Erasure by person (store/erasure.go).

-- name: ListContactIDsByIdentifier :many
-- The company's contacts with this identifier, of either contact type.
SELECT id FROM contacts
WHERE company_id = @company_id AND contact_type IN ('call', 'web') AND identifier = @identifier
ORDER BY id;

-- name: ListActiveCallsOfContacts :many
-- The calls of the contacts @ids that are still dialing or in progress.
SELECT id FROM calls
WHERE company_id = @company_id
  AND status IN ('dialing', 'in_progress')
  AND contact_id = ANY(sqlc.arg(ids)::text[])
ORDER BY created_date, id;

-- name: RedactLogsOfContacts :execrows
-- Erases the person's data from the call_log rows of the contacts' calls, which survive the calls:
-- level, category, event and time stay, data and trace_id go. Run before the calls are deleted,
-- while call_id still leads to them (call_log_call_ts).
UPDATE call_log SET data = NULL, trace_id = NULL
WHERE call_log.company_id = @company_id
  AND call_log.call_id IN (SELECT calls.id FROM calls WHERE calls.company_id = @company_id AND calls.contact_id = ANY(sqlc.arg(ids)::text[]));
