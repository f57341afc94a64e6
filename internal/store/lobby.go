package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/queue"
)

// The lobby: services (lobby_queues), desks and walk-in tickets. The order
// of calling and the wait estimates are internal/queue's; this file reads
// what they need, applies what they decide, and sends the SMS (through the
// outbox, in the same transaction) when a ticket is near and when called.

// nearPlaces is how many people ahead a ticket holder is told by SMS that
// their turn is near.
const nearPlaces = 3

// lobbyDay is the office's day of t on the desk's clock (see SetLocation),
// which ticket numbers restart with.
func (db *DB) lobbyDay(t time.Time) string { return t.In(db.location()).Format("2006-01-02") }

// lobbyChanged marks the transaction as one that changed the queue: once it
// commits, this process's desk pages look again (OnQueued(QueueLobby)).
func (tx *Tx) lobbyChanged() { tx.queued |= QueueLobby }

// validQueueCode checks a service code: one to three letters, upper-cased.
func validQueueCode(code string, v *kindred.Validation, field string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	ok := len(code) >= 1 && len(code) <= 3
	for _, r := range code {
		if r < 'A' || r > 'Z' {
			ok = false
		}
	}
	if !ok {
		v.Add(field, "must be one to three letters, like A or REG")
	}
	return code
}

// CreateQueue stores a new service.
func (db *DB) CreateQueue(ctx context.Context, q *kindred.Queue) error {
	var v kindred.Validation
	q.Name = strings.TrimSpace(q.Name)
	if q.Name == "" {
		v.Add("name", "give the service a name")
	}
	q.Code = validQueueCode(q.Code, &v, "code")
	if err := v.Err(); err != nil {
		return err
	}
	q.CreatedAt = db.clock()
	err := db.Tx(ctx, func(tx *Tx) error {
		id, err := tx.Insert(ctx, `INSERT INTO lobby_queues (code, name, created_at) VALUES (?, ?, ?) RETURNING id`,
			q.Code, q.Name, ms(q.CreatedAt))
		if isUnique(err) {
			return &kindred.Error{Kind: kindred.Conflict, Message: "a service with code " + q.Code + " exists",
				Fields: []kindred.FieldError{{Field: "code", Reason: "is taken by another service"}}}
		}
		if err != nil {
			return err
		}
		q.ID = id
		return tx.Audit(ctx, "lobby.service.create", "lobby_queue", id, q.Code+" "+q.Name)
	})
	if err != nil {
		return fmt.Errorf("create service: %w", err)
	}
	return nil
}

// Queues lists the services by code.
func (db *DB) Queues(ctx context.Context) ([]kindred.Queue, error) {
	out := []kindred.Queue{}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.queues(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return out, nil
}

func (tx *Tx) queues(ctx context.Context) ([]kindred.Queue, error) {
	return queryAll(ctx, tx, func(row scanner, q *kindred.Queue) error {
		var created int64
		err := row.Scan(&q.ID, &q.Code, &q.Name, &created)
		q.CreatedAt = fromMS(created)
		return err
	}, "SELECT id, code, name, created_at FROM lobby_queues ORDER BY code")
}

// queueID returns the id of the service with code, or an Invalid error on field.
func (tx *Tx) queueID(ctx context.Context, code, field string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM lobby_queues WHERE code = ?", strings.ToUpper(strings.TrimSpace(code))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, invalid(field, fmt.Sprintf("there is no service with code %q", code))
	}
	return id, err
}

// Desks.

