-- 0016: the lobby in public. A desk may call a ticket again (the person did
-- not hear): recalls counts how often, and called_at moves to the last call,
-- which the board orders by. desk_keys holds secrets the desk makes for
-- itself: "codes" derives the digits of a code read out by the USSD menu
-- (HMAC-SHA256 of the code's id and salt), so that reading a live code again
-- reads the same digits while only their hash is kept in codes.

ALTER TABLE lobby_tickets ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0;

CREATE TABLE desk_keys (
    name       TEXT    PRIMARY KEY,
    secret     BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
