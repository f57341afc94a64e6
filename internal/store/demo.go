package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// These helpers let the demo generator (internal/demo) write months of
// history. Conversations, messages and the kindness log go through the
// ordinary services, with the store's clock set back; the care records
// (surveys, heads-ups, follow-ups) are loaded in bulk with plain INSERTs,
// because their own service answers a live desk (a survey answered through
// its one-use link), not a history.

// SetClock replaces the store's clock, so that what is written next is
// dated by now. It is for the demo generator and tests, never for a store
// that is serving: it is not safe to call while others use the store.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// Empty reports whether the store holds no customers and no conversations.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var found bool
	err := db.ReadTx(ctx, func(tx *Tx) error {
		for _, q := range []string{"SELECT 1 FROM customers LIMIT 1", "SELECT 1 FROM conversations LIMIT 1"} {
			ok, err := tx.Exists(ctx, q)
			if err != nil {
				return err
			}
			found = found || ok
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("check for data: %w", err)
	}
	return !found, nil
}

// DemoSurvey is an answered survey, as the demo writes it.
type DemoSurvey struct {
	ConversationID, CustomerID int64
	AgentID                    *int64
	Channel                    string // sms, email, web
	SentAt, AnsweredAt         time.Time
	Satisfaction               int    // 1..5
	FeltHeard                  string // yes, partly, no
	Comment                    string
}

// DemoDelay is a delay whose heads-up was sent.
type DemoDelay struct {
	ConversationID int64
	Reason, Draft  string
	Compassion     *float64
	PromisedAt     *time.Time
	NewDate        time.Time
	CreatedAt      time.Time
	SentAt         time.Time
	CreatedBy      int64
}

// DemoFollowUp is a follow-up, done, skipped or pending.
type DemoFollowUp struct {
	ConversationID, AgentID int64
	What, Status, Outcome   string
	DueAt, CreatedAt        time.Time
	ClosedAt                *time.Time
}

// DemoCare is the care history the demo loads in one transaction.
type DemoCare struct {
	Surveys   []DemoSurvey
	Delays    []DemoDelay
	FollowUps []DemoFollowUp
}

// LoadDemoCare writes c in one transaction, with one audit entry for it all.
// A delay sets its conversation's promised date (due_at) to the new date.
func (db *DB) LoadDemoCare(ctx context.Context, c DemoCare) error {
	err := db.Tx(ctx, func(tx *Tx) error {
		for _, s := range c.Surveys {
			hash := make([]byte, 32)
			rand.Read(hash)
			if _, err := tx.Exec(ctx, `INSERT INTO surveys (conversation_id, customer_id, agent_id, channel, token_hash,
				created_at, expires_at, answered_at, satisfaction, felt_heard, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				s.ConversationID, s.CustomerID, nullInt(s.AgentID), s.Channel, hash,
				ms(s.SentAt), ms(s.SentAt.Add(14*24*time.Hour)), ms(s.AnsweredAt), s.Satisfaction, s.FeltHeard, s.Comment); err != nil {
				return fmt.Errorf("survey: %w", err)
			}
		}
		for _, d := range c.Delays {
			if _, err := tx.Exec(ctx, `INSERT INTO delays (conversation_id, reason, promised_at, new_date, draft, compassion,
				status, created_by, approved_by, created_at, approved_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?, ?, ?)`,
				d.ConversationID, d.Reason, msPtr(d.PromisedAt), ms(d.NewDate), d.Draft, floatOrNil(d.Compassion),
				d.CreatedBy, d.CreatedBy, ms(d.CreatedAt), ms(d.CreatedAt), ms(d.SentAt)); err != nil {
				return fmt.Errorf("delay: %w", err)
			}
			if _, err := tx.Exec(ctx, "UPDATE conversations SET due_at = ? WHERE id = ?", ms(d.NewDate), d.ConversationID); err != nil {
				return fmt.Errorf("delay: %w", err)
			}
		}
		for _, f := range c.FollowUps {
			if _, err := tx.Exec(ctx, `INSERT INTO follow_ups (conversation_id, agent_id, what, due_at, status, outcome, created_at, closed_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				f.ConversationID, f.AgentID, f.What, ms(f.DueAt), f.Status, f.Outcome, ms(f.CreatedAt), msPtr(f.ClosedAt)); err != nil {
				return fmt.Errorf("follow-up: %w", err)
			}
		}
		return tx.Audit(ctx, "demo.load", "desk", 0, fmt.Sprintf("%d surveys, %d heads-ups, %d follow-ups",
			len(c.Surveys), len(c.Delays), len(c.FollowUps)))
	})
	if err != nil {
		return fmt.Errorf("load demo care: %w", err)
	}
	return nil
}