// CreateDesk stores a new, closed desk.
func (db *DB) CreateDesk(ctx context.Context, d *kindred.Desk) error {
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" {
		return invalid("name", "give the desk a name, as the board will show it")
	}
	d.CreatedAt = db.clock()
	d.Open, d.AgentID, d.AgentName, d.OpenedAt, d.Current = false, nil, "", nil, nil
	d.Services = []string{}
	err := db.Tx(ctx, func(tx *Tx) error {
		id, err := tx.Insert(ctx, `INSERT INTO lobby_desks (name, seated, is_open, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			d.Name, d.Seated, false, ms(d.CreatedAt))
		if isUnique(err) {
			return &kindred.Error{Kind: kindred.Conflict, Message: "a desk named " + d.Name + " exists",
				Fields: []kindred.FieldError{{Field: "name", Reason: "is taken by another desk"}}}
		}
		if err != nil {
			return err
		}
		d.ID = id
		detail := d.Name
		if d.Seated {
			detail += ", seated"
		}
		return tx.Audit(ctx, "lobby.desk.create", "lobby_desk", id, detail)
	})
	if err != nil {
		return fmt.Errorf("create desk: %w", err)
	}
	return nil
}

// Desks lists the desks by name, each with its services and current ticket.
func (db *DB) Desks(ctx context.Context) ([]kindred.Desk, error) {
	var out []kindred.Desk
	err := db.ReadTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.desks(ctx, 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list desks: %w", err)
	}
	return out, nil
}

// Desk returns one desk.
func (db *DB) Desk(ctx context.Context, id int64) (*kindred.Desk, error) {
	var d *kindred.Desk
	err := db.ReadTx(ctx, func(tx *Tx) error {
		var err error
		d, err = tx.desk(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read desk %d: %w", id, err)
	}
	return d, nil
}

func (tx *Tx) desk(ctx context.Context, id int64) (*kindred.Desk, error) {
	ds, err := tx.desks(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, notFound("desk", id)
	}
	return &ds[0], nil
}

// desks reads one desk (id > 0) or all.
func (tx *Tx) desks(ctx context.Context, id int64) ([]kindred.Desk, error) {
	q := `SELECT d.id, d.name, d.seated, d.is_open, d.agent_id, COALESCE(a.name, ''), d.opened_at, d.created_at
		FROM lobby_desks d LEFT JOIN agents a ON a.id = d.agent_id`
	var args []any
	if id > 0 {
		q += " WHERE d.id = ?"
		args = append(args, id)
	}
	out, err := queryAll(ctx, tx, func(row scanner, d *kindred.Desk) error {
		var agent, opened sql.NullInt64
		var created int64
		if err := row.Scan(&d.ID, &d.Name, &d.Seated, &d.Open, &agent, &d.AgentName, &opened, &created); err != nil {
			return err
		}
		d.AgentID, d.OpenedAt, d.CreatedAt = fromNullInt(agent), fromNullMS(opened), fromMS(created)
		return nil
	}, q+" ORDER BY d.name", args...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		d := &out[i]
		if d.Services, err = tx.deskServices(ctx, d.ID); err != nil {
			return nil, err
		}
		if d.Open {
			var tid int64
			err := tx.QueryRow(ctx, "SELECT id FROM lobby_tickets WHERE desk_id = ? AND status = 'called' ORDER BY called_at DESC LIMIT 1", d.ID).Scan(&tid)
			if err == nil {
				if d.Current, err = tx.ticket(ctx, tid, nil); err != nil {
					return nil, err
				}
			} else if !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
		}
	}
	return out, nil
}

func (tx *Tx) deskServices(ctx context.Context, deskID int64) ([]string, error) {
	return queryAll(ctx, tx, func(row scanner, code *string) error { return row.Scan(code) },
		`SELECT q.code FROM lobby_desk_queues dq JOIN lobby_queues q ON q.id = dq.queue_id
		WHERE dq.desk_id = ? ORDER BY q.code`, deskID)
}

// OpenDesk opens a desk for services, by the agent acting.
func (db *DB) OpenDesk(ctx context.Context, id int64, services []string) (*kindred.Desk, error) {
	if len(services) == 0 {
		return nil, invalid("services", "choose at least one service for the desk")
	}
	var d *kindred.Desk
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "lobby_desks", "", id); err != nil {
			if kindred.ErrorKind(err) == kindred.NotFound {
				return notFound("desk", id)
			}
			return err
		}
		var ids []int64
		for _, code := range services {
			qid, err := tx.queueID(ctx, code, "services")
			if err != nil {
				return err
			}
			if !slices.Contains(ids, qid) {
				ids = append(ids, qid)
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM lobby_desk_queues WHERE desk_id = ?", id); err != nil {
			return err
		}
		for _, qid := range ids {
			if _, err := tx.Exec(ctx, "INSERT INTO lobby_desk_queues (desk_id, queue_id) VALUES (?, ?)", id, qid); err != nil {
				return err
			}
		}
		agentID, _ := actor(ctx)
		var agent any
		if agentID != 0 {
			agent = agentID
		}
		if _, err := tx.Exec(ctx, "UPDATE lobby_desks SET is_open = ?, agent_id = ?, opened_at = ? WHERE id = ?",
			true, agent, ms(db.clock()), id); err != nil {
			return err
		}
		var err error
		if d, err = tx.desk(ctx, id); err != nil {
			return err
		}
		if err := tx.Audit(ctx, "lobby.desk.open", "lobby_desk", id, strings.Join(d.Services, ", ")); err != nil {
			return err
		}
		tx.lobbyChanged()
		// A new desk moves the line along for nobody yet, but a seated desk
		// opening changes who a standing desk may call: nothing to send.
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open desk %d: %w", id, err)
	}
	return d, nil
}

// CloseDesk closes a desk; the ticket it was serving is marked served.
func (db *DB) CloseDesk(ctx context.Context, id int64) (*kindred.Desk, error) {
	var d *kindred.Desk
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "lobby_desks", "", id); err != nil {
			if kindred.ErrorKind(err) == kindred.NotFound {
				return notFound("desk", id)
			}
			return err
		}
		if err := tx.finishCurrent(ctx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE lobby_desks SET is_open = ? WHERE id = ?", false, id); err != nil {
			return err
		}
		var err error
		if d, err = tx.desk(ctx, id); err != nil {
			return err
		}
		tx.lobbyChanged()
		return tx.Audit(ctx, "lobby.desk.close", "lobby_desk", id, "")
	})
	if err != nil {
		return nil, fmt.Errorf("close desk %d: %w", id, err)
	}
	return d, nil
}

// finishCurrent marks the ticket desk deskID is serving as served.
func (tx *Tx) finishCurrent(ctx context.Context, deskID int64) error {
	type open struct {
		id     int64
		number string
	}
	cur, err := queryAll(ctx, tx, func(row scanner, o *open) error { return row.Scan(&o.id, &o.number) },
		"SELECT id, number FROM lobby_tickets WHERE desk_id = ? AND status = 'called'", deskID)
	if err != nil {
		return err
	}
	for _, o := range cur {
		// Only if it is still this desk's called ticket: a no-show or a
		// transfer committed meanwhile (on PostgreSQL this waited for its
		// row lock) stands.
		res, err := tx.Exec(ctx, "UPDATE lobby_tickets SET status = 'served', closed_at = ? WHERE id = ? AND status = 'called' AND desk_id = ?",
			ms(tx.db.clock()), o.id, deskID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			continue
		}
		if err := tx.Audit(ctx, "lobby.ticket.serve", "lobby_ticket", o.id, o.number); err != nil {
			return err
		}
	}
	return nil
}

// Tickets.

const ticketColumns = `t.id, q.code, q.name, t.number, t.status, t.priority, t.seated, t.phone, t.language,
	t.customer_id, t.desk_id, COALESCE(d.name, ''), t.day, t.rank_at, t.recalls, t.created_at, t.called_at, t.closed_at`

const ticketFrom = ` FROM lobby_tickets t JOIN lobby_queues q ON q.id = t.queue_id LEFT JOIN lobby_desks d ON d.id = t.desk_id`

// ticketRow is a ticket with what the store needs beside it.
type ticketRow struct {
	kindred.Ticket
	day  string
	rank time.Time
}

func scanTicket(row scanner, t *ticketRow) error {
	var status string
	var customer, desk, called, closed sql.NullInt64
	var rank, created int64
	err := row.Scan(&t.ID, &t.QueueCode, &t.QueueName, &t.Number, &status, &t.Priority, &t.Seated, &t.Phone, &t.Language,
		&customer, &desk, &t.DeskName, &t.day, &rank, &t.Recalls, &created, &called, &closed)
	if err != nil {
		return err
	}
	t.Status = kindred.TicketStatus(status)
	t.CustomerID, t.DeskID = fromNullInt(customer), fromNullInt(desk)
	t.rank, t.CreatedAt, t.CalledAt, t.ClosedAt = fromMS(rank), fromMS(created), fromNullMS(called), fromNullMS(closed)
	return nil
}

// ticket reads one ticket with its position and wait, worked out from now
// (read when nil).
func (tx *Tx) ticket(ctx context.Context, id int64, now *lobbyNow) (*kindred.Ticket, error) {
	var t ticketRow
	err := scanTicket(tx.QueryRow(ctx, "SELECT "+ticketColumns+ticketFrom+" WHERE t.id = ?", id), &t)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("ticket", id)
	}
	if err != nil {
		return nil, err
	}
	if t.Status == kindred.TicketWaiting {
		if now == nil {
			if now, err = tx.lobbyNow(ctx); err != nil {
				return nil, err
			}
		}
		if err := now.place(ctx, tx, &t); err != nil {
			return nil, err
		}
	}
	return &t.Ticket, nil
}

// IssueTicket gives t the next number of its service today.
func (db *DB) IssueTicket(ctx context.Context, t *kindred.Ticket) error {
	var v kindred.Validation
	t.QueueCode = validQueueCode(t.QueueCode, &v, "service")
	if t.Phone != "" && (!strings.HasPrefix(t.Phone, "+") || len(t.Phone) < 8) {
		v.Add("phone", "must be a phone number in international form (+254…)")
	}
	switch t.Language {
	case "", "en", "sw":
	default:
		v.Add("language", "must be en or sw")
	}
	if err := v.Err(); err != nil {
		return err
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		var qid int64
		err := tx.QueryRow(ctx, "SELECT id, name FROM lobby_queues WHERE code = ?"+tx.ForUpdate(), t.QueueCode).Scan(&qid, &t.QueueName)
		if errors.Is(err, sql.ErrNoRows) {
			return invalid("service", fmt.Sprintf("there is no service with code %q", t.QueueCode))
		}
		if err != nil {
			return err
		}
		if t.CustomerID != nil {
			var accs, lang string
			err := tx.QueryRow(ctx, "SELECT accommodations, language FROM customers WHERE id = ?", *t.CustomerID).Scan(&accs, &lang)
			if errors.Is(err, sql.ErrNoRows) {
				return invalid("customer_id", fmt.Sprintf("no customer %d", *t.CustomerID))
			}
			if err != nil {
				return err
			}
			as, err := decodeList[kindred.Accommodation](accs)
			if err != nil {
				return err
			}
			// Someone who cannot stand for long is called sooner, to a
			// chair. The ticket keeps the two flags, never the reason.
			if slices.Contains(as, kindred.Seating) || slices.Contains(as, kindred.Wheelchair) {
				t.Priority, t.Seated = true, true
			}
			if t.Language == "" && (lang == "en" || lang == "sw") {
				t.Language = lang
			}
		}
		if t.Language == "" {
			t.Language = "en"
		}
		now := db.clock()
		day := db.lobbyDay(now)
		if t.Phone != "" {
			// Each ticket with a phone sends SMS: a kiosk (or a script
			// behind one) must not take a queue's worth for one number.
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM lobby_tickets WHERE phone = ? AND day = ?", t.Phone, day).Scan(&n); err != nil {
				return err
			}
			if n >= kindred.TicketsPerPhonePerDay {
				return &kindred.Error{Kind: kindred.RateLimited,
					Message: fmt.Sprintf("this phone already has %d tickets today, the most one phone may take", n),
					Fields:  []kindred.FieldError{{Field: "phone", Reason: fmt.Sprintf("already has %d tickets today; ask at the desk", n)}}}
			}
		}
		var seq int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM lobby_tickets WHERE issued_by = ? AND day = ?", qid, day).Scan(&seq); err != nil {
			return err
		}
		t.Number = fmt.Sprintf("%s-%03d", t.QueueCode, seq)
		t.Status, t.CreatedAt, t.CalledAt, t.ClosedAt, t.DeskID, t.DeskName = kindred.TicketWaiting, now, nil, nil, nil, ""
		rank := queue.Rank(now, t.Priority)
		id, err := tx.Insert(ctx, `INSERT INTO lobby_tickets (queue_id, issued_by, day, seq, number, status, priority, seated, phone, language,
			customer_id, rank_at, created_at) VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			qid, qid, day, seq, t.Number, t.Priority, t.Seated, t.Phone, t.Language, nullInt(t.CustomerID), ms(rank), ms(now))
		if err != nil {
			return err
		}
		t.ID = id
		ln, err := tx.lobbyNow(ctx)
		if err != nil {
			return err
		}
		row := ticketRow{Ticket: *t, day: day, rank: rank}
		if err := ln.place(ctx, tx, &row); err != nil {
			return err
		}
		*t = row.Ticket
		// Within three places already: the ticket in hand says so; the
		// near SMS is for those who stepped out. The wait it tells is kept,
		// for the day's report to hold it to.
		if _, err := tx.Exec(ctx, "UPDATE lobby_tickets SET told_low = ?, told_high = ?, notified_near = ? WHERE id = ?",
			t.Wait.LowMinutes, t.Wait.HighMinutes, t.Position-1 <= nearPlaces, id); err != nil {
			return err
		}
		detail := t.Number
		if t.Phone != "" {
			detail += ", SMS when near"
		}
		tx.lobbyChanged()
		return tx.Audit(ctx, "lobby.ticket.issue", "lobby_ticket", id, detail)
	})
	if err != nil {
		return fmt.Errorf("issue ticket: %w", err)
	}
	return nil
}

