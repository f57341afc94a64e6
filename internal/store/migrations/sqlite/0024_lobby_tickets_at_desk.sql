-- 0024: the ticket each desk is serving, found by index. Every call, and
-- every look at the desks, asked for a desk's called ticket, which read
-- every ticket the lobby ever gave out (about 100 a day at a busy office).
-- A desk serves one ticket at a time: the index holds the called ones only.
CREATE INDEX lobby_tickets_at_desk ON lobby_tickets (desk_id, called_at) WHERE status = 'called';
