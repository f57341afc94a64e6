-- 0001: agents and tokens, customers with their notes and helpers,
-- conversations with tags and messages, and the append-only audit log.
-- Every time is INTEGER unix milliseconds UTC (see the store package doc).

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    email         TEXT,                          -- NULL for API-only service accounts
    password_hash TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX agents_email ON agents (lower(email));

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    agent_id     INTEGER NOT NULL REFERENCES agents (id),
    name         TEXT    NOT NULL,
    hash         BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX tokens_agent ON tokens (agent_id);

CREATE TABLE customers (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL,
    preferred_name      TEXT    NOT NULL DEFAULT '',
    pronunciation       TEXT    NOT NULL DEFAULT '',
    language            TEXT    NOT NULL DEFAULT '',
    phone               TEXT    NOT NULL DEFAULT '',
    email               TEXT    NOT NULL DEFAULT '',
    accommodations      TEXT    NOT NULL DEFAULT '[]', -- JSON array of kindred.Accommodation
    accommodation_notes TEXT    NOT NULL DEFAULT '',
    search              TEXT    NOT NULL DEFAULT '', -- lower-cased name, preferred name and email, for Customers
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX customers_name ON customers (name);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX customers_email ON customers (lower(email));

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    body        TEXT    NOT NULL,
    sensitive   BOOLEAN NOT NULL DEFAULT 0,
    author_id   INTEGER NOT NULL DEFAULT 0,      -- 0 for the system
    author_name TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX notes_customer ON notes (customer_id, created_at);

CREATE TABLE helpers (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    name        TEXT    NOT NULL,
    relation    TEXT    NOT NULL DEFAULT '',
    phone       TEXT    NOT NULL DEFAULT '',
    scopes      TEXT    NOT NULL DEFAULT '[]',   -- JSON array of kindred.HelperScope
    consent     TEXT    NOT NULL,
    consent_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER,
    created_by  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX helpers_customer ON helpers (customer_id);

CREATE TABLE conversations (
    id                INTEGER PRIMARY KEY,
    customer_id       INTEGER NOT NULL REFERENCES customers (id),
    channel           TEXT    NOT NULL,
    subject           TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL,
    priority          TEXT    NOT NULL,
    assignee_id       INTEGER REFERENCES agents (id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    first_response_at INTEGER,
    resolved_at       INTEGER
);
CREATE INDEX conversations_status ON conversations (status, updated_at);
CREATE INDEX conversations_assignee ON conversations (assignee_id, updated_at);
CREATE INDEX conversations_channel ON conversations (channel, updated_at);
CREATE INDEX conversations_customer ON conversations (customer_id, updated_at);
CREATE INDEX conversations_created ON conversations (created_at);
CREATE INDEX conversations_updated ON conversations (updated_at);

CREATE TABLE conversation_tags (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    tag             TEXT    NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tag);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    direction       TEXT    NOT NULL,
    author_id       INTEGER REFERENCES agents (id),
    helper_id       INTEGER REFERENCES helpers (id),
    author_name     TEXT    NOT NULL DEFAULT '',
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    compassion      REAL,
    sentiment       REAL,
    distress        REAL,
    analysis        TEXT                         -- JSON of kindred.Analysis.Report
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_created ON messages (created_at);

CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor_id   INTEGER NOT NULL DEFAULT 0,
    actor_name TEXT    NOT NULL DEFAULT '',
    action     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    subject_id INTEGER NOT NULL DEFAULT 0,
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_subject ON audit (subject, subject_id, id);
CREATE INDEX audit_actor ON audit (actor_id, id);

-- The audit log is append-only: nothing, not even a mistaken ad-hoc query,
-- may change or remove what it says.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