// Ticket returns one ticket with its current position and wait.
func (db *DB) Ticket(ctx context.Context, id int64) (*kindred.Ticket, error) {
	var t *kindred.Ticket
	err := db.ReadTx(ctx, func(tx *Tx) error {
		var err error
		t, err = tx.ticket(ctx, id, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read ticket %d: %w", id, err)
	}
	return t, nil
}

// TicketByPhone returns today's newest live ticket for phone.
func (db *DB) TicketByPhone(ctx context.Context, phone string) (*kindred.Ticket, error) {
	var t *kindred.Ticket
	err := db.ReadTx(ctx, func(tx *Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM lobby_tickets WHERE phone = ? AND day = ? AND status IN ('waiting', 'called')
			ORDER BY id DESC LIMIT 1`, phone, db.lobbyDay(db.clock())).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return kindred.Errorf(kindred.NotFound, "no ticket waiting today for this phone")
		}
		if err != nil {
			return err
		}
		t, err = tx.ticket(ctx, id, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ticket by phone: %w", err)
	}
	return t, nil
}

// WaitingTickets lists today's waiting tickets, in calling order.
//
// The waits of a service's tickets come from one queue.EstimateQueue, so
// listing a queue of n costs one replay of n calls rather than n replays, and
// each ticket shows the range its own page shows.
func (db *DB) WaitingTickets(ctx context.Context, code string) ([]kindred.Ticket, error) {
	code = strings.ToUpper(code)
	out := []kindred.Ticket{}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		ln, err := tx.lobbyNow(ctx)
		if err != nil {
			return err
		}
		q, args := "SELECT "+ticketColumns+ticketFrom+" WHERE t.day = ? AND t.status = 'waiting'", []any{ln.day}
		if code != "" {
			q, args = q+" AND q.code = ?", append(args, code)
		}
		listed, err := queryAll(ctx, tx, scanTicket, q, args...)
		if err != nil {
			return err
		}
		byID := map[int64]ticketRow{}
		for _, t := range listed {
			byID[t.ID] = t
		}
		counts := map[string]int{}
		for _, e := range ln.waiting {
			counts[e.Service]++
		}
		ahead := map[string]int{}
		waits := map[string][]kindred.WaitEstimate{}
		for _, e := range ln.waiting {
			if code != "" && e.Service != code {
				continue
			}
			k := ahead[e.Service]
			ahead[e.Service]++
			// On PostgreSQL a ticket issued or called between the two
			// reads is in one and not the other: list only what both saw.
			t, ok := byID[e.ID]
			if !ok {
				continue
			}
			ws, ok := waits[e.Service]
			if !ok {
				if ws, err = ln.waits(ctx, tx, e.Service, counts[e.Service]); err != nil {
					return err
				}
				waits[e.Service] = ws
			}
			t.Position, t.Wait = k+1, ws[k]
			out = append(out, t.Ticket)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list waiting tickets: %w", err)
	}
	return out, nil
}

// QueueStatuses lists each service with its queue and the wait for someone
// joining now.
func (db *DB) QueueStatuses(ctx context.Context) ([]kindred.QueueStatus, error) {
	var out []kindred.QueueStatus
	err := db.ReadTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.queueStatuses(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service statuses: %w", err)
	}
	return out, nil
}

func (tx *Tx) queueStatuses(ctx context.Context) ([]kindred.QueueStatus, error) {
	qs, err := tx.queues(ctx)
	if err != nil {
		return nil, err
	}
	ln, err := tx.lobbyNow(ctx)
	if err != nil {
		return nil, err
	}
	out := []kindred.QueueStatus{}
	for _, q := range qs {
		n := 0
		for _, e := range ln.waiting {
			if e.Service == q.Code {
				n++
			}
		}
		w, err := ln.wait(ctx, tx, q.Code, n)
		if err != nil {
			return nil, err
		}
		out = append(out, kindred.QueueStatus{Queue: q, Waiting: n, Wait: w})
	}
	return out, nil
}

// Board is the public screen: tickets called now, newest first, and the
// services' queues. It carries no names, phones or accommodations.
func (db *DB) Board(ctx context.Context) (*kindred.Board, error) {
	b := &kindred.Board{}
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		b.Called, err = queryAll(ctx, tx, func(row scanner, c *kindred.BoardCall) error {
			var at int64
			err := row.Scan(&c.Number, &c.Desk, &at)
			c.CalledAt = fromMS(at)
			return err
		}, `SELECT t.number, d.name, t.called_at FROM lobby_tickets t JOIN lobby_desks d ON d.id = t.desk_id
			WHERE t.status = 'called' AND t.day = ? ORDER BY t.called_at DESC, t.id DESC LIMIT 8`, db.lobbyDay(db.clock()))
		if err != nil {
			return err
		}
		b.Services, err = tx.queueStatuses(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read board: %w", err)
	}
	return b, nil
}

// CallNext finishes the desk's current ticket and calls the next one for it.
func (db *DB) CallNext(ctx context.Context, deskID int64) (*kindred.Ticket, error) {
	var called *kindred.Ticket
	err := db.Tx(ctx, func(tx *Tx) error {
		var name string
		var open, seated bool
		err := tx.QueryRow(ctx, "SELECT name, is_open, seated FROM lobby_desks WHERE id = ?"+tx.ForUpdate(), deskID).Scan(&name, &open, &seated)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("desk", deskID)
		}
		if err != nil {
			return err
		}
		if !open {
			return kindred.Errorf(kindred.Conflict, "desk %s is closed: open it before calling", name)
		}
		if err := tx.finishCurrent(ctx, deskID); err != nil {
			return err
		}
		services, err := tx.deskServices(ctx, deskID)
		if err != nil {
			return err
		}
		// Another desk may call the same person at the same moment: on
		// PostgreSQL the loser's UPDATE finds the ticket called already
		// and picks again.
		var id int64
		for id == 0 {
			ln, err := tx.lobbyNow(ctx)
			if err != nil {
				return err
			}
			i := queue.Pick(ln.waiting, queue.Desk{Services: services, Seated: seated}, ln.seatedOpen)
			if i < 0 {
				return nil
			}
			now := ms(db.clock())
			res, err := tx.Exec(ctx, `UPDATE lobby_tickets SET status = 'called', desk_id = ?, called_at = ?,
				first_called_at = COALESCE(first_called_at, ?) WHERE id = ? AND status = 'waiting'`,
				deskID, now, now, ln.waiting[i].ID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				id = ln.waiting[i].ID
			}
		}
		if called, err = tx.ticket(ctx, id, nil); err != nil {
			return err
		}
		tx.lobbyChanged()
		if err := tx.Audit(ctx, "lobby.ticket.call", "lobby_ticket", id, called.Number+" to desk "+name); err != nil {
			return err
		}
		if err := tx.emit(ctx, kindred.EventTicketCalled, map[string]any{"ticket": called, "desk": name}); err != nil {
			return err
		}
		if called.Phone != "" {
			if err := tx.Enqueue(ctx, &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: called.Phone,
				Body: calledSMS(called.Language, called.Number, name), Purpose: "ticket_called", CustomerID: called.CustomerID}); err != nil {
				return err
			}
		}
		return tx.notifyNear(ctx, called.QueueCode)
	})
	if err != nil {
		return nil, fmt.Errorf("call next at desk %d: %w", deskID, err)
	}
	return called, nil
}

// ServeTicket marks a called ticket served.
func (db *DB) ServeTicket(ctx context.Context, id int64) (*kindred.Ticket, error) {
	return db.closeTicket(ctx, id, kindred.TicketServed, "lobby.ticket.serve")
}

// NoShow marks a called ticket whose holder did not come.
func (db *DB) NoShow(ctx context.Context, id int64) (*kindred.Ticket, error) {
	return db.closeTicket(ctx, id, kindred.TicketNoShow, "lobby.ticket.no_show")
}

func (db *DB) closeTicket(ctx context.Context, id int64, status kindred.TicketStatus, action string) (*kindred.Ticket, error) {
	var t *kindred.Ticket
	err := db.Tx(ctx, func(tx *Tx) error {
		var err error
		if t, err = tx.lockTicket(ctx, id); err != nil {
			return err
		}
		switch t.Status {
		case status:
			// Done already: the same answer again, read in full.
			t, err = tx.ticket(ctx, id, nil)
			return err
		case kindred.TicketWaiting:
			return kindred.Errorf(kindred.Conflict, "ticket %s has not been called yet", t.Number)
		case kindred.TicketServed, kindred.TicketNoShow:
			return kindred.Errorf(kindred.Conflict, "ticket %s is closed already (%s)", t.Number, t.Status)
		}
		if _, err := tx.Exec(ctx, "UPDATE lobby_tickets SET status = ?, closed_at = ? WHERE id = ?", string(status), ms(db.clock()), id); err != nil {
			return err
		}
		if t, err = tx.ticket(ctx, id, nil); err != nil {
			return err
		}
		tx.lobbyChanged()
		return tx.Audit(ctx, action, "lobby_ticket", id, t.Number)
	})
	if err != nil {
		return nil, fmt.Errorf("close ticket %d: %w", id, err)
	}
	return t, nil
}

// RecallTicket calls a called ticket again at its desk: called_at moves to
// now, so the board shows it first and announces it again. The first
// recall sends the called SMS again; later ones do not, so that a desk
// calling out into an empty hall does not fill the person's phone.
func (db *DB) RecallTicket(ctx context.Context, id int64) (*kindred.Ticket, error) {
	var t *kindred.Ticket
	err := db.Tx(ctx, func(tx *Tx) error {
		cur, err := tx.lockTicket(ctx, id)
		if err != nil {
			return err
		}
		if cur.Status != kindred.TicketCalled {
			if cur.Status == kindred.TicketWaiting {
				return kindred.Errorf(kindred.Conflict, "ticket %s has not been called yet: call next instead", cur.Number)
			}
			return kindred.Errorf(kindred.Conflict, "ticket %s is closed already (%s)", cur.Number, cur.Status)
		}
		if _, err := tx.Exec(ctx, "UPDATE lobby_tickets SET called_at = ?, recalls = recalls + 1 WHERE id = ?", ms(db.clock()), id); err != nil {
			return err
		}
		if t, err = tx.ticket(ctx, id, nil); err != nil {
			return err
		}
		tx.lobbyChanged()
		detail := fmt.Sprintf("%s to desk %s again (recall %d)", t.Number, t.DeskName, t.Recalls)
		if err := tx.Audit(ctx, "lobby.ticket.recall", "lobby_ticket", id, detail); err != nil {
			return err
		}
		if err := tx.emit(ctx, kindred.EventTicketCalled, map[string]any{"ticket": t, "desk": t.DeskName, "recall": t.Recalls}); err != nil {
			return err
		}
		if t.Phone != "" && t.Recalls == 1 {
			return tx.Enqueue(ctx, &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: t.Phone,
				Body: calledSMS(t.Language, t.Number, t.DeskName), Purpose: "ticket_called", CustomerID: t.CustomerID})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recall ticket %d: %w", id, err)
	}
	return t, nil
}

// LinkTicketCustomer records whose ticket it is. The ticket keeps its
// place and its needs: staff set those (SetTicketNeeds).
func (db *DB) LinkTicketCustomer(ctx context.Context, id, customerID int64) (*kindred.Ticket, error) {
	var t *kindred.Ticket
	err := db.Tx(ctx, func(tx *Tx) error {
		cur, err := tx.lockTicket(ctx, id)
		if err != nil {
			return err
		}
		if cur.Status == kindred.TicketServed || cur.Status == kindred.TicketNoShow {
			return kindred.Errorf(kindred.Conflict, "ticket %s is closed already (%s)", cur.Number, cur.Status)
		}
		var merged sql.NullInt64
		err = tx.QueryRow(ctx, "SELECT merged_into FROM customers WHERE id = ?", customerID).Scan(&merged)
		if errors.Is(err, sql.ErrNoRows) {
			return invalid("customer_id", fmt.Sprintf("no customer %d", customerID))
		}
		if err != nil {
			return err
		}
		if merged.Valid {
			// The record was merged into another: the ticket is that person's.
			customerID = merged.Int64
		}
		if _, err := tx.Exec(ctx, "UPDATE lobby_tickets SET customer_id = ? WHERE id = ?", customerID, id); err != nil {
			return err
		}
		if t, err = tx.ticket(ctx, id, nil); err != nil {
			return err
		}
		tx.lobbyChanged()
		return tx.Audit(ctx, "lobby.ticket.customer", "lobby_ticket", id, fmt.Sprintf("%s is customer %d's", t.Number, customerID))
	})
	if err != nil {
		return nil, fmt.Errorf("link ticket %d to customer %d: %w", id, customerID, err)
	}
	return t, nil
}

// lockTicket reads a ticket the transaction will change.
func (tx *Tx) lockTicket(ctx context.Context, id int64) (*kindred.Ticket, error) {
	var status, number, code string
	err := tx.QueryRow(ctx, `SELECT t.status, t.number, q.code FROM lobby_tickets t JOIN lobby_queues q ON q.id = t.queue_id
		WHERE t.id = ?`+tx.ForUpdate(), id).Scan(&status, &number, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("ticket", id)
	}
	if err != nil {
		return nil, err
	}
	return &kindred.Ticket{ID: id, Status: kindred.TicketStatus(status), Number: number, QueueCode: code}, nil
}

// TransferTicket moves a live ticket to another service. It keeps its
// number and its rank, so it keeps its place by the time it arrived.
func (db *DB) TransferTicket(ctx context.Context, id int64, code string) (*kindred.Ticket, error) {
	var t *kindred.Ticket
	err := db.Tx(ctx, func(tx *Tx) error {
		cur, err := tx.lockTicket(ctx, id)
		if err != nil {
			return err
		}
		qid, err := tx.queueID(ctx, code, "service")
		if err != nil {
			return err
		}
		switch {
		case cur.Status == kindred.TicketServed || cur.Status == kindred.TicketNoShow:
			return kindred.Errorf(kindred.Conflict, "ticket %s is closed already (%s)", cur.Number, cur.Status)
		case cur.Status == kindred.TicketWaiting && cur.QueueCode == strings.ToUpper(strings.TrimSpace(code)):
			t, err = tx.ticket(ctx, id, nil) // there already
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE lobby_tickets SET queue_id = ?, status = 'waiting', desk_id = NULL, called_at = NULL,
			notified_near = ? WHERE id = ?`, qid, false, id); err != nil {
			return err
		}
		if t, err = tx.ticket(ctx, id, nil); err != nil {
			return err
		}
		tx.lobbyChanged()
		if err := tx.Audit(ctx, "lobby.ticket.transfer", "lobby_ticket", id, cur.Number+" from "+cur.QueueCode+" to "+t.QueueCode); err != nil {
			return err
		}
		if err := tx.notifyNear(ctx, cur.QueueCode); err != nil {
			return err
		}
		return tx.notifyNear(ctx, t.QueueCode)
	})
	if err != nil {
		return nil, fmt.Errorf("transfer ticket %d: %w", id, err)
	}
	return t, nil
}

// SetTicketNeeds records a staff decision on a live ticket: call sooner,
// or at a seated desk.
func (db *DB) SetTicketNeeds(ctx context.Context, id int64, priority, seated bool) (*kindred.Ticket, error) {
	var t *kindred.Ticket
	err := db.Tx(ctx, func(tx *Tx) error {
		cur, err := tx.lockTicket(ctx, id)
		if err != nil {
			return err
		}
		if cur.Status == kindred.TicketServed || cur.Status == kindred.TicketNoShow {
			return kindred.Errorf(kindred.Conflict, "ticket %s is closed already (%s)", cur.Number, cur.Status)
		}
		var created int64
		if err := tx.QueryRow(ctx, "SELECT created_at FROM lobby_tickets WHERE id = ?", id).Scan(&created); err != nil {
			return err
		}
		rank := queue.Rank(fromMS(created), priority)
		if _, err := tx.Exec(ctx, "UPDATE lobby_tickets SET priority = ?, seated = ?, rank_at = ? WHERE id = ?",
			priority, seated, ms(rank), id); err != nil {
			return err
		}
		if t, err = tx.ticket(ctx, id, nil); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s: priority %s, seated %s", t.Number, onOff(priority), onOff(seated))
		tx.lobbyChanged()
		if err := tx.Audit(ctx, "lobby.ticket.needs", "lobby_ticket", id, detail); err != nil {
			return err
		}
		return tx.notifyNear(ctx, t.QueueCode)
	})
	if err != nil {
		return nil, fmt.Errorf("set ticket %d needs: %w", id, err)
	}
	return t, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// notifyNear tells each waiting ticket holder of service code who is now
// within nearPlaces of the front, once, by SMS.
func (tx *Tx) notifyNear(ctx context.Context, code string) error {
	ln, err := tx.lobbyNow(ctx)
	if err != nil {
		return err
	}
	ahead := 0
	for _, e := range ln.waiting {
		if e.Service != code {
			continue
		}
		if ahead > nearPlaces {
			break
		}
		var number, phone, lang string
		var customer sql.NullInt64
		// Claim the one "near" SMS with the update itself, so that two
		// desks calling at once cannot both send it.
		err := tx.QueryRow(ctx, `UPDATE lobby_tickets SET notified_near = ? WHERE id = ? AND notified_near = ? AND phone <> ''
			RETURNING number, phone, language, customer_id`, true, e.ID, false).Scan(&number, &phone, &lang, &customer)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// told already, or no phone to tell
		case err != nil:
			return err
		case ahead > 0:
			err := tx.Enqueue(ctx, &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: phone,
				Body: nearSMS(lang, number, ahead), Purpose: "ticket_near", CustomerID: fromNullInt(customer)})
			if err != nil {
				return err
			}
		}
		ahead++
	}
	return nil
}

