-- Doubles an imported history: every conversation and message again, as
-- new rows moved later by the span the conversations cover, so that the
-- copy continues the original (same customers, who come back; the engine's
-- reports copied as the import stored them). scripts/dash10m.sh runs it
-- with DASH_DOUBLE=1: an import is the slow part of building the data set,
-- and this takes a fraction of its time. psql -v copies=2 adds two copies
-- (the second moved twice as far): three times the history. PostgreSQL,
-- as a superuser.
\if :{?copies}
\else
\set copies 1
\endif

-- The copies need no NOTIFY each (nobody listens) and no foreign-key
-- checks (they are copies of rows that passed them).
SET session_replication_role = replica;
BEGIN;
CREATE TEMP TABLE k AS SELECT
    (SELECT MAX(id) FROM conversations) AS conv,
    (SELECT MAX(id) FROM messages) AS msg,
    (SELECT MAX(created_at) - MIN(created_at) FROM conversations) AS shift,
    :copies AS copies;

INSERT INTO conversations (id, customer_id, channel, subject, status, priority, assignee_id, created_at, updated_at,
                           first_response_at, resolved_at, due_at, due_reminded_at)
SELECT c.id + g * k.conv, c.customer_id, c.channel, c.subject, c.status, c.priority, c.assignee_id,
       c.created_at + g * k.shift, c.updated_at + g * k.shift, c.first_response_at + g * k.shift,
       c.resolved_at + g * k.shift, c.due_at + g * k.shift, c.due_reminded_at + g * k.shift
FROM conversations c, k, generate_series(1, k.copies) g;

INSERT INTO messages (id, conversation_id, direction, author_id, helper_id, author_name, body, created_at, compassion,
                      sentiment, distress, analysis, channel, delivery_status, delivery_error, recipient, email_id, body_hash)
SELECT m.id + g * k.msg, m.conversation_id + g * k.conv, m.direction, m.author_id, m.helper_id, m.author_name, m.body,
       m.created_at + g * k.shift, m.compassion, m.sentiment, m.distress, m.analysis, m.channel, m.delivery_status,
       m.delivery_error, m.recipient, NULL, m.body_hash
FROM messages m, k, generate_series(1, k.copies) g;

-- The replies' signals (migration 0018), when the schema has them.
DO $$
BEGIN
    IF to_regclass('reply_signals') IS NOT NULL THEN
        INSERT INTO reply_signals (author_id, created_at, message_id, compassion, signals)
        SELECT r.author_id, r.created_at + g * k.shift, r.message_id + g * k.msg, r.compassion, r.signals
        FROM reply_signals r, k, generate_series(1, k.copies) g;
    END IF;
END
$$;

SELECT setval(pg_get_serial_sequence('conversations', 'id'), (SELECT MAX(id) FROM conversations));
SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT MAX(id) FROM messages));
COMMIT;
