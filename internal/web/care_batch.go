package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kindred-desk/kindred"
)

// A batch of heads-ups is read person by person before it goes: each
// customer's name, where their heads-up would go, the coach's score and the
// words themselves, with a box to leave anyone out. Afterwards the page
// names who was sent what and who could not be reached, so that someone
// calls them instead.

// batchPage is the review of one batch of heads-ups, and after approval
// what became of each.
type batchPage struct {
	*view
	Batch    string
	Drafts   []batchDraft
	Problems []string

	Approved bool // the lead approved; the lists below say what happened
	Sent     []batchDraft
	Skipped  []batchDraft // each with Why
}

// batchDraft is one heads-up of a batch, with where it goes.
type batchDraft struct {
	kindred.Delay
	Channel kindred.Channel // "" when the customer cannot be reached
	To      string
	Chosen  bool
	Why     string // why it was not sent, in the reader's words
}

func (c *Console) loadBatch(ctx context.Context, v *view, batch string) (*batchPage, error) {
	p := &batchPage{view: v, Batch: batch}
	ds, err := c.cfg.Care.Delays(ctx, kindred.DelayFilter{Batch: batch, Status: kindred.DelayDraft, Page: kindred.Page{Limit: 500}})
	if err != nil {
		return nil, err
	}
	for i := len(ds) - 1; i >= 0; i-- { // oldest first: the order they were drafted in
		d, err := c.batchDraft(ctx, ds[i])
		if err != nil {
			return nil, err
		}
		p.Drafts = append(p.Drafts, d)
	}
	v.Nav = "care"
	return p, nil
}

// batchDraft says where heads-up d would go.
func (c *Console) batchDraft(ctx context.Context, d kindred.Delay) (batchDraft, error) {
	conv, err := c.cfg.Conversations.Conversation(ctx, d.ConversationID, false)
	if err != nil {
		return batchDraft{}, err
	}
	cust, err := c.cfg.Customers.Customer(ctx, conv.CustomerID)
	if err != nil {
		return batchDraft{}, err
	}
	ch, to, ok := kindred.ReachFor(conv, cust)
	return batchDraft{Delay: d, Channel: ch, To: to, Chosen: ok}, nil
}

func (c *Console) reviewBatch(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadBatch(r.Context(), c.view(r, q, "Heads-ups to approve"), r.PathValue("batch"))
	if err != nil {
		return err
	}
	if len(p.Drafts) == 0 {
		return kindred.Errorf(kindred.NotFound, "no heads-up of this batch is waiting")
	}
	c.pages.render(w, r, c.log, http.StatusOK, "care_batch", p)
	return nil
}

// approveBatch sends the heads-ups the lead ticked, and shows by name who
// was sent what and who could not be reached.
func (c *Console) approveBatch(w http.ResponseWriter, r *http.Request, q *request) error {
	batch := r.PathValue("batch")
	if err := parseForm(r); err != nil {
		return err
	}
	var only []int64
	for _, s := range r.PostForm["send"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fieldError("send", "choose heads-ups from the list")
		}
		only = append(only, id)
	}
	v := c.view(r, q, "Heads-ups to approve")
	var res *kindred.BatchResult
	err := fieldError("send", "tick at least one heads-up to send")
	if len(only) > 0 {
		res, err = c.cfg.Care.ApproveBatch(r.Context(), batch, only)
	}
	if kindred.ErrorKind(err) == kindred.Invalid {
		p, lerr := c.loadBatch(r.Context(), v, batch)
		if lerr != nil {
			return lerr
		}
		p.Problems = problems(v, err)
		chosen := map[string]bool{}
		for _, s := range r.PostForm["send"] {
			chosen[s] = true
		}
		for i := range p.Drafts {
			p.Drafts[i].Chosen = chosen[strconv.FormatInt(p.Drafts[i].ID, 10)]
		}
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "care_batch", p)
		return nil
	}
	if err != nil {
		return err
	}
	p, err := c.loadBatch(r.Context(), v, batch) // what is still a draft
	if err != nil {
		return err
	}
	p.Approved = true
	skipped := map[int64]string{}
	for _, s := range res.Skipped {
		skipped[s.DelayID] = s.Reason
	}
	waiting := p.Drafts[:0]
	for _, d := range p.Drafts {
		why, ok := skipped[d.ID]
		switch {
		case !ok:
			waiting = append(waiting, d)
			continue
		case d.Channel == "":
			why = v.T("Cannot be sent: no phone number or email on file")
		}
		d.Why = why
		p.Skipped = append(p.Skipped, d)
	}
	p.Drafts = waiting
	for _, d := range res.Sent {
		p.Sent = append(p.Sent, batchDraft{Delay: d, Channel: d.Channel})
		c.cfg.Hub.InboxChanged(d.ConversationID)
	}
	c.pages.render(w, r, c.log, http.StatusOK, "care_batch", p)
	return nil
}
