-- 0021: on PostgreSQL a post announces its message and conversation to the
-- other kindred processes after its commit instead of in it. SQLite has one
-- process, which announces nothing through the database: nothing changes.
SELECT 1;
