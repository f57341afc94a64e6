-- 0009: live updates across processes. Several kindred processes may serve
-- one PostgreSQL database; each keeps its open consoles up to date. Every
-- committed change to a conversation is announced on a channel named after
-- the schema (so that two desks in one database stay apart), which each
-- process LISTENs to (store.Listen). pg_notify delivers only at commit, and
-- once per distinct payload in a transaction.

CREATE FUNCTION kindred_notify_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kindred:' || current_schema(),
        json_build_object('kind', 'message', 'conversation_id', NEW.conversation_id, 'message_id', NEW.id)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER messages_notify AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION kindred_notify_message();

CREATE FUNCTION kindred_notify_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kindred:' || current_schema(),
        json_build_object('kind', 'conversation', 'conversation_id', NEW.id)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER conversations_notify AFTER INSERT OR UPDATE ON conversations
    FOR EACH ROW EXECUTE FUNCTION kindred_notify_conversation();

-- Tags live in their own table: a change to them is a change to the conversation.
CREATE FUNCTION kindred_notify_tags() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    id BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        id := OLD.conversation_id;
    ELSE
        id := NEW.conversation_id;
    END IF;
    PERFORM pg_notify('kindred:' || current_schema(),
        json_build_object('kind', 'conversation', 'conversation_id', id)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER conversation_tags_notify AFTER INSERT OR DELETE ON conversation_tags
    FOR EACH ROW EXECUTE FUNCTION kindred_notify_tags();
