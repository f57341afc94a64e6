-- 0009: live updates across processes, which on PostgreSQL are announced
-- by triggers. An SQLite database is served by one process, whose consoles
-- hear its news directly: nothing to do here but keep the numbering level.
SELECT 1;
