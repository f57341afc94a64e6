package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

func validConversation(channel kindred.Channel, status kindred.Status, priority kindred.Priority, v *kindred.Validation) {
	if !slices.Contains(kindred.Channels, channel) {
		v.Add("channel", "must be one of desk, email, chat, sms, ussd, phone")
	}
	if !slices.Contains(kindred.Statuses, status) {
		v.Add("status", "must be one of open, waiting_on_customer, waiting_on_us, resolved")
	}
	if !slices.Contains(kindred.Priorities, priority) {
		v.Add("priority", "must be one of low, normal, high, urgent")
	}
}

// normalTags trims tags, drops empty ones and duplicates, and sorts them, as
// they will read back.
func normalTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// CreateConversation stores a new conversation. Status defaults to open and
// priority to normal.
func (db *DB) CreateConversation(ctx context.Context, c *kindred.Conversation) error {
	if c.Status == "" {
		c.Status = kindred.StatusOpen
	}
	if c.Priority == "" {
		c.Priority = kindred.PriorityNormal
	}
	var v kindred.Validation
	validConversation(c.Channel, c.Status, c.Priority, &v)
	if err := v.Err(); err != nil {
		return err
	}
	c.Tags = normalTags(c.Tags)
	c.CreatedAt = db.clock()
	c.UpdatedAt = c.CreatedAt
	c.FirstResponseAt = roundMSPtr(c.FirstResponseAt)
	c.ResolvedAt = nil
	c.DueAt = roundMSPtr(c.DueAt)
	if c.Status == kindred.StatusResolved {
		c.ResolvedAt = &c.CreatedAt
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "customers", "customer_id", c.CustomerID); err != nil {
			return err
		}
		if c.AssigneeID != nil {
			if err := tx.mustExist(ctx, "agents", "assignee_id", *c.AssigneeID); err != nil {
				return err
			}
		}
		query := `INSERT INTO conversations (customer_id, channel, subject, status, priority, assignee_id,
			created_at, updated_at, first_response_at, resolved_at, due_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
		var id int64
		scan := []any{&id}
		if db.dialect == Postgres {
			// Announced after the commit, as a post is (announce.go); the
			// triggers are told, before they run at the statement's end.
			query += ", set_config('kindred.announced_conversation', id::text, true)"
			scan = append(scan, new(string))
		}
		err := tx.QueryRow(ctx, query, c.CustomerID, string(c.Channel), c.Subject, string(c.Status), string(c.Priority), nullInt(c.AssigneeID),
			ms(c.CreatedAt), ms(c.UpdatedAt), msPtr(c.FirstResponseAt), msPtr(c.ResolvedAt), msPtr(c.DueAt)).Scan(scan...)
		if err != nil {
			return err
		}
		c.ID = id
		if db.dialect == Postgres {
			tx.announced = append(tx.announced, Change{Kind: ChangeConversation, ConversationID: id})
		}
		if err := tx.addTags(ctx, id, c.Tags); err != nil {
			return err
		}
		return tx.Audit(ctx, "conversation.create", "conversation", id,
			fmt.Sprintf("customer %d, %s", c.CustomerID, c.Channel))
	})
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	return nil
}

func (tx *Tx) setTags(ctx context.Context, id int64, tags []string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM conversation_tags WHERE conversation_id = ?", id); err != nil {
		return fmt.Errorf("clear tags: %w", err)
	}
	return tx.addTags(ctx, id, tags)
}

// addTags tags conversation id, which has none of tags yet.
func (tx *Tx) addTags(ctx context.Context, id int64, tags []string) error {
	for _, t := range tags {
		if _, err := tx.Exec(ctx, "INSERT INTO conversation_tags (conversation_id, tag) VALUES (?, ?)", id, t); err != nil {
			return fmt.Errorf("tag %q: %w", t, err)
		}
	}
	return nil
}

// tags returns the tags of each conversation in ids, sorted.
func (tx *Tx) tags(ctx context.Context, ids []int64) (map[int64][]string, error) {
	tags := make(map[int64][]string, len(ids))
	if len(ids) == 0 {
		return tags, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.Query(ctx, "SELECT conversation_id, tag FROM conversation_tags WHERE conversation_id IN ("+
		placeholders(len(ids))+") ORDER BY conversation_id, tag", args...)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t string
		if err := rows.Scan(&id, &t); err != nil {
			return nil, fmt.Errorf("read tags: %w", err)
		}
		tags[id] = append(tags[id], t)
	}
	return tags, rows.Err()
}

// maxInList is the most ids one IN (…) list holds: far under what either
// database accepts, and a full page of the inbox (500) takes two statements.
const maxInList = 256

// inLists calls fn with the distinct ids in lists of at most maxInList, each
// given as its "?, ?…" placeholders and arguments. A list is padded with its
// last id up to a power of two, so that the statements DB.bind remembers stay
// a handful of shapes however many ids the callers ask for.
func inLists(ids []int64, fn func(placeholders string, args []any) error) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for list := range slices.Chunk(ids, maxInList) {
		n := 1
		for n < len(list) {
			n *= 2
		}
		args := make([]any, n)
		for i := range args {
			args[i] = list[min(i, len(list)-1)]
		}
		if err := fn(placeholders(n), args); err != nil {
			return err
		}
	}
	return nil
}

const conversationColumns = `id, customer_id, channel, subject, status, priority, assignee_id,
	created_at, updated_at, first_response_at, resolved_at, due_at`

func scanConversation(row scanner, c *kindred.Conversation) error {
	var channel, status, priority string
	var assignee, firstResponse, resolved, due sql.NullInt64
	var created, updated int64
	if err := row.Scan(&c.ID, &c.CustomerID, &channel, &c.Subject, &status, &priority, &assignee,
		&created, &updated, &firstResponse, &resolved, &due); err != nil {
		return err
	}
	c.Channel, c.Status, c.Priority = kindred.Channel(channel), kindred.Status(status), kindred.Priority(priority)
	c.AssigneeID = fromNullInt(assignee)
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	c.FirstResponseAt, c.ResolvedAt = fromNullMS(firstResponse), fromNullMS(resolved)
	c.DueAt = fromNullMS(due)
	c.Tags = []string{}
	return nil
}

// conversation reads one conversation without its tags or messages; lock
// makes a write transaction hold its row until it ends.
func (tx *Tx) conversation(ctx context.Context, id int64, lock bool) (*kindred.Conversation, error) {
	c, err := tx.conversationRow(ctx, id, lock)
	if err != nil {
		return nil, err
	}
	return c, tx.reachability(ctx, c)
}

// conversationRow is conversation without what reachability adds.
func (tx *Tx) conversationRow(ctx context.Context, id int64, lock bool) (*kindred.Conversation, error) {
	return byID(ctx, tx, "SELECT "+conversationColumns+" FROM conversations WHERE id = ?", id, lock, "conversation", scanConversation)
}

// reachability fills in how a reply on c can reach its customer now: who is
// on the web chat, whether WhatsApp's window is open.
func (tx *Tx) reachability(ctx context.Context, c *kindred.Conversation) (err error) {
	switch c.Channel {
	case kindred.ChannelChat:
		c.Chat, err = tx.chatPresence(ctx, c.CustomerID)
	case kindred.ChannelWhatsApp:
		// The window is the customer's, not the conversation's: a message in
		// any of their WhatsApp conversations opens it.
		c.WhatsAppWindowOpen, err = tx.Exists(ctx, `SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.customer_id = ? AND m.direction = 'in' AND m.channel = 'whatsapp' AND m.created_at > ? LIMIT 1`,
			c.CustomerID, ms(tx.db.clock().Add(-kindred.WhatsAppWindow)))
	}
	return err
}

// fullConversation reads a conversation with its tags and, when asked, its
// messages oldest first.
func (tx *Tx) fullConversation(ctx context.Context, id int64, withMessages bool) (*kindred.Conversation, error) {
	c, err := tx.conversation(ctx, id, false)
	if err != nil {
		return nil, err
	}
	tags, err := tx.tags(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	if t := tags[id]; t != nil {
		c.Tags = t
	}
	if withMessages {
		c.Messages, err = tx.messages(ctx, "WHERE conversation_id = ? ORDER BY id", id)
		if err != nil {
			return nil, err
		}
		files, err := tx.attachments(ctx, id)
		if err != nil {
			return nil, err
		}
		for i := range c.Messages {
			c.Messages[i].Attachments = files[c.Messages[i].ID]
		}
	}
	return c, nil
}

// Conversation returns one conversation with its tags, and its messages
// oldest first when withMessages is set.
func (db *DB) Conversation(ctx context.Context, id int64, withMessages bool) (*kindred.Conversation, error) {
	var c *kindred.Conversation
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		c, err = tx.fullConversation(ctx, id, withMessages)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read conversation %d: %w", id, err)
	}
	return c, nil
}

// Conversations returns conversations matching f, most recently updated
// first, with their tags but not their messages.
func (db *DB) Conversations(ctx context.Context, f kindred.ConversationFilter) ([]kindred.Conversation, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.Open {
		where = append(where, "status <> ?")
		args = append(args, string(kindred.StatusResolved))
	}
	if f.Channel != "" {
		where = append(where, "channel = ?")
		args = append(args, string(f.Channel))
	}
	if f.Priority != "" {
		where = append(where, "priority = ?")
		args = append(args, string(f.Priority))
	}
	if f.After != nil {
		where = append(where, "(updated_at < ? OR (updated_at = ? AND id < ?))")
		at := ms(f.After.UpdatedAt)
		args = append(args, at, at, f.After.ID)
	}
	if f.AssigneeID != 0 {
		where = append(where, "assignee_id = ?")
		args = append(args, f.AssigneeID)
	}
	if f.Unassigned {
		where = append(where, "assignee_id IS NULL")
	}
	if f.CustomerID != 0 {
		where = append(where, "customer_id = ?")
		args = append(args, f.CustomerID)
	}
	q := "SELECT " + conversationColumns + " FROM conversations"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit, offset := limits(f.Page)
	q += " ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?"
	args = append(args, limit, offset)

	convs := []kindred.Conversation{}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var c kindred.Conversation
			if err := scanConversation(rows, &c); err != nil {
				return err
			}
			convs = append(convs, c)
			ids = append(ids, c.ID)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		tags, err := tx.tags(ctx, ids)
		if err != nil {
			return err
		}
		for i := range convs {
			if t := tags[convs[i].ID]; t != nil {
				convs[i].Tags = t
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list conversations: %w", err)
	}
	return convs, nil
}

// UpdateConversation changes the non-nil fields of u and returns the
// conversation as it now is. Status changes go through
// Conversation.SetStatus, so ResolvedAt stays true to the last resolution.
func (db *DB) UpdateConversation(ctx context.Context, id int64, u kindred.ConversationUpdate) (*kindred.Conversation, error) {
	due, err := checkUpdate(u)
	if err != nil {
		return nil, err
	}
	var c *kindred.Conversation
	err = db.Tx(ctx, func(tx *Tx) (err error) {
		c, err = tx.updateConversation(ctx, id, u, due)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update conversation %d: %w", id, err)
	}
	return c, nil
}

// checkUpdate checks u before anything is read, and returns its promised
// date as stored.
func checkUpdate(u kindred.ConversationUpdate) (*time.Time, error) {
	var v kindred.Validation
	if u.Status != nil && !slices.Contains(kindred.Statuses, *u.Status) {
		v.Add("status", "must be one of open, waiting_on_customer, waiting_on_us, resolved")
	}
	if u.Priority != nil && !slices.Contains(kindred.Priorities, *u.Priority) {
		v.Add("priority", "must be one of low, normal, high, urgent")
	}
	if u.Unassign && u.AssigneeID != nil {
		v.Add("assignee_id", "cannot assign and unassign at once")
	}
	if u.ClearDue && u.DueAt != nil {
		v.Add("due_at", "cannot set and clear the promised date at once")
	}
	return roundMSPtr(u.DueAt), v.Err()
}

// UpdateConversations makes the same change u to every conversation in ids,
// in one transaction: all change, or (one missing, a rule broken) none.
func (db *DB) UpdateConversations(ctx context.Context, ids []int64, u kindred.ConversationUpdate) ([]*kindred.Conversation, error) {
	due, err := checkUpdate(u)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > kindred.MaxBulk {
		return nil, invalid("conversation_ids", fmt.Sprintf("choose from 1 to %d conversations", kindred.MaxBulk))
	}
	out := make([]*kindred.Conversation, 0, len(ids))
	err = db.Tx(ctx, func(tx *Tx) error {
		for _, id := range ids {
			c, err := tx.updateConversation(ctx, id, u, due)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update %d conversations: %w", len(ids), err)
	}
	return out, nil
}

// updateConversation is UpdateConversation in tx, u already checked.
func (tx *Tx) updateConversation(ctx context.Context, id int64, u kindred.ConversationUpdate, due *time.Time) (*kindred.Conversation, error) {
	c, err := tx.conversation(ctx, id, true)
	if err != nil {
		return nil, err
	}
	now := tx.db.clock()
	var changed []string
	if u.Subject != nil && *u.Subject != c.Subject {
		c.Subject = *u.Subject
		changed = append(changed, "subject")
	}
	if u.Status != nil && *u.Status != c.Status {
		changed = append(changed, fmt.Sprintf("status %s to %s", c.Status, *u.Status))
		c.SetStatus(*u.Status, now)
	}
	if u.Priority != nil && *u.Priority != c.Priority {
		changed = append(changed, fmt.Sprintf("priority %s to %s", c.Priority, *u.Priority))
		c.Priority = *u.Priority
	}
	if u.AssigneeID != nil && (c.AssigneeID == nil || *c.AssigneeID != *u.AssigneeID) {
		if err := tx.mustExist(ctx, "agents", "assignee_id", *u.AssigneeID); err != nil {
			return nil, err
		}
		a := *u.AssigneeID
		c.AssigneeID = &a
		changed = append(changed, fmt.Sprintf("assigned to agent %d", a))
	}
	if u.Unassign && c.AssigneeID != nil {
		c.AssigneeID = nil
		changed = append(changed, "unassigned")
	}
	dueChanged := false
	switch {
	case u.ClearDue && c.DueAt != nil:
		c.DueAt, dueChanged = nil, true
		changed = append(changed, "due date cleared")
	case due != nil && !sameTime(c.DueAt, due):
		c.DueAt, dueChanged = due, true
		changed = append(changed, "due "+due.Format(time.RFC3339))
	}
	tags, err := tx.tags(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	if t := tags[id]; t != nil {
		c.Tags = t
	}
	if u.Tags != nil {
		if t := normalTags(*u.Tags); !slices.Equal(t, c.Tags) {
			if err := tx.setTags(ctx, id, t); err != nil {
				return nil, err
			}
			c.Tags = t
			changed = append(changed, "tags")
		}
	}
	if len(changed) == 0 {
		return c, nil
	}
	c.UpdatedAt = now
	if _, err := tx.Exec(ctx, `UPDATE conversations SET subject = ?, status = ?, priority = ?, assignee_id = ?,
		updated_at = ?, resolved_at = ?, due_at = ? WHERE id = ?`,
		c.Subject, string(c.Status), string(c.Priority), nullInt(c.AssigneeID),
		ms(c.UpdatedAt), msPtr(c.ResolvedAt), msPtr(c.DueAt), id); err != nil {
		return nil, err
	}
	if dueChanged {
		// A new promise gets its own reminder.
		if _, err := tx.Exec(ctx, "UPDATE conversations SET due_reminded_at = NULL WHERE id = ?", id); err != nil {
			return nil, err
		}
	}
	if err := tx.emit(ctx, kindred.EventConversationUpdated, map[string]any{"conversation": c, "changes": changed}); err != nil {
		return nil, err
	}
	return c, tx.Audit(ctx, "conversation.update", "conversation", id, strings.Join(changed, "; "))
}

// AddMessage stores m and applies its effect on the conversation (see
// Conversation.Apply) in one short write transaction. A zero CreatedAt is
// now; an agent's message without an author is the actor's in ctx.
func (db *DB) AddMessage(ctx context.Context, m *kindred.Message) error {
	return db.Tx(ctx, func(tx *Tx) error { return tx.AddMessage(ctx, m) })
}

// PostMessage is AddMessage with prepare handed what completing m needs
// first (see kindred.ConversationService). On PostgreSQL it runs inside the
// transaction, once the conversation's row is locked, and what it is given
// comes with that lock's read: a round trip fewer than ForMessage and then
// AddMessage. On SQLite the single writer must not wait for prepare (the
// engine's analysis), so it runs before, on ForMessage's read.
func (db *DB) PostMessage(ctx context.Context, m *kindred.Message, prepare func(c *kindred.Conversation, cust *kindred.Customer, latest *kindred.Message) error) error {
	if db.dialect != Postgres {
		c, cust, latest, err := db.ForMessage(ctx, m.ConversationID, m.Direction)
		if err != nil {
			return err
		}
		if err := prepare(c, cust, latest); err != nil {
			return err
		}
		return db.AddMessage(ctx, m)
	}
	// prepare's error comes back as it is, not as the write's.
	var failed error
	err := db.Tx(ctx, func(tx *Tx) error {
		return tx.addMessage(ctx, m, func(c *kindred.Conversation, cust *kindred.Customer, latest *kindred.Message) error {
			failed = prepare(c, cust, latest)
			return failed
		})
	})
	if failed != nil {
		return failed
	}
	return err
}

// AddMessage is DB.AddMessage in tx.
func (tx *Tx) AddMessage(ctx context.Context, m *kindred.Message) error {
	return tx.addMessage(ctx, m, nil)
}

// addMessage is AddMessage, with prepare (when not nil) called on what
// forPosting read before m's analysis is read (see PostMessage).
func (tx *Tx) addMessage(ctx context.Context, m *kindred.Message, prepare func(c *kindred.Conversation, cust *kindred.Customer, latest *kindred.Message) error) error {
	var v kindred.Validation
	switch m.Direction {
	case kindred.Inbound, kindred.Outbound, kindred.InternalNote:
	default:
		v.Add("direction", "must be in, out or note")
	}
	if strings.TrimSpace(m.Body) == "" {
		v.Add("body", "write the message")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if m.Direction != kindred.Inbound && m.AuthorID == nil {
		if a, ok := kindred.ActorFrom(ctx); ok && a.AgentID != 0 {
			id := a.AgentID
			m.AuthorID = &id
			if m.AuthorName == "" {
				m.AuthorName = a.Name
			}
		}
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = tx.db.clock()
	} else {
		m.CreatedAt = roundMS(m.CreatedAt)
	}
	id := m.ConversationID
	err := func() error {
		// Only a reply that may be sent needs to know how it reaches the
		// customer (routeReply).
		route := m.Direction == kindred.Outbound && !m.Historical
		// On PostgreSQL a message that no unique index can refuse (one
		// without a mail id) draws its id with that read, and a reply that
		// may be sent the id of its outbox row, and their rows wait for the
		// transaction's next statement (see later).
		draw := tx.db.dialect == Postgres && m.EmailID == ""
		read := posting{route: route, draw: draw,
			customer: prepare != nil, latest: prepare != nil && m.Direction == kindred.Outbound}
		c, author, cust, latest, newID, outboxID, err := tx.forPosting(ctx, id, m.AuthorID, read)
		if err != nil {
			return err
		}
		if prepare != nil {
			if err := prepare(c, cust, latest); err != nil {
				return err
			}
		}
		var compassion, sentiment, distress, report any
		if a := m.Analysis; a != nil {
			compassion, distress, sentiment = floatOrNil(a.Compassion), floatOrNil(a.Distress), a.Sentiment
			if len(a.Report) > 0 {
				report = string(a.Report)
			}
		}
		// A message by another channel than the conversation's (a call
		// logged on a text conversation) records what was said that way.
		elsewhere := m.Channel != "" && m.Channel != c.Channel
		if m.Channel == "" {
			m.Channel = c.Channel
		}
		if !slices.Contains(kindred.Channels, m.Channel) {
			return invalid("channel", "must be one of desk, email, chat, sms, ussd, phone")
		}
		m.DeliveryStatus, m.DeliveryError, m.To = "", "", ""
		if m.HelperID != nil {
			ok, err := tx.Exists(ctx, "SELECT 1 FROM helpers WHERE id = ? AND customer_id = ?", *m.HelperID, c.CustomerID)
			if err != nil {
				return err
			}
			if !ok {
				return invalid("helper_id", "not a helper of this customer")
			}
		}
		var how kindred.Route
		if route {
			// What happened before kindred knew of it (Historical) is only
			// recorded; a call logged by another channel is recorded too.
			how = routeReply(c, cust, m, elsewhere)
		}
		const columns = `INSERT INTO messages (conversation_id, direction, author_id, helper_id, author_name, body,
			created_at, compassion, sentiment, distress, analysis, channel, delivery_status, delivery_error, recipient, email_id`
		const values = `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`
		args := []any{id, string(m.Direction), nullInt(m.AuthorID), nullInt(m.HelperID), m.AuthorName, m.Body,
			ms(m.CreatedAt), compassion, sentiment, distress, report,
			string(m.Channel), string(m.DeliveryStatus), m.DeliveryError, m.To, nullString(m.EmailID)}
		if draw {
			m.ID = newID
			err = tx.later(ctx, "insert the message", columns+", id) VALUES ("+values+", ?)", nil, append(args, newID)...)
			tx.announced = append(tx.announced, Change{Kind: ChangeMessage, ConversationID: id, MessageID: newID},
				Change{Kind: ChangeConversation, ConversationID: id})
		} else {
			m.ID, err = tx.Insert(ctx, columns+") VALUES ("+values+") RETURNING id", args...)
		}
		if err != nil {
			if isUnique(err) && m.EmailID != "" {
				return &kindred.Error{Kind: kindred.Conflict, Message: "this email is already in a conversation"}
			}
			return err
		}
		if sig := replySignals(m.Direction, m.AuthorID, m.Analysis); sig != nil {
			if err := tx.later(ctx, "reply signals", replySignalsSQL, nil, *m.AuthorID, ms(m.CreatedAt), m.ID, compassion, string(sig)); err != nil {
				return err
			}
		}
		if how.Sends() && how.Channel != kindred.ChannelChat {
			// A web chat reply is pushed to the visitor's widget by whichever
			// process holds it open (see web's chat), not by the outbox.
			if err := tx.enqueueReply(ctx, c, m, outboxID); err != nil {
				return err
			}
		}
		c.Apply(m)
		taken := takesOnFirstReply(c, m, author)
		if taken {
			c.AssigneeID = &author.ID
		}
		// The row is locked (read above for update): the new state is known.
		if err := tx.later(ctx, "update the conversation", `UPDATE conversations SET status = ?, updated_at = ?, first_response_at = ?, resolved_at = ?,
			assignee_id = ? WHERE id = ?`, nil, string(c.Status), ms(c.UpdatedAt), msPtr(c.FirstResponseAt), msPtr(c.ResolvedAt),
			nullInt(c.AssigneeID), id); err != nil {
			return err
		}
		if taken {
			if err := tx.Audit(ctx, "conversation.assign", "conversation", id, fmt.Sprintf("taken by agent %d with the first reply", author.ID)); err != nil {
				return err
			}
		}
		if m.Direction != kindred.InternalNote {
			// Internal notes stay inside the desk.
			sent := *m
			sent.Analysis = nil
			if err := tx.emit(ctx, kindred.EventMessageCreated, map[string]any{"message": sent}); err != nil {
				return err
			}
		}
		if err := tx.Audit(ctx, "message.create", "conversation", id, fmt.Sprintf("message %d, %s", m.ID, m.Direction)); err != nil {
			return err
		}
		// Last: the count's row is locked until the commit (see replyweeks.go).
		return tx.countReplyWeek(ctx, m)
	}()
	if err != nil {
		return fmt.Errorf("add message to conversation %d: %w", id, err)
	}
	return nil
}

// routeReply decides how the agent's reply m on c reaches the customer cust
// and sets its delivery status accordingly. c holds how a reply reaches them
// now (see reachability).
func routeReply(c *kindred.Conversation, cust *kindred.Customer, m *kindred.Message, elsewhere bool) kindred.Route {
	if elsewhere {
		m.DeliveryStatus = kindred.DeliveryRecorded
		return kindred.Route{}
	}
	route := kindred.RouteReply(c, cust, m.SendAnyway)
	switch {
	case route.Sends():
		// On the web chat, Reason says why the reply waits.
		m.DeliveryStatus, m.To, m.Channel, m.DeliveryError = kindred.DeliveryQueued, route.To, route.Channel, route.Reason
	case route.Failed:
		m.DeliveryStatus, m.DeliveryError = kindred.DeliveryFailed, route.Reason
	default:
		m.DeliveryStatus, m.DeliveryError = kindred.DeliveryRecorded, route.Reason
	}
	return route
}

// posting says what forPosting reads besides the conversation (and the
// author, when there is one): how a reply reaches the customer (route), the
// ids of the message and its outbox row (draw, PostgreSQL only), the
// customer and their latest message (for PostMessage's prepare).
type posting struct{ route, draw, customer, latest bool }

// index is the place in postingSQL of the posting's statement, with an
// author or without.
func (p posting) index(author bool) int {
	return b2i(author) | b2i(p.route)<<1 | b2i(p.draw)<<2 | b2i(p.customer)<<3 | b2i(p.latest)<<4
}

// forPosting reads, in one statement, what AddMessage needs before it writes:
// conversation id, locked for the transaction; the agent authorID when
// not nil; with route, the customer and how a reply reaches them now (what
// reachability sets on the conversation); with customer, the customer; with
// latest, their latest message (nil when there is none); with draw, on
// PostgreSQL, the id of the message to insert, and with route too that of
// its outbox row. Each statement is a round trip on PostgreSQL, and these
// were five.
func (tx *Tx) forPosting(ctx context.Context, id int64, authorID *int64, p posting) (c *kindred.Conversation, author *kindred.Agent, cust *kindred.Customer, latest *kindred.Message, newID, outboxID int64, err error) {
	c = new(kindred.Conversation)
	var (
		args  []any
		scans = []func(scanner) error{func(s scanner) error { return scanConversation(s, c) }}
		// How a reply reaches the customer: the latest time one of their
		// chat widgets is connected until (NULL: they never chatted), the
		// channel they last asked replies by, when they last wrote on
		// WhatsApp. The clock is read as reachability reads it.
		online  sql.NullInt64
		replyBy sql.NullString
		lastIn  sql.NullInt64
		last    kindred.Message
	)
	if authorID != nil {
		author = new(kindred.Agent)
		args = append(args, *authorID)
		scans = append(scans, func(s scanner) error { return scanAgent(s, author) })
	}
	if p.route || p.customer {
		cust = new(kindred.Customer)
		scans = append(scans, func(s scanner) error { return scanCustomer(s, cust) })
	}
	if p.route {
		scans = append(scans, func(s scanner) error { return s.Scan(&online, &replyBy, &lastIn) })
	}
	if p.latest {
		// An outer join's row: id 0 when there is no such message.
		scans = append(scans, func(s scanner) error { return scanMessage(zeroNulls{s}, &last) })
	}
	if p.draw {
		scans = append(scans, func(s scanner) error { return s.Scan(&newID) })
		if p.route {
			// Drawn whether or not the reply is sent: a gap in the outbox's
			// ids costs nothing.
			scans = append(scans, func(s scanner) error { return s.Scan(&outboxID) })
		}
		var quiet [2]string // what set_config returns
		scans = append(scans, func(s scanner) error { return s.Scan(&quiet[0], &quiet[1]) })
	}
	args = append(args, id)
	query := postingSQL[p.index(authorID != nil)]
	if tx.db.dialect == Postgres {
		// The conversation's row alone: replies by one agent, or to one
		// customer, must not wait for each other.
		query += " FOR UPDATE OF c"
	}
	// The transaction's first statement, as a rule: it goes with the BEGIN.
	err = scanTogether(tx.firstRow(ctx, query, args...), scans...)
	if errors.Is(err, sql.ErrNoRows) && authorID != nil {
		// Which of the two is missing.
		if _, err := tx.conversationRow(ctx, id, false); err != nil {
			return nil, nil, nil, nil, 0, 0, err
		}
		return nil, nil, nil, nil, 0, 0, invalid("author_id", fmt.Sprintf("no agent %d", *authorID))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, nil, 0, 0, notFound("conversation", id)
	}
	if err != nil {
		return nil, nil, nil, nil, 0, 0, err
	}
	if p.route {
		switch c.Channel {
		case kindred.ChannelChat:
			if online.Valid {
				c.Chat = &kindred.ChatPresence{Online: online.Int64 > ms(tx.db.clock()), ReplyBy: kindred.Channel(replyBy.String)}
			}
		case kindred.ChannelWhatsApp:
			since := ms(tx.db.clock().Add(-kindred.WhatsAppWindow))
			c.WhatsAppWindowOpen = lastIn.Valid && lastIn.Int64 > since
		}
	}
	if last.ID != 0 {
		latest = &last
	}
	return c, author, cust, latest, newID, outboxID, nil
}

// postingSQL[posting.index(author)] is forPosting's statement. Its reachability
// columns are those of chatPresence and reachability, each computed only
// for a conversation of its channel; with draw (PostgreSQL only), the next
// message id follows, and with route too the next outbox id.
var postingSQL = func() (q [32]string) {
	visitors := "FROM chat_visitors v WHERE v.customer_id IN (SELECT id FROM customers WHERE id = c.customer_id OR merged_into = c.customer_id)"
	for i := range q {
		author, p := i&1 != 0, posting{route: i&2 != 0, draw: i&4 != 0, customer: i&8 != 0, latest: i&16 != 0}
		sel := "SELECT " + qualify("c", conversationColumns)
		from := " FROM conversations c"
		if author {
			sel += ", " + agentColumns
			from += " JOIN agents a ON a.id = ?"
		}
		if p.route || p.customer {
			sel += ", " + qualify("u", customerColumns)
			from += " JOIN customers u ON u.id = c.customer_id"
		}
		if p.route {
			sel += ", CASE WHEN c.channel = '" + string(kindred.ChannelChat) + "' THEN (SELECT max(v.online_until) " + visitors + ") END" +
				", CASE WHEN c.channel = '" + string(kindred.ChannelChat) + "' THEN (SELECT v.reply_by " + visitors +
				" AND v.reply_by <> '' ORDER BY v.seen_at DESC, v.id LIMIT 1) END" +
				", CASE WHEN c.channel = '" + string(kindred.ChannelWhatsApp) + "' THEN (SELECT max(m.created_at) FROM messages m" +
				" JOIN conversations mc ON mc.id = m.conversation_id WHERE mc.customer_id = c.customer_id" +
				" AND m.direction = 'in' AND m.channel = 'whatsapp') END"
		}
		if p.latest {
			sel += ", " + qualify("l", messageColumns)
			from += latestInboundJoin
		}
		if p.draw {
			// The message's id (n.mid, drawn once below), then the outbox
			// row's; with the id known, the post announces the message and
			// its conversation itself once it has committed, and tells the
			// triggers to stay quiet for them (announce.go).
			sel += ", n.mid"
			if p.route {
				sel += ", nextval(pg_get_serial_sequence('outbox', 'id'))"
			}
			sel += ", set_config('kindred.announced_message', n.mid::text, true)" +
				", set_config('kindred.announced_conversation', c.id::text, true)"
			from += " CROSS JOIN LATERAL (SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS mid) n"
		}
		q[i] = sel + from + " WHERE c.id = ?"
	}
	return q
}()

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func floatOrNil(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

const messageColumns = `id, conversation_id, direction, author_id, helper_id, author_name, body, created_at,
	compassion, sentiment, distress, analysis, channel, delivery_status, delivery_error, recipient, email_id`

// messages reads the messages selected by the clause that follows FROM messages.
func (tx *Tx) messages(ctx context.Context, clause string, args ...any) ([]kindred.Message, error) {
	rows, err := tx.Query(ctx, "SELECT "+messageColumns+" FROM messages "+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	defer rows.Close()
	msgs := []kindred.Message{}
	for rows.Next() {
		var m kindred.Message
		if err := scanMessage(rows, &m); err != nil {
			return nil, fmt.Errorf("read messages: %w", err)
		}
		msgs = append(msgs, m)
	}
	return msgs, rows.Err()
}

// scanMessage reads one row of messageColumns into m.
func scanMessage(row scanner, m *kindred.Message) error {
	var direction string
	var author, helper sql.NullInt64
	var created int64
	var compassion, sentiment, distress sql.NullFloat64
	var report, emailID sql.NullString
	var channel, delivery string
	if err := row.Scan(&m.ID, &m.ConversationID, &direction, &author, &helper, &m.AuthorName, &m.Body, &created,
		&compassion, &sentiment, &distress, &report, &channel, &delivery, &m.DeliveryError, &m.To, &emailID); err != nil {
		return err
	}
	m.Direction = kindred.Direction(direction)
	m.Channel, m.DeliveryStatus, m.EmailID = kindred.Channel(channel), kindred.DeliveryStatus(delivery), emailID.String
	m.AuthorID, m.HelperID = fromNullInt(author), fromNullInt(helper)
	m.CreatedAt = fromMS(created)
	if sentiment.Valid || report.Valid {
		a := &kindred.Analysis{Sentiment: sentiment.Float64}
		if compassion.Valid {
			a.Compassion = &compassion.Float64
		}
		if distress.Valid {
			a.Distress = &distress.Float64
		}
		if report.Valid {
			a.Report = json.RawMessage(report.String)
		}
		m.Analysis = a
	}
	return nil
}

// Messages returns the newest limit (at most 500) messages of a
// conversation before message beforeID (0 for the newest overall), oldest
// first; NotFound when the conversation does not exist.
func (db *DB) Messages(ctx context.Context, conversationID, beforeID int64, limit int) ([]kindred.Message, error) {
	limit, _ = limits(kindred.Page{Limit: limit})
	var msgs []kindred.Message
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		if err := tx.mustExist(ctx, "conversations", "", conversationID); err != nil {
			return err
		}
		clause := "WHERE conversation_id = ?"
		args := []any{conversationID}
		if beforeID != 0 {
			clause += " AND id < ?"
			args = append(args, beforeID)
		}
		msgs, err = tx.messages(ctx, clause+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
		if err != nil {
			return err
		}
		// The files an email brought are listed on its message, as in Conversation.
		files, err := tx.attachments(ctx, conversationID)
		if err != nil {
			return err
		}
		for i := range msgs {
			msgs[i].Attachments = files[msgs[i].ID]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("messages of conversation %d: %w", conversationID, err)
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// LatestInbound returns the newest message from the customer before message
// beforeID (0 for the newest overall), or nil when there is none.
func (db *DB) LatestInbound(ctx context.Context, conversationID, beforeID int64) (*kindred.Message, error) {
	var msgs []kindred.Message
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		if err := tx.mustExist(ctx, "conversations", "", conversationID); err != nil {
			return err
		}
		clause := "WHERE conversation_id = ? AND direction = ?"
		args := []any{conversationID, string(kindred.Inbound)}
		if beforeID != 0 {
			clause += " AND id < ?"
			args = append(args, beforeID)
		}
		msgs, err = tx.messages(ctx, clause+" ORDER BY id DESC LIMIT 1", args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("latest customer message in conversation %d: %w", conversationID, err)
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	return &msgs[0], nil
}

// LatestInbounds returns, keyed by conversation id, what LatestInbound(ctx,
// id, 0) returns for each of these conversations: the customer's message with
// the highest id. A conversation with no message from the customer, or that
// does not exist, is left out. It reads them in one statement (per
// maxInList conversations), where the inbox used to read one per row.
func (db *DB) LatestInbounds(ctx context.Context, conversationIDs []int64) (map[int64]*kindred.Message, error) {
	latest := make(map[int64]*kindred.Message, len(conversationIDs))
	if len(conversationIDs) == 0 {
		return latest, nil
	}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		return inLists(conversationIDs, func(list string, ids []any) error {
			// For each conversation, the same probe LatestInbound makes: the
			// highest id on the (conversation_id, direction, id) index. Ties in
			// created_at are thus broken as there, by id.
			msgs, err := tx.messages(ctx, `WHERE id IN (SELECT (SELECT m.id FROM messages m
				WHERE m.conversation_id = c.id AND m.direction = ? ORDER BY m.id DESC LIMIT 1)
				FROM conversations c WHERE c.id IN (`+list+`))`, append([]any{string(kindred.Inbound)}, ids...)...)
			if err != nil {
				return err
			}
			for i := range msgs {
				latest[msgs[i].ConversationID] = &msgs[i]
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("latest customer messages of %d conversations: %w", len(conversationIDs), err)
	}
	return latest, nil
}

// ForMessage reads what posting a message in direction to a conversation
// needs beforehand: the conversation as Conversation reads it without
// messages, but also without how a reply reaches the customer (Chat,
// WhatsAppWindowOpen), which the write reads itself; its customer; and for
// a reply (Outbound) the customer's latest message (nil when there is none,
// or for another direction), against which the reply is judged. It is one
// statement, two for a reply, and no transaction: the write reads the
// conversation again, so the two need no common snapshot.
func (db *DB) ForMessage(ctx context.Context, conversationID int64, direction kindred.Direction) (*kindred.Conversation, *kindred.Customer, *kindred.Message, error) {
	var (
		conv = new(kindred.Conversation)
		cust = new(kindred.Customer)
		last *kindred.Message
	)
	err := db.read(func(tx *Tx) error {
		query := forMessageSQLite
		if db.dialect == Postgres {
			query = forMessagePostgres
		}
		var tags string
		scans := []func(scanner) error{
			func(s scanner) error { return scanConversation(s, conv) },
			func(s scanner) error { return scanCustomer(s, cust) },
			func(s scanner) error { return s.Scan(&tags) },
		}
		// On PostgreSQL, where a statement is a round trip, a reply's
		// latest customer message comes in the same row (id 0: none).
		var latest kindred.Message
		together := db.dialect == Postgres && direction == kindred.Outbound
		if together {
			query = forReplyPostgres
			scans = append(scans, func(s scanner) error { return scanMessage(zeroNulls{s}, &latest) })
		}
		err := scanTogether(tx.QueryRow(ctx, query, conversationID), scans...)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("conversation", conversationID)
		}
		if err != nil {
			return err
		}
		if conv.Tags, err = decodeList[string](tags); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		if direction != kindred.Outbound {
			return nil
		}
		if together {
			if latest.ID != 0 {
				last = &latest
			}
			return nil
		}
		msgs, err := tx.messages(ctx, "WHERE conversation_id = ? AND direction = ? ORDER BY id DESC LIMIT 1",
			conversationID, string(kindred.Inbound))
		if len(msgs) > 0 {
			last = &msgs[0]
		}
		return err
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read conversation %d for a message: %w", conversationID, err)
	}
	return conv, cust, last, nil
}

// ForMessage's first statement: the conversation, its customer and its tags
// (a JSON list, sorted as tags sorts them) in one row.
var (
	forMessageSQLite = "SELECT " + qualify("c", conversationColumns) + ", " + qualify("u", customerColumns) +
		", (SELECT json_group_array(tag ORDER BY tag) FROM conversation_tags WHERE conversation_id = c.id)" +
		" FROM conversations c JOIN customers u ON u.id = c.customer_id WHERE c.id = ?"
	forMessagePostgres = "SELECT " + qualify("c", conversationColumns) + ", " + qualify("u", customerColumns) +
		", (SELECT COALESCE(json_agg(tag ORDER BY tag), '[]')::text FROM conversation_tags WHERE conversation_id = c.id)" +
		" FROM conversations c JOIN customers u ON u.id = c.customer_id WHERE c.id = ?"
	// forReplyPostgres is forMessagePostgres with the customer's latest
	// message after it, NULLs when there is none.
	forReplyPostgres = "SELECT " + qualify("c", conversationColumns) + ", " + qualify("u", customerColumns) +
		", (SELECT COALESCE(json_agg(tag ORDER BY tag), '[]')::text FROM conversation_tags WHERE conversation_id = c.id)" +
		", " + qualify("l", messageColumns) +
		" FROM conversations c JOIN customers u ON u.id = c.customer_id" + latestInboundJoin + " WHERE c.id = ?"
)

// latestInboundJoin joins conversation c's latest customer message as l,
// all NULL when there is none (see zeroNulls).
const latestInboundJoin = " LEFT JOIN LATERAL (SELECT * FROM messages WHERE conversation_id = c.id AND direction = '" +
	string(kindred.Inbound) + "' ORDER BY id DESC LIMIT 1) l ON true"

// zeroNulls scans the columns of an outer join's missing row: a NULL read
// into an *int64 or a *string leaves its zero value.
type zeroNulls struct{ row scanner }

func (z zeroNulls) Scan(dest ...any) error {
	into := make([]any, len(dest))
	var after []func()
	for i, d := range dest {
		switch p := d.(type) {
		case *int64:
			n := new(sql.NullInt64)
			into[i], after = n, append(after, func() { *p = n.Int64 })
		case *string:
			s := new(sql.NullString)
			into[i], after = s, append(after, func() { *p = s.String })
		default:
			into[i] = d
		}
	}
	if err := z.row.Scan(into...); err != nil {
		return err
	}
	for _, f := range after {
		f()
	}
	return nil
}
