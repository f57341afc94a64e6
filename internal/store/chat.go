package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

// ServerKey returns the secret key called name, made (32 random bytes) the
// first time it is asked for and kept: every process of a desk, and every
// restart, signs with the same key.
func (db *DB) ServerKey(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("server key %s: %w", name, err)
	}
	var secret string
	err := db.Tx(ctx, func(tx *Tx) error {
		// Two processes starting at once both insert; one wins, both read it.
		if _, err := tx.Exec(ctx, "INSERT INTO server_keys (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
			name, hex.EncodeToString(fresh), ms(db.clock())); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT secret FROM server_keys WHERE name = ?", name).Scan(&secret)
	})
	if err != nil {
		return nil, fmt.Errorf("server key %s: %w", name, err)
	}
	key, err := hex.DecodeString(secret)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("server key %s: stored key is damaged", name)
	}
	return key, nil
}

// chatPlaceholderPrefix starts the name of a customer the web chat made
// before they gave one: "Web chat visitor 3f9a".
const chatPlaceholderPrefix = "Web chat visitor "

// ChatVisitor returns what the desk knows of visitor id (see
// kindred.ChatService).
func (db *DB) ChatVisitor(ctx context.Context, id string) (*kindred.ChatVisitor, error) {
	var v *kindred.ChatVisitor
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		v, err = tx.chatVisitor(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("chat visitor: %w", err)
	}
	return v, nil
}

// chatVisitor reads visitor id with their customer (followed to the record
// it was merged into, if it was) and the conversation their widget shows.
func (tx *Tx) chatVisitor(ctx context.Context, id string) (*kindred.ChatVisitor, error) {
	v := &kindred.ChatVisitor{ID: id}
	var replyBy string
	err := tx.QueryRow(ctx, `SELECT COALESCE(c.merged_into, c.id), v.reply_by FROM chat_visitors v
		JOIN customers c ON c.id = v.customer_id WHERE v.id = ?`, id).Scan(&v.CustomerID, &replyBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kindred.Errorf(kindred.NotFound, "no such chat visitor")
	}
	if err != nil {
		return nil, err
	}
	v.ReplyBy = kindred.Channel(replyBy)
	cust, err := tx.customer(ctx, v.CustomerID, false)
	if err != nil {
		return nil, err
	}
	v.Name, v.Phone, v.Email = cust.Name, cust.Phone, cust.Email
	v.ConversationID, err = tx.chatConversation(ctx, v.CustomerID, false)
	return v, err
}

