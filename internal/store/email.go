package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

// ReceiveEmail stores a customer's email in one transaction: the message,
// its files, and, when needed, its sender as a new customer and a new
// conversation. analyze, when not nil, is the compassion engine's reading of
// the message, given its customer.
//
// A mail is not stored again when its Message-ID is already stored (an SMTP
// retry, an IMAP re-poll), nor when its sender sent the same text within
// kindred.DuplicateWindow. It joins a conversation by its In-Reply-To and
// References, then by the reply token in its subject, each only when the
// conversation's customer has the sender's address, so that nobody posts
// into another person's conversation; then the sender's recent email
// conversation about the same subject. A conversation last touched more than
// kindred.ReopenWindow ago is not reopened: the mail starts a new one. A
// sender opens at most kindred.MaxNewConversationsPerHour conversations an
// hour; more mail joins their latest.
func (db *DB) ReceiveEmail(ctx context.Context, e *kindred.InboundEmail, analyze func(*kindred.Message, *kindred.Customer) *kindred.Analysis) (*kindred.EmailReceipt, error) {
	if err := validInbound(e); err != nil {
		return nil, err
	}
	r := &kindred.EmailReceipt{}
	err := db.Tx(ctx, func(tx *Tx) error {
		*r = kindred.EmailReceipt{}
		return tx.receiveEmail(ctx, e, analyze, r)
	})
	var ke *kindred.Error
	if errors.As(err, &ke) && ke.Kind == kindred.Conflict {
		// Another delivery of the same mail committed first.
		return &kindred.EmailReceipt{Duplicate: true, Reason: "this Message-ID is already stored"}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("receive email %s: %w", e.MessageID, err)
	}
	return r, nil
}

func validInbound(e *kindred.InboundEmail) error {
	var v kindred.Validation
	if e.MessageID == "" || len(e.MessageID) > 500 {
		v.Add("message_id", "a Message-ID of at most 500 characters is needed")
	}
	if !strings.Contains(e.From, "@") || len(e.From) > 320 {
		v.Add("from", "must be an email address")
	}
	if strings.TrimSpace(e.Body) == "" && len(e.Attachments) == 0 {
		v.Add("body", "the mail has no text and no files")
	}
	for i, a := range e.Attachments {
		if a.Filename == "" || a.ContentType == "" || len(a.Data) == 0 {
			v.Add(fmt.Sprintf("attachments[%d]", i), "needs a name, a type and some bytes")
		}
	}
	return v.Err()
}

// bodyHash names a sender's text, for the duplicate check.
func bodyHash(from, subject, body string) string {
	h := sha256.Sum256([]byte(strings.ToLower(from) + "\x00" + kindred.ThreadSubject(subject) + "\x00" + strings.TrimSpace(body)))
	return hex.EncodeToString(h[:])
}

func (tx *Tx) receiveEmail(ctx context.Context, e *kindred.InboundEmail, analyze func(*kindred.Message, *kindred.Customer) *kindred.Analysis, r *kindred.EmailReceipt) error {
	now := tx.db.clock()
	// The same mail again.
	if msgs, err := tx.messages(ctx, "WHERE email_id = ?", e.MessageID); err != nil {
		return err
	} else if len(msgs) > 0 {
		r.Duplicate, r.Reason, r.Message = true, "this Message-ID is already stored", &msgs[0]
		return nil
	}
	from := strings.ToLower(strings.TrimSpace(e.From))
	hash := bodyHash(from, e.Subject, e.Body)
	if dup, err := tx.Exists(ctx, "SELECT 1 FROM messages WHERE body_hash = ? AND created_at >= ?",
		hash, ms(now.Add(-kindred.DuplicateWindow))); err != nil {
		return err
	} else if dup {
		r.Duplicate, r.Reason = true, "the same mail from this sender within the hour"
		return nil
	}

	cust, err := tx.customerByEmail(ctx, from)
	if err != nil {
		return err
	}
	if cust == nil {
		name := e.FromName
		if name == "" || strings.Contains(name, "@") {
			name, _, _ = strings.Cut(e.From, "@")
		}
		cust = &kindred.Customer{Name: name, Email: e.From, Accommodations: []kindred.Accommodation{}, CreatedAt: now, UpdatedAt: now}
		if err := tx.insertCustomer(ctx, cust); err != nil {
			return err
		}
		r.NewCustomer = true
	}

	conv, err := tx.threadOf(ctx, e, cust.ID)
	if err != nil {
		return err
	}
	if conv != nil && conv.Status == kindred.StatusResolved && now.Sub(conv.UpdatedAt) > kindred.ReopenWindow {
		conv = nil // an old matter: the mail is a new one
	}
	if conv == nil {
		if conv, err = tx.recentEmailConversation(ctx, cust.ID, now, e.Subject); err != nil {
			return err
		}
	}
	if conv == nil {
		conv = &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelEmail, Subject: kindred.ThreadSubject(e.Subject),
			Status: kindred.StatusOpen, Priority: kindred.PriorityNormal, CreatedAt: now, UpdatedAt: now, Tags: []string{}}
		if conv.Subject == "" {
			conv.Subject = "(no subject)"
		}
		if len(conv.Subject) > 300 {
			conv.Subject = conv.Subject[:300]
		}
		conv.ID, err = tx.Insert(ctx, `INSERT INTO conversations (customer_id, channel, subject, status, priority, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, cust.ID, string(conv.Channel), conv.Subject, string(conv.Status),
			string(conv.Priority), ms(now), ms(now))
		if err != nil {
			return err
		}
		if err := tx.Audit(ctx, "conversation.create", "conversation", conv.ID, fmt.Sprintf("customer %d, email", cust.ID)); err != nil {
			return err
		}
		r.NewConversation = true
	}

	m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, AuthorName: cust.AddressAs(),
		Body: e.Body, Channel: kindred.ChannelEmail, EmailID: e.MessageID, CreatedAt: now}
	if strings.TrimSpace(m.Body) == "" {
		m.Body = "(files only)"
	}
	if analyze != nil {
		m.Analysis = analyze(m, cust)
	}
	if err := tx.AddMessage(ctx, m); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE messages SET body_hash = ? WHERE id = ?", hash, m.ID); err != nil {
		return err
	}
	for i := range e.Attachments {
		a := &e.Attachments[i]
		a.MessageID = m.ID
		a.Size = int64(len(a.Data))
		a.ID, err = tx.Insert(ctx, `INSERT INTO attachments (message_id, filename, content_type, size, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, m.ID, a.Filename, a.ContentType, a.Size, a.Data, ms(now))
		if err != nil {
			return fmt.Errorf("store attachment %q: %w", a.Filename, err)
		}
		m.Attachments = append(m.Attachments, kindred.Attachment{ID: a.ID, MessageID: m.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size})
	}
	r.Stored, r.Message = true, m
	return nil
}

