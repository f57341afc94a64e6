-- 0025: the outbox's lists (sent, pending, dead: newest first) read off an
-- index in their order. The one index on status, outbox_due, goes on by
-- next_attempt_at, so a list took every message of that status and sorted
-- it to show fifty: the sent list, every message the desk ever sent.
-- SQLite ends each index entry with the rowid (here id), so an index on
-- status alone is already in (status, id) order, a fifth smaller than one
-- naming id again.
CREATE INDEX outbox_status ON outbox (status);