// chatConversation is the customer's chat conversation a new message joins:
// the open one, else one resolved within kindred.ReopenWindow; else 0, or a
// new one when create is set.
func (tx *Tx) chatConversation(ctx context.Context, customerID int64, create bool) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM conversations WHERE customer_id = ? AND channel = 'chat'
		AND (status <> 'resolved' OR resolved_at >= ?)
		ORDER BY CASE WHEN status <> 'resolved' THEN 0 ELSE 1 END, updated_at DESC, id DESC LIMIT 1`,
		customerID, ms(tx.db.clock().Add(-kindred.ReopenWindow))).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) || !create {
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return id, err
	}
	now := ms(tx.db.clock())
	id, err = tx.Insert(ctx, `INSERT INTO conversations (customer_id, channel, subject, status, priority, created_at, updated_at)
		VALUES (?, 'chat', 'Web chat', 'open', 'normal', ?, ?) RETURNING id`, customerID, now, now)
	if err != nil {
		return 0, err
	}
	return id, tx.Audit(ctx, "conversation.create", "conversation", id, fmt.Sprintf("customer %d, chat", customerID))
}

// chatVisitorOrNew is visitor id, made with a customer record of their own
// when the desk has not met them yet.
func (tx *Tx) chatVisitorOrNew(ctx context.Context, id string) (*kindred.ChatVisitor, error) {
	v, err := tx.chatVisitor(ctx, id)
	if kindred.ErrorKind(err) != kindred.NotFound {
		return v, err
	}
	now := tx.db.clock()
	c := &kindred.Customer{Name: chatPlaceholderPrefix + id[:min(4, len(id))], Accommodations: []kindred.Accommodation{}}
	c.CreatedAt, c.UpdatedAt = now, now
	c.ID, err = tx.Insert(ctx, `INSERT INTO customers (name, preferred_name, pronunciation, language, phone, email,
		accommodations, accommodation_notes, search, created_at, updated_at)
		VALUES (?, '', '', '', '', '', '[]', '', ?, ?, ?) RETURNING id`,
		c.Name, searchText(c), ms(now), ms(now))
	if err != nil {
		return nil, err
	}
	if err := tx.Audit(ctx, "customer.create", "customer", c.ID, "from the web chat"); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO chat_visitors (id, customer_id, created_at, seen_at) VALUES (?, ?, ?, ?)",
		id, c.ID, ms(now), ms(now)); err != nil {
		return nil, err
	}
	return &kindred.ChatVisitor{ID: id, CustomerID: c.ID, Name: c.Name}, nil
}

func validVisitorID(id string) error {
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return invalid("visitor", "not a chat visitor id")
	}
	return nil
}

// InboundChat stores a visitor's message (see kindred.ChatService).
func (db *DB) InboundChat(ctx context.Context, visitorID, body string, analyze func(*kindred.Message, *kindred.Customer)) (*kindred.Message, error) {
	if err := validVisitorID(visitorID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(body) == "" {
		return nil, invalid("body", "write the message")
	}
	var m *kindred.Message
	err := db.Tx(ctx, func(tx *Tx) error {
		v, err := tx.chatVisitorOrNew(ctx, visitorID)
		if err != nil {
			return err
		}
		convID, err := tx.chatConversation(ctx, v.CustomerID, true)
		if err != nil {
			return err
		}
		cust, err := tx.customer(ctx, v.CustomerID, false)
		if err != nil {
			return err
		}
		m = &kindred.Message{ConversationID: convID, Direction: kindred.Inbound, Body: body, Channel: kindred.ChannelChat,
			AuthorName: cust.AddressAs()}
		if analyze != nil {
			analyze(m, cust)
		}
		if err := tx.AddMessage(ctx, m); err != nil {
			return err
		}
		now := db.clock()
		_, err = tx.Exec(ctx, "UPDATE chat_visitors SET seen_at = ?, online_until = ? WHERE id = ?",
			ms(now), ms(now.Add(kindred.ChatOnlineFor)), visitorID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("take in a chat message: %w", err)
	}
	return m, nil
}

// SetChatContact keeps what a visitor left (see kindred.ChatService). A
// phone or email given replaces the one on their record; a name given
// replaces only the name the chat made up for them, never one the desk
// knows them by.
func (db *DB) SetChatContact(ctx context.Context, visitorID string, c kindred.ChatContact) (*kindred.ChatVisitor, error) {
	if err := validVisitorID(visitorID); err != nil {
		return nil, err
	}
	if c.Phone == "" && c.Email == "" {
		return nil, invalid("contact", "give a phone number or an email address")
	}
	var v *kindred.ChatVisitor
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		if v, err = tx.chatVisitorOrNew(ctx, visitorID); err != nil {
			return err
		}
		cust, err := tx.customer(ctx, v.CustomerID, true)
		if err != nil {
			return err
		}
		var changed []string
		replyBy := kindred.ChannelEmail
		if c.Phone != "" {
			replyBy = kindred.ChannelSMS
			if cust.Phone != c.Phone {
				cust.Phone = c.Phone
				changed = append(changed, "phone")
			}
		}
		if c.Email != "" && !strings.EqualFold(cust.Email, c.Email) {
			cust.Email = c.Email
			changed = append(changed, "email")
		}
		if c.Name != "" && strings.HasPrefix(cust.Name, chatPlaceholderPrefix) {
			cust.Name = c.Name
			changed = append(changed, "name")
		}
		if len(changed) > 0 {
			cust.UpdatedAt = db.clock()
			if _, err := tx.Exec(ctx, "UPDATE customers SET name = ?, phone = ?, email = ?, search = ?, updated_at = ? WHERE id = ?",
				cust.Name, cust.Phone, cust.Email, searchText(cust), ms(cust.UpdatedAt), cust.ID); err != nil {
				return err
			}
			if err := tx.Audit(ctx, "customer.update", "customer", cust.ID, "from the web chat: "+strings.Join(changed, ", ")); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE chat_visitors SET reply_by = ?, seen_at = ? WHERE id = ?",
			string(replyBy), ms(db.clock()), visitorID); err != nil {
			return err
		}
		v.Name, v.Phone, v.Email, v.ReplyBy = cust.Name, cust.Phone, cust.Email, replyBy
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("keep a chat visitor's contact: %w", err)
	}
	return v, nil
}

// ChatMessages lists the messages a visitor's widget shows (see
// kindred.ChatService). Internal notes are left out here, in the query,
// so that no caller can show one by forgetting to.
func (db *DB) ChatMessages(ctx context.Context, visitorID string, after int64, limit int) ([]kindred.Message, error) {
	limit = max(1, min(limit, 500))
	var msgs []kindred.Message
	err := db.ReadTx(ctx, func(tx *Tx) error {
		v, err := tx.chatVisitor(ctx, visitorID)
		if err != nil {
			return err
		}
		if v.ConversationID == 0 {
			msgs = []kindred.Message{}
			return nil
		}
		if after > 0 {
			msgs, err = tx.messages(ctx, "WHERE conversation_id = ? AND direction IN ('in', 'out') AND id > ? ORDER BY id LIMIT ?",
				v.ConversationID, after, limit)
			return err
		}
		msgs, err = tx.messages(ctx, "WHERE conversation_id = ? AND direction IN ('in', 'out') ORDER BY id DESC LIMIT ?",
			v.ConversationID, limit)
		slices.Reverse(msgs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("chat messages: %w", err)
	}
	return msgs, nil
}

// ChatOnline renews or ends a visitor's presence (see kindred.ChatService).
func (db *DB) ChatOnline(ctx context.Context, visitorID string, until time.Time) error {
	err := db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE chat_visitors SET online_until = ?, seen_at = ? WHERE id = ?",
			ms(until), ms(db.clock()), visitorID)
		return err
	})
	if err != nil {
		return fmt.Errorf("chat presence: %w", err)
	}
	return nil
}

// ChatDelivered moves a chat reply forward (see kindred.ChatService) and
// tells the delivery hooks (OnDelivery) when it did.
func (db *DB) ChatDelivered(ctx context.Context, visitorID string, messageID int64, status kindred.DeliveryStatus) (bool, error) {
	var from []string
	switch status {
	case kindred.DeliverySent:
		from = []string{string(kindred.DeliveryQueued)}
	case kindred.DeliveryDelivered:
		from = []string{string(kindred.DeliveryQueued), string(kindred.DeliverySent)}
	default:
		return false, invalid("status", "must be sent or delivered")
	}
	var ref *messageRef
	err := db.Tx(ctx, func(tx *Tx) error {
		v, err := tx.chatVisitor(ctx, visitorID)
		if err != nil {
			return err
		}
		// Only a reply to this visitor, in a conversation of theirs, that
		// went by the chat: an SMS or email reply keeps its gateway's status.
		var convID int64
		err = tx.QueryRow(ctx, `SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.id = ? AND m.direction = 'out' AND m.channel = 'chat' AND m.delivery_status IN (?, ?)
			AND c.customer_id = ?`, messageID, from[0], from[len(from)-1], v.CustomerID).Scan(&convID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		// The status is checked again as the row is written: on PostgreSQL
		// the widget's acknowledgement may commit between the read above
		// and this write, and a delivered reply must not go back to sent.
		res, err := tx.Exec(ctx, "UPDATE messages SET delivery_status = ?, delivery_error = '' WHERE id = ? AND delivery_status IN (?, ?)",
			string(status), messageID, from[0], from[len(from)-1])
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		ref = &messageRef{conversationID: convID, messageID: messageID, changed: true}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("chat delivery of message %d: %w", messageID, err)
	}
	db.announce(ref)
	return ref != nil, nil
}

// chatPresence is how a reply on the chat conversation of customerID
// reaches them (see kindred.ChatPresence): nil when nobody ever chatted as
// them through the widget.
func (tx *Tx) chatPresence(ctx context.Context, customerID int64) (*kindred.ChatPresence, error) {
	type row struct {
		online  int64
		replyBy string
	}
	rows, err := queryAll(ctx, tx, func(s scanner, r *row) error { return s.Scan(&r.online, &r.replyBy) },
		`SELECT online_until, reply_by FROM chat_visitors WHERE customer_id IN
		(SELECT id FROM customers WHERE id = ? OR merged_into = ?) ORDER BY seen_at DESC, id`, customerID, customerID)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	p := &kindred.ChatPresence{}
	now := ms(tx.db.clock())
	for _, r := range rows {
		if r.online > now {
			p.Online = true
		}
		if p.ReplyBy == "" {
			p.ReplyBy = kindred.Channel(r.replyBy)
		}
	}
	return p, nil
}
