-- 0020: counts of replies in slots (see the PostgreSQL migration: there, a
-- reply adds to a slot no other transaction holds, so that an agent's
-- replies do not wait for each other's commit). SQLite has one writer:
-- every count from now on is in slot 0 here, reply_weeks keeps those
-- written before, and the dashboard sums both, as on PostgreSQL.
CREATE TABLE reply_week_slots (
    week       INTEGER NOT NULL,
    author_id  INTEGER NOT NULL,
    compassion REAL    NOT NULL,
    slot       INTEGER NOT NULL,
    replies    INTEGER NOT NULL,
    PRIMARY KEY (week, author_id, compassion, slot)
) WITHOUT ROWID;
