package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

// CreateWebhook stores w, active, and fills in its id and creation time.
// The URL is checked for form here; whether its address may be reached
// (the SSRF guard) is the webhook package's, at creation and at every dial.
func (db *DB) CreateWebhook(ctx context.Context, w *kindred.Webhook) error {
	var v kindred.Validation
	if w.URL == "" || !(strings.HasPrefix(w.URL, "https://") || strings.HasPrefix(w.URL, "http://")) {
		v.Add("url", "must be an http:// or https:// address")
	}
	if len(w.Secret) < 16 {
		v.Add("secret", "must be at least 16 characters")
	}
	if len(w.Events) == 0 {
		v.Add("events", "choose at least one event")
	}
	for _, e := range w.Events {
		if !slices.Contains(kindred.WebhookEvents, e) {
			v.Add("events", fmt.Sprintf("%q is not an event; choose from message.created, conversation.updated, survey.answered, ticket.called", e))
			break
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	events := slices.Clone(w.Events)
	slices.Sort(events)
	w.Events = slices.Compact(events)
	w.Active = true
	w.CreatedAt = db.clock()
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		w.ID, err = tx.Insert(ctx, `INSERT INTO webhooks (url, secret, events, description, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, w.URL, w.Secret, eventList(w.Events), w.Description, true, ms(w.CreatedAt))
		if err != nil {
			return err
		}
		// The URL may carry a token in its query: the audit names the host only.
		return tx.Audit(ctx, "webhook.create", "webhook", w.ID, hostOf(w.URL)+" for "+eventList(w.Events))
	})
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	return nil
}

// eventList is events as stored: space-separated, a space at each end.
func eventList(events []kindred.WebhookEvent) string {
	var b strings.Builder
	b.WriteByte(' ')
	for _, e := range events {
		b.WriteString(string(e))
		b.WriteByte(' ')
	}
	return b.String()
}

func hostOf(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	return host
}

// Webhooks lists the active subscriptions, without their secrets.
func (db *DB) Webhooks(ctx context.Context) ([]kindred.Webhook, error) {
	var out []kindred.Webhook
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, func(row scanner, w *kindred.Webhook) error {
			var events string
			var created int64
			if err := row.Scan(&w.ID, &w.URL, &events, &w.Description, &w.Active, &created); err != nil {
				return err
			}
			for _, e := range strings.Fields(events) {
				w.Events = append(w.Events, kindred.WebhookEvent(e))
			}
			w.CreatedAt = fromMS(created)
			return nil
		}, `SELECT id, url, events, description, active, created_at FROM webhooks
			WHERE active = ? ORDER BY id`, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// RemoveWebhook stops deliveries to webhook id. Its pending deliveries die
// with the reason; the log stays for the record.
func (db *DB) RemoveWebhook(ctx context.Context, id int64) error {
	err := db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE webhooks SET active = ? WHERE id = ? AND active = ?", false, id, true)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("webhook", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'dead', last_error = 'the webhook was removed', lease_until = NULL
			WHERE webhook_id = ? AND status = 'pending'`, id); err != nil {
			return err
		}
		return tx.Audit(ctx, "webhook.remove", "webhook", id, "")
	})
	if err != nil {
		return fmt.Errorf("remove webhook %d: %w", id, err)
	}
	return nil
}

