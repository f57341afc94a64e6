-- 0018: the signals the engine found in each agent's reply, one row each,
-- for the coaching view, which tallied them from every reply's stored
-- report (a few kilobytes of JSON) each time it was opened: seconds for one
-- agent's quarter on a big desk. Here they are a narrow table read from one
-- index. The store writes a reply's rows with the reply (see
-- replysignals.go); reports never change once written, and messages are
-- never deleted (no foreign key: a delete would have to search this table).
CREATE TABLE reply_signals (
    message_id BIGINT           NOT NULL,
    author_id  BIGINT           NOT NULL,
    created_at BIGINT           NOT NULL, -- the reply's
    compassion DOUBLE PRECISION,          -- the reply's score
    name       TEXT             NOT NULL,
    effect     DOUBLE PRECISION NOT NULL  -- its effect on the score; 0 when the report gave none
);

-- The replies already stored (json, not jsonb: each report is read once,
-- and json only has to find the signals in it, where jsonb would convert
-- all of it first). A signals field that is not a list, and a signal with
-- no name, add nothing.
INSERT INTO reply_signals (message_id, author_id, created_at, compassion, name, effect)
SELECT m.id, m.author_id, m.created_at, m.compassion, s.v ->> 'name', COALESCE((s.v ->> 'effect')::double precision, 0)
FROM messages m CROSS JOIN LATERAL json_array_elements(CASE WHEN json_typeof(m.analysis::json -> 'reply' -> 'signals') = 'array'
    THEN m.analysis::json -> 'reply' -> 'signals' ELSE '[]'::json END) AS s(v)
WHERE m.direction = 'out' AND m.author_id IS NOT NULL AND m.analysis IS NOT NULL
  AND json_typeof(s.v) = 'object' AND s.v ->> 'name' IS NOT NULL;

-- One agent's signals in a period, read from the index alone.
CREATE INDEX reply_signals_author ON reply_signals (author_id, created_at, name, effect, compassion, message_id);
