package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kindred-desk/kindred"
)

// Proactive care: due dates, delays and their heads-ups, follow-ups,
// gestures and surveys (migration 0007). The drafting of heads-ups and the
// survey messages is the care package's; the store keeps the records and
// makes each change, with the message it sends, one transaction.

// SetDue sets or clears the date promised on a conversation; a new date
// starts its reminder afresh.
func (db *DB) SetDue(ctx context.Context, id int64, due *time.Time) (*kindred.Conversation, error) {
	return db.UpdateConversation(ctx, id, kindred.ConversationUpdate{DueAt: due, ClearDue: due == nil})
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// atRisk is the condition on conversations c whose promised date is before
// the first argument: not resolved, and no heads-up sent about that date (a
// heads-up moves due_at to its new date, which is then a new promise).
const atRisk = `c.due_at IS NOT NULL AND c.due_at < ? AND c.status <> 'resolved'
	AND NOT EXISTS (SELECT 1 FROM delays s WHERE s.conversation_id = c.id AND s.status = 'sent' AND s.promised_at = c.due_at)`

// DueSoon lists the conversations whose promised date is before f.Before
// and at risk, soonest first.
func (db *DB) DueSoon(ctx context.Context, f kindred.DueFilter) ([]kindred.DueReminder, error) {
	q := `SELECT c.id, c.customer_id, cu.name, cu.preferred_name, c.subject, c.assignee_id, c.due_at,
		(SELECT MIN(d.id) FROM delays d WHERE d.conversation_id = c.id AND d.status = 'draft')
		FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE ` + atRisk
	args := []any{ms(f.Before)}
	if f.AssigneeID != 0 {
		q += " AND c.assignee_id = ?"
		args = append(args, f.AssigneeID)
	}
	limit, offset := limits(f.Page)
	q += " ORDER BY c.due_at, c.id LIMIT ? OFFSET ?"
	args = append(args, limit, offset)
	var out []kindred.DueReminder
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, func(row scanner, r *kindred.DueReminder) error {
			var preferred string
			var assignee, draft sql.NullInt64
			var due int64
			if err := row.Scan(&r.ConversationID, &r.CustomerID, &r.CustomerName, &preferred, &r.Subject, &assignee, &due, &draft); err != nil {
				return err
			}
			if preferred != "" {
				r.CustomerName = preferred
			}
			r.AssigneeID, r.DraftID, r.DueAt = fromNullInt(assignee), fromNullInt(draft), fromMS(due)
			return nil
		}, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list due dates at risk: %w", err)
	}
	return out, nil
}

