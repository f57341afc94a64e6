-- dash10m-sql.sql builds, in SQL alone and in a few minutes, a desk's history of the
-- shape scripts/dash10m.sh imports in an hour: 60 agents in 8 teams, 126,000 customers,
-- :conversations conversations (default 530,000) from 2025-06-01 to 2026-12-01, 19
-- messages each (10,070,000): nine agents' replies, nine or ten customers' messages, and
-- a note in one conversation in three. No engine runs: the messages carry a score and no
-- report (so reply_signals stays empty, and messages is narrower than an imported one).
--
--   createdb kindredsql && kindred migrate --db postgres://…/kindredsql
--   psql -v spread=engine -f scripts/dash10m-sql.sql postgres://…/kindredsql
--   psql -f scripts/dash10m-care.sql postgres://…/kindredsql && vacuumdb --analyze …
--
-- spread=engine (the default) scores the replies as the engine scored 17,907 of
-- importgen's (the 186 scores below, in their shares; about 80 distinct scores in an
-- agent's week of 1,000 replies); spread=normal draws them from a normal spread (mean 72,
-- s.d. 14, rounded to a tenth, within 0 and 100; about 450 distinct in such a week), a
-- harder case for anything that counts replies by score. setseed makes the same history
-- each time. It drops and rebuilds the indexes of messages and conversations around the
-- load, and runs with triggers off (no notifications for ten million inserts).
\set ON_ERROR_STOP 1
\if :{?spread} \else \set spread engine \endif
\if :{?conversations} \else \set conversations 530000 \endif
SELECT setseed(0.365);
SET session_replication_role = replica;

-- The engine's scores on importgen's replies: (score, replies).
CREATE TEMP TABLE engine_scores (score double precision, n int);
INSERT INTO engine_scores VALUES
    (30.5, 6), (31.9, 1), (32.5, 3), (33.9, 3), (34.9, 1), (35.5, 2), (36.9, 2), (38.5, 18), (38.7, 1),
    (39.9, 4), (40.5, 1), (40.6, 2), (41.5, 700), (41.6, 5), (41.7, 3), (42.0, 1), (42.9, 9), (43.5, 1),
    (43.6, 7), (43.7, 4), (44.0, 1), (45.0, 13), (45.7, 1), (45.9, 695), (46.5, 17), (46.6, 7), (46.7, 2),
    (47.0, 8), (48.0, 756), (49.5, 691), (49.6, 33), (49.7, 17), (50.0, 11), (51.0, 7), (52.6, 1429),
    (52.7, 741), (53.0, 31), (54.0, 378), (55.0, 2), (56.0, 1436), (57.0, 1), (58.0, 7), (60.0, 12),
    (63.0, 3), (66.0, 26), (69.0, 1457), (71.1, 1), (71.8, 1), (73.4, 1), (73.8, 1), (73.9, 2), (74.0, 3),
    (74.2, 1), (75.0, 1), (76.5, 1), (76.8, 6), (76.9, 6), (77.0, 1), (77.1, 3), (78.8, 2), (79.0, 9),
    (79.4, 1), (79.5, 2), (79.7, 1), (79.8, 4), (79.9, 9), (80.0, 2), (80.1, 4), (80.8, 2), (81.2, 2),
    (81.8, 5), (81.9, 1), (82.0, 505), (82.1, 1), (82.2, 4), (82.3, 2), (82.4, 55), (82.5, 46), (82.7, 61),
    (82.8, 320), (82.9, 416), (83.0, 145), (83.1, 257), (83.2, 61), (83.3, 13), (83.4, 13), (83.5, 22),
    (83.6, 26), (83.7, 7), (83.8, 42), (83.9, 14), (84.0, 16), (84.1, 8), (84.2, 7), (84.3, 2), (84.4, 1),
    (84.7, 2), (84.8, 1), (84.9, 5), (85.0, 5), (85.1, 4), (85.2, 4), (85.3, 4), (85.4, 2), (85.5, 1),
    (85.6, 1), (85.8, 1), (85.9, 1), (86.8, 1), (86.9, 1), (87.0, 7), (87.1, 1), (87.2, 5), (87.3, 4),
    (87.4, 3), (87.5, 1), (87.6, 1), (87.8, 168), (87.9, 115), (88.0, 165), (88.1, 347), (88.2, 269),
    (88.3, 158), (88.4, 60), (88.5, 50), (88.6, 34), (88.7, 11), (88.8, 38), (88.9, 15), (89.0, 4),
    (89.7, 45), (89.8, 50), (89.9, 47), (90.0, 350), (90.1, 222), (90.2, 314), (90.3, 201), (90.4, 71),
    (90.5, 39), (90.6, 56), (90.7, 31), (90.8, 14), (90.9, 6), (91.1, 1), (91.4, 1), (91.5, 1), (91.6, 4),
    (91.7, 1), (91.8, 4), (92.6, 1), (93.9, 1), (94.0, 1), (94.3, 2), (94.4, 1), (94.5, 1), (94.6, 5),
    (94.7, 2), (94.8, 6), (94.9, 2), (95.0, 10), (95.4, 2), (95.5, 1), (95.7, 2), (96.0, 503), (96.1, 2),
    (97.1, 60), (97.3, 150), (97.4, 150), (97.5, 71), (97.6, 310), (97.7, 247), (97.8, 301), (97.9, 73),
    (98.0, 595), (98.1, 10), (98.2, 12), (98.3, 21), (98.4, 19), (98.5, 31), (98.6, 23), (98.7, 30),
    (98.8, 18), (98.9, 1), (99.0, 1), (99.1, 46), (100.0, 1577);
