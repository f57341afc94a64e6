-- 0011: accounts that people can open themselves. An administrator (in the
-- console, the API or the CLI) makes a one-time link with which an agent
-- sets a password: an invitation when they have none, a reset when they
-- have one. Only the SHA-256 of the link's secret is stored.

CREATE TABLE password_links (
    id         INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id),
    purpose    TEXT    NOT NULL,                -- invite or reset
    hash       BLOB    NOT NULL UNIQUE,
    created_by INTEGER NOT NULL DEFAULT 0,      -- the agent who made it; 0 for the CLI
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX password_links_agent ON password_links (agent_id);