// RemindDue marks the conversations that have newly come at risk (promised
// date before before) as reminded, auditing each, and returns their ids.
func (db *DB) RemindDue(ctx context.Context, before time.Time) ([]int64, error) {
	var ids []int64
	err := db.Tx(ctx, func(tx *Tx) error {
		type hit struct{ id, due int64 }
		hits, err := queryAll(ctx, tx, func(row scanner, h *hit) error { return row.Scan(&h.id, &h.due) },
			"SELECT c.id, c.due_at FROM conversations c WHERE "+atRisk+
				" AND c.due_reminded_at IS NULL ORDER BY c.due_at LIMIT 500", ms(before))
		if err != nil {
			return err
		}
		now := ms(db.clock())
		for _, h := range hits {
			// Claimed by the update, so that two processes running the care
			// worker remind once.
			res, err := tx.Exec(ctx, "UPDATE conversations SET due_reminded_at = ? WHERE id = ? AND due_reminded_at IS NULL", now, h.id)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				if err != nil {
					return err
				}
				continue
			}
			if err := tx.Audit(ctx, "conversation.due_at_risk", "conversation", h.id, fromMS(h.due).Format(time.RFC3339)); err != nil {
				return err
			}
			ids = append(ids, h.id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("remind due dates: %w", err)
	}
	return ids, nil
}

// DelayTargets returns the conversations a delay request names: those with
// ids, or those not resolved that carry tag. An id that does not exist is
// an Invalid conversation_ids.
func (db *DB) DelayTargets(ctx context.Context, ids []int64, tag string) ([]kindred.Conversation, error) {
	var out []kindred.Conversation
	err := db.ReadTx(ctx, func(tx *Tx) error {
		if tag != "" {
			tagged, err := tx.ids(ctx, "SELECT c.id FROM conversations c JOIN conversation_tags t ON t.conversation_id = c.id"+
				" WHERE t.tag = ? AND c.status <> 'resolved' ORDER BY c.id LIMIT 1000", tag)
			if err != nil {
				return err
			}
			ids = append(ids, tagged...)
		}
		seen := map[int64]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			c, err := tx.conversation(ctx, id, false)
			if kindred.ErrorKind(err) == kindred.NotFound {
				return invalid("conversation_ids", fmt.Sprintf("no conversation %d", id))
			}
			if err != nil {
				return err
			}
			out = append(out, *c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find delayed conversations: %w", err)
	}
	return out, nil
}

// CreateDelays stores drafted heads-ups in one transaction, each with the
// date its conversation promised until now.
func (db *DB) CreateDelays(ctx context.Context, ds []kindred.Delay) error {
	by, _ := actor(ctx)
	err := db.Tx(ctx, func(tx *Tx) error {
		now := db.clock()
		for i := range ds {
			d := &ds[i]
			c, err := tx.conversation(ctx, d.ConversationID, true)
			if err != nil {
				return err
			}
			d.CustomerID, d.PromisedAt, d.Status, d.CreatedAt = c.CustomerID, c.DueAt, kindred.DelayDraft, now
			d.NewDate = roundMS(d.NewDate)
			if by != 0 {
				d.CreatedBy = &by
			}
			if d.Suggestions == nil {
				d.Suggestions = []string{}
			}
			d.ID, err = tx.Insert(ctx, `INSERT INTO delays (conversation_id, batch, reason, plan, promised_at, new_date, draft,
				subject, suggestions, compassion, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id`,
				d.ConversationID, d.Batch, d.Reason, d.Plan, msPtr(d.PromisedAt), ms(d.NewDate), d.Draft, d.Subject,
				encodeList(d.Suggestions), floatOrNil(d.Compassion), nullInt(d.CreatedBy), ms(now))
			if err != nil {
				return err
			}
			if err := tx.Audit(ctx, "delay.create", "conversation", d.ConversationID, fmt.Sprintf("delay %d to %s", d.ID, d.NewDate.Format(time.DateOnly))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create delays: %w", err)
	}
	return nil
}

const delayColumns = `d.id, d.conversation_id, c.customer_id, cu.name, d.batch, d.reason, d.plan, d.promised_at, d.new_date, d.draft,
	d.subject, d.suggestions, d.compassion, d.status, d.channel, d.created_by, d.approved_by, d.created_at, d.approved_at,
	d.sent_at, d.outbox_id`

const delayFrom = ` FROM delays d JOIN conversations c ON c.id = d.conversation_id JOIN customers cu ON cu.id = c.customer_id`

func scanDelay(row scanner, d *kindred.Delay) error {
	var promised, approvedAt, sent, createdBy, approvedBy, outbox sql.NullInt64
	var newDate, created int64
	var suggestions, status, channel string
	var compassion sql.NullFloat64
	if err := row.Scan(&d.ID, &d.ConversationID, &d.CustomerID, &d.CustomerName, &d.Batch, &d.Reason, &d.Plan, &promised, &newDate, &d.Draft,
		&d.Subject, &suggestions, &compassion, &status, &channel, &createdBy, &approvedBy, &created, &approvedAt, &sent, &outbox); err != nil {
		return err
	}
	var err error
	if d.Suggestions, err = decodeList[string](suggestions); err != nil {
		return err
	}
	if compassion.Valid {
		d.Compassion = &compassion.Float64
	}
	d.Status, d.Channel = kindred.DelayStatus(status), kindred.Channel(channel)
	d.PromisedAt, d.NewDate, d.CreatedAt = fromNullMS(promised), fromMS(newDate), fromMS(created)
	d.ApprovedAt, d.SentAt = fromNullMS(approvedAt), fromNullMS(sent)
	d.CreatedBy, d.ApprovedBy, d.OutboxID = fromNullInt(createdBy), fromNullInt(approvedBy), fromNullInt(outbox)
	return nil
}

func (tx *Tx) delay(ctx context.Context, id int64, lock bool) (*kindred.Delay, error) {
	q := "SELECT " + delayColumns + delayFrom + " WHERE d.id = ?"
	if lock && tx.db.dialect == Postgres {
		// The customer is read for their name only: lock what is changed.
		q, lock = q+" FOR UPDATE OF d, c", false
	}
	return byID(ctx, tx, q, id, lock, "heads-up", scanDelay)
}

// Delay returns one delay and its heads-up.
func (db *DB) Delay(ctx context.Context, id int64) (*kindred.Delay, error) {
	var d *kindred.Delay
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		d, err = tx.delay(ctx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read heads-up %d: %w", id, err)
	}
	return d, nil
}

// Delays lists delays matching f, newest first.
func (db *DB) Delays(ctx context.Context, f kindred.DelayFilter) ([]kindred.Delay, error) {
	var w where
	if f.ConversationID != 0 {
		w.add("d.conversation_id = ?", f.ConversationID)
	}
	if f.Batch != "" {
		w.add("d.batch = ?", f.Batch)
	}
	if f.Status != "" {
		w.add("d.status = ?", string(f.Status))
	}
	out, err := listPage(ctx, db, "SELECT "+delayColumns+delayFrom, w, "d.id DESC", f.Page, scanDelay)
	if err != nil {
		return nil, fmt.Errorf("list heads-ups: %w", err)
	}
	return out, nil
}

// SendHeadsUp approves the heads-up of delay id and puts it in the outbox,
// in one transaction: by the customer's channel (kindred.ReachFor); the
// conversation's promised date becomes the new date, and a note in the
// conversation records what was sent. edited, when set, replaces the
// draft's text, score and suggestions (the agent changed the words). A
// customer who cannot be reached is Invalid, and nothing changes.
func (db *DB) SendHeadsUp(ctx context.Context, id int64, edited *kindred.Delay) (*kindred.Delay, error) {
	var d *kindred.Delay
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		d, err = tx.sendHeadsUp(ctx, id, edited)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("send heads-up %d: %w", id, err)
	}
	return d, nil
}

// SendBatch sends the draft heads-ups of a batch that can be sent, in one
// transaction: those listed in only, or all when only is nil. The
// customers who cannot be reached are left as drafts and reported by name;
// the drafts not chosen stay drafts.
func (db *DB) SendBatch(ctx context.Context, batch string, only []int64) (*kindred.BatchResult, error) {
	res := &kindred.BatchResult{Sent: []kindred.Delay{}, Skipped: []kindred.SkippedDelay{}}
	if strings.TrimSpace(batch) == "" {
		return nil, invalid("batch", "is required")
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		ids, err := tx.ids(ctx, "SELECT id FROM delays WHERE batch = ? AND status = 'draft' ORDER BY id", batch)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			ok, err := tx.Exists(ctx, "SELECT 1 FROM delays WHERE batch = ?", batch)
			if err != nil {
				return err
			}
			if !ok {
				return kindred.Errorf(kindred.NotFound, "no batch %q", batch)
			}
			return kindred.Errorf(kindred.Conflict, "every heads-up of batch %q is already sent or cancelled", batch)
		}
		if only != nil {
			for _, id := range only {
				if !slices.Contains(ids, id) {
					return invalid("delay_ids", fmt.Sprintf("heads-up %d is not a draft of batch %q: it was sent, cancelled or belongs elsewhere", id, batch))
				}
			}
			ids = slices.DeleteFunc(ids, func(id int64) bool { return !slices.Contains(only, id) })
		}
		for _, id := range ids {
			d, err := tx.sendHeadsUp(ctx, id, nil)
			var ke *kindred.Error
			if errors.As(err, &ke) && (ke.Kind == kindred.Invalid || ke.Kind == kindred.Conflict) {
				reason := ke.Message
				if len(ke.Fields) > 0 {
					reason = ke.Fields[0].Reason
				}
				conv, name := delayCustomer(ctx, tx, id)
				res.Skipped = append(res.Skipped, kindred.SkippedDelay{DelayID: id, ConversationID: conv, CustomerName: name, Reason: reason})
				continue
			}
			if err != nil {
				return err
			}
			res.Sent = append(res.Sent, *d)
		}
		return tx.Audit(ctx, "delay.batch_send", "batch", 0, fmt.Sprintf("%s: %d sent, %d skipped", batch, len(res.Sent), len(res.Skipped)))
	})
	if err != nil {
		return nil, fmt.Errorf("send batch %s: %w", batch, err)
	}
	return res, nil
}

// delayCustomer is the conversation of delay id and its customer's name,
// for a report.
func delayCustomer(ctx context.Context, tx *Tx, id int64) (conv int64, name string) {
	tx.QueryRow(ctx, `SELECT d.conversation_id, cu.name FROM delays d JOIN conversations c ON c.id = d.conversation_id
		JOIN customers cu ON cu.id = c.customer_id WHERE d.id = ?`, id).Scan(&conv, &name)
	return conv, name
}

// unreachable is the reason a heads-up or survey cannot be sent.
func unreachable(cust *kindred.Customer) error {
	return invalid("customer", fmt.Sprintf("%s has no phone number or email address on file, so nothing can be sent: call or visit them, or add a number first", cust.AddressAs()))
}

func (tx *Tx) sendHeadsUp(ctx context.Context, id int64, edited *kindred.Delay) (*kindred.Delay, error) {
	d, err := tx.delay(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if d.Status != kindred.DelayDraft {
		return nil, kindred.Errorf(kindred.Conflict, "heads-up %d is already %s", id, d.Status)
	}
	conv, err := tx.conversation(ctx, d.ConversationID, true)
	if err != nil {
		return nil, err
	}
	if !sameTime(d.PromisedAt, conv.DueAt) {
		// Another heads-up went out, or someone changed the promised date,
		// since this one was drafted: sending it would tell the customer
		// twice, or undo the newer date.
		return nil, kindred.Errorf(kindred.Conflict, "the promised date of conversation %d changed after heads-up %d was drafted: draft it again", conv.ID, id)
	}
	cust, err := tx.customer(ctx, conv.CustomerID, false)
	if err != nil {
		return nil, err
	}
	ch, to, ok := kindred.ReachFor(conv, cust)
	if !ok {
		return nil, unreachable(cust)
	}
	if edited != nil {
		d.Draft, d.Compassion, d.Suggestions = edited.Draft, edited.Compassion, edited.Suggestions
		if d.Suggestions == nil {
			d.Suggestions = []string{}
		}
	}
	m := &kindred.OutboundMessage{Channel: ch, To: to, Body: d.Draft, Purpose: "heads_up", CustomerID: &cust.ID}
	if ch == kindred.ChannelEmail {
		m.Subject = d.Subject
	}
	if err := tx.Enqueue(ctx, m); err != nil {
		return nil, err
	}
	now := tx.db.clock()
	by, name := actor(ctx)
	d.Status, d.Channel, d.ApprovedAt, d.SentAt, d.OutboxID = kindred.DelaySent, ch, &now, &now, &m.ID
	if by != 0 {
		d.ApprovedBy = &by
	}
	if _, err := tx.Exec(ctx, `UPDATE delays SET status = 'sent', channel = ?, approved_by = ?, approved_at = ?, sent_at = ?,
		outbox_id = ?, draft = ?, compassion = ?, suggestions = ? WHERE id = ?`,
		string(ch), nullInt(d.ApprovedBy), ms(now), ms(now), m.ID, d.Draft, floatOrNil(d.Compassion), encodeList(d.Suggestions), id); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "UPDATE conversations SET due_at = ?, due_reminded_at = NULL, updated_at = ? WHERE id = ?",
		ms(d.NewDate), ms(now), conv.ID); err != nil {
		return nil, err
	}
	how := "SMS"
	if ch == kindred.ChannelEmail {
		how = "email"
	}
	note := fmt.Sprintf("Heads-up sent by %s to %s:\n\n%s", how, to, d.Draft)
	if _, err := tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, author_id, author_name, body, created_at)
		VALUES (?, 'note', ?, ?, ?, ?)`, conv.ID, nullInt(d.ApprovedBy), name, note, ms(now)); err != nil {
		return nil, err
	}
	return d, tx.Audit(ctx, "delay.send", "conversation", conv.ID, fmt.Sprintf("delay %d by %s, outbox %d", id, ch, m.ID))
}

// CancelDelay withdraws a heads-up that has not been sent.
func (db *DB) CancelDelay(ctx context.Context, id int64) (*kindred.Delay, error) {
	var d *kindred.Delay
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		d, err = tx.delay(ctx, id, true)
		if err != nil {
			return err
		}
		if d.Status != kindred.DelayDraft {
			return kindred.Errorf(kindred.Conflict, "heads-up %d is already %s", id, d.Status)
		}
		d.Status = kindred.DelayCancelled
		if _, err := tx.Exec(ctx, "UPDATE delays SET status = 'cancelled' WHERE id = ?", id); err != nil {
			return err
		}
		return tx.Audit(ctx, "delay.cancel", "conversation", d.ConversationID, fmt.Sprintf("delay %d", id))
	})
	if err != nil {
		return nil, fmt.Errorf("cancel heads-up %d: %w", id, err)
	}
	return d, nil
}

// Follow-ups.

// ScheduleFollowUp stores a promise to check back. The agent who will do it
// must be able to work conversations.
func (db *DB) ScheduleFollowUp(ctx context.Context, f *kindred.FollowUp) error {
	var v kindred.Validation
	f.What = strings.TrimSpace(f.What)
	if f.What == "" {
		v.Add("what", "say what you will do, e.g. call to check the card arrived")
	} else if utf8.RuneCountInString(f.What) > 500 {
		v.Add("what", "must be at most 500 characters")
	}
	if f.DueAt.IsZero() {
		v.Add("due_at", "is required: when to do it")
	}
	if f.AgentID <= 0 {
		v.Add("agent_id", "is required: who will do it")
	}
	if err := v.Err(); err != nil {
		return err
	}
	f.DueAt = roundMS(f.DueAt)
	f.Status, f.Outcome, f.ClosedAt = kindred.FollowUpPending, "", nil
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "conversations", "", f.ConversationID); err != nil {
			return err
		}
		var role string
		var disabled bool
		err := tx.QueryRow(ctx, "SELECT role, disabled FROM agents WHERE id = ?", f.AgentID).Scan(&role, &disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return invalid("agent_id", "no such agent")
		}
		if err != nil {
			return err
		}
		if disabled || kindred.Role(role) == kindred.RoleKiosk {
			return invalid("agent_id", "this account cannot do follow-ups")
		}
		f.CreatedAt = db.clock()
		f.ID, err = tx.Insert(ctx, `INSERT INTO follow_ups (conversation_id, agent_id, what, due_at, status, created_at)
			VALUES (?, ?, ?, ?, 'pending', ?) RETURNING id`, f.ConversationID, f.AgentID, f.What, ms(f.DueAt), ms(f.CreatedAt))
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "follow_up.create", "conversation", f.ConversationID,
			fmt.Sprintf("follow-up %d for agent %d on %s", f.ID, f.AgentID, f.DueAt.Format(time.DateOnly)))
	})
	if err != nil {
		return fmt.Errorf("schedule follow-up: %w", err)
	}
	return nil
}

const followUpColumns = "id, conversation_id, agent_id, what, due_at, status, outcome, created_at, closed_at"

func scanFollowUp(row scanner, f *kindred.FollowUp) error {
	var due, created int64
	var closed sql.NullInt64
	var status string
	if err := row.Scan(&f.ID, &f.ConversationID, &f.AgentID, &f.What, &due, &status, &f.Outcome, &created, &closed); err != nil {
		return err
	}
	f.Status, f.DueAt, f.CreatedAt, f.ClosedAt = kindred.FollowUpStatus(status), fromMS(due), fromMS(created), fromNullMS(closed)
	return nil
}

// FollowUp returns one follow-up.
func (db *DB) FollowUp(ctx context.Context, id int64) (*kindred.FollowUp, error) {
	var f *kindred.FollowUp
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		f, err = byID(ctx, tx, "SELECT "+followUpColumns+" FROM follow_ups WHERE id = ?", id, false, "follow-up", scanFollowUp)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read follow-up %d: %w", id, err)
	}
	return f, nil
}

// FollowUps lists follow-ups matching f, soonest due first.
func (db *DB) FollowUps(ctx context.Context, f kindred.FollowUpFilter) ([]kindred.FollowUp, error) {
	var w where
	if f.AgentID != 0 {
		w.add("agent_id = ?", f.AgentID)
	}
	if f.ConversationID != 0 {
		w.add("conversation_id = ?", f.ConversationID)
	}
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	if f.DueBefore != nil {
		w.add("due_at < ?", ms(*f.DueBefore))
	}
	out, err := listPage(ctx, db, "SELECT "+followUpColumns+" FROM follow_ups", w, "due_at, id", f.Page, scanFollowUp)
	if err != nil {
		return nil, fmt.Errorf("list follow-ups: %w", err)
	}
	return out, nil
}

// CloseFollowUp records a pending follow-up as done or skipped, with what
// happened (or why it was skipped).
func (db *DB) CloseFollowUp(ctx context.Context, id int64, status kindred.FollowUpStatus, outcome string) (*kindred.FollowUp, error) {
	var v kindred.Validation
	if status != kindred.FollowUpDone && status != kindred.FollowUpSkipped {
		v.Add("status", "must be done or skipped")
	}
	outcome = strings.TrimSpace(outcome)
	if outcome == "" {
		v.Add("outcome", "say what happened, or why it was skipped")
	} else if utf8.RuneCountInString(outcome) > 2000 {
		v.Add("outcome", "must be at most 2000 characters")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var f *kindred.FollowUp
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		if f, err = byID(ctx, tx, "SELECT "+followUpColumns+" FROM follow_ups WHERE id = ?", id, true, "follow-up", scanFollowUp); err != nil {
			return err
		}
		if f.Status != kindred.FollowUpPending {
			return kindred.Errorf(kindred.Conflict, "follow-up %d is already %s", id, f.Status)
		}
		now := db.clock()
		f.Status, f.Outcome, f.ClosedAt = status, outcome, &now
		if _, err := tx.Exec(ctx, "UPDATE follow_ups SET status = ?, outcome = ?, closed_at = ? WHERE id = ?",
			string(status), outcome, ms(now), id); err != nil {
			return err
		}
		return tx.Audit(ctx, "follow_up."+string(status), "conversation", f.ConversationID, fmt.Sprintf("follow-up %d", id))
	})
	if err != nil {
		return nil, fmt.Errorf("close follow-up %d: %w", id, err)
	}
	return f, nil
}

// Gestures.

// SuggestGesture records a suggested gesture, once per conversation and
// kind; it reports whether it was new.
func (db *DB) SuggestGesture(ctx context.Context, conversationID int64, kind, reason string) (bool, error) {
	var added bool
	err := db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO gestures (conversation_id, kind, reason, status, created_at)
			VALUES (?, ?, ?, 'suggested', ?) ON CONFLICT (conversation_id, kind) DO NOTHING`,
			conversationID, kind, reason, ms(db.clock()))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		added = true
		return tx.Audit(ctx, "gesture.suggest", "conversation", conversationID, kind)
	})
	if err != nil {
		return false, fmt.Errorf("suggest gesture for conversation %d: %w", conversationID, err)
	}
	return added, nil
}

