-- 0022: what the kiosk told each person about their wait (minutes, the top
-- and bottom of the range shown), and when they were first called: called_at
-- moves with every recall, and the day's report measures the wait to the
-- first. Tickets taken before this keep NULL (not told); those never
-- recalled were first called when they were last called.
ALTER TABLE lobby_tickets ADD COLUMN told_low INTEGER;
ALTER TABLE lobby_tickets ADD COLUMN told_high INTEGER;
ALTER TABLE lobby_tickets ADD COLUMN first_called_at INTEGER;
UPDATE lobby_tickets SET first_called_at = called_at WHERE called_at IS NOT NULL AND recalls = 0;
