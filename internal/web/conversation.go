package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// pathID reads the {id} in the path; an id that is not a positive whole
// number names nothing, like an id that does not exist.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kindred.Errorf(kindred.NotFound, "no such page")
	}
	return id, nil
}

// conversationPage is everything the conversation page shows.
type conversationPage struct {
	*view
	Conv       *kindred.Conversation
	Customer   *kindred.Customer
	Helpers    []kindred.Helper // active ones
	Notes      []kindred.Note   // the latest few
	Agents     []kindred.Agent  // who the conversation can be assigned to
	Draft      string
	Coach      coachView
	Simpler    simplerView
	Problems   []string
	Statuses   []kindred.Status
	Priorities []kindred.Priority
	Greeting   greeting
	Earlier    int64 // the oldest message shown, when there are earlier ones
	Paged      bool  // showing earlier messages, not the newest
	// Route is how a reply leaves, as things stand: by SMS, by email, or
	// recorded only (see kindred.RouteReply).
	Route kindred.Route
	// Promise offers a follow-up for the time the agent's reply just gave.
	Promise *promiseOffer
	// SavedReplies are the office's saved replies, to start a reply from.
	SavedReplies []kindred.SavedReply
	Saved        int64 // the one in the reply box
	// SentFrom is the conversation whose reply was just sent, when this
	// one was opened as the next person waiting.
	SentFrom int64
}

// greeting is how the customer card tells the agent to address the person.
type greeting struct {
	Name, CallThem, Say string
}

// notesOnCard is how many relationship notes the customer card shows.
const notesOnCard = 3

// loadConversation reads what the conversation page shows. Reading the
// customer's notes is audited by the store when any is sensitive.
func (c *Console) loadConversation(ctx context.Context, v *view, id int64) (*conversationPage, error) {
	return c.loadConversationBefore(ctx, v, id, 0)
}

// historyPage is how many messages the conversation page shows at once: one
// long history was a 1.1 MB page.
const historyPage = 100

// loadConversationBefore is loadConversation showing the messages before
// message id before (0: the newest).
func (c *Console) loadConversationBefore(ctx context.Context, v *view, id, before int64) (*conversationPage, error) {
	conv, err := c.cfg.Conversations.Conversation(ctx, id, false)
	if err != nil {
		return nil, err
	}
	// One more than a page, to know whether there are earlier ones.
	msgs, err := c.cfg.Conversations.Messages(ctx, id, before, historyPage+1)
	if err != nil {
		return nil, err
	}
	var earlier int64
	if len(msgs) > historyPage {
		msgs = msgs[1:]
		earlier = msgs[0].ID
	}
	conv.Messages = msgs
	cust, err := c.cfg.Customers.Customer(ctx, conv.CustomerID)
	if err != nil {
		return nil, err
	}
	helpers, err := c.cfg.Customers.Helpers(ctx, cust.ID)
	if err != nil {
		return nil, err
	}
	now := c.cfg.Now()
	helpers = slices.DeleteFunc(helpers, func(h kindred.Helper) bool { return !h.Active(now) })
	notes, err := c.cfg.Customers.Notes(ctx, cust.ID)
	if err != nil {
		return nil, err
	}
	agents, err := c.cfg.Agents.Agents(ctx)
	if err != nil {
		return nil, err
	}
	agents = slices.DeleteFunc(agents, func(a kindred.Agent) bool { return !a.ServesCustomers() })
	v.Live = conv.ID
	v.Scripts = append(v.Scripts, "coach.js")
	v.Title = v.T("Conversation with %s", cust.AddressAs())
	p := &conversationPage{
		view: v, Conv: conv, Customer: cust, Helpers: helpers, Notes: notes[:min(len(notes), notesOnCard)],
		Agents: agents, Coach: coachView{view: v}, Simpler: simplerView{view: v},
		Statuses: kindred.Statuses, Priorities: kindred.Priorities,
		Greeting: greeting{Name: cust.Name, Say: cust.Pronunciation},
		Route:    kindred.RouteReply(conv, cust, false),
		Earlier:  earlier, Paged: before != 0,
	}
	if cust.PreferredName != "" && cust.PreferredName != cust.Name {
		p.Greeting.CallThem = cust.PreferredName
	}
	return p, nil
}

