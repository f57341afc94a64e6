-- 0012: inbound email. A customer's mail is kept with a hash of its sender
-- and text (messages.body_hash), so that the same mail from the same sender
-- within the hour (a retrying mail program, a loop with an auto-responder)
-- is known as a duplicate and does not open conversation after conversation.

ALTER TABLE messages ADD COLUMN body_hash TEXT;
CREATE INDEX messages_body_hash ON messages (body_hash);