// The SMS, in the ticket's language, in plain words.

func nearSMS(lang, number string, ahead int) string {
	if lang == "sw" {
		return fmt.Sprintf("Tiketi yako %s: watu %d wako mbele yako. Tafadhali rudi eneo la kusubiri sasa.", number, ahead)
	}
	people := "people are"
	if ahead == 1 {
		people = "person is"
	}
	return fmt.Sprintf("Your ticket %s: %d %s ahead of you. Please come back to the waiting area now.", number, ahead, people)
}

func calledSMS(lang, number, desk string) string {
	if lang == "sw" {
		return fmt.Sprintf("Tiketi yako %s imeitwa. Tafadhali nenda meza %s sasa.", number, desk)
	}
	return fmt.Sprintf("Your ticket %s is called. Please go to desk %s now.", number, desk)
}

// lobbyNow is the lobby at one moment, as the ordering and the estimate
// need it: today's waiting tickets in calling order and the open desks.
type lobbyNow struct {
	now     time.Time
	day     string
	waiting []queue.Entry
	desks   []openDesk
	history map[string][]time.Duration // by service code, read when first needed
}

type openDesk struct {
	id        int64
	services  []string
	seated    bool
	busySince *time.Time
}

func (tx *Tx) lobbyNow(ctx context.Context) (*lobbyNow, error) {
	now := tx.db.clock()
	ln := &lobbyNow{now: now, day: tx.db.lobbyDay(now), history: map[string][]time.Duration{}}
	var err error
	ln.waiting, err = queryAll(ctx, tx, func(row scanner, e *queue.Entry) error {
		var rank int64
		err := row.Scan(&e.ID, &e.Service, &rank, &e.Seated)
		e.Rank = fromMS(rank)
		return err
	}, `SELECT t.id, q.code, t.rank_at, t.seated FROM lobby_tickets t JOIN lobby_queues q ON q.id = t.queue_id
		WHERE t.day = ? AND t.status = 'waiting'`, ln.day)
	if err != nil {
		return nil, err
	}
	queue.Sort(ln.waiting)

	ln.desks, err = queryAll(ctx, tx, func(row scanner, d *openDesk) error {
		var busy sql.NullInt64
		err := row.Scan(&d.id, &d.seated, &busy)
		d.busySince = fromNullMS(busy)
		return err
	}, `SELECT d.id, d.seated, (SELECT MAX(t.called_at) FROM lobby_tickets t WHERE t.desk_id = d.id AND t.status = 'called')
		FROM lobby_desks d WHERE d.is_open = ?`, true)
	if err != nil {
		return nil, err
	}
	for i := range ln.desks {
		if ln.desks[i].services, err = tx.deskServices(ctx, ln.desks[i].id); err != nil {
			return nil, err
		}
	}
	return ln, nil
}

