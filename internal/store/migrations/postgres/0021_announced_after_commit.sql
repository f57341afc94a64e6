-- 0021: a post announces its message and its conversation after its
-- commit (store/announce.go), no longer in its transaction: a transaction
-- that sends a NOTIFY holds a lock on the database's notification queue
-- until its commit is on disk, so every post waited for the one before it
-- to reach the disk. A post names the two rows it will announce itself in
-- kindred.announced_message and kindred.announced_conversation (set for
-- its transaction only), and the triggers stay quiet for those (a new
-- conversation is announced the same way, and so are its tags, since the
-- post announces the conversation as a whole); every other change is
-- announced as before. An older kindred sets neither, and its
-- posts are announced by the triggers as they were.
CREATE OR REPLACE FUNCTION kindred_notify_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('kindred.announced_message', true) = NEW.id::text THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('kindred:' || current_schema(),
        json_build_object('kind', 'message', 'conversation_id', NEW.conversation_id, 'message_id', NEW.id)::text);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION kindred_notify_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('kindred.announced_conversation', true) = NEW.id::text THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('kindred:' || current_schema(),
        json_build_object('kind', 'conversation', 'conversation_id', NEW.id)::text);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION kindred_notify_tags() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    id BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        id := OLD.conversation_id;
    ELSE
        id := NEW.conversation_id;
    END IF;
    IF current_setting('kindred.announced_conversation', true) = id::text THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('kindred:' || current_schema(),
        json_build_object('kind', 'conversation', 'conversation_id', id)::text);
    RETURN NULL;
END
$$;
