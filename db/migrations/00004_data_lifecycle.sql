-- +goose Up
-- The deletion audit trail: one row per deletion request of any dialect, of the CLI, or of the
-- server's retention, written in the transaction that deletes (or, for a dry run, that counts).
-- It has no foreign key to what it describes, so it outlives the rows it names; nothing in the API
-- updates or deletes it. A purge or retention run that deletes in several transactions keeps one
-- row and adds each batch's counts to it in that batch's transaction.
CREATE TABLE deletions (
    company_id      TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    created_date    INTEGER NOT NULL, -- µs since the epoch
    id              TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('calls', 'contacts', 'purge', 'retention', 'erasure')),
    dialect         TEXT NOT NULL,    -- calls, koreai, genlogs, cli, server
    route           TEXT NOT NULL,    -- the route pattern, or the command that asked
    credential_type TEXT NOT NULL,    -- api_key, app, access_token, cli, server
    credential_id   TEXT,             -- the key or app id (an access token's key); never a secret
    dry_run         INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    requested_ids   TEXT NOT NULL,    -- JSON array of the ids asked for (contacts or calls)
    filter          TEXT,             -- JSON object: a purge's or retention's filter
    calls           INTEGER NOT NULL DEFAULT 0,
    messages        INTEGER NOT NULL DEFAULT 0,
    contacts        INTEGER NOT NULL DEFAULT 0,
    logs_detached   INTEGER NOT NULL DEFAULT 0, -- call_log rows that lost their call (call_id NULL)
    logs_redacted   INTEGER NOT NULL DEFAULT 0, -- of those, the ones whose data and trace_id were erased
    PRIMARY KEY (company_id, created_date, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX deletions_id ON deletions (id);

-- Retention: terminal calls older than this many days are purged by `serve -retention-interval`.
-- NULL keeps them.
ALTER TABLE companies ADD COLUMN retention_days INTEGER CHECK (retention_days IS NULL OR retention_days >= 1);

-- +goose Down
ALTER TABLE companies DROP COLUMN retention_days;
DROP TABLE deletions;
