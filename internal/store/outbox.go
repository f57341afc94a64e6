package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

const outboxColumns = `id, channel, recipient, subject, body, purpose, customer_id, status, attempts,
	next_attempt_at, last_error, provider_id, created_at, sent_at, message_id, in_reply_to, mail_references`

func scanOutbound(row scanner, m *kindred.OutboundMessage) error {
	var channel, status, refs string
	var customer, message sql.NullInt64
	var next, created int64
	var sent sql.NullInt64
	err := row.Scan(&m.ID, &channel, &m.To, &m.Subject, &m.Body, &m.Purpose, &customer, &status, &m.Attempts,
		&next, &m.LastError, &m.ProviderID, &created, &sent, &message, &m.InReplyTo, &refs)
	if err != nil {
		return err
	}
	m.MessageID = fromNullInt(message)
	m.References = strings.Fields(refs)
	m.Channel, m.Status = kindred.Channel(channel), kindred.OutboxStatus(status)
	if customer.Valid {
		m.CustomerID = &customer.Int64
	}
	m.NextAttemptAt, m.CreatedAt, m.SentAt = fromMS(next), fromMS(created), fromNullMS(sent)
	return nil
}

func validOutbound(m *kindred.OutboundMessage) error {
	var v kindred.Validation
	switch m.Channel {
	case kindred.ChannelSMS, kindred.ChannelWhatsApp:
		if !strings.HasPrefix(m.To, "+") || len(m.To) < 8 {
			v.Add("to", "must be a phone number in international form (+254…)")
		}
	case kindred.ChannelEmail:
		if a, err := mail.ParseAddress(m.To); err != nil || a.Address != m.To {
			v.Add("to", "must be a plain email address")
		}
	default:
		v.Add("channel", "must be sms, email or whatsapp")
	}
	if m.Channel != kindred.ChannelEmail && (m.InReplyTo != "" || len(m.References) > 0) {
		v.Add("in_reply_to", "only an email is threaded")
	}
	if strings.TrimSpace(m.Body) == "" {
		v.Add("body", "must not be empty")
	}
	return v.Err()
}

// Enqueue stores m as pending, due now.
func (db *DB) Enqueue(ctx context.Context, m *kindred.OutboundMessage) error {
	err := db.Tx(ctx, func(tx *Tx) error { return tx.Enqueue(ctx, m) })
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", m.Channel, err)
	}
	return nil
}

// Enqueue stores m in the outbox as part of tx, so that the message is sent
// if and only if the change that caused it commits. The body is not audited:
// it may hold a one-time code.
func (tx *Tx) Enqueue(ctx context.Context, m *kindred.OutboundMessage) error {
	if err := validOutbound(m); err != nil {
		return err
	}
	if m.CustomerID != nil {
		if err := tx.mustExist(ctx, "customers", "customer_id", *m.CustomerID); err != nil {
			return err
		}
	}
	return tx.enqueue(ctx, m, 0)
}

// enqueue is Enqueue once m is known to be valid, its customer to exist.
// With id (drawn from the outbox's identity beforehand, on PostgreSQL) the
// row waits for the transaction's next statement (see later).
func (tx *Tx) enqueue(ctx context.Context, m *kindred.OutboundMessage, id int64) error {
	m.Status, m.Attempts, m.LastError, m.ProviderID, m.SentAt = kindred.OutboxPending, 0, "", "", nil
	m.CreatedAt = tx.db.clock()
	m.NextAttemptAt = m.CreatedAt
	const columns = `INSERT INTO outbox (channel, recipient, subject, body, purpose, customer_id, status,
		attempts, next_attempt_at, created_at, message_id, in_reply_to, mail_references`
	const values = `?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?`
	args := []any{string(m.Channel), m.To, m.Subject, m.Body, m.Purpose, nullInt(m.CustomerID), string(m.Status),
		ms(m.NextAttemptAt), ms(m.CreatedAt), nullInt(m.MessageID), m.InReplyTo, strings.Join(m.References, " ")}
	var err error
	if id != 0 {
		err = tx.later(ctx, "queue the message", columns+", id) VALUES ("+values+", ?)", nil, append(args, id)...)
	} else {
		id, err = tx.Insert(ctx, columns+") VALUES ("+values+") RETURNING id", args...)
	}
	if err != nil {
		return err
	}
	m.ID = id
	tx.queued |= QueueOutbox
	return tx.Audit(ctx, "outbox.enqueue", "outbox", id, string(m.Channel)+" "+m.Purpose)
}