-- 10,000 slots, each the score at its quantile: a reply draws one.
CREATE TEMP TABLE slots AS
SELECT array_agg((SELECT s.score FROM (SELECT score, SUM(n) OVER (ORDER BY score) AS upto FROM engine_scores) s
                  WHERE s.upto >= (g + 0.5) / 10000 * (SELECT SUM(n) FROM engine_scores) ORDER BY s.upto LIMIT 1)
                 ORDER BY g) AS a
FROM generate_series(0, 9999) g;

INSERT INTO agents (name, email, role, team, created_at)
SELECT 'Agent ' || i, 'agent' || i || '@desk.example', 'agent',
       (ARRAY['Pensions', 'Cards', 'Payments', 'Records', 'Walk-in', 'Email desk', 'Night shift', 'Outreach'])[1 + (i - 1) % 8],
       (extract(epoch FROM timestamp '2025-05-01') * 1000)::bigint
FROM generate_series(1, 60) i;
INSERT INTO customers (id, name, created_at, updated_at) OVERRIDING SYSTEM VALUE
SELECT i, 'Customer ' || i, 1748736000000, 1748736000000 FROM generate_series(1, 126000) i;
SELECT setval(pg_get_serial_sequence('customers', 'id'), 126000);

CREATE TEMP TABLE idx AS SELECT indexname, indexdef FROM pg_indexes
WHERE tablename IN ('messages', 'conversations') AND indexname NOT LIKE '%_pkey';
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexname FROM idx LOOP EXECUTE 'DROP INDEX ' || r.indexname; END LOOP; END $$;

-- 2025-06-01 is 1748736000000, 2026-12-01 1796083200000 (unix ms); a message every 10 minutes.
INSERT INTO conversations (id, customer_id, channel, subject, status, priority, created_at, updated_at,
                           first_response_at, resolved_at) OVERRIDING SYSTEM VALUE
SELECT i, 1 + floor(random() * 126000)::bigint,
       (ARRAY['desk', 'email', 'chat', 'sms', 'ussd', 'phone'])[1 + floor(random() * 6)::int], 'Help',
       'resolved', 'normal', t, t + 19 * 600000, t + 600000 + floor(random() * 3600000)::bigint, t + 19 * 600000
FROM (SELECT i, 1748736000000 + floor(random() * (1796083200000 - 1748736000000 - 19 * 600000))::bigint AS t
      FROM generate_series(1, :conversations) i) c;
SELECT setval(pg_get_serial_sequence('conversations', 'id'), :conversations);

INSERT INTO messages (id, conversation_id, direction, author_id, author_name, body, created_at, compassion,
                      channel, delivery_status) OVERRIDING SYSTEM VALUE
SELECT (c.id - 1) * 19 + k, c.id,
       CASE WHEN k = 18 AND c.id % 3 = 0 THEN 'note' WHEN k % 2 = 0 THEN 'in' ELSE 'out' END,
       CASE WHEN k % 2 = 1 OR (k = 18 AND c.id % 3 = 0) THEN 1 + (c.id * 7 + k / 8) % 60 END,
       '', 'Thank you for waiting, I have looked at your card and it is on its way to the branch.',
       c.created_at + k * 600000,
       CASE WHEN k % 2 = 1 THEN
            CASE WHEN :'spread' = 'normal'
                 THEN round(LEAST(100, GREATEST(0, 72 + 14 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))::numeric, 1)::double precision
                 -- "+ 0 * k" makes it a subquery run for each reply, not once.
                 ELSE (SELECT a[1 + floor(random() * 10000)::int + 0 * k] FROM slots) END END,
       c.channel, CASE WHEN k % 2 = 1 THEN 'recorded' ELSE '' END
FROM conversations c, generate_series(0, 18) k;
SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT max(id) FROM messages));

DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexdef FROM idx LOOP EXECUTE r.indexdef; END LOOP; END $$;
SET session_replication_role = DEFAULT;
