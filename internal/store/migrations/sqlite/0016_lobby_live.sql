-- 0016: the lobby in public. A desk may call a ticket again (the person did
-- not hear): recalls counts how often, and called_at moves to the last call,
-- which the board orders by. (The key that derives a code's digits, so that
-- the USSD menu reads a live code out the same each time while only its
-- hash is kept, is server_keys "codes", made on first use.)

ALTER TABLE lobby_tickets ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0;
