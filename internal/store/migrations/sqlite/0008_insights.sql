-- 0008: insights. Agents belong to a team (for the weekly compassion chart
-- per team), and the kindness log keeps acts of care that staff saw a
-- colleague do.

ALTER TABLE agents ADD COLUMN team TEXT NOT NULL DEFAULT '';

CREATE TABLE kindness (
    id              INTEGER PRIMARY KEY,
    agent_id        INTEGER NOT NULL REFERENCES agents (id),   -- the colleague who did it
    recorded_by     INTEGER NOT NULL REFERENCES agents (id),   -- who saw it and wrote it down
    what            TEXT    NOT NULL,                          -- what they did, in plain words
    conversation_id INTEGER REFERENCES conversations (id),     -- where it happened, when it was a conversation
    created_at      INTEGER NOT NULL
);
CREATE INDEX kindness_created ON kindness (created_at);
CREATE INDEX kindness_agent ON kindness (agent_id, created_at);

-- Indexes for the insights, each measured on 100,000 conversations
-- (BenchmarkInsights in insights_bench_test.go):
-- a customer's earlier conversations, for "came back within 90 days";
CREATE INDEX conversations_customer_created ON conversations (customer_id, created_at);
-- first-response and resolution times read from the index alone;
CREATE INDEX conversations_times ON conversations (created_at, first_response_at, resolved_at);
-- one agent's replies, for the coaching view;
CREATE INDEX messages_author ON messages (author_id, created_at);
-- the weekly compassion scores read from the index alone.
CREATE INDEX messages_scores ON messages (direction, created_at, author_id, compassion);
