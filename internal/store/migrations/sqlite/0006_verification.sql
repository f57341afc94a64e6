-- 0006_verification: one-time codes. Only a salted SHA-256 of the digits is
-- kept (hash is NULL for a voice code until the USSD menu reads it out); the
-- digits themselves travel in the outbox SMS and nowhere else. A code is
-- live until used, locked (too many wrong tries), replaced by a newer code
-- for the same customer, or past expires_at.

CREATE TABLE codes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    channel     TEXT    NOT NULL CHECK (channel IN ('sms', 'voice', 'helper')),
    helper_id   INTEGER REFERENCES helpers (id),
    recipient   TEXT    NOT NULL,                 -- E.164 phone the code goes to
    salt        BLOB    NOT NULL,
    hash        BLOB,
    status      TEXT    NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'used', 'locked', 'replaced')),
    tries       INTEGER NOT NULL DEFAULT 0,       -- wrong entries
    extensions  INTEGER NOT NULL DEFAULT 0,       -- times "more time" was given
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    used_at     INTEGER,
    outbox_id   INTEGER REFERENCES outbox (id)
);
CREATE INDEX codes_customer ON codes (customer_id, created_at);
CREATE INDEX codes_recipient ON codes (recipient, created_at);
CREATE INDEX helpers_phone ON helpers (phone);