// emit writes event, with data as its payload, for every active subscriber
// of the event, in tx: it is delivered if and only if tx commits.
func (tx *Tx) emit(ctx context.Context, event kindred.WebhookEvent, data any) error {
	if tx.db.dialect == Postgres {
		// One statement, which waits for the transaction's next (see later);
		// SQLite's writer keeps the read, which spares it encoding the
		// payload when no one subscribes.
		payload, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("encode %s: %w", event, err)
		}
		now := ms(tx.db.clock())
		return tx.later(ctx, "queue "+string(event)+" for its subscribers", `INSERT INTO webhook_deliveries
			(webhook_id, event, payload, status, next_attempt_at, created_at)
			SELECT id, ?, ?, 'pending', ?, ? FROM webhooks WHERE active = ? AND events LIKE '% ' || ? || ' %'`,
			func(n int64) {
				if n > 0 {
					tx.queued |= QueueWebhooks
				}
			}, string(event), string(payload), now, now, true, string(event))
	}
	// The pattern is built in SQL: a LIKE whose pattern is a bare parameter
	// made SQLite prepare the statement again each time it was bound (the
	// pattern could allow an index; see planStably), a sixth of the
	// writer's time in a profile.
	ids, err := tx.ids(ctx, "SELECT id FROM webhooks WHERE active = ? AND events LIKE '% ' || ? || ' %'", true, string(event))
	if err != nil {
		return fmt.Errorf("find the subscribers of %s: %w", event, err)
	}
	if len(ids) == 0 {
		return nil
	}
	payload, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s: %w", event, err)
	}
	now := ms(tx.db.clock())
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (webhook_id, event, payload, status, next_attempt_at, created_at)
			VALUES (?, ?, ?, 'pending', ?, ?)`, id, string(event), string(payload), now, now); err != nil {
			return fmt.Errorf("queue %s for webhook %d: %w", event, id, err)
		}
	}
	tx.queued |= QueueWebhooks
	return nil
}

const deliveryColumns = `d.id, d.webhook_id, d.event, d.payload, d.status, d.attempts, d.next_attempt_at, d.last_status,
	d.last_error, d.replay_of, d.created_at, d.delivered_at, w.url, w.secret`

func scanDelivery(row scanner, d *kindred.WebhookDelivery) error {
	var event, payload, status string
	var next, created int64
	var replay, delivered sql.NullInt64
	if err := row.Scan(&d.ID, &d.WebhookID, &event, &payload, &status, &d.Attempts, &next, &d.LastStatus,
		&d.LastError, &replay, &created, &delivered, &d.URL, &d.Secret); err != nil {
		return err
	}
	d.Event, d.Payload, d.Status = kindred.WebhookEvent(event), json.RawMessage(payload), kindred.WebhookStatus(status)
	d.NextAttemptAt, d.CreatedAt = fromMS(next), fromMS(created)
	d.ReplayOf, d.DeliveredAt = fromNullInt(replay), fromNullMS(delivered)
	return nil
}

func (tx *Tx) deliveries(ctx context.Context, clause string, args ...any) ([]kindred.WebhookDelivery, error) {
	return queryAll(ctx, tx, scanDelivery, "SELECT "+deliveryColumns+" FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "+clause, args...)
}

// WebhookDeliveries lists deliveries, newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, f kindred.WebhookDeliveryFilter) ([]kindred.WebhookDelivery, error) {
	limit, offset := limits(f.Page)
	var where []string
	var args []any
	if f.WebhookID != 0 {
		where, args = append(where, "d.webhook_id = ?"), append(args, f.WebhookID)
	}
	if f.Status != "" {
		where, args = append(where, "d.status = ?"), append(args, string(f.Status))
	}
	clause := ""
	if len(where) > 0 {
		clause = "WHERE " + strings.Join(where, " AND ")
	}
	var out []kindred.WebhookDelivery
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		out, err = tx.deliveries(ctx, clause+" ORDER BY d.id DESC LIMIT ? OFFSET ?", append(args, limit, offset)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	return out, nil
}

// WebhookDelivery returns delivery id with its log of attempts, oldest first.
func (db *DB) WebhookDelivery(ctx context.Context, id int64) (*kindred.WebhookDelivery, error) {
	var d *kindred.WebhookDelivery
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		d, err = tx.delivery(ctx, id)
		if err != nil {
			return err
		}
		d.Log, err = queryAll(ctx, tx, func(row scanner, a *kindred.WebhookAttempt) error {
			var at, dur int64
			err := row.Scan(&a.Attempt, &at, &a.StatusCode, &a.Error, &dur)
			a.At, a.Duration = fromMS(at), time.Duration(dur)*time.Millisecond
			return err
		}, `SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts
			WHERE delivery_id = ? ORDER BY id`, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read webhook delivery %d: %w", id, err)
	}
	return d, nil
}

func (tx *Tx) delivery(ctx context.Context, id int64) (*kindred.WebhookDelivery, error) {
	ds, err := tx.deliveries(ctx, "WHERE d.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, notFound("webhook delivery", id)
	}
	return &ds[0], nil
}

// ReplayWebhookDelivery queues delivery id's event again for the same
// subscriber, as a new delivery due now; the original and its log stay as
// they were. A removed webhook is not replayed to.
func (db *DB) ReplayWebhookDelivery(ctx context.Context, id int64) (*kindred.WebhookDelivery, error) {
	var d *kindred.WebhookDelivery
	err := db.Tx(ctx, func(tx *Tx) error {
		orig, err := tx.delivery(ctx, id)
		if err != nil {
			return err
		}
		active, err := tx.Exists(ctx, "SELECT 1 FROM webhooks WHERE id = ? AND active = ?", orig.WebhookID, true)
		if err != nil {
			return err
		}
		if !active {
			return kindred.Errorf(kindred.Conflict, "webhook %d was removed: nothing to replay to", orig.WebhookID)
		}
		now := ms(tx.db.clock())
		newID, err := tx.Insert(ctx, `INSERT INTO webhook_deliveries (webhook_id, event, payload, status, next_attempt_at, replay_of, created_at)
			VALUES (?, ?, ?, 'pending', ?, ?, ?) RETURNING id`, orig.WebhookID, string(orig.Event), string(orig.Payload), now, id, now)
		if err != nil {
			return err
		}
		tx.queued |= QueueWebhooks
		if err := tx.Audit(ctx, "webhook.replay", "webhook_delivery", id, fmt.Sprintf("as delivery %d", newID)); err != nil {
			return err
		}
		d, err = tx.delivery(ctx, newID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("replay webhook delivery %d: %w", id, err)
	}
	return d, nil
}

// ClaimWebhookDeliveries leases the due deliveries: for each active
// subscriber only its oldest pending one, so that a receiver that is down
// holds back the events after it and hears them in order once it is up.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]kindred.WebhookDelivery, error) {
	var out []kindred.WebhookDelivery
	err := db.Tx(ctx, func(tx *Tx) error {
		due, err := tx.deliveries(ctx, `WHERE d.status = 'pending' AND w.active = ?
			AND d.id = (SELECT MIN(d2.id) FROM webhook_deliveries d2 WHERE d2.webhook_id = d.webhook_id AND d2.status = 'pending')
			AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
			ORDER BY d.id LIMIT ?`, true, ms(now), ms(now), limit)
		if err != nil {
			return err
		}
		for _, d := range due {
			// Another process may have claimed it since the read (PostgreSQL).
			res, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET lease_until = ?, attempts = attempts + 1
				WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)`,
				ms(now.Add(lease)), d.ID, ms(now))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				d.Attempts++
				out = append(out, d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return out, nil
}

