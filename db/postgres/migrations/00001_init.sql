-- +goose Up
-- The PostgreSQL schema: the final state SQLite reaches after db/migrations/00001..00005, in one
-- step. Same tables, columns (in the same order, so sqlc generates the same model structs), keys,
-- checks, foreign keys and triggers.
--
-- Types: every SQLite INTEGER is BIGINT (times are unix microseconds, UTC; booleans are 0/1 with
-- the same CHECKs); TEXT stays TEXT, JSON included (stored byte for byte as written, not jsonb).
--
-- Every text column is COLLATE "C". SQLite compares and orders text byte by byte (BINARY);
-- PostgreSQL uses the database's collation, which under a linguistic locale (en_US, ICU) orders
-- '~' before '0' and ignores case and punctuation at first level. Keyset cursors (id > cursor_id),
-- the sentinel cursors of store/page.go ("" before every id, "~" after every id) and every ORDER BY
-- id must agree with SQLite, so comparisons are bytewise whatever the database's locale. (It also
-- makes the text indexes cheaper: memcmp instead of strcoll.)
--
-- PostgreSQL has no WITHOUT ROWID tables: where SQLite clusters a table on a key, the key is the
-- primary key here too (a btree index beside the heap), and lookups by id have their own unique
-- index as in SQLite. The heap is not kept in key order (CLUSTER is a one-off rewrite), so a page of
-- a list is an index range scan plus heap fetches.

CREATE TABLE companies (
    id             TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name           TEXT COLLATE "C" NOT NULL,
    created_date   BIGINT NOT NULL,
    -- Retention: terminal calls older than this many days are purged by `serve -retention-interval`.
    -- NULL keeps them.
    retention_days BIGINT CHECK (retention_days IS NULL OR retention_days >= 1)
);

-- The secret of a key is never stored: only its SHA-256 (hex) and its last four characters.
CREATE TABLE api_keys (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    company_id   TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name         TEXT COLLATE "C" NOT NULL,
    key_hash     TEXT COLLATE "C" NOT NULL UNIQUE,
    last_four    TEXT COLLATE "C" NOT NULL,
    restricted   BIGINT NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
    permissions  TEXT COLLATE "C" NOT NULL DEFAULT '[]', -- JSON array of Permission values
    creator_id   TEXT COLLATE "C" NOT NULL,
    expires_at   BIGINT,
    created_date BIGINT NOT NULL
);
CREATE INDEX api_keys_company_created ON api_keys (company_id, created_date, id);

CREATE TABLE contacts (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    company_id   TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    identifier   TEXT COLLATE "C" NOT NULL,
    contact_type TEXT COLLATE "C" NOT NULL CHECK (contact_type IN ('call', 'web')),
    created_date BIGINT NOT NULL,
    UNIQUE (company_id, contact_type, identifier)
);
CREATE INDEX contacts_company_created ON contacts (company_id, created_date, id);