// customerByEmail is the customer with this address, case aside (the
// oldest, when two records share it), or nil.
func (tx *Tx) customerByEmail(ctx context.Context, email string) (*kindred.Customer, error) {
	var c kindred.Customer
	err := scanCustomer(tx.QueryRow(ctx, "SELECT "+customerColumns+" FROM customers WHERE lower(email) = ? ORDER BY id LIMIT 1",
		strings.ToLower(email)), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the customer by email: %w", err)
	}
	return &c, nil
}

// threadOf is the conversation of customerID that mail e answers, by its
// Message-IDs, then by its reply token; nil when none.
func (tx *Tx) threadOf(ctx context.Context, e *kindred.InboundEmail, customerID int64) (*kindred.Conversation, error) {
	ids := append(append([]string{}, e.InReplyTo...), e.References...)
	if len(ids) > 0 {
		args := make([]any, 0, len(ids)+1)
		for _, id := range ids {
			args = append(args, id)
		}
		args = append(args, customerID)
		var convID int64
		err := tx.QueryRow(ctx, `SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.email_id IN (`+placeholders(len(ids))+`) AND c.customer_id = ? ORDER BY m.id DESC LIMIT 1`, args...).Scan(&convID)
		switch {
		case err == nil:
			return tx.conversation(ctx, convID, true)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("thread by Message-ID: %w", err)
		}
	}
	if id := kindred.ParseReplyToken(e.Subject); id != 0 {
		c, err := tx.conversation(ctx, id, true)
		var ke *kindred.Error
		if errors.As(err, &ke) && ke.Kind == kindred.NotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if c.CustomerID == customerID {
			return c, nil
		}
	}
	return nil, nil
}

// recentEmailConversation is the customer's latest email conversation
// touched within the reopen window about the same subject; or, when the
// customer has opened too many conversations this hour, their latest email
// conversation whatever its subject. nil when the mail should open one.
func (tx *Tx) recentEmailConversation(ctx context.Context, customerID int64, now time.Time, subject string) (*kindred.Conversation, error) {
	recent, err := queryAll(ctx, tx, scanConversation, "SELECT "+conversationColumns+` FROM conversations WHERE customer_id = ? AND channel = 'email'
		AND updated_at >= ? ORDER BY updated_at DESC, id DESC LIMIT 20`, customerID, ms(now.Add(-kindred.ReopenWindow)))
	if err != nil {
		return nil, fmt.Errorf("read recent email conversations: %w", err)
	}
	want := strings.ToLower(kindred.ThreadSubject(subject))
	for i := range recent {
		if want != "" && strings.ToLower(kindred.ThreadSubject(recent[i].Subject)) == want {
			return &recent[i], nil
		}
	}
	var opened int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM conversations WHERE customer_id = ? AND channel = 'email' AND created_at >= ?",
		customerID, ms(now.Add(-time.Hour))).Scan(&opened); err != nil {
		return nil, err
	}
	if opened >= kindred.MaxNewConversationsPerHour && len(recent) > 0 {
		return &recent[0], nil
	}
	return nil, nil
}

// attachments reads the files (without their bytes) of the messages of
// conversation id, by message.
func (tx *Tx) attachments(ctx context.Context, conversationID int64) (map[int64][]kindred.Attachment, error) {
	list, err := queryAll(ctx, tx, func(row scanner, a *kindred.Attachment) error {
		return row.Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.Size)
	}, `SELECT a.id, a.message_id, a.filename, a.content_type, a.size FROM attachments a
		JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = ? ORDER BY a.id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("read attachments: %w", err)
	}
	out := map[int64][]kindred.Attachment{}
	for _, a := range list {
		out[a.MessageID] = append(out[a.MessageID], a)
	}
	return out, nil
}

// Attachment returns one file a customer's email brought, with its bytes.
func (db *DB) Attachment(ctx context.Context, id int64) (*kindred.Attachment, error) {
	var a *kindred.Attachment
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		a, err = byID(ctx, tx, "SELECT id, message_id, filename, content_type, size, data FROM attachments WHERE id = ?", id, false,
			"attachment", func(row scanner, a *kindred.Attachment) error {
				return row.Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.Size, &a.Data)
			})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read attachment %d: %w", id, err)
	}
	return a, nil
}
