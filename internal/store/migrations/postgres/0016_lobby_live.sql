-- 0016: the lobby in public. A desk may call a ticket again (the person did
-- not hear): recalls counts how often, and called_at moves to the last call,
-- which the board orders by. desk_keys holds secrets the desk makes for
-- itself: "codes" derives the digits of a code read out by the USSD menu
-- (HMAC-SHA256 of the code's id and salt), so that reading a live code again
-- reads the same digits while only their hash is kept in codes.

ALTER TABLE lobby_tickets ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0;

CREATE TABLE desk_keys (
    name       TEXT   PRIMARY KEY,
    secret     BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);

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