// seatedOpen reports whether a seated desk is open for service.
func (ln *lobbyNow) seatedOpen(service string) bool {
	for _, d := range ln.desks {
		if d.seated && slices.Contains(d.services, service) {
			return true
		}
	}
	return false
}

// serviceHistory returns the recent service times of a service.
func (ln *lobbyNow) serviceHistory(ctx context.Context, tx *Tx, code string) ([]time.Duration, error) {
	if h, ok := ln.history[code]; ok {
		return h, nil
	}
	h, err := queryAll(ctx, tx, func(row scanner, d *time.Duration) error {
		var called, closed int64
		err := row.Scan(&called, &closed)
		*d = time.Duration(closed-called) * time.Millisecond
		return err
	}, `SELECT t.called_at, t.closed_at FROM lobby_tickets t JOIN lobby_queues q ON q.id = t.queue_id
		WHERE q.code = ? AND t.status = 'served' AND t.called_at IS NOT NULL AND t.closed_at IS NOT NULL
		ORDER BY t.closed_at DESC LIMIT ?`, code, queue.HistorySize)
	if err != nil {
		return nil, err
	}
	ln.history[code] = h
	return h, nil
}

// place fills in a waiting ticket's position and wait.
func (ln *lobbyNow) place(ctx context.Context, tx *Tx, t *ticketRow) error {
	if t.day != ln.day {
		return nil // yesterday's ticket: no longer in any line
	}
	ahead := queue.Ahead(ln.waiting, queue.Entry{ID: t.ID, Service: t.QueueCode, Rank: t.rank})
	t.Position = ahead + 1
	w, err := ln.wait(ctx, tx, t.QueueCode, ahead)
	t.Wait = w
	return err
}

