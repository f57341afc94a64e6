-- 0015: saved replies. An office writes the replies it gives often once
-- ("Your card is ready for collection at desk 3"), with {name} where the
-- customer's name goes, and agents start from them. Removing one keeps
-- its row for the record.

CREATE TABLE saved_replies (
    id         INTEGER PRIMARY KEY,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX saved_replies_title ON saved_replies (lower(title)) WHERE active;