const gestureColumns = "id, conversation_id, kind, reason, status, done_by, created_at, done_at"

func scanGesture(row scanner, g *kindred.Gesture) error {
	var status string
	var by, done sql.NullInt64
	var created int64
	if err := row.Scan(&g.ID, &g.ConversationID, &g.Kind, &g.Reason, &status, &by, &created, &done); err != nil {
		return err
	}
	g.Status, g.DoneBy, g.CreatedAt, g.DoneAt = kindred.GestureStatus(status), fromNullInt(by), fromMS(created), fromNullMS(done)
	return nil
}

// Gestures lists the gestures suggested for a conversation, oldest first.
func (db *DB) Gestures(ctx context.Context, conversationID int64) ([]kindred.Gesture, error) {
	var out []kindred.Gesture
	err := db.ReadTx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "conversations", "", conversationID); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, scanGesture, "SELECT "+gestureColumns+" FROM gestures WHERE conversation_id = ? ORDER BY id", conversationID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list gestures of conversation %d: %w", conversationID, err)
	}
	return out, nil
}

// CloseGesture records a suggested gesture as done or dismissed by the actor.
func (db *DB) CloseGesture(ctx context.Context, id int64, status kindred.GestureStatus) (*kindred.Gesture, error) {
	if status != kindred.GestureDone && status != kindred.GestureDismissed {
		return nil, invalid("status", "must be done or dismissed")
	}
	var g *kindred.Gesture
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		if g, err = byID(ctx, tx, "SELECT "+gestureColumns+" FROM gestures WHERE id = ?", id, true, "gesture", scanGesture); err != nil {
			return err
		}
		if g.Status != kindred.GestureSuggested {
			return kindred.Errorf(kindred.Conflict, "gesture %d is already %s", id, g.Status)
		}
		now := db.clock()
		by, _ := actor(ctx)
		g.Status, g.DoneAt = status, &now
		if by != 0 {
			g.DoneBy = &by
		}
		if _, err := tx.Exec(ctx, "UPDATE gestures SET status = ?, done_by = ?, done_at = ? WHERE id = ?",
			string(status), nullInt(g.DoneBy), ms(now), id); err != nil {
			return err
		}
		return tx.Audit(ctx, "gesture."+string(status), "conversation", g.ConversationID, g.Kind)
	})
	if err != nil {
		return nil, fmt.Errorf("close gesture %d: %w", id, err)
	}
	return g, nil
}

