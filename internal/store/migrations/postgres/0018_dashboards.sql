-- 0018: for the dashboards of a big desk (docs/dashboards-10m.md).
--
-- The signals the engine found in each agent's reply, kept beside the
-- reply for the coaching view, which read them out of every reply's whole
-- report (about 4 KB of JSON) each time it was opened: seconds for one
-- agent's quarter on a big desk. Here a reply's signals are a short JSON
-- list, [{"name": "apology", "effect": 5}, …], under its author and time.
-- The store writes a reply's row with the reply (see replysignals.go), one
-- row a reply: an import writes a million messages, and a row per signal
-- (or a trigger) cost it a third of its speed or more. Reports never change
-- once written, and messages are never deleted (no foreign key: a delete
-- would have to search this table). A reply without signals has no row.
CREATE TABLE reply_signals (
    author_id  BIGINT NOT NULL,
    created_at BIGINT NOT NULL, -- the reply's
    message_id BIGINT NOT NULL,
    compassion DOUBLE PRECISION, -- the reply's score
    signals    JSONB  NOT NULL,
    PRIMARY KEY (author_id, created_at, message_id)
);

-- The replies already stored: json, not jsonb, reads each report, as json
-- only has to find the signals in it where jsonb would convert all of it
-- first; OFFSET 0 keeps the planner from finding them twice. A signals
-- field that is not a list, and a signal with no name, add nothing.
INSERT INTO reply_signals (author_id, created_at, message_id, compassion, signals)
SELECT author_id, created_at, id, compassion, signals FROM (
    SELECT m.author_id, m.created_at, m.id, m.compassion,
           (SELECT jsonb_agg(jsonb_build_object('name', s.v ->> 'name',
                                                'effect', COALESCE((s.v ->> 'effect')::double precision, 0)))
            FROM json_array_elements(CASE WHEN json_typeof(r.list) = 'array' THEN r.list ELSE '[]'::json END) AS s(v)
            WHERE json_typeof(s.v) = 'object' AND s.v ->> 'name' IS NOT NULL) AS signals
    FROM messages m
    CROSS JOIN LATERAL (SELECT m.analysis::json -> 'reply' -> 'signals' AS list OFFSET 0) r
    WHERE m.direction = 'out' AND m.author_id IS NOT NULL AND m.analysis IS NOT NULL
) t
WHERE signals IS NOT NULL;

-- The dashboard's compassion against satisfaction averages the reply scores
-- of each answered survey's conversation: with the score in the index that
-- finds a conversation's messages by direction, it reads them from the
-- index alone instead of fetching every reply's row (on ten million
-- messages, most of the query's time). It replaces the index without the
-- score, which served the lookups of a conversation's latest customer
-- message, as this one does.
CREATE INDEX messages_conversation_scores ON messages (conversation_id, direction, id, compassion);
DROP INDEX messages_latest_inbound;
