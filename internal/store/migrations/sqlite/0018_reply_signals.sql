-- 0018: the signals the engine found in each agent's reply, one row each,
-- for the coaching view, which tallied them from every reply's stored
-- report (a few kilobytes of JSON) each time it was opened: seconds for one
-- agent's quarter on a big desk. Here they are a narrow table read from one
-- index. The store writes a reply's rows with the reply (see
-- replysignals.go); reports never change once written, and messages are
-- never deleted (no foreign key: a delete would have to search this table).
-- A trigger would keep it too, but doubled the time an import takes.
CREATE TABLE reply_signals (
    message_id INTEGER NOT NULL,
    author_id  INTEGER NOT NULL,
    created_at INTEGER NOT NULL, -- the reply's
    compassion REAL,             -- the reply's score
    name       TEXT    NOT NULL,
    effect     REAL    NOT NULL  -- its effect on the score; 0 when the report gave none
);

-- The replies already stored. A report that is not JSON, a signals field
-- that is not a list, and a signal with no name add nothing.
INSERT INTO reply_signals (message_id, author_id, created_at, compassion, name, effect)
SELECT m.id, m.author_id, m.created_at, m.compassion, json_extract(s.value, '$.name'),
       COALESCE(json_extract(s.value, '$.effect'), 0)
FROM messages m, json_each(m.analysis, '$.reply.signals') s
WHERE m.direction = 'out' AND m.author_id IS NOT NULL AND json_valid(m.analysis)
  AND json_type(m.analysis, '$.reply.signals') = 'array' AND s.type = 'object'
  AND json_extract(s.value, '$.name') IS NOT NULL;

-- One agent's signals in a period, read from the index alone.
CREATE INDEX reply_signals_author ON reply_signals (author_id, created_at, name, effect, compassion, message_id);
