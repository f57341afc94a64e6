-- 0017: history brought in from another desk (kindred import). Every record
-- taken from an export (a Zendesk ticket, a Chatwoot contact, a row of a
-- CSV file) is remembered by where it came from and its id there, so that
-- importing the same file again, or again after a run was stopped halfway,
-- adds nothing twice.
CREATE TABLE import_ids (
    source    TEXT   NOT NULL, -- the desk it came from: "zendesk", or the name given with --source
    kind      TEXT   NOT NULL, -- customer or conversation
    source_id TEXT   NOT NULL, -- its id there
    local_id  BIGINT NOT NULL, -- its id here
    PRIMARY KEY (source, kind, source_id)
);

-- Messages are known by their id within their conversation: a million
-- message ids in one index, in no order, would dirty a page of it for
-- nearly every message imported; under their conversation they sit
-- together, and a new conversation's are appended at the end. The ids
-- point at nothing (no foreign keys): a message or conversation erased
-- later keeps its row here, so that importing the file again does not
-- bring it back.
CREATE TABLE import_messages (
    source          TEXT    NOT NULL,
    conversation_id BIGINT  NOT NULL,
    source_id       TEXT    NOT NULL,
    message_id      BIGINT  NOT NULL,
    PRIMARY KEY (source, conversation_id, source_id)
);

-- Most messages have neither an email Message-ID nor a body hash (only
-- inbound email has them), yet every message put a NULL into both indexes:
-- two index writes per message for nothing. Indexed only where set, the
-- lookups (email_id = ?, email_id IN (...), body_hash = ?) use them as
-- before, and email ids stay unique.
DROP INDEX messages_email_id;
CREATE UNIQUE INDEX messages_email_id ON messages (email_id) WHERE email_id IS NOT NULL;
DROP INDEX messages_body_hash;
CREATE INDEX messages_body_hash ON messages (body_hash) WHERE body_hash IS NOT NULL;
