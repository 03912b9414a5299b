-- Contact listing and the contact deletion engine. Every query is scoped by company_id; id lists are
-- sqlc.slice parameters (scalars first: sqlc issue #2452).

-- name: ListOwnedContactIDs :many
-- The ids among @ids that are contacts of the company. The unary + keeps the planner off
-- contacts_company_created (a scan of the whole company): each id is one primary-key lookup.
SELECT id FROM contacts
WHERE +company_id = @company_id AND id IN (sqlc.slice(ids));

-- name: ListContactsWithActiveCalls :many
-- The contacts among @ids that have a call still dialing or in progress
-- (served by calls_contact_created: contact_id IN (...), then company_id).
SELECT DISTINCT contact_id FROM calls
WHERE company_id = @company_id
  AND status IN ('dialing', 'in_progress')
  AND contact_id IN (sqlc.slice(ids));

-- name: CountContactDeletionEffects :one
-- What deleting the contacts @ids would take with it: their calls, the calls' messages (cascade) and
-- the call_log rows that would lose their call_id (SET NULL).
WITH doomed AS (
    SELECT calls.id FROM calls
    WHERE calls.company_id = @company_id AND calls.contact_id IN (sqlc.slice(ids))
)
SELECT
    (SELECT count(*) FROM doomed) AS calls,
    (SELECT count(*) FROM messages WHERE call_id IN (SELECT id FROM doomed)) AS messages,
    (SELECT count(*) FROM call_log WHERE call_id IN (SELECT id FROM doomed)) AS logs;

-- name: DeleteContacts :execrows
-- Deletes the company's contacts among @ids; the schema's cascades remove their calls and messages
-- and detach their call_log rows. Primary-key lookups, as in ListOwnedContactIDs.
DELETE FROM contacts
WHERE +company_id = @company_id AND id IN (sqlc.slice(ids));

-- name: CountContacts :one
SELECT count(*) FROM contacts
WHERE company_id = @company_id
  AND (contact_type = sqlc.narg(contact_type) OR sqlc.narg(contact_type) IS NULL)
  AND (identifier = sqlc.narg(identifier) OR sqlc.narg(identifier) IS NULL);

-- Keyset pages over contacts_company_created: Go folds the cursor into [lo, hi]; the OR term breaks
-- ties on equal created_date.
-- name: ListContactsAsc :many
SELECT * FROM contacts
WHERE company_id = @company_id
  AND (contact_type = sqlc.narg(contact_type) OR sqlc.narg(contact_type) IS NULL)
  AND (identifier = sqlc.narg(identifier) OR sqlc.narg(identifier) IS NULL)
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date > @cursor_date OR id > @cursor_id)
ORDER BY created_date, id
LIMIT @lim OFFSET @off;

-- name: ListContactsDesc :many
SELECT * FROM contacts
WHERE company_id = @company_id
  AND (contact_type = sqlc.narg(contact_type) OR sqlc.narg(contact_type) IS NULL)
  AND (identifier = sqlc.narg(identifier) OR sqlc.narg(identifier) IS NULL)
  AND created_date >= @lo AND created_date <= @hi
  AND (created_date < @cursor_date OR id < @cursor_id)
ORDER BY created_date DESC, id DESC
LIMIT @lim OFFSET @off;

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
  AND contact_id IN (sqlc.slice(ids))
ORDER BY created_date, id;

-- name: RedactLogsOfContacts :execrows
-- Erases the person's data from the call_log rows of the contacts' calls, which survive the calls:
-- level, category, event and time stay, data and trace_id go. Run before the calls are deleted,
-- while call_id still leads to them (call_log_call_ts).
UPDATE call_log SET data = NULL, trace_id = NULL
WHERE call_log.company_id = @company_id
  AND call_log.call_id IN (SELECT calls.id FROM calls WHERE calls.company_id = @company_id AND calls.contact_id IN (sqlc.slice(ids)));
