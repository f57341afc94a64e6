package web

import (
	"net/http"
	"strconv"

	"github.com/kindred-desk/kindred"
)

// The outbox page shows leads what the desk sent, what waits to go, and
// what it gave up on, with why; an admin sends a given-up message again,
// one or all, once its gateway works (the morning the SMS credit ran out).

// outboxShown is how many messages each of the page's lists holds, and
// maxRequeue how many given-up messages one "Send all again" sends.
const (
	outboxShown = 50
	maxRequeue  = 5000
)

// outboxPage is the three lists, newest first.
type outboxPage struct {
	*view
	Dead, Pending, Sent []outboxRow
	// MoreDead says the dead list holds only the newest outboxShown.
	MoreDead bool
	// Resendable counts the dead messages "Send all again" would send:
	// all but one-time codes, which have run out by then.
	Resendable int
	Requeued   int // messages just put back in the queue
}

// outboxRow is one message as the page shows it. The body is never
// shown: a code or a survey link is the customer's alone, and a reply can
// be read on its conversation.
type outboxRow struct {
	kindred.OutboundMessage
	CustomerName string
	V            *view // the page's, for the row's shared cells
}

// Expired says whether the message is a one-time code, which is not sent
// again: it has run out long before anyone looks at the list.
func (r outboxRow) Expired() bool { return isCode(r.OutboundMessage) }

// isCode reports whether m carries a one-time code.
func isCode(m kindred.OutboundMessage) bool { return m.Purpose == "code" }

func (c *Console) outboxRoutes() []route {
	return []route{
		{"GET /outbox", leads, c.outbox},
		{"POST /outbox/{id}/retry", admins, c.retryOutbox},
		{"POST /outbox/retry-dead", admins, c.retryDeadOutbox},
	}
}

func (c *Console) outbox(w http.ResponseWriter, r *http.Request, q *request) error {
	ctx := r.Context()
	v := c.view(r, q, "Outbox")
	v.Nav = "outbox"
	p := &outboxPage{view: v}
	var custIDs []int64
	list := func(status kindred.OutboxStatus, limit int) ([]outboxRow, error) {
		msgs, err := c.cfg.Outbox.Outbox(ctx, kindred.OutboxFilter{Status: status, Page: kindred.Page{Limit: limit}})
		if err != nil {
			return nil, err
		}
		rows := make([]outboxRow, len(msgs))
		for i, m := range msgs {
			rows[i].OutboundMessage, rows[i].V = m, v
			rows[i].Body = ""
			if m.CustomerID != nil {
				custIDs = append(custIDs, *m.CustomerID)
			}
		}
		return rows, nil
	}
	var err error
	if p.Dead, err = list(kindred.OutboxDead, outboxShown+1); err != nil {
		return err
	}
	if len(p.Dead) > outboxShown {
		p.Dead, p.MoreDead = p.Dead[:outboxShown], true
	}
	for _, m := range p.Dead {
		if !isCode(m.OutboundMessage) {
			p.Resendable++
		}
	}
	if p.Pending, err = list(kindred.OutboxPending, outboxShown); err != nil {
		return err
	}
	if p.Sent, err = list(kindred.OutboxSent, outboxShown); err != nil {
		return err
	}
	// The people, for the three lists in one read, as the inbox reads
	// its page's; an erased customer's rows keep no name.
	customers, err := c.cfg.Customers.CustomersByID(ctx, custIDs)
	if err != nil {
		return err
	}
	for _, rows := range [][]outboxRow{p.Dead, p.Pending, p.Sent} {
		for i := range rows {
			if id := rows[i].CustomerID; id != nil && customers[*id] != nil {
				rows[i].CustomerName = customers[*id].Name
			}
		}
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("requeued")); err == nil && n >= 0 {
		p.Requeued = n
	}
	c.pages.render(w, r, c.log, http.StatusOK, "outbox", p)
	return nil
}

// retryOutbox puts one given-up message back in the queue, due now. The
// store refuses a one-time code (Conflict), as it does for the API: the page
// offers none, but its address can still be posted to.
func (c *Console) retryOutbox(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := c.cfg.Outbox.Retry(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/outbox?requeued=1", http.StatusSeeOther)
	return nil
}

// retryDeadOutbox puts the given-up messages back in the queue, each
// audited as one retry: all but one-time codes, up to the newest
// maxRequeue. The list is read before any is sent again: with no gateway
// yet, a message dies again at once, and must not be sent round for ever.
// A message someone else sent again meanwhile is passed over.
func (c *Console) retryDeadOutbox(w http.ResponseWriter, r *http.Request, q *request) error {
	ctx := r.Context()
	var ids []int64
	for off := 0; off < maxRequeue; off += 500 {
		dead, err := c.cfg.Outbox.Outbox(ctx, kindred.OutboxFilter{Status: kindred.OutboxDead, Page: kindred.Page{Limit: 500, Offset: off}})
		if err != nil {
			return err
		}
		for _, m := range dead {
			if !isCode(m) {
				ids = append(ids, m.ID)
			}
		}
		if len(dead) < 500 {
			break
		}
	}
	n := 0
	for _, id := range ids {
		switch err := c.cfg.Outbox.Retry(ctx, id); {
		case err == nil:
			n++
		case kindred.ErrorKind(err) != kindred.Conflict && kindred.ErrorKind(err) != kindred.NotFound:
			return err
		}
	}
	http.Redirect(w, r, "/outbox?requeued="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}

// What says in words what the message is, as the page's key to translate.
func (r outboxRow) What() string {
	switch r.Purpose {
	case "reply":
		return "A reply"
	case "heads_up":
		return "A heads-up about a delay"
	case "survey":
		return "A survey"
	case "survey_reply":
		return "The survey's next question"
	case "ticket_near":
		return "Your turn is near"
	case "ticket_called":
		return "Your number is called"
	case "code":
		return "A one-time code"
	}
	return "Other"
}
