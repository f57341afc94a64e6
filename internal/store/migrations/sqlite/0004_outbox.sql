-- 0004: the outbox. Every message kindred sends (SMS, email) is written here
-- in the same transaction as the change that caused it, then delivered by a
-- worker with retries; after too many failures it moves to the dead-letter
-- list (status 'dead') for a person to look at. Nothing is sent twice: a row
-- is claimed with a lease before it is sent, and marked sent after.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient       TEXT    NOT NULL,               -- E.164 phone or email address
    subject         TEXT    NOT NULL DEFAULT '',    -- email only
    body            TEXT    NOT NULL,
    purpose         TEXT    NOT NULL DEFAULT '',    -- ticket_near, ticket_called, code, heads_up, survey, ...
    customer_id     INTEGER REFERENCES customers (id),
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,                        -- a worker holds the row until then
    last_error      TEXT    NOT NULL DEFAULT '',
    provider_id     TEXT    NOT NULL DEFAULT '',    -- the gateway's message id
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_customer ON outbox (customer_id, id);
