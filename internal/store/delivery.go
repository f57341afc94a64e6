package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/kindred-desk/kindred"
)

// maxReferences bounds the Message-IDs a reply's References header lists:
// the customer's mail and the latest few before it thread it well enough.
const maxReferences = 10

// deliveryHooks are told of every change to a reply's delivery status,
// after it commits (see DB.OnDelivery).
type deliveryHooks struct {
	mu  sync.RWMutex
	fns []func(conversationID, messageID int64)
}

// OnDelivery calls fn, after commit, each time a reply's delivery status
// changes in this process (queued, sent, delivered, failed). On PostgreSQL
// every process hears of every change through Listen as ChangeDelivery
// instead; OnDelivery serves a process that owns its SQLite database.
func (db *DB) OnDelivery(fn func(conversationID, messageID int64)) {
	db.delivery.mu.Lock()
	db.delivery.fns = append(db.delivery.fns, fn)
	db.delivery.mu.Unlock()
}

// announceDelivery tells the hooks of changed replies.
func (db *DB) announceDelivery(refs []messageRef) {
	db.delivery.mu.RLock()
	defer db.delivery.mu.RUnlock()
	for _, r := range refs {
		for _, fn := range db.delivery.fns {
			fn(r.conversationID, r.messageID)
		}
	}
}

// announce tells the hooks of ref, when a reply changed.
func (db *DB) announce(ref *messageRef) {
	if ref != nil && ref.changed {
		db.announceDelivery([]messageRef{*ref})
	}
}

// messageRef names a message and its conversation, and whether its delivery changed.
type messageRef struct {
	conversationID, messageID int64
	changed                   bool
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// enqueueReply puts the agent's reply m (already stored, routed to m.Channel
// and m.To) into the outbox in the same transaction, as row outboxID when
// it is not 0 (see enqueue). An email reply is threaded under the
// customer's latest mail in the conversation.
func (tx *Tx) enqueueReply(ctx context.Context, c *kindred.Conversation, m *kindred.Message, outboxID int64) error {
	out := &kindred.OutboundMessage{
		Channel:    m.Channel,
		To:         m.To,
		Body:       m.Body,
		Purpose:    "reply",
		CustomerID: &c.CustomerID,
		MessageID:  &m.ID,
	}
	if m.Channel == kindred.ChannelEmail {
		// The token threads the customer's answer when their mail program
		// drops In-Reply-To.
		out.Subject = ReplySubject(c.Subject)
		if kindred.ParseReplyToken(out.Subject) != c.ID {
			out.Subject += " " + kindred.ReplyToken(c.ID)
		}
		ids, err := tx.emailIDs(ctx, c.ID, m.ID)
		if err != nil {
			return err
		}
		out.References = ids
		// The customer's latest mail, else whatever we wrote last.
		var last sql.NullString
		err = tx.QueryRow(ctx, `SELECT email_id FROM messages WHERE conversation_id = ? AND direction = 'in'
			AND email_id IS NOT NULL AND id < ? ORDER BY id DESC LIMIT 1`, c.ID, m.ID).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read the mail replied to: %w", err)
		}
		out.InReplyTo = last.String
		if out.InReplyTo == "" && len(ids) > 0 {
			out.InReplyTo = ids[len(ids)-1]
		}
	}
	// The conversation's customer, read with it, exists.
	if err := validOutbound(out); err != nil {
		return fmt.Errorf("queue the reply: %w", err)
	}
	if err := tx.enqueue(ctx, out, outboxID); err != nil {
		return fmt.Errorf("queue the reply: %w", err)
	}
	return nil
}

// emailIDs returns the Message-IDs of the conversation's latest mails before
// message beforeID, oldest first, for a References header.
func (tx *Tx) emailIDs(ctx context.Context, conversationID, beforeID int64) ([]string, error) {
	ids, err := queryAll(ctx, tx, func(row scanner, id *string) error { return row.Scan(id) },
		`SELECT email_id FROM messages WHERE conversation_id = ? AND email_id IS NOT NULL AND id < ?
		ORDER BY id DESC LIMIT ?`, conversationID, beforeID, maxReferences)
	if err != nil {
		return nil, fmt.Errorf("read the thread's mail ids: %w", err)
	}
	slices.Reverse(ids)
	return ids, nil
}

// ReplySubject is the subject of our email reply in a conversation about
// subject: "Re: " before it, once.
func ReplySubject(subject string) string {
	subject = strings.TrimSpace(subject)
	if subject == "" {
		return "Re: your message"
	}
	if len(subject) >= 3 && strings.EqualFold(subject[:3], "re:") {
		return subject
	}
	return "Re: " + subject
}

