-- 0025: the outbox's lists (sent, pending, dead: newest first) read off an
-- index in their order, as on SQLite. Without it PostgreSQL either sorts
-- every message of the status (outbox_due goes on by next_attempt_at) or
-- walks the primary key back past every other status's messages, which for
-- a few dead ones among a year's sent ones is the whole table.
CREATE INDEX outbox_status ON outbox (status, id);
