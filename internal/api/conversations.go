package api

import (
	"net/http"
	"strings"

	"github.com/kindred-desk/kindred"
)

type conversationInput struct {
	CustomerID int64    `json:"customer_id"`
	Channel    string   `json:"channel"`
	Subject    string   `json:"subject"`
	Priority   string   `json:"priority"`
	AssigneeID *int64   `json:"assignee_id"`
	Tags       []string `json:"tags"`
	DueAt      string   `json:"due_at"`
}

func (s *server) createConversation(w http.ResponseWriter, r *http.Request) error {
	var in conversationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	conv := &kindred.Conversation{
		CustomerID: in.CustomerID,
		Channel:    oneOf(&c, "channel", in.Channel, kindred.Channels),
		Subject:    c.line("subject", in.Subject, true, maxSubjectLen),
		Status:     kindred.StatusOpen,
		Priority:   kindred.PriorityNormal,
		Tags:       c.tags("tags", in.Tags),
		DueAt:      c.dueDate("due_at", in.DueAt, s.cfg.Location),
	}
	if in.CustomerID <= 0 {
		c.Add("customer_id", "is required: the id of the customer the conversation is with")
	}
	if in.Priority != "" {
		conv.Priority = oneOf(&c, "priority", in.Priority, kindred.Priorities)
	}
	if err := c.Err(); err != nil {
		return err
	}
	// The store checks that the customer exists, in the write, and names
	// customer_id when it does not.
	if in.AssigneeID != nil {
		if err := s.checkAssignee(r, *in.AssigneeID); err != nil {
			return err
		}
		conv.AssigneeID = in.AssigneeID
	}
	if err := s.cfg.Conversations.CreateConversation(r.Context(), conv); err != nil {
		return s.storeFailed("CreateConversation", err)
	}
	w.Header().Set("Location", "/api/v1/conversations/"+itoa(conv.ID))
	return writeJSON(w, http.StatusCreated, conv)
}

// checkAssignee makes sure conversations go to an agent who can work them.
func (s *server) checkAssignee(r *http.Request, id int64) error {
	if id <= 0 {
		return invalid("assignee_id", "must be an agent's id, or null for nobody")
	}
	a, err := s.cfg.Agents.Agent(r.Context(), id)
	switch {
	case kindred.ErrorKind(err) == kindred.NotFound:
		return invalid("assignee_id", "no such agent")
	case err != nil:
		return s.storeFailed("Agent", err)
	}
	var c checker
	c.assignee("assignee_id", a)
	return c.Err()
}

func (s *server) listConversations(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "status", "assignee", "channel", "customer_id", "limit", "offset")
	f := kindred.ConversationFilter{CustomerID: q.id("customer_id"), Page: q.page()}
	if v := q.str("status"); v != "" {
		f.Status = oneOf(&q.checker, "status", v, kindred.Statuses)
	}
	if v := q.str("channel"); v != "" {
		f.Channel = oneOf(&q.checker, "channel", v, kindred.Channels)
	}
	switch v := q.str("assignee"); v {
	case "":
	case "me":
		actor, _ := kindred.ActorFrom(r.Context())
		f.AssigneeID = actor.AgentID
	case "none":
		f.Unassigned = true
	default:
		if f.AssigneeID = q.id("assignee"); f.AssigneeID == 0 {
			q.Fields[len(q.Fields)-1].Reason = `must be "me", "none" or an agent's id`
		}
	}
	if err := q.Err(); err != nil {
		return err
	}
	list, err := s.cfg.Conversations.Conversations(r.Context(), f)
	if err != nil {
		return s.storeFailed("Conversations", err)
	}
	return writeList(w, r, list, f.Page)
}

func (s *server) getConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "conversation")
	if err != nil {
		return err
	}
	conv, err := s.cfg.Conversations.Conversation(r.Context(), id, true)
	if err != nil {
		return s.storeFailed("Conversation", err)
	}
	return writeJSON(w, http.StatusOK, withMessages(conv))
}

// conversationWithMessages always has its messages array, even when empty
// (Conversation.Messages is omitted when empty, for listings).
type conversationWithMessages struct {
	*kindred.Conversation
	Messages []kindred.Message `json:"messages"`
}

func withMessages(c *kindred.Conversation) conversationWithMessages {
	ms := c.Messages
	if ms == nil {
		ms = []kindred.Message{}
	}
	return conversationWithMessages{Conversation: c, Messages: ms}
}

// conversationPatch is a partial update; assignee_id null unassigns and tags
// null clears the tags.
type conversationPatch struct {
	Subject    optional[string]   `json:"subject"`
	Status     optional[string]   `json:"status"`
	Priority   optional[string]   `json:"priority"`
	AssigneeID optional[int64]    `json:"assignee_id"`
	Tags       optional[[]string] `json:"tags"`
	DueAt      optional[string]   `json:"due_at"`
}

func (s *server) updateConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "conversation")
	if err != nil {
		return err
	}
	var in conversationPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	var u kindred.ConversationUpdate
	changed := in.Subject.Set || in.Status.Set || in.Priority.Set || in.AssigneeID.Set || in.Tags.Set
	if in.Subject.Set {
		v := c.line("subject", in.Subject.Value, true, maxSubjectLen)
		u.Subject = &v
	}
	if in.Status.Set {
		v := oneOf(&c, "status", in.Status.Value, kindred.Statuses)
		u.Status = &v
	}
	if in.Priority.Set {
		v := oneOf(&c, "priority", in.Priority.Value, kindred.Priorities)
		u.Priority = &v
	}
	if in.Tags.Set {
		v := c.tags("tags", in.Tags.Value)
		u.Tags = &v
	}
	// The promised date; null clears it.
	if in.DueAt.Set {
		if in.DueAt.Null {
			u.ClearDue = true
		} else {
			if strings.TrimSpace(in.DueAt.Value) == "" {
				c.Add("due_at", "must be a date, or null to clear it")
			}
			u.DueAt = c.dueDate("due_at", in.DueAt.Value, s.cfg.Location)
		}
		changed = true
	}
	if err := c.Err(); err != nil {
		return err
	}
	switch {
	case in.AssigneeID.Null:
		u.Unassign = true
	case in.AssigneeID.Set:
		if err := s.checkAssignee(r, in.AssigneeID.Value); err != nil {
			return err
		}
		u.AssigneeID = &in.AssigneeID.Value
	}
	var conv *kindred.Conversation
	if changed {
		conv, err = s.cfg.Conversations.UpdateConversation(r.Context(), id, u)
		if err != nil {
			return s.storeFailed("UpdateConversation", err)
		}
	} else if conv, err = s.cfg.Conversations.Conversation(r.Context(), id, false); err != nil {
		return s.storeFailed("Conversation", err)
	}
	return writeJSON(w, http.StatusOK, conv)
}