// setReplyStatus moves the reply that outbox row id delivers to status with
// reason, unless it already stands in one of the statuses in keep. It
// returns the reply (changed says whether it moved), or nil when the row
// delivers no reply.
func (tx *Tx) setReplyStatus(ctx context.Context, id int64, status kindred.DeliveryStatus, reason string, keep ...kindred.DeliveryStatus) (*messageRef, error) {
	var msg, conv sql.NullInt64
	var current string
	err := tx.QueryRow(ctx, `SELECT m.id, m.conversation_id, m.delivery_status FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE o.id = ?`, id).Scan(&msg, &conv, &current)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the reply of outbox %d: %w", id, err)
	}
	ref := &messageRef{conversationID: conv.Int64, messageID: msg.Int64}
	for _, k := range keep {
		if kindred.DeliveryStatus(current) == k {
			return ref, nil // already there: nothing changes
		}
	}
	if len(reason) > 500 {
		reason = reason[:500]
	}
	// keep is checked again as the row is written: on PostgreSQL a
	// delivery report may commit between the read above and this write.
	query := "UPDATE messages SET delivery_status = ?, delivery_error = ? WHERE id = ?"
	args := []any{string(status), reason, msg.Int64}
	for _, k := range keep {
		query += " AND delivery_status <> ?"
		args = append(args, string(k))
	}
	res, err := tx.Exec(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("update the reply of outbox %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("update the reply of outbox %d: %w", id, err)
	}
	ref.changed = n > 0
	return ref, nil
}

// replySent marks the reply of outbox row id sent. An email reply keeps the
// Message-ID it went out with, so that the customer's answer threads under it.
// A delivery report that came first is not undone.
func (tx *Tx) replySent(ctx context.Context, id int64, providerID string) (*messageRef, error) {
	ref, err := tx.setReplyStatus(ctx, id, kindred.DeliverySent, "", kindred.DeliveryDelivered)
	if err != nil || ref == nil || !ref.changed {
		return ref, err
	}
	if providerID != "" {
		_, err = tx.Exec(ctx, `UPDATE messages SET email_id = ? WHERE id = ? AND channel = 'email'
			AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.email_id = ?)`, providerID, ref.messageID, providerID)
	}
	return ref, err
}

// replyFailed records a failed try of the reply of outbox row id: failed
// when the outbox gave up on it (dead), else still queued, with the reason
// the last try failed.
func (tx *Tx) replyFailed(ctx context.Context, id int64, reason string, dead bool) (*messageRef, error) {
	if dead {
		return tx.setReplyStatus(ctx, id, kindred.DeliveryFailed, reason)
	}
	return tx.setReplyStatus(ctx, id, kindred.DeliveryQueued, "will try again: "+reason)
}

// replyRequeued puts the reply of outbox row id back to queued.
func (tx *Tx) replyRequeued(ctx context.Context, id int64) (*messageRef, error) {
	return tx.setReplyStatus(ctx, id, kindred.DeliveryQueued, "")
}

// RecordDelivery applies a gateway's delivery report to the outbox message
// it sent as providerID and to the reply it carried. A report for a message
// kindred does not know is NotFound; one that repeats changes nothing. It
// returns the reply's message id, or 0 when the message carried no reply.
func (db *DB) RecordDelivery(ctx context.Context, r kindred.DeliveryReport) (int64, error) {
	if r.ProviderID == "" {
		return 0, invalid("id", "the gateway's message id is missing")
	}
	var ref *messageRef
	err := db.Tx(ctx, func(tx *Tx) error {
		var id int64
		err := tx.QueryRow(ctx, "SELECT id FROM outbox WHERE channel = ? AND provider_id = ? ORDER BY id DESC LIMIT 1",
			string(r.Channel), r.ProviderID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return &kindred.Error{Kind: kindred.NotFound, Message: "no message was sent with this id"}
		}
		if err != nil {
			return err
		}
		if r.Delivered {
			ref, err = tx.setReplyStatus(ctx, id, kindred.DeliveryDelivered, "", kindred.DeliveryDelivered)
		} else {
			ref, err = tx.setReplyStatus(ctx, id, kindred.DeliveryFailed, r.Reason, kindred.DeliveryFailed)
		}
		if err != nil {
			return err
		}
		detail := "delivered"
		if !r.Delivered {
			detail = "not delivered: " + r.Reason
		}
		return tx.Audit(ctx, "outbox.report", "outbox", id, detail)
	})
	if err != nil {
		return 0, fmt.Errorf("record delivery report: %w", err)
	}
	if ref == nil {
		return 0, nil
	}
	db.announce(ref)
	return ref.messageID, nil
}

// MarkBounced records that the email reply sent as Message-ID emailID
// bounced: it failed, for reason. It returns the reply's message id, or 0
// when no reply of ours went out with that id.
func (db *DB) MarkBounced(ctx context.Context, emailID, reason string) (int64, error) {
	var ref *messageRef
	err := db.Tx(ctx, func(tx *Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT o.id FROM outbox o JOIN messages m ON m.id = o.message_id
			WHERE m.email_id = ? AND m.direction = 'out'`, emailID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if ref, err = tx.setReplyStatus(ctx, id, kindred.DeliveryFailed, "bounced: "+reason, kindred.DeliveryFailed); err != nil {
			return err
		}
		return tx.Audit(ctx, "outbox.bounce", "outbox", id, reason)
	})
	if err != nil {
		return 0, fmt.Errorf("record bounce: %w", err)
	}
	if ref == nil {
		return 0, nil
	}
	db.announce(ref)
	return ref.messageID, nil
}
