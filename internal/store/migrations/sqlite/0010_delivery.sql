-- 0010: replies reach people. An agent's reply on a text or email
-- conversation goes into the outbox in the same transaction as the message
-- (outbox.message_id points back at it); the message carries where it stands
-- (delivery_status: queued, sent, delivered, failed, recorded) and why it
-- failed. Email threads by Message-ID (messages.email_id, ours or the
-- customer's); the files a customer's email brings are kept as attachments.

ALTER TABLE messages ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN delivery_status TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN delivery_error TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN email_id TEXT;
CREATE UNIQUE INDEX messages_email_id ON messages (email_id);

UPDATE messages SET channel = (SELECT c.channel FROM conversations c WHERE c.id = messages.conversation_id);
UPDATE messages SET delivery_status = 'recorded' WHERE direction = 'out';

ALTER TABLE outbox ADD COLUMN message_id INTEGER REFERENCES messages (id);
ALTER TABLE outbox ADD COLUMN in_reply_to TEXT NOT NULL DEFAULT '';     -- email threading
ALTER TABLE outbox ADD COLUMN mail_references TEXT NOT NULL DEFAULT ''; -- space-separated Message-IDs
CREATE INDEX outbox_message ON outbox (message_id);
CREATE INDEX outbox_provider ON outbox (channel, provider_id);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES messages (id),
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,               -- sniffed from the bytes
    size         INTEGER NOT NULL,
    data         BLOB    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id, id);

-- One timeline per person: two records of one person can be merged (and the
-- merge undone). The merged record stays, pointing at the one kept, so that
-- old links and the audit log still make sense; what moved is kept as JSON
-- so that the merge can be undone exactly.
ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers (id);
CREATE TABLE customer_merges (
    id         INTEGER PRIMARY KEY,
    kept_id    INTEGER NOT NULL REFERENCES customers (id),
    merged_id  INTEGER NOT NULL REFERENCES customers (id),
    moved      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    undone_at  INTEGER
);
CREATE INDEX customer_merges_kept ON customer_merges (kept_id, id);
CREATE INDEX customer_merges_merged ON customer_merges (merged_id, id);