// wait estimates the wait of someone with ahead people before them in
// service code.
func (ln *lobbyNow) wait(ctx context.Context, tx *Tx, code string, ahead int) (kindred.WaitEstimate, error) {
	st, err := ln.state(ctx, tx, code)
	if err != nil {
		return kindred.WaitEstimate{}, err
	}
	st.Ahead = ahead
	return waitOf(queue.Estimate(st), st.Desks), nil
}

// waits estimates the waits of the first n in line for service code at
// once: element k is what wait gives for k ahead.
func (ln *lobbyNow) waits(ctx context.Context, tx *Tx, code string, n int) ([]kindred.WaitEstimate, error) {
	st, err := ln.state(ctx, tx, code)
	if err != nil {
		return nil, err
	}
	rs := queue.EstimateQueue(st, n)
	out := make([]kindred.WaitEstimate, len(rs))
	for i, r := range rs {
		out[i] = waitOf(r, st.Desks)
	}
	return out, nil
}

func waitOf(r queue.Range, desks int) kindred.WaitEstimate {
	lo, hi := r.Minutes()
	return kindred.WaitEstimate{LowMinutes: lo, HighMinutes: hi, Method: r.Method, DesksOpen: desks}
}

// state is what the estimate needs to know of service code now, for
// anyone in its line: everything but Ahead.
func (ln *lobbyNow) state(ctx context.Context, tx *Tx, code string) (queue.State, error) {
	hist, err := ln.serviceHistory(ctx, tx, code)
	if err != nil {
		return queue.State{}, err
	}
	st := queue.State{History: hist}
	counts := map[string]int{}
	for _, e := range ln.waiting {
		counts[e.Service]++
	}
	means := map[string]time.Duration{}
	var loads []queue.DeskLoad
	for _, d := range ln.desks {
		if !slices.Contains(d.services, code) {
			continue
		}
		st.Desks++
		if d.busySince != nil {
			st.Busy = append(st.Busy, ln.now.Sub(*d.busySince))
		}
		loads = append(loads, queue.DeskLoad{Services: d.services})
		for _, s := range d.services {
			if _, ok := means[s]; ok {
				continue
			}
			h, err := ln.serviceHistory(ctx, tx, s)
			if err != nil {
				return queue.State{}, err
			}
			if len(h) >= queue.MinHistory {
				var sum time.Duration
				for _, x := range h {
					sum += x
				}
				means[s] = sum / time.Duration(len(h))
			} else {
				means[s] = 0
			}
		}
	}
	if st.Desks > 0 {
		st.Capacity = queue.Capacity(code, loads, counts, means)
	}
	return st, nil
}

var _ kindred.Lobby = (*DB)(nil)
