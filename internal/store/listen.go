package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kindred-desk/kindred"
)

// Change is news of a conversation that some kindred process committed to
// the database. See Listen.
type Change struct {
	Kind           string `json:"kind"` // ChangeMessage, ChangeConversation or ChangeListening
	ConversationID int64  `json:"conversation_id"`
	MessageID      int64  `json:"message_id,omitempty"` // set for ChangeMessage
	// Agent is, for ChangeTyping, the first name of the agent typing, or
	// "" when the web chat visitor is.
	Agent string `json:"agent,omitempty"`
}

// The kinds of Change.
const (
	// ChangeMessage: a message was added to the conversation.
	ChangeMessage = "message"
	// ChangeConversation: the conversation was created or changed (its
	// status, assignee, tags…).
	ChangeConversation = "conversation"
	// ChangeDelivery: a reply's delivery status changed (sent, delivered,
	// failed); MessageID names it.
	ChangeDelivery = "delivery"
	// ChangeTyping: someone is typing in the conversation. No row changed:
	// Notify announces it, for the live views of every process.
	ChangeTyping = "typing"
	// ChangeLobby: a walk-in ticket was issued, called, recalled, moved or
	// closed, or a desk opened or closed (one a transaction); the desks'
	// pages look again. ConversationID is 0.
	ChangeLobby = "lobby"
	// ChangeListening: Listen is listening, first or again after a lost
	// connection, when news may have been missed.
	ChangeListening = "listening"
)

// Listen calls onChange with each change to a conversation or to the lobby
// that any kindred process on this PostgreSQL database commits, this one
// included, in commit order, until ctx ends. The database's triggers
// announce them (see migrations 0009 and 0016), so every way a message
// arrives (console, API, SMS, email) is heard, and every way a ticket does
// (kiosk, USSD, API). A lost connection is reported to onError and opened again,
// waiting longer each time up to 5 s; each time it listens, first or again,
// onChange gets a ChangeListening, since news may have been missed.
//
// onChange runs on Listen's goroutine: it should not block for long. On
// SQLite, which one process serves, Listen returns an error at once.
func (db *DB) Listen(ctx context.Context, onChange func(Change), onError func(error)) error {
	if db.dialect != Postgres {
		return errors.New("listen: only PostgreSQL announces changes")
	}
	wait := 100 * time.Millisecond
	for {
		err := db.listen(ctx, func(c Change) {
			wait = 100 * time.Millisecond
			onChange(c)
		})
		if ctx.Err() != nil {
			return nil
		}
		onError(err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// listen opens one connection, listens and calls onChange until it fails.
func (db *DB) listen(ctx context.Context, onChange func(Change)) error {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return fmt.Errorf("listen: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// The channel the triggers notify: this desk's schema, as the store's
	// own connections find it through search_path.
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{"kindred:" + schema}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	onChange(Change{Kind: ChangeListening})
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		var c Change
		if err := json.Unmarshal([]byte(n.Payload), &c); err != nil || c.Kind == "" {
			continue // not ours
		}
		onChange(c)
	}
}

// Notify announces c to every process that Listens, this one included, as
// the triggers announce committed changes: news that is no change to a row
// (someone typing) travels the same way. It is sent soon, with the news
// the posts of this process announce (see announce.go), and tried again
// while the database is away; Notify itself does not wait. Only PostgreSQL
// announces; on SQLite, one process, Notify returns an error.
func (db *DB) Notify(ctx context.Context, c Change) error {
	if db.dialect != Postgres {
		return errors.New("notify: only PostgreSQL announces changes")
	}
	db.announceChanges([]Change{c})
	return nil
}

// Message returns one message by its id.
func (db *DB) Message(ctx context.Context, id int64) (*kindred.Message, error) {
	var m *kindred.Message
	// One statement: no transaction (on PostgreSQL each process's live
	// views read every message announced, and BEGIN and COMMIT are two
	// more round trips each).
	err := db.read(func(tx *Tx) (err error) {
		m, err = byID(ctx, tx, "SELECT "+messageColumns+" FROM messages WHERE id = ?", id, false, "message", scanMessage)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read message %d: %w", id, err)
	}
	return m, nil
}