-- Deleting a contact deletes its calls (and through them their messages).
--
-- Each call carries a copy of the contact fields every call response embeds (identifier,
-- contact_type, created_date), so listing calls joins nothing. identifier and contact_type never
-- change (they are the contact's unique key); created_date moves earlier when an import brings an
-- older call of the contact, and the trigger contacts_created_to_calls copies that change to the
-- contact's calls in the same statement, so the copies cannot drift.
--
-- The primary key is the list order (company_id, created_date, id), as in SQLite where the table is
-- clustered on it; the unique index calls_id serves lookups by id and is the parent key of
-- messages.call_id and call_log.call_id.
CREATE TABLE calls (
    id                   TEXT COLLATE "C" NOT NULL,
    company_id           TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    contact_id           TEXT COLLATE "C" NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    contact_identifier   TEXT COLLATE "C" NOT NULL, -- copy of contacts.identifier
    contact_type         TEXT COLLATE "C" NOT NULL CHECK (contact_type IN ('call', 'web')), -- copy of contacts.contact_type
    contact_created_date BIGINT NOT NULL,           -- copy of contacts.created_date (kept by trigger)
    agent_id             TEXT COLLATE "C",
    agent_version_id     TEXT COLLATE "C",
    phone_register_id    TEXT COLLATE "C",
    status               TEXT COLLATE "C" NOT NULL CHECK (status IN ('dialing', 'in_progress', 'completed', 'failed', 'transferred', 'no_answer')),
    type                 TEXT COLLATE "C" NOT NULL CHECK (type IN ('inbound', 'outbound')),
    recording_url        TEXT COLLATE "C",
    start_time           BIGINT,
    end_time             BIGINT,
    duration             BIGINT,
    end_reason           TEXT COLLATE "C",
    dynamic_variables    TEXT COLLATE "C", -- JSON object or NULL
    created_date         BIGINT NOT NULL,
    PRIMARY KEY (company_id, created_date, id)
);
-- Call ids are globally unique (they are the contract's path parameter and the parent key of the
-- transcript and the audit log).
CREATE UNIQUE INDEX calls_id ON calls (id);
-- The primary key serves the unfiltered list; each other filter keeps an index whose equality
-- prefix is followed by the sort key. contact_id leads its index because the ON DELETE CASCADE from
-- contacts looks calls up by contact_id alone.
-- SQLite's calls_contact_created carries every other column of the call, so that a contact's page
-- is one range read of the index. Here it is key-only: a PostgreSQL index entry must fit in about a
-- third of a page (2,704 bytes), and recording_url, end_reason and dynamic_variables are unbounded,
-- so an INCLUDE of them would make writing a call with large dynamic variables fail.
CREATE INDEX calls_contact_created ON calls (contact_id, company_id, created_date, id);
CREATE INDEX calls_agent_created ON calls (company_id, agent_id, created_date, id);
CREATE INDEX calls_status_created ON calls (company_id, status, created_date, id);
CREATE INDEX calls_phone_created ON calls (company_id, phone_register_id, created_date, id);

-- The transcript, keyed on (call_id, created_date, id): one call's page of the transcript is a
-- range of the primary key, and the cascade from calls is a range delete.
CREATE TABLE messages (
    call_id      TEXT COLLATE "C" NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    created_date BIGINT NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    role         TEXT COLLATE "C" NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    content      TEXT COLLATE "C",
    tool_call    TEXT COLLATE "C", -- JSON object or NULL
    PRIMARY KEY (call_id, created_date, id)
);

-- The audit log. It belongs to the company and outlives its call: deleting the call sets call_id to NULL.
CREATE TABLE call_log (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    company_id TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    call_id    TEXT COLLATE "C" REFERENCES calls (id) ON DELETE SET NULL,
    timestamp  BIGINT NOT NULL,
    level      TEXT COLLATE "C" NOT NULL,
    category   TEXT COLLATE "C" NOT NULL,
    event      TEXT COLLATE "C" NOT NULL,
    trace_id   TEXT COLLATE "C",
    data       TEXT COLLATE "C" -- JSON object or NULL
);
CREATE INDEX call_log_call_ts ON call_log (call_id, timestamp, id);
CREATE INDEX call_log_company_ts ON call_log (company_id, timestamp, id);

-- Client apps of the Kore.ai-style dialect: a JWT signed (HS256) with client_secret carries appId = id.
-- The secret must be kept to verify signatures, so it is stored as issued.
CREATE TABLE apps (
    id            TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    company_id    TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name          TEXT COLLATE "C" NOT NULL,
    client_secret TEXT COLLATE "C" NOT NULL,
    restricted    BIGINT NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
    permissions   TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    created_date  BIGINT NOT NULL
);
CREATE INDEX apps_company ON apps (company_id);

-- Access and refresh tokens of the GenLogs-style dialect, each bound to the API key it was issued for.
CREATE TABLE access_tokens (
    token_hash   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    api_key_id   TEXT COLLATE "C" NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    kind         TEXT COLLATE "C" NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at   BIGINT NOT NULL,
    created_date BIGINT NOT NULL
);
CREATE INDEX access_tokens_key ON access_tokens (api_key_id);

-- Page mode answers total_pages; counting a company's calls through an index costs a walk over
-- all of them. Keep the unfiltered count per company in a row, maintained by triggers, so it is one
-- lookup. Filtered counts still walk their (narrower) indexes.
CREATE TABLE company_call_counts (
    company_id TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    calls      BIGINT NOT NULL DEFAULT 0
);

-- The deletion audit trail: one row per deletion request of any dialect, of the CLI, or of the
-- server's retention, written in the transaction that deletes (or, for a dry run, that counts).
-- It has no foreign key to what it describes, so it outlives the rows it names; nothing in the API
-- updates or deletes it. A purge or retention run that deletes in several transactions keeps one
-- row and adds each batch's counts to it in that batch's transaction.
CREATE TABLE deletions (
    company_id      TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    created_date    BIGINT NOT NULL,           -- µs since the epoch
    id              TEXT COLLATE "C" NOT NULL,
    kind            TEXT COLLATE "C" NOT NULL CHECK (kind IN ('calls', 'contacts', 'purge', 'retention', 'erasure')),
    dialect         TEXT COLLATE "C" NOT NULL, -- calls, koreai, genlogs, cli, server
    route           TEXT COLLATE "C" NOT NULL, -- the route pattern, or the command that asked
    credential_type TEXT COLLATE "C" NOT NULL, -- api_key, app, access_token, cli, server
    credential_id   TEXT COLLATE "C",          -- the key or app id (an access token's key); never a secret
    dry_run         BIGINT NOT NULL CHECK (dry_run IN (0, 1)),
    requested_ids   TEXT COLLATE "C" NOT NULL, -- JSON array of the ids asked for (contacts or calls)
    filter          TEXT COLLATE "C",          -- JSON object: a purge's or retention's filter
    calls           BIGINT NOT NULL DEFAULT 0,
    messages        BIGINT NOT NULL DEFAULT 0,
    contacts        BIGINT NOT NULL DEFAULT 0,
    logs_detached   BIGINT NOT NULL DEFAULT 0, -- call_log rows that lost their call (call_id NULL)
    logs_redacted   BIGINT NOT NULL DEFAULT 0, -- of those, the ones whose data and trace_id were erased
    PRIMARY KEY (company_id, created_date, id)
);
CREATE UNIQUE INDEX deletions_id ON deletions (id);

-- The counters' triggers. A company gets its counter row when it is created.
-- +goose StatementBegin
CREATE FUNCTION companies_count_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO company_call_counts (company_id, calls) VALUES (NEW.id, 0);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER companies_count_row AFTER INSERT ON companies
    FOR EACH ROW EXECUTE FUNCTION companies_count_row();

-- SQLite's counter triggers run per row. Here they run once per statement over its transition
-- table: a bulk delete of 500 calls of one company is one UPDATE of its counter row, not 500 (each
-- of which would leave a dead version of the row behind). The counts are the same when the
-- statement ends. A cascade from contacts runs as its own DELETE statements, which fire these
-- triggers too.
-- +goose StatementBegin
CREATE FUNCTION calls_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE company_call_counts AS c SET calls = c.calls + n.n
    FROM (SELECT company_id, count(*) AS n FROM new_calls GROUP BY company_id) AS n
    WHERE c.company_id = n.company_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION calls_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE company_call_counts AS c SET calls = c.calls - o.n
    FROM (SELECT company_id, count(*) AS n FROM old_calls GROUP BY company_id) AS o
    WHERE c.company_id = o.company_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER calls_count_insert AFTER INSERT ON calls
    REFERENCING NEW TABLE AS new_calls
    FOR EACH STATEMENT EXECUTE FUNCTION calls_count_insert();

-- Fires for direct deletes and for rows removed by the ON DELETE CASCADE from contacts.
CREATE TRIGGER calls_count_delete AFTER DELETE ON calls
    REFERENCING OLD TABLE AS old_calls
    FOR EACH STATEMENT EXECUTE FUNCTION calls_count_delete();

-- A contact's created_date moving (earlier, by UpsertContact) moves the copy in its calls.
-- +goose StatementBegin
CREATE FUNCTION contacts_created_to_calls() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE calls SET contact_created_date = NEW.created_date WHERE contact_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER contacts_created_to_calls AFTER UPDATE OF created_date ON contacts
    FOR EACH ROW WHEN (NEW.created_date IS DISTINCT FROM OLD.created_date)
    EXECUTE FUNCTION contacts_created_to_calls();

-- +goose Down
DROP TABLE deletions;
DROP TABLE company_call_counts;
DROP TABLE access_tokens;
DROP TABLE apps;
DROP TABLE call_log;
DROP TABLE messages;
DROP TABLE calls;
DROP TABLE contacts;
DROP TABLE api_keys;
DROP TABLE companies;
DROP FUNCTION contacts_created_to_calls();
DROP FUNCTION calls_count_delete();
DROP FUNCTION calls_count_insert();
DROP FUNCTION companies_count_row();
