-- 0014: the web chat widget. A visitor is known by the random id inside the
-- signed token their widget keeps; their first message (or the phone or email
-- they leave) makes them a customer.
CREATE TABLE chat_visitors (
    id           TEXT    PRIMARY KEY,                 -- hex, from the visitor's token
    customer_id  BIGINT  NOT NULL REFERENCES customers (id),
    reply_by     TEXT    NOT NULL DEFAULT '' CHECK (reply_by IN ('', 'sms', 'email')),
    online_until BIGINT  NOT NULL DEFAULT 0,          -- a widget of theirs is connected until then
    created_at   BIGINT  NOT NULL,
    seen_at      BIGINT  NOT NULL
);
CREATE INDEX chat_visitors_customer ON chat_visitors (customer_id);

-- Keys the server signs with (the chat's visitor tokens), made once and kept
-- so that tokens outlive restarts and every process of a desk shares them.
CREATE TABLE server_keys (
    name       TEXT    PRIMARY KEY,
    secret     TEXT    NOT NULL,                      -- hex
    created_at BIGINT  NOT NULL
);
