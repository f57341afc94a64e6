-- 0020: replies of one agent no longer wait for each other's commit.
--
-- A reply added one to its (week, author, score) row of reply_weeks in its
-- own transaction, and the row stayed locked until that transaction had
-- committed: an agent's replies with the same score, posted at once, took
-- turns at the disk's flush (kindred bench --mode replies on PostgreSQL
-- spent most of its waits there). From now on a count is kept here, in as
-- many rows (slots) as there were replies of it being written at once: a
-- reply adds to the first slot no other transaction holds, and opens a new
-- one only when all are held (store/replyweeks.go). reply_weeks keeps the
-- counts written before, and those an older kindred still writes during a
-- rolling upgrade (its statements are unchanged); the dashboard sums both.
CREATE TABLE reply_week_slots (
    week       BIGINT           NOT NULL, -- as in reply_weeks
    author_id  BIGINT           NOT NULL,
    compassion DOUBLE PRECISION NOT NULL,
    slot       SMALLINT         NOT NULL,
    replies    BIGINT           NOT NULL,
    PRIMARY KEY (week, author_id, compassion, slot)
);
