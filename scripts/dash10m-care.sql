-- The care a desk's history carries beside its messages, which an import
-- brings none of: surveys answered after resolved conversations, heads-ups
-- about delays, follow-ups, and the kindness log. PostgreSQL; run by
-- scripts/dash10m.sh after the import, on the imported conversations.
-- setseed makes the same history each time.
SELECT setseed(0.15);

-- A survey after each resolved conversation on a channel that can carry
-- one, a third of them answered within two days; credited to the last
-- agent who replied. Satisfaction leans on how kind the replies were, as
-- the dashboard's correlation expects of a real desk, with noise.
CREATE TEMP TABLE resolved AS
SELECT c.id, c.customer_id, c.channel, c.resolved_at,
       (SELECT m.author_id FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'out'
         ORDER BY m.id DESC LIMIT 1) AS agent_id,
       (SELECT AVG(m.compassion) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'out') AS kind
FROM conversations c
WHERE c.resolved_at IS NOT NULL AND c.channel IN ('sms', 'email', 'chat', 'whatsapp');

INSERT INTO surveys (conversation_id, customer_id, agent_id, channel, token_hash, created_at, expires_at,
                     answered_at, satisfaction, felt_heard)
SELECT id, customer_id, agent_id, CASE WHEN channel IN ('sms', 'email') THEN channel ELSE 'web' END,
       sha256(('survey ' || id)::bytea), resolved_at, resolved_at + 7 * 86400000,
       CASE WHEN answered THEN resolved_at + (random() * 2 * 86400000)::bigint END,
       CASE WHEN answered THEN LEAST(5, GREATEST(1, round(COALESCE(kind, 50) / 25 + random() * 2.2)::int)) END,
       CASE WHEN answered THEN (ARRAY['yes', 'yes', 'yes', 'partly', 'no'])[1 + floor(random() * 5)::int] END
FROM (SELECT *, random() < 0.33 AS answered FROM resolved) r;

-- A heads-up about a delay in one conversation in thirty, sent a day after
-- it opened; most had a date promised before.
INSERT INTO delays (conversation_id, reason, promised_at, new_date, draft, channel, status, created_by,
                    approved_by, created_at, approved_at, sent_at)
SELECT c.id, 'The card printer is being repaired',
       CASE WHEN random() < 0.7 THEN c.created_at + (random() * 4 * 86400000)::bigint END,
       c.created_at + 6 * 86400000, 'Your card will be a few days late; it will reach you by Friday.',
       'sms', 'sent', a.id, a.id, c.created_at + 80000000, c.created_at + 85000000, c.created_at + 86400000
FROM conversations c JOIN agents a ON a.id = 1 + c.id % 60
WHERE random() < 1.0 / 30;

-- A follow-up in one conversation in twelve, due three days after it
-- opened: most done, some skipped, those due lately still pending.
INSERT INTO follow_ups (conversation_id, agent_id, what, due_at, status, outcome, created_at, closed_at)
SELECT id, agent, 'Call to check the card arrived', due,
       CASE WHEN due > (extract(epoch FROM now()) * 1000)::bigint - 86400000 * 3 THEN 'pending'
            WHEN roll < 0.85 THEN 'done' ELSE 'skipped' END,
       '', created_at,
       CASE WHEN due <= (extract(epoch FROM now()) * 1000)::bigint - 86400000 * 3 THEN due + 3600000 END
FROM (SELECT id, 1 + (id * 7) % 60 AS agent, created_at + 3 * 86400000 AS due, created_at, random() AS roll
      FROM conversations WHERE random() < 1.0 / 12) f;

-- About forty acts of kindness a day, over the history's span.
INSERT INTO kindness (agent_id, recorded_by, what, conversation_id, created_at)
SELECT 1 + (i * 13) % 60, 1 + (i * 29 + 1) % 60, 'Stayed on after closing to finish a pension claim',
       NULL, lo + (random() * (hi - lo))::bigint
FROM (SELECT MIN(created_at) AS lo, MAX(created_at) AS hi, (MAX(created_at) - MIN(created_at)) / 2160000 AS n
      FROM conversations) s, generate_series(1, n) i;

ANALYZE;
