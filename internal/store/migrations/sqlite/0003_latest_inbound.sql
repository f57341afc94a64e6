-- Replies are judged against the customer's latest message: find it with one
-- index seek, however many replies followed it.
CREATE INDEX messages_latest_inbound ON messages (conversation_id, direction, id);