// CareCursor returns where the care worker's scan name has reached (0 at first).
func (db *DB) CareCursor(ctx context.Context, name string) (int64, error) {
	var v int64
	err := db.ReadTx(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, "SELECT value FROM care_cursors WHERE name = ?", name).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read care cursor %s: %w", name, err)
	}
	return v, nil
}

// SetCareCursor records where the care worker's scan name has reached.
func (db *DB) SetCareCursor(ctx context.Context, name string, value int64) error {
	err := db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO care_cursors (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("set care cursor %s: %w", name, err)
	}
	return nil
}

// CustomerMessagesAfter returns up to limit analysed customer messages with
// ids above afterID, written since since, oldest first.
func (db *DB) CustomerMessagesAfter(ctx context.Context, afterID int64, since time.Time, limit int) ([]kindred.Message, error) {
	var msgs []kindred.Message
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		msgs, err = tx.messages(ctx, `WHERE id > ? AND created_at >= ? AND direction = 'in' AND analysis IS NOT NULL
			ORDER BY id LIMIT ?`, afterID, ms(since), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read customer messages: %w", err)
	}
	return msgs, nil
}

// LastMessageID is the id of the newest message, 0 when there is none.
func (db *DB) LastMessageID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := db.ReadTx(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT MAX(id) FROM messages").Scan(&id)
	})
	return id.Int64, err
}