func (c *Console) conversation(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var before int64
	if b := r.URL.Query().Get("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before <= 0 {
			return &kindred.Error{Kind: kindred.Invalid, Message: "the link to earlier messages is damaged",
				Fields: []kindred.FieldError{{Field: "before", Reason: "must be a message id"}}}
		}
	}
	p, err := c.loadConversationBefore(r.Context(), c.view(r, q, "Conversation"), id, before)
	if err != nil {
		return err
	}
	if !p.Paged {
		if p.Promise, err = c.offerPromise(r.Context(), p.view, p.Conv); err != nil {
			return err
		}
	}
	if from, err := strconv.ParseInt(r.URL.Query().Get("sent"), 10, 64); err == nil && from > 0 {
		p.SentFrom = from
	}
	if c.cfg.SavedReplies != nil {
		if p.SavedReplies, err = c.cfg.SavedReplies.SavedReplies(r.Context()); err != nil {
			return err
		}
		if id := r.URL.Query().Get("saved"); id != "" {
			if err := c.useSavedReply(r.Context(), p, id); err != nil {
				return err
			}
			p.Saved, _ = strconv.ParseInt(id, 10, 64)
		}
	}
	p.Nav = "inbox"
	c.pages.render(w, r, c.log, http.StatusOK, "conversation", p)
	return nil
}

// check renders the page with the coach's reading of the draft, or with a
// plainer version of the last reply: the same as the live coach, for
// browsers without JavaScript. Nothing is stored.
func (c *Console) check(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	p, err := c.loadConversation(r.Context(), c.view(r, q, "Conversation"), id)
	if err != nil {
		return err
	}
	p.Nav = "inbox"
	p.Draft = r.PostForm.Get("body")
	if r.PostForm.Get("action") == "simpler" {
		p.Simpler = simplerFor(p.view, p.Conv, p.Draft)
	}
	if strings.TrimSpace(p.Draft) != "" {
		p.Coach = coachFor(p.view, p.Draft, lastInbound(p.Conv), p.Customer, p.Route.Channel)
		p.Coach.SMS = smsLengthOf(p.Route, p.Draft)
	}
	c.pages.render(w, r, c.log, http.StatusOK, "conversation", p)
	return nil
}

// lastInbound is the customer's latest message in conv, or nil.
func lastInbound(conv *kindred.Conversation) *kindred.Message {
	for i := len(conv.Messages) - 1; i >= 0; i-- {
		if conv.Messages[i].Direction == kindred.Inbound {
			return &conv.Messages[i]
		}
	}
	return nil
}

// reply sends the agent's reply: checked by the API's rules, analysed by the
// engine against the customer's last message, stored, and announced to the
// open consoles. The coach's opinion never stops it.
func (c *Console) reply(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.postMessage(w, r, q, kindred.Outbound)
}

// addInternalNote adds a note for colleagues; it is never sent.
func (c *Console) addInternalNote(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.postMessage(w, r, q, kindred.InternalNote)
}