// Claim leases up to limit due messages to the caller. On PostgreSQL, SKIP
// LOCKED lets several kindred processes claim side by side without waiting
// on or taking each other's rows; SQLite has one writer, which serialises
// claims by itself.
func (db *DB) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]kindred.OutboundMessage, error) {
	if limit <= 0 {
		limit = 1
	}
	at, until := ms(now), ms(now.Add(lease))
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []kindred.OutboundMessage
	err := db.Tx(ctx, func(tx *Tx) error {
		ids, err := tx.ids(ctx, `SELECT id FROM outbox
			WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY next_attempt_at, id LIMIT ?`+lock, at, at, limit)
		if err != nil {
			return err
		}
		for _, id := range ids {
			var m kindred.OutboundMessage
			err := scanOutbound(tx.QueryRow(ctx, `UPDATE outbox SET lease_until = ?, attempts = attempts + 1
				WHERE id = ? RETURNING `+outboxColumns, until, id), &m)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// MarkSent records that a claimed message was delivered.
func (db *DB) MarkSent(ctx context.Context, id int64, providerID string, at time.Time) error {
	var wiped bool
	var ref *messageRef
	err := db.Tx(ctx, func(tx *Tx) error {
		// A delivered code or survey link is wiped: nobody needs it again.
		res, err := tx.Exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, provider_id = ?, lease_until = NULL,
			last_error = '', body = CASE WHEN purpose IN ('code', 'survey') THEN '' ELSE body END
			WHERE id = ? AND status = 'pending'`, ms(at), providerID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, conflictOrMissing(ctx, tx, id))
		}
		if err := tx.QueryRow(ctx, "SELECT purpose IN ('code', 'survey') FROM outbox WHERE id = ?", id).Scan(&wiped); err != nil {
			return err
		}
		if ref, err = tx.replySent(ctx, id, providerID); err != nil {
			return err
		}
		return tx.Audit(ctx, "outbox.sent", "outbox", id, "")
	})
	if err != nil {
		return fmt.Errorf("mark outbox %d sent: %w", id, err)
	}
	db.announce(ref)
	if wiped {
		// The message is sent whether or not the log can be cut now; a
		// busy log is cut at the next wipe.
		if err := db.scrubWAL(ctx); err != nil && !errors.Is(err, errWALBusy) {
			return fmt.Errorf("mark outbox %d sent: %w", id, err)
		}
	}
	return nil
}

// MarkFailed records a failed attempt; dead moves the message to the
// dead-letter list. A dead one-time code is wiped, as a sent one is: it is
// never sent again (see Retry), and its digits must not outlive it.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string, retryAt time.Time, dead bool) error {
	status, action := kindred.OutboxPending, "outbox.retry_later"
	if dead {
		status, action = kindred.OutboxDead, "outbox.dead"
	}
	if len(reason) > 500 {
		reason = reason[:500]
	}
	var ref *messageRef
	wiped := false
	err := db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?, lease_until = NULL,
			body = CASE WHEN ? AND purpose = 'code' THEN '' ELSE body END
			WHERE id = ? AND status = 'pending'`, string(status), ms(retryAt), reason, dead, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, conflictOrMissing(ctx, tx, id))
		}
		if dead {
			if err := tx.QueryRow(ctx, "SELECT purpose = 'code' FROM outbox WHERE id = ?", id).Scan(&wiped); err != nil {
				return err
			}
		}
		if ref, err = tx.replyFailed(ctx, id, reason, dead); err != nil {
			return err
		}
		return tx.Audit(ctx, action, "outbox", id, reason)
	})
	if err != nil {
		return fmt.Errorf("mark outbox %d failed: %w", id, err)
	}
	db.announce(ref)
	if wiped {
		// As MarkSent: the wipe stands whether or not the log can be cut now.
		if err := db.scrubWAL(ctx); err != nil && !errors.Is(err, errWALBusy) {
			return fmt.Errorf("mark outbox %d failed: %w", id, err)
		}
	}
	return nil
}

// Retry puts a dead message back in the queue, due now, with a fresh count
// of attempts. A one-time code is refused (Conflict): it has expired by the
// time it is dead, and whoever asks, console or API, must send a new one.
func (db *DB) Retry(ctx context.Context, id int64) error {
	var ref *messageRef
	err := db.Tx(ctx, func(tx *Tx) error {
		// The purpose is in the statement, not read before it, so that the
		// refusal and the change are one step.
		res, err := tx.Exec(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL
			WHERE id = ? AND status = 'dead' AND purpose <> 'code'`, ms(db.clock()), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, notRequeued(ctx, tx, id))
		}
		if ref, err = tx.replyRequeued(ctx, id); err != nil {
			return err
		}
		tx.queued |= QueueOutbox
		return tx.Audit(ctx, "outbox.requeue", "outbox", id, "")
	})
	if err != nil {
		return fmt.Errorf("retry outbox %d: %w", id, err)
	}
	db.announce(ref)
	return nil
}

// notRequeued explains why Retry left an outbox row as it was.
func notRequeued(ctx context.Context, tx *Tx, id int64) error {
	var code bool
	err := tx.QueryRow(ctx, "SELECT purpose = 'code' FROM outbox WHERE id = ? AND status = 'dead'", id).Scan(&code)
	switch {
	case err == nil && code:
		return &kindred.Error{Kind: kindred.Conflict,
			Message: fmt.Sprintf("outgoing message %d is a one-time code, which expires: send a new code instead", id)}
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return conflictOrMissing(ctx, tx, id)
}

// conflictOrMissing explains why an outbox row did not change: it does not
// exist, or it is not in a state that allows the change.
func conflictOrMissing(ctx context.Context, tx *Tx, id int64) error {
	var status string
	err := tx.QueryRow(ctx, "SELECT status FROM outbox WHERE id = ?", id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("outgoing message", id)
	}
	if err != nil {
		return err
	}
	return &kindred.Error{Kind: kindred.Conflict, Message: fmt.Sprintf("outgoing message %d is %s", id, status)}
}

// OutboundMessage returns one outgoing message.
func (db *DB) OutboundMessage(ctx context.Context, id int64) (*kindred.OutboundMessage, error) {
	var m *kindred.OutboundMessage
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		m, err = byID(ctx, tx, "SELECT "+outboxColumns+" FROM outbox WHERE id = ?", id, false, "outgoing message", scanOutbound)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox %d: %w", id, err)
	}
	return m, nil
}

// Outbox lists outgoing messages matching f, newest first.
func (db *DB) Outbox(ctx context.Context, f kindred.OutboxFilter) ([]kindred.OutboundMessage, error) {
	var w where
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	if f.Channel != "" {
		w.add("channel = ?", string(f.Channel))
	}
	if f.CustomerID != 0 {
		w.add("customer_id = ?", f.CustomerID)
	}
	if f.Purpose != "" {
		w.add("purpose = ?", f.Purpose)
	}
	out, err := listPage(ctx, db, "SELECT "+outboxColumns+" FROM outbox", w, "id DESC", f.Page, scanOutbound)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

var _ kindred.OutboxService = (*DB)(nil)
