-- 0002: the web console: signed-in sessions, each agent's preferences, and
-- the one-time link that sets up a new desk's first administrator.
-- Secrets are stored as SHA-256 hashes only.

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    agent_id     INTEGER NOT NULL REFERENCES agents (id),
    hash         BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL               -- absolute end; idle expiry is last_seen_at + the idle limit
);
CREATE INDEX sessions_agent ON sessions (agent_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE agent_preferences (
    agent_id   INTEGER PRIMARY KEY REFERENCES agents (id),
    large_text BOOLEAN NOT NULL DEFAULT 0,
    language   TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

CREATE TABLE setup_tokens (
    id         INTEGER PRIMARY KEY,
    hash       BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