// RecordWebhookAttempt logs attempt a at delivery id and moves the delivery
// on: delivered, dead, or pending again from retryAt.
func (db *DB) RecordWebhookAttempt(ctx context.Context, id int64, a kindred.WebhookAttempt, delivered bool, retryAt time.Time, dead bool) error {
	if len(a.Error) > 500 {
		a.Error = a.Error[:500]
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
			VALUES (?, ?, ?, ?, ?, ?)`, id, a.Attempt, ms(a.At), a.StatusCode, a.Error, a.Duration.Milliseconds()); err != nil {
			return err
		}
		var res sql.Result
		var err error
		switch {
		case delivered:
			res, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = ?, last_status = ?,
				last_error = '', lease_until = NULL WHERE id = ? AND status = 'pending'`, ms(a.At), a.StatusCode, id)
		case dead:
			res, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'dead', last_status = ?, last_error = ?,
				lease_until = NULL WHERE id = ? AND status = 'pending'`, a.StatusCode, a.Error, id)
		default:
			res, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = ?, last_status = ?, last_error = ?,
				lease_until = NULL WHERE id = ? AND status = 'pending'`, ms(retryAt), a.StatusCode, a.Error, id)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return kindred.Errorf(kindred.Conflict, "webhook delivery %d is not pending", id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record webhook attempt %d: %w", id, err)
	}
	return nil
}
