package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/kindred-desk/kindred"
)

// InboundWhatsApp takes a customer's WhatsApp message in, in one
// transaction: the customer (matched by phone, or made), their WhatsApp
// conversation (the open one, one resolved within kindred.ReopenWindow, or
// a new one), the message, and the wamid that keeps a repeated post from
// being taken twice.
func (db *DB) InboundWhatsApp(ctx context.Context, in kindred.InboundWhatsApp, analyze func(*kindred.Message, *kindred.Customer)) (*kindred.Message, error) {
	var v kindred.Validation
	if !strings.HasPrefix(in.From, "+") || len(in.From) < 8 {
		v.Add("from", "must be a phone number in international form (+254…)")
	}
	if in.ProviderID == "" {
		v.Add("id", "the WhatsApp message id is missing")
	}
	if strings.TrimSpace(in.Body) == "" {
		v.Add("body", "the message is empty")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var m *kindred.Message
	err := db.Tx(ctx, func(tx *Tx) error {
		dup, err := tx.Exists(ctx, "SELECT 1 FROM whatsapp_inbound WHERE wamid = ?", in.ProviderID)
		if err != nil {
			return err
		}
		if dup {
			return kindred.Errorf(kindred.Conflict, "this WhatsApp message was taken in already")
		}
		cust, err := tx.customerForWhatsApp(ctx, in)
		if err != nil {
			return err
		}
		convID, err := tx.whatsAppConversation(ctx, cust.ID)
		if err != nil {
			return err
		}
		m = &kindred.Message{ConversationID: convID, Direction: kindred.Inbound, Body: in.Body, Channel: kindred.ChannelWhatsApp}
		if analyze != nil {
			analyze(m, cust)
		}
		if err := tx.AddMessage(ctx, m); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO whatsapp_inbound (wamid, message_id, received_at) VALUES (?, ?, ?)",
			in.ProviderID, m.ID, ms(db.clock()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("take in a WhatsApp message: %w", err)
	}
	return m, nil
}

// customerForWhatsApp is the customer with the phone in.From, made (named
// from the WhatsApp profile, else by the number) when there is none.
func (tx *Tx) customerForWhatsApp(ctx context.Context, in kindred.InboundWhatsApp) (*kindred.Customer, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM customers WHERE phone = ? AND merged_into IS NULL ORDER BY id LIMIT 1", in.From).Scan(&id)
	if err == nil {
		return tx.customer(ctx, id, false)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	c := &kindred.Customer{Name: strings.TrimSpace(in.Name), Phone: in.From, Accommodations: []kindred.Accommodation{}}
	if c.Name == "" || len(c.Name) > 200 {
		c.Name = in.From
	}
	c.CreatedAt = tx.db.clock()
	c.UpdatedAt = c.CreatedAt
	c.ID, err = tx.Insert(ctx, `INSERT INTO customers (name, preferred_name, pronunciation, language, phone, email,
		accommodations, accommodation_notes, search, created_at, updated_at)
		VALUES (?, '', '', '', ?, '', '[]', '', ?, ?, ?) RETURNING id`,
		c.Name, c.Phone, searchText(c), ms(c.CreatedAt), ms(c.UpdatedAt))
	if err != nil {
		return nil, err
	}
	return c, tx.Audit(ctx, "customer.create", "customer", c.ID, "from WhatsApp")
}

// whatsAppConversation is the customer's WhatsApp conversation a new
// message belongs to, opened when there is none.
func (tx *Tx) whatsAppConversation(ctx context.Context, customerID int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM conversations WHERE customer_id = ? AND channel = 'whatsapp'
		AND (status <> 'resolved' OR resolved_at >= ?)
		ORDER BY CASE WHEN status <> 'resolved' THEN 0 ELSE 1 END, updated_at DESC, id DESC LIMIT 1`,
		customerID, ms(tx.db.clock().Add(-kindred.ReopenWindow))).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	now := ms(tx.db.clock())
	id, err = tx.Insert(ctx, `INSERT INTO conversations (customer_id, channel, subject, status, priority, created_at, updated_at)
		VALUES (?, 'whatsapp', 'WhatsApp message', 'open', 'normal', ?, ?) RETURNING id`, customerID, now, now)
	if err != nil {
		return 0, err
	}
	return id, tx.Audit(ctx, "conversation.create", "conversation", id, fmt.Sprintf("customer %d, whatsapp", customerID))
}
