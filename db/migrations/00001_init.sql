-- +goose Up
-- Times are INTEGER unix microseconds (UTC) everywhere; ids are UUID text.

CREATE TABLE companies (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    created_date INTEGER NOT NULL
);

-- The secret of a key is never stored: only its SHA-256 (hex) and its last four characters.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    company_id   TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    last_four    TEXT NOT NULL,
    restricted   INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
    permissions  TEXT NOT NULL DEFAULT '[]', -- JSON array of Permission values
    creator_id   TEXT NOT NULL,
    expires_at   INTEGER,
    created_date INTEGER NOT NULL
);
CREATE INDEX api_keys_company_created ON api_keys (company_id, created_date, id);

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY NOT NULL,
    company_id   TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    identifier   TEXT NOT NULL,
    contact_type TEXT NOT NULL CHECK (contact_type IN ('call', 'web')),
    created_date INTEGER NOT NULL,
    UNIQUE (company_id, contact_type, identifier)
);
CREATE INDEX contacts_company_created ON contacts (company_id, created_date, id);

-- Deleting a contact deletes its calls (and through them their messages).
CREATE TABLE calls (
    id                TEXT PRIMARY KEY NOT NULL,
    company_id        TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    contact_id        TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    agent_id          TEXT,
    agent_version_id  TEXT,
    phone_register_id TEXT,
    status            TEXT NOT NULL CHECK (status IN ('dialing', 'in_progress', 'completed', 'failed', 'transferred', 'no_answer')),
    type              TEXT NOT NULL CHECK (type IN ('inbound', 'outbound')),
    recording_url     TEXT,
    start_time        INTEGER,
    end_time          INTEGER,
    duration          INTEGER,
    end_reason        TEXT,
    dynamic_variables TEXT, -- JSON object or NULL
    created_date      INTEGER NOT NULL
);
-- Each list filter has an index whose equality prefix is followed by the sort key (created_date, id),
-- so a filtered page is a seek plus a short ordered scan. contact_id leads its index because the
-- ON DELETE CASCADE from contacts looks calls up by contact_id alone.
CREATE INDEX calls_company_created ON calls (company_id, created_date, id);
CREATE INDEX calls_contact_created ON calls (contact_id, company_id, created_date, id);
CREATE INDEX calls_agent_created ON calls (company_id, agent_id, created_date, id);
CREATE INDEX calls_status_created ON calls (company_id, status, created_date, id);
CREATE INDEX calls_phone_created ON calls (company_id, phone_register_id, created_date, id);

-- The transcript. Clustered on (call_id, created_date, id): one call's messages sit on adjacent pages,
-- its page of the transcript is a range read, and the cascade from calls is a range delete.
CREATE TABLE messages (
    call_id      TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    created_date INTEGER NOT NULL,
    id           TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    content      TEXT,
    tool_call    TEXT, -- JSON object or NULL
    PRIMARY KEY (call_id, created_date, id)
) WITHOUT ROWID;

-- The audit log. It belongs to the company and outlives its call: deleting the call sets call_id to NULL.
CREATE TABLE call_log (
    id         TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    call_id    TEXT REFERENCES calls (id) ON DELETE SET NULL,
    timestamp  INTEGER NOT NULL,
    level      TEXT NOT NULL,
    category   TEXT NOT NULL,
    event      TEXT NOT NULL,
    trace_id   TEXT,
    data       TEXT -- JSON object or NULL
);
CREATE INDEX call_log_call_ts ON call_log (call_id, timestamp, id);
CREATE INDEX call_log_company_ts ON call_log (company_id, timestamp, id);

-- Client apps of the Kore.ai-style dialect: a JWT signed (HS256) with client_secret carries appId = id.
-- The secret must be kept to verify signatures, so it is stored as issued.
CREATE TABLE apps (
    id            TEXT PRIMARY KEY NOT NULL,
    company_id    TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    restricted    INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
    permissions   TEXT NOT NULL DEFAULT '[]',
    created_date  INTEGER NOT NULL
);
CREATE INDEX apps_company ON apps (company_id);

-- Access and refresh tokens of the GenLogs-style dialect, each bound to the API key it was issued for.
CREATE TABLE access_tokens (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    api_key_id   TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at   INTEGER NOT NULL,
    created_date INTEGER NOT NULL
);
CREATE INDEX access_tokens_key ON access_tokens (api_key_id);

-- +goose Down
DROP TABLE access_tokens;
DROP TABLE apps;
DROP TABLE call_log;
DROP TABLE messages;
DROP TABLE calls;
DROP TABLE contacts;
DROP TABLE api_keys;
DROP TABLE companies;