func (c *Console) postMessage(w http.ResponseWriter, r *http.Request, q *request, dir kindred.Direction) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	ctx := r.Context()
	var k api.Check
	body := k.Message("body", r.PostForm.Get("body"))
	if err := k.Err(); err != nil {
		p, lerr := c.loadConversation(ctx, c.view(r, q, "Conversation"), id)
		if lerr != nil {
			return lerr
		}
		p.Problems = problems(p.view, err)
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "conversation", p)
		return nil
	}
	authorID := q.agent.ID
	m := &kindred.Message{ConversationID: id, Direction: dir, Body: body, AuthorID: &authorID, AuthorName: q.agent.Name,
		SendAnyway: dir == kindred.Outbound && r.PostForm.Get("send_anyway") == "yes"}
	// A reply is judged against the customer's latest message, read with
	// the write (see PostMessage).
	err = c.cfg.Conversations.PostMessage(ctx, m, func(_ *kindred.Conversation, cust *kindred.Customer, inReplyTo *kindred.Message) error {
		if c.cfg.Analyzer != nil && dir == kindred.Outbound {
			m.Analysis = c.cfg.Analyzer.Analyze(m, inReplyTo, cust)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.cfg.Hub.Publish(*m)
	to := "/conversations/" + strconv.FormatInt(id, 10)
	if dir == kindred.Outbound && r.PostForm.Get("then") == "next" {
		// Forty emails before lunch: the next person waiting, as the inbox
		// orders them. The reply is sent whatever happens here.
		next, err := c.nextWaiting(ctx, q.agent.ID, id)
		switch {
		case err != nil:
			c.log.WarnContext(ctx, "finding the next conversation after a reply", "conversation", id, "err", err)
		case next > 0:
			to = "/conversations/" + strconv.FormatInt(next, 10) + "?sent=" + strconv.FormatInt(id, 10)
		default:
			to = "/inbox?answered=1"
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// assign gives the conversation to an agent, or to nobody.
func (c *Console) assign(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.updateConversation(w, r, q, func(f map[string][]string, k *api.Check, u *kindred.ConversationUpdate) error {
		switch v := first(f["assignee"]); v {
		case "", "none":
			u.Unassign = true
		default:
			aid, err := strconv.ParseInt(v, 10, 64)
			if err != nil || aid <= 0 {
				k.Add("assignee_id", "choose an agent from the list")
				return nil
			}
			a, err := c.cfg.Agents.Agent(r.Context(), aid)
			if kindred.ErrorKind(err) == kindred.NotFound {
				k.Add("assignee_id", "no such agent")
				return nil
			}
			if err != nil {
				return err
			}
			k.Assignee("assignee_id", a)
			u.AssigneeID = &a.ID
		}
		return nil
	})
}

// setStatus changes the conversation's status and priority.
func (c *Console) setStatus(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.updateConversation(w, r, q, func(f map[string][]string, k *api.Check, u *kindred.ConversationUpdate) error {
		if v := first(f["status"]); v != "" {
			s := k.Status("status", v)
			u.Status = &s
		}
		if v := first(f["priority"]); v != "" {
			p := k.Priority("priority", v)
			u.Priority = &p
		}
		return nil
	})
}

// setTags replaces the conversation's tags with the comma-separated list given.
func (c *Console) setTags(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.updateConversation(w, r, q, func(f map[string][]string, k *api.Check, u *kindred.ConversationUpdate) error {
		var tags []string
		for _, t := range strings.Split(first(f["tags"]), ",") {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
		tags = k.Tags("tags", tags)
		u.Tags = &tags
		return nil
	})
}

// updateConversation reads a settings form into an update, applies it, tells
// the open inboxes and goes back to the conversation; a mistake shows the
// page again with the problem.
func (c *Console) updateConversation(w http.ResponseWriter, r *http.Request, q *request,
	read func(f map[string][]string, k *api.Check, u *kindred.ConversationUpdate) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	var k api.Check
	var u kindred.ConversationUpdate
	if err := read(r.PostForm, &k, &u); err != nil {
		return err
	}
	err = k.Err()
	if err == nil {
		_, err = c.cfg.Conversations.UpdateConversation(r.Context(), id, u)
	}
	if kindred.ErrorKind(err) == kindred.Invalid {
		p, lerr := c.loadConversation(r.Context(), c.view(r, q, "Conversation"), id)
		if lerr != nil {
			return lerr
		}
		p.Problems = problems(p.view, err)
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "conversation", p)
		return nil
	}
	if err != nil {
		return err
	}
	c.cfg.Hub.InboxChanged(id)
	http.Redirect(w, r, "/conversations/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// messageView is one message in the history.
type messageView struct {
	*view
	M kindred.Message
}

// Msg wraps a message for the "message" template.
func (v *view) Msg(m kindred.Message) messageView { return messageView{view: v, M: m} }

// Score is the compassion score of one of our replies, or -1.
func (m messageView) Score() int {
	if m.M.Analysis == nil || m.M.Analysis.Compassion == nil {
		return -1
	}
	return int(*m.M.Analysis.Compassion + 0.5)
}

// Badges are the calm words for a customer's message, translated.
func (m messageView) Badges() []string {
	if m.M.Direction != kindred.Inbound {
		return nil
	}
	bs := careBadges(customerReport(&m.M), &m.M, nil)
	for i, b := range bs {
		bs[i] = m.T(b)
	}
	return bs
}

// Assigned reports whether the conversation is assigned to agent id.
func (p *conversationPage) Assigned(id int64) bool {
	return p.Conv.AssigneeID != nil && *p.Conv.AssigneeID == id
}

// TagList is the tags as the tags form shows them.
func (p *conversationPage) TagList() string { return strings.Join(p.Conv.Tags, ", ") }
