package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// logCall records a phone call on the conversation: what was said, what
// the agent promised, and, when a date is given, a follow-up to check that
// it happened. A call is one of our replies, by phone: it is recorded, never
// sent. For a customer who cannot read a text, it is how the desk answers.
func (c *Console) logCall(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	var k api.Check
	summary := k.Message("summary", r.PostForm.Get("summary"))
	next := strings.TrimSpace(r.PostForm.Get("next_step"))
	due, derr := formDate("follow_up", r.PostForm.Get("follow_up"), c.cfg.Location)
	err = k.Err()
	if err == nil {
		err = derr
	}
	if err != nil {
		p, lerr := c.loadConversation(ctx, c.view(r, q, "Conversation"), id)
		if lerr != nil {
			return lerr
		}
		p.Nav = "inbox"
		p.Problems = problems(p.view, err)
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "conversation", p)
		return nil
	}
	m, err := c.addCall(ctx, q, id, summary, next)
	if err != nil {
		return err
	}
	if due != nil && c.cfg.Care != nil {
		what := next
		if what == "" {
			what = c.view(r, q, "").T("Check back after the call")
		}
		if err := c.cfg.Care.ScheduleFollowUp(ctx, &kindred.FollowUp{ConversationID: id, AgentID: q.agent.ID, What: what, DueAt: *due}); err != nil {
			return err
		}
	}
	c.cfg.Hub.Publish(*m)
	http.Redirect(w, r, "/conversations/"+strconv.FormatInt(id, 10)+"#message-"+strconv.FormatInt(m.ID, 10), http.StatusSeeOther)
	return nil
}

// addCall stores the call as the agent's reply by phone.
func (c *Console) addCall(ctx context.Context, q *request, conversationID int64, summary, next string) (*kindred.Message, error) {
	authorID := q.agent.ID
	m := &kindred.Message{ConversationID: conversationID, Direction: kindred.Outbound, Channel: kindred.ChannelPhone,
		Body: kindred.CallRecord(summary, next), AuthorID: &authorID, AuthorName: q.agent.Name}
	if err := c.cfg.Conversations.AddMessage(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}
