-- 0019: the weekly compassion distributions of a year on a big desk
-- (docs/dashboards-10m.md).
--
-- The agents' scored replies counted by week (Monday, UTC, as weekExpr in
-- insights.go cuts them), author and score. A score is rounded to a tenth,
-- so an agent's week is at most 1,001 rows however many replies it holds;
-- the dashboard ranks whole weeks from here and reads only the partial
-- weeks at the ends of a period from messages. The team is not kept: a
-- reply counts for its author's team at the time the dashboard is read,
-- as it did before. The store adds a reply's count in the same transaction
-- as the reply (see replyweeks.go); messages are never deleted and their
-- scores never change, so nothing is ever taken away.
CREATE TABLE reply_weeks (
    week       INTEGER NOT NULL, -- (created_at - 345600000) / 604800000
    author_id  INTEGER NOT NULL,
    compassion REAL    NOT NULL,
    replies    INTEGER NOT NULL,
    PRIMARY KEY (week, author_id, compassion)
) WITHOUT ROWID;

-- The replies already stored.
INSERT INTO reply_weeks (week, author_id, compassion, replies)
SELECT (created_at - 345600000) / 604800000, author_id, compassion, COUNT(*)
FROM messages
WHERE direction = 'out' AND author_id IS NOT NULL AND compassion IS NOT NULL
GROUP BY 1, 2, 3;
