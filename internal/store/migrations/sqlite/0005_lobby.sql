-- 0005: the lobby. Services people queue for (lobby_queues), desks that
-- serve them, and walk-in tickets. A ticket's number is per service per day
-- (A-014); its rank_at is when it is called by: its arrival, earlier for a
-- priority ticket (see internal/queue). Why a ticket has priority or needs a
-- seat is never stored here: only the two flags.

CREATE TABLE lobby_queues (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,           -- prefixes ticket numbers: A-014
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE lobby_desks (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,           -- what the board says: "3"
    seated     BOOLEAN NOT NULL DEFAULT 0,        -- a chair for the customer
    is_open    BOOLEAN NOT NULL DEFAULT 0,
    agent_id   INTEGER REFERENCES agents (id),    -- who opened it
    opened_at  INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE lobby_desk_queues (
    desk_id  INTEGER NOT NULL REFERENCES lobby_desks (id),
    queue_id INTEGER NOT NULL REFERENCES lobby_queues (id),
    PRIMARY KEY (desk_id, queue_id)
);

CREATE TABLE lobby_tickets (
    id            INTEGER PRIMARY KEY,
    queue_id      INTEGER NOT NULL REFERENCES lobby_queues (id),
    issued_by     INTEGER NOT NULL REFERENCES lobby_queues (id), -- the service whose number it holds
    day           TEXT    NOT NULL,               -- YYYY-MM-DD, the office's day
    seq           INTEGER NOT NULL,               -- per issuing service per day
    number        TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('waiting', 'called', 'served', 'no_show')),
    priority      BOOLEAN NOT NULL DEFAULT 0,
    seated        BOOLEAN NOT NULL DEFAULT 0,
    phone         TEXT    NOT NULL DEFAULT '',    -- E.164, for the SMS when near and when called
    language      TEXT    NOT NULL DEFAULT 'en',  -- of the SMS: en or sw
    customer_id   INTEGER REFERENCES customers (id),
    desk_id       INTEGER REFERENCES lobby_desks (id),
    rank_at       INTEGER NOT NULL,
    notified_near BOOLEAN NOT NULL DEFAULT 0,     -- the 3-places-away SMS went
    created_at    INTEGER NOT NULL,
    called_at     INTEGER,
    closed_at     INTEGER,                        -- served or no-show
    UNIQUE (issued_by, day, seq)
);
CREATE INDEX lobby_tickets_live ON lobby_tickets (day, status, queue_id, rank_at);
CREATE INDEX lobby_tickets_phone ON lobby_tickets (phone, day);
CREATE INDEX lobby_tickets_history ON lobby_tickets (queue_id, status, closed_at);
