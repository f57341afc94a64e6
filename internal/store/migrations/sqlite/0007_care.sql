-- 0007: proactive care. Promised dates on conversations, delays with the
-- heads-up that tells the customer before they have to ask, follow-ups after
-- resolution, small gestures, and the "did you feel heard?" survey.

-- The concrete date we promised the customer (the card arrives by ...).
ALTER TABLE conversations ADD COLUMN due_at INTEGER;
-- When the care worker first found the promised date at risk (reminded the
-- agent); cleared when the date changes.
ALTER TABLE conversations ADD COLUMN due_reminded_at INTEGER;
CREATE INDEX conversations_due ON conversations (due_at);

-- A delay on one conversation, and its heads-up. Delays made together (all
-- the delayed cards) share a batch, which a lead may approve at once.
CREATE TABLE delays (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    batch           TEXT    NOT NULL DEFAULT '',
    reason          TEXT    NOT NULL,                -- in plain words, as the customer will read it
    plan            TEXT    NOT NULL DEFAULT '',     -- what we will do meanwhile
    promised_at     INTEGER,                         -- the date promised before the delay
    new_date        INTEGER NOT NULL,                -- the new concrete date
    draft           TEXT    NOT NULL,                -- the heads-up as it will be sent
    subject         TEXT    NOT NULL DEFAULT '',     -- its subject, when sent by email
    suggestions     TEXT    NOT NULL DEFAULT '[]',   -- JSON array: the engine's advice on the draft
    channel         TEXT    NOT NULL DEFAULT '',     -- sms or email, once sent
    compassion      REAL,                            -- the engine's score of the draft
    status          TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'sent', 'cancelled')),
    created_by      INTEGER REFERENCES agents (id),
    approved_by     INTEGER REFERENCES agents (id),
    created_at      INTEGER NOT NULL,
    approved_at     INTEGER,
    sent_at         INTEGER,                         -- when it went to the outbox
    outbox_id       INTEGER REFERENCES outbox (id)
);
CREATE INDEX delays_conversation ON delays (conversation_id);
CREATE INDEX delays_batch ON delays (batch, status);
CREATE INDEX delays_sent ON delays (sent_at);

-- A promise to check back after a conversation is resolved.
CREATE TABLE follow_ups (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    agent_id        INTEGER NOT NULL REFERENCES agents (id),   -- who will do it
    what            TEXT    NOT NULL,                          -- call Mrs. Wanjiru to check the card arrived
    due_at          INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped')),
    outcome         TEXT    NOT NULL DEFAULT '',               -- what happened, or why it was skipped
    created_at      INTEGER NOT NULL,
    closed_at       INTEGER                                    -- when done or skipped
);
CREATE INDEX follow_ups_agent ON follow_ups (agent_id, status, due_at);
CREATE INDEX follow_ups_conversation ON follow_ups (conversation_id);
CREATE INDEX follow_ups_closed ON follow_ups (closed_at);

-- A small gesture the engine suggested (a personal call, a handwritten note),
-- and whether someone did it.
CREATE TABLE gestures (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    kind            TEXT    NOT NULL,                -- call, note, ...
    reason          TEXT    NOT NULL DEFAULT '',     -- why it was suggested
    status          TEXT    NOT NULL DEFAULT 'suggested' CHECK (status IN ('suggested', 'done', 'dismissed')),
    done_by         INTEGER REFERENCES agents (id),
    created_at      INTEGER NOT NULL,
    done_at         INTEGER
);
CREATE UNIQUE INDEX gestures_once ON gestures (conversation_id, kind);

-- The survey after resolution: one per resolved conversation, answered once
-- through a one-use link (only the hash of its secret is kept) or by SMS reply.
CREATE TABLE surveys (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    customer_id     INTEGER NOT NULL REFERENCES customers (id),
    agent_id        INTEGER REFERENCES agents (id),  -- the conversation's assignee when it was resolved
    channel         TEXT    NOT NULL,                -- how it was sent: sms, email, web
    token_hash      BLOB    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    answered_at     INTEGER,
    satisfaction    INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    felt_heard      TEXT    CHECK (felt_heard IN ('yes', 'partly', 'no')),
    comment         TEXT    NOT NULL DEFAULT '',
    outbox_id       INTEGER REFERENCES outbox (id)
);
CREATE INDEX surveys_conversation ON surveys (conversation_id);
CREATE INDEX surveys_agent ON surveys (agent_id, answered_at);
CREATE INDEX surveys_answered ON surveys (answered_at);

-- Where the care worker's scans have reached (e.g. the last customer message
-- read for hardship cues), so that a restart carries on instead of starting over.
CREATE TABLE care_cursors (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);

-- Texts from the SMS gateway already handled, by the gateway's id, so that
-- a gateway sending one again (it timed out waiting for our answer) does
-- not answer a survey twice or add the words to a conversation twice.
CREATE TABLE inbound_sms (
    provider_id TEXT    PRIMARY KEY,
    handled_at  INTEGER NOT NULL
);
