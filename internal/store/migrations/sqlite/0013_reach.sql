-- kindred: foreign keys off
-- 0013: reaching people where they already are. WhatsApp replies go through
-- the outbox like SMS and email, so the outbox's channel is no longer held to
-- sms and email here (the Go code checks it, with the other channels).
-- SQLite cannot drop a CHECK, so the table is rebuilt with the same rows and
-- ids, by SQLite's own recipe for such changes: with foreign keys off (the
-- line above asks the migrator for it; a transaction cannot turn them off),
-- make the new table, copy, drop the old, rename, recreate the indexes; the
-- migrator then runs foreign_key_check before it commits. With foreign keys
-- on, dropping the old table would count every row of codes, delays and
-- surveys that points at it as broken, and the commit would fail.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    channel         TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,               -- E.164 phone or email address
    subject         TEXT    NOT NULL DEFAULT '',    -- email only
    body            TEXT    NOT NULL,
    purpose         TEXT    NOT NULL DEFAULT '',    -- ticket_near, ticket_called, code, heads_up, survey, reply, ...
    customer_id     INTEGER REFERENCES customers (id),
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,                        -- a worker holds the row until then
    last_error      TEXT    NOT NULL DEFAULT '',
    provider_id     TEXT    NOT NULL DEFAULT '',    -- the gateway's message id
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    message_id      INTEGER REFERENCES messages (id),
    in_reply_to     TEXT    NOT NULL DEFAULT '',
    mail_references TEXT    NOT NULL DEFAULT ''
);
INSERT INTO outbox_new (id, channel, recipient, subject, body, purpose, customer_id, status, attempts, next_attempt_at,
    lease_until, last_error, provider_id, created_at, sent_at, message_id, in_reply_to, mail_references)
SELECT id, channel, recipient, subject, body, purpose, customer_id, status, attempts, next_attempt_at,
    lease_until, last_error, provider_id, created_at, sent_at, message_id, in_reply_to, mail_references FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_customer ON outbox (customer_id, id);
CREATE INDEX outbox_message ON outbox (message_id);
CREATE INDEX outbox_provider ON outbox (channel, provider_id);

-- Webhooks: an administrator's subscriptions. events is the list of event
-- names, space-separated with a space at each end (' message.created
-- ticket.called '), so that one LIKE finds the subscribers of an event.
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    url         TEXT    NOT NULL,
    secret      TEXT    NOT NULL,                   -- signs each delivery (HMAC-SHA256); kept to sign, never shown again
    events      TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT 1,         -- 0: removed; its log is kept
    created_at  INTEGER NOT NULL
);

-- One event for one subscriber, written in the same transaction as the
-- change it tells of, and delivered in id order per subscriber.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id),
    event           TEXT    NOT NULL,
    payload         TEXT    NOT NULL,               -- JSON: the event's data
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_status     INTEGER NOT NULL DEFAULT 0,     -- the receiver's last HTTP status, 0 when none came
    last_error      TEXT    NOT NULL DEFAULT '',
    replay_of       INTEGER REFERENCES webhook_deliveries (id),
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, webhook_id, id);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- Every try, with what the receiver answered.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id),
    attempt     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- WhatsApp messages already taken in (the Cloud API posts a message again
-- when we were slow to answer), by their wamid.
CREATE TABLE whatsapp_inbound (
    wamid       TEXT    PRIMARY KEY,
    message_id  INTEGER REFERENCES messages (id),
    received_at INTEGER NOT NULL
);
