-- 0016: the lobby in public. A desk may call a ticket again (the person did
-- not hear): recalls counts how often, and called_at moves to the last call,
-- which the board orders by. (The key that derives a code's digits, so that
-- the USSD menu reads a live code out the same each time while only its
-- hash is kept, is server_keys "codes", made on first use.)

ALTER TABLE lobby_tickets ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0;

-- The desks' pages follow the queue live on every process (store.Listen):
-- a ticket issued, called, recalled, moved or closed, or a desk opened or
-- closed, is announced as {"kind": "lobby"}; pg_notify sends one per
-- transaction however many rows changed.
CREATE FUNCTION kindred_notify_lobby() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kindred:' || current_schema(), json_build_object('kind', 'lobby')::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER lobby_tickets_notify AFTER INSERT OR UPDATE ON lobby_tickets
    FOR EACH ROW EXECUTE FUNCTION kindred_notify_lobby();
CREATE TRIGGER lobby_desks_notify AFTER UPDATE ON lobby_desks
    FOR EACH ROW EXECUTE FUNCTION kindred_notify_lobby();