// LongOpen returns up to limit conversations, not resolved, opened before
// before, that have no suggested call yet.
func (db *DB) LongOpen(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		ids, err = tx.ids(ctx, `SELECT c.id FROM conversations c WHERE c.status <> 'resolved' AND c.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM gestures g WHERE g.conversation_id = c.id AND g.kind = ?) ORDER BY c.created_at LIMIT ?`,
			ms(before), kindred.GestureCall, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find long-open conversations: %w", err)
	}
	return ids, nil
}

// Surveys.

// SurveyDue is a resolved conversation that has no survey since it was
// resolved, with its customer.
type SurveyDue struct {
	Conversation kindred.Conversation
	Customer     kindred.Customer
}

// ResolvedWithoutSurvey returns up to limit conversations resolved since
// since that have had no survey since, whose customer has a phone or an email.
func (db *DB) ResolvedWithoutSurvey(ctx context.Context, since time.Time, limit int) ([]SurveyDue, error) {
	var out []SurveyDue
	err := db.ReadTx(ctx, func(tx *Tx) error {
		pairs, err := queryAll(ctx, tx, func(row scanner, p *[2]int64) error { return row.Scan(&p[0], &p[1]) },
			`SELECT c.id, c.customer_id FROM conversations c JOIN customers cu ON cu.id = c.customer_id
			WHERE c.status = 'resolved' AND c.resolved_at >= ? AND (cu.phone <> '' OR cu.email <> '')
			AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.conversation_id = c.id AND s.created_at >= c.resolved_at)
			ORDER BY c.resolved_at, c.id LIMIT ?`, ms(since), limit)
		if err != nil {
			return err
		}
		for _, p := range pairs {
			c, err := tx.conversation(ctx, p[0], false)
			if err != nil {
				return err
			}
			cu, err := tx.customer(ctx, p[1], false)
			if err != nil {
				return err
			}
			out = append(out, SurveyDue{Conversation: *c, Customer: *cu})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find resolved conversations to survey: %w", err)
	}
	return out, nil
}

// CreateSurvey stores survey s, whose link's secret hashes to tokenHash,
// and puts message m (which carries the link) in the outbox, in one
// transaction. A survey already made since the resolution is a Conflict.
func (db *DB) CreateSurvey(ctx context.Context, s *kindred.Survey, tokenHash []byte, m *kindred.OutboundMessage) error {
	err := db.Tx(ctx, func(tx *Tx) error {
		c, err := tx.conversation(ctx, s.ConversationID, true)
		if err != nil {
			return err
		}
		if c.ResolvedAt != nil {
			dup, err := tx.Exists(ctx, "SELECT 1 FROM surveys WHERE conversation_id = ? AND created_at >= ?", c.ID, ms(*c.ResolvedAt))
			if err != nil {
				return err
			}
			if dup {
				return kindred.Errorf(kindred.Conflict, "conversation %d already has a survey", c.ID)
			}
		}
		s.CustomerID, s.AgentID = c.CustomerID, c.AssigneeID
		s.CreatedAt, s.ExpiresAt = db.clock(), roundMS(s.ExpiresAt)
		if m != nil {
			m.CustomerID = &s.CustomerID
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
			s.OutboxID = &m.ID
		}
		s.ID, err = tx.Insert(ctx, `INSERT INTO surveys (conversation_id, customer_id, agent_id, channel, token_hash, created_at,
			expires_at, outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			s.ConversationID, s.CustomerID, nullInt(s.AgentID), string(s.Channel), tokenHash, ms(s.CreatedAt), ms(s.ExpiresAt), nullInt(s.OutboxID))
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "survey.create", "conversation", c.ID, fmt.Sprintf("survey %d by %s", s.ID, s.Channel))
	})
	if err != nil {
		return fmt.Errorf("create survey: %w", err)
	}
	return nil
}

const surveyColumns = `id, conversation_id, customer_id, agent_id, channel, created_at, expires_at, answered_at,
	satisfaction, felt_heard, comment, outbox_id`

func scanSurvey(row scanner, s *kindred.Survey) error {
	var agent, answered, sat, outbox sql.NullInt64
	var created, expires int64
	var channel string
	var felt sql.NullString
	if err := row.Scan(&s.ID, &s.ConversationID, &s.CustomerID, &agent, &channel, &created, &expires, &answered,
		&sat, &felt, &s.Comment, &outbox); err != nil {
		return err
	}
	s.AgentID, s.OutboxID, s.Channel = fromNullInt(agent), fromNullInt(outbox), kindred.Channel(channel)
	s.CreatedAt, s.ExpiresAt, s.AnsweredAt = fromMS(created), fromMS(expires), fromNullMS(answered)
	if sat.Valid {
		n := int(sat.Int64)
		s.Satisfaction = &n
	}
	if felt.Valid {
		f := kindred.FeltHeard(felt.String)
		s.FeltHeard = &f
	}
	return nil
}

// Surveys lists surveys matching f, newest first.
func (db *DB) Surveys(ctx context.Context, f kindred.SurveyFilter) ([]kindred.Survey, error) {
	var w where
	if f.ConversationID != 0 {
		w.add("conversation_id = ?", f.ConversationID)
	}
	if f.AgentID != 0 {
		w.add("agent_id = ?", f.AgentID)
	}
	if f.Answered != nil {
		if *f.Answered {
			w.add("answered_at IS NOT NULL")
		} else {
			w.add("answered_at IS NULL")
		}
	}
	out, err := listPage(ctx, db, "SELECT "+surveyColumns+" FROM surveys", w, "id DESC", f.Page, scanSurvey)
	if err != nil {
		return nil, fmt.Errorf("list surveys: %w", err)
	}
	return out, nil
}

// openSurvey reads the survey whose link hashes to hash, refusing one that
// was answered (Conflict) or has expired at now (Locked).
func (tx *Tx) openSurvey(ctx context.Context, hash []byte, now time.Time, lock bool) (*kindred.Survey, error) {
	q := "SELECT " + surveyColumns + " FROM surveys WHERE token_hash = ?"
	if lock {
		q += tx.ForUpdate()
	}
	var s kindred.Survey
	err := scanSurvey(tx.QueryRow(ctx, q, hash), &s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kindred.Errorf(kindred.NotFound, "no such survey")
	}
	if err != nil {
		return nil, err
	}
	if s.AnsweredAt != nil {
		return &s, kindred.Errorf(kindred.Conflict, "this survey has already been answered")
	}
	if !now.Before(s.ExpiresAt) {
		return &s, kindred.Errorf(kindred.Locked, "this survey link has expired")
	}
	return &s, nil
}

// SurveyByToken returns what the survey page shows for the link hashing to
// hash, at time now.
func (db *DB) SurveyByToken(ctx context.Context, hash []byte, now time.Time) (*kindred.SurveyForm, error) {
	var f kindred.SurveyForm
	err := db.ReadTx(ctx, func(tx *Tx) error {
		s, err := tx.openSurvey(ctx, hash, now, false)
		if err != nil {
			return err
		}
		var name, preferred string
		if err := tx.QueryRow(ctx, `SELECT cu.name, cu.preferred_name, cu.language, c.subject FROM surveys s
			JOIN customers cu ON cu.id = s.customer_id JOIN conversations c ON c.id = s.conversation_id WHERE s.id = ?`, s.ID).
			Scan(&name, &preferred, &f.Language, &f.Subject); err != nil {
			return err
		}
		f.SurveyID, f.CustomerName = s.ID, name
		if preferred != "" {
			f.CustomerName = preferred
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open survey: %w", err)
	}
	return &f, nil
}

// ValidSurveyAnswer checks an answer given on the survey page.
func ValidSurveyAnswer(a kindred.SurveyAnswer) error {
	var v kindred.Validation
	if a.Satisfaction < 1 || a.Satisfaction > 5 {
		v.Add("satisfaction", "choose a number from 1 to 5")
	}
	switch a.FeltHeard {
	case kindred.HeardYes, kindred.HeardPartly, kindred.HeardNo:
	default:
		v.Add("felt_heard", "choose yes, partly or no")
	}
	if utf8.RuneCountInString(a.Comment) > 2000 {
		v.Add("comment", "must be at most 2000 characters")
	}
	return v.Err()
}

// AnswerSurveyByToken records the answers given through the link hashing to
// hash, once.
func (db *DB) AnswerSurveyByToken(ctx context.Context, hash []byte, a kindred.SurveyAnswer, now time.Time) error {
	a.Comment = strings.TrimSpace(a.Comment)
	if err := ValidSurveyAnswer(a); err != nil {
		return err
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		s, err := tx.openSurvey(ctx, hash, now, true)
		if err != nil {
			return err
		}
		return tx.answerSurvey(ctx, s.ID, &a.Satisfaction, &a.FeltHeard, a.Comment, now)
	})
	if err != nil {
		return fmt.Errorf("answer survey: %w", err)
	}
	return nil
}

func (tx *Tx) answerSurvey(ctx context.Context, id int64, sat *int, felt *kindred.FeltHeard, comment string, now time.Time) error {
	var answered any
	if felt != nil {
		answered = ms(now)
	}
	var satV, feltV any
	if sat != nil {
		satV = *sat
	}
	if felt != nil {
		feltV = string(*felt)
	}
	if _, err := tx.Exec(ctx, `UPDATE surveys SET satisfaction = COALESCE(?, satisfaction), felt_heard = COALESCE(?, felt_heard),
		comment = CASE WHEN ? = '' THEN comment ELSE ? END, answered_at = ? WHERE id = ?`,
		satV, feltV, comment, comment, answered, id); err != nil {
		return err
	}
	detail := "partly answered"
	if felt != nil {
		detail = "answered"
		var s kindred.Survey
		if err := scanSurvey(tx.QueryRow(ctx, "SELECT "+surveyColumns+" FROM surveys WHERE id = ?", id), &s); err != nil {
			return err
		}
		if err := tx.emit(ctx, kindred.EventSurveyAnswered, map[string]any{"survey": s}); err != nil {
			return err
		}
	}
	if err := tx.Audit(ctx, "survey.answer", "survey", id, detail); err != nil {
		return err
	}
	return tx.followUpNotHeard(ctx, id, felt, now)
}

// TextConversation returns the SMS conversation of the customer with this
// phone that a text which is not a survey answer belongs to: the newest one
// not resolved, else the newest resolved within kindred.ReopenWindow (the
// text reopens it), else a new one. A phone no customer has is NotFound.
func (db *DB) TextConversation(ctx context.Context, phone string) (*kindred.Conversation, *kindred.Customer, error) {
	var conv *kindred.Conversation
	var cust *kindred.Customer
	err := db.Tx(ctx, func(tx *Tx) error {
		var custID int64
		err := tx.QueryRow(ctx, "SELECT id FROM customers WHERE phone = ? AND merged_into IS NULL ORDER BY id LIMIT 1", phone).Scan(&custID)
		if errors.Is(err, sql.ErrNoRows) {
			return kindred.Errorf(kindred.NotFound, "no customer has this phone")
		}
		if err != nil {
			return err
		}
		if cust, err = tx.customer(ctx, custID, false); err != nil {
			return err
		}
		var convID int64
		// An answer soon after resolution belongs to the matter just closed
		// (the message reopens it), not to a new conversation.
		err = tx.QueryRow(ctx, `SELECT id FROM conversations WHERE customer_id = ? AND channel = 'sms'
			AND (status <> 'resolved' OR resolved_at >= ?)
			ORDER BY CASE WHEN status <> 'resolved' THEN 0 ELSE 1 END, updated_at DESC, id DESC LIMIT 1`,
			custID, ms(db.clock().Add(-kindred.ReopenWindow))).Scan(&convID)
		if err == nil {
			conv, err = tx.conversation(ctx, convID, false)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := db.clock()
		c := &kindred.Conversation{CustomerID: custID, Channel: kindred.ChannelSMS, Subject: "Text message",
			Status: kindred.StatusOpen, Priority: kindred.PriorityNormal, Tags: []string{}, CreatedAt: now, UpdatedAt: now}
		if c.ID, err = tx.Insert(ctx, `INSERT INTO conversations (customer_id, channel, subject, status, priority, created_at, updated_at)
			VALUES (?, 'sms', ?, 'open', 'normal', ?, ?) RETURNING id`, custID, c.Subject, ms(now), ms(now)); err != nil {
			return err
		}
		conv = c
		return tx.Audit(ctx, "conversation.create", "conversation", c.ID, fmt.Sprintf("customer %d, sms", custID))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("find the conversation of a text: %w", err)
	}
	return conv, cust, nil
}

// PendingSMSSurvey returns the newest unanswered, unexpired survey sent by
// SMS to the customer with this phone, or NotFound.
func (db *DB) PendingSMSSurvey(ctx context.Context, phone string, now time.Time) (*kindred.Survey, *kindred.Customer, error) {
	var s kindred.Survey
	var cu *kindred.Customer
	err := db.ReadTx(ctx, func(tx *Tx) error {
		err := scanSurvey(tx.QueryRow(ctx, "SELECT "+surveyColumns+` FROM surveys WHERE channel = 'sms' AND answered_at IS NULL
			AND expires_at > ? AND customer_id IN (SELECT id FROM customers WHERE phone = ?) ORDER BY id DESC LIMIT 1`,
			ms(now), phone), &s)
		if errors.Is(err, sql.ErrNoRows) {
			return kindred.Errorf(kindred.NotFound, "no survey waits for an answer from this phone")
		}
		if err != nil {
			return err
		}
		cu, err = tx.customer(ctx, s.CustomerID, false)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("find survey by phone: %w", err)
	}
	return &s, cu, nil
}

// AnswerSurveyBySMS records one SMS answer to survey id (the satisfaction,
// or whether they felt heard, which completes it) and puts the reply in the
// outbox, in one transaction. An answer to a question already answered is a
// Conflict.
func (db *DB) AnswerSurveyBySMS(ctx context.Context, id int64, sat *int, felt *kindred.FeltHeard, comment string, reply *kindred.OutboundMessage, now time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error { return tx.AnswerSurveyBySMS(ctx, id, sat, felt, comment, reply, now) })
}

// AnswerSurveyBySMS is DB.AnswerSurveyBySMS in tx.
func (tx *Tx) AnswerSurveyBySMS(ctx context.Context, id int64, sat *int, felt *kindred.FeltHeard, comment string, reply *kindred.OutboundMessage, now time.Time) error {
	err := func() error {
		var s kindred.Survey
		if err := scanSurvey(tx.QueryRow(ctx, "SELECT "+surveyColumns+" FROM surveys WHERE id = ?"+tx.ForUpdate(), id), &s); err != nil {
			return err
		}
		if s.AnsweredAt != nil || (sat != nil && s.Satisfaction != nil) || (felt != nil && s.Satisfaction == nil) {
			return kindred.Errorf(kindred.Conflict, "survey %d is not waiting for that answer", id)
		}
		if err := tx.answerSurvey(ctx, id, sat, felt, comment, now); err != nil {
			return err
		}
		if reply != nil {
			return tx.Enqueue(ctx, reply)
		}
		return nil
	}()
	if err != nil {
		return fmt.Errorf("answer survey %d by SMS: %w", id, err)
	}
	return nil
}

// InboundHandled reports whether the gateway's text with this id was handled
// already.
func (db *DB) InboundHandled(ctx context.Context, providerID string) (bool, error) {
	var seen bool
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		seen, err = tx.Exists(ctx, "SELECT 1 FROM inbound_sms WHERE provider_id = ?", providerID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("inbound text %q: %w", providerID, err)
	}
	return seen, nil
}

// ErrInboundHandled is returned by HandleInbound when the gateway's text was
// handled before: nothing was written.
var ErrInboundHandled = errors.New("the gateway's text was handled already")

// HandleInbound runs fn, which applies the effect of the gateway's text
// providerID (a message stored, a survey answered, a reply queued), in one
// write transaction with the record that the text was handled. A gateway
// that timed out waiting for our answer sends the text again, perhaps while
// the first is still being handled, perhaps after a crash: committing the
// effect and the record together means that exactly one delivery has an
// effect, whatever the timing. The others get ErrInboundHandled, having
// changed nothing.
func (db *DB) HandleInbound(ctx context.Context, providerID string, at time.Time, fn func(tx *Tx) error) error {
	return db.Tx(ctx, func(tx *Tx) error {
		// Recorded first: a second delivery inserting the same id waits
		// here for this transaction (PostgreSQL) or for the write lock
		// (SQLite), then finds the id taken.
		res, err := tx.Exec(ctx, "INSERT INTO inbound_sms (provider_id, handled_at) VALUES (?, ?) ON CONFLICT (provider_id) DO NOTHING",
			providerID, ms(at))
		if err != nil {
			return fmt.Errorf("inbound text %q: %w", providerID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("inbound text %q: %w", providerID, err)
		} else if n == 0 {
			return ErrInboundHandled
		}
		return fn(tx)
	})
}
