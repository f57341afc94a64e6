package api

import (
	"net/http"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/mail"
)

type messageInput struct {
	Direction string `json:"direction"`
	Body      string `json:"body"`
	BodyHTML  string `json:"body_html"`
	HelperID  *int64 `json:"helper_id"`
	// SendAnyway sends a reply by text to a customer who has told us that
	// reading is hard for them (read aloud, low vision).
	SendAnyway bool `json:"send_anyway"`
}

var directions = []kindred.Direction{kindred.Inbound, kindred.Outbound, kindred.InternalNote}

func (s *server) addMessage(w http.ResponseWriter, r *http.Request) error {
	convID, err := pathID(r, "conversation")
	if err != nil {
		return err
	}
	var in messageInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	m := &kindred.Message{ConversationID: convID, Direction: oneOf(&c, "direction", in.Direction, directions), SendAnyway: in.SendAnyway}
	switch {
	case in.Body != "" && in.BodyHTML != "":
		c.Add("body_html", "send either body or body_html, not both")
	case in.BodyHTML != "":
		m.Body = c.text("body_html", mail.HTMLToText(in.BodyHTML), true, maxMessageLen)
	default:
		m.Body = c.text("body", in.Body, true, maxMessageLen)
	}
	if in.HelperID != nil && m.Direction != kindred.Inbound && m.Direction != "" {
		c.Add("helper_id", "only an inbound message (direction \"in\") can be written by a helper")
	}
	if err := c.Err(); err != nil {
		return err
	}

	ctx := r.Context()
	if m.Direction != kindred.Inbound {
		actor, _ := kindred.ActorFrom(ctx)
		m.AuthorID, m.AuthorName = &actor.AgentID, actor.Name
	}
	// complete sets what depends on the customer (who names their own
	// messages and is read by the analyzer) and, for a reply, on their
	// latest message (what it answers). It does not use the store:
	// PostMessage may call it inside the write's transaction.
	complete := func(_ *kindred.Conversation, cust *kindred.Customer, latest *kindred.Message) error {
		if m.Direction == kindred.Inbound && m.HelperID == nil {
			m.AuthorName = cust.AddressAs()
		}
		// Internal notes are neither a customer's words nor a reply to
		// them: the engine has nothing to judge there.
		if s.cfg.Analyzer != nil && m.Direction != kindred.InternalNote {
			var inReplyTo *kindred.Message
			if m.Direction == kindred.Outbound {
				inReplyTo = latest
			}
			m.Analysis = s.cfg.Analyzer.Analyze(m, inReplyTo, cust)
		}
		return nil
	}
	if in.HelperID == nil {
		if err := s.cfg.Conversations.PostMessage(ctx, m, complete); err != nil {
			return s.storeFailed("PostMessage", err)
		}
	} else {
		// A helper is read and held to the conversation's customer first,
		// reads of the store that complete may not make.
		conv, cust, latest, err := s.cfg.Conversations.ForMessage(ctx, convID, m.Direction)
		if err != nil {
			return s.storeFailed("ForMessage", err)
		}
		h, err := s.helperMayAct(r, *in.HelperID, conv)
		if err != nil {
			return err
		}
		m.HelperID, m.AuthorName = &h.ID, h.Name
		if err := complete(conv, cust, latest); err != nil {
			return err
		}
		if err := s.cfg.Conversations.AddMessage(ctx, m); err != nil {
			return s.storeFailed("AddMessage", err)
		}
	}
	if s.cfg.OnMessage != nil {
		s.cfg.OnMessage(*m)
	}
	return writeJSON(w, http.StatusCreated, m)
}

// logCall records a phone call on the conversation (summary, the next step
// promised) as the agent's reply by phone, never sent; with follow_up_at it
// also schedules a follow-up for the agent.
func (s *server) logCall(w http.ResponseWriter, r *http.Request) error {
	convID, err := pathID(r, "conversation")
	if err != nil {
		return err
	}
	var in struct {
		Summary    string `json:"summary"`
		NextStep   string `json:"next_step"`
		FollowUpAt string `json:"follow_up_at"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	summary := c.text("summary", in.Summary, true, maxMessageLen)
	next := c.line("next_step", in.NextStep, false, maxPlanLen)
	var due *time.Time
	if in.FollowUpAt != "" {
		due = c.timestamp("follow_up_at", in.FollowUpAt)
		if s.cfg.Care == nil {
			c.Add("follow_up_at", "follow-ups are not available on this desk")
		}
	}
	if err := c.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	actor, _ := kindred.ActorFrom(ctx)
	m := &kindred.Message{ConversationID: convID, Direction: kindred.Outbound, Channel: kindred.ChannelPhone,
		Body: kindred.CallRecord(summary, next), AuthorID: &actor.AgentID, AuthorName: actor.Name}
	if err := s.cfg.Conversations.AddMessage(ctx, m); err != nil {
		return s.storeFailed("AddMessage", err)
	}
	if due != nil {
		what := next
		if what == "" {
			what = "Check back after the call"
		}
		if err := s.cfg.Care.ScheduleFollowUp(ctx, &kindred.FollowUp{ConversationID: convID, AgentID: actor.AgentID, What: what, DueAt: *due}); err != nil {
			return s.storeFailed("ScheduleFollowUp", err)
		}
	}
	if s.cfg.OnMessage != nil {
		s.cfg.OnMessage(*m)
	}
	return writeJSON(w, http.StatusCreated, m)
}
