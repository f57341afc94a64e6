package api

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/kindred-desk/kindred"
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
		m.Body = c.text("body_html", htmlToText(in.BodyHTML), true, maxMessageLen)
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
	conv, err := s.cfg.Conversations.Conversation(ctx, convID, false)
	if err != nil {
		return s.storeFailed("Conversation", err)
	}
	// The customer names inbound messages and is read by the analyzer.
	var cust *kindred.Customer
	if m.Direction == kindred.Inbound || s.cfg.Analyzer != nil {
		if cust, err = s.cfg.Customers.Customer(ctx, conv.CustomerID); err != nil {
			return s.storeFailed("Customer", err)
		}
	}
	actor, _ := kindred.ActorFrom(ctx)
	switch {
	case in.HelperID != nil:
		h, err := s.helperMayAct(r, *in.HelperID, conv)
		if err != nil {
			return err
		}
		m.HelperID, m.AuthorName = &h.ID, h.Name
	case m.Direction == kindred.Inbound:
		m.AuthorName = cust.AddressAs()
	default:
		m.AuthorID, m.AuthorName = &actor.AgentID, actor.Name
	}

	// Internal notes are neither a customer's words nor a reply to them: the
	// engine has nothing to judge there.
	if s.cfg.Analyzer != nil && m.Direction != kindred.InternalNote {
		var inReplyTo *kindred.Message
		if m.Direction == kindred.Outbound {
			if inReplyTo, err = s.cfg.Conversations.LatestInbound(ctx, convID, 0); err != nil {
				return s.storeFailed("LatestInbound", err)
			}
		}
		m.Analysis = s.cfg.Analyzer.Analyze(m, inReplyTo, cust)
	}
	if err := s.cfg.Conversations.AddMessage(ctx, m); err != nil {
		return s.storeFailed("AddMessage", err)
	}
	if s.cfg.OnMessage != nil {
		s.cfg.OnMessage(*m)
	}
	return writeJSON(w, http.StatusCreated, m)
}

var (
	stripHTML = bluemonday.StrictPolicy()
	// HTML whitespace is not significant: runs of it are one space.
	htmlSpace = regexp.MustCompile(`\s+`)
	// Line breaks and the ends of blocks become newlines before tags go.
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>`)
	htmlBlock = regexp.MustCompile(`(?i)</?(p|div|h[1-6]|blockquote|pre|table|ul|ol|section|article|header|footer)(\s[^>]*)?>`)
	htmlLine  = regexp.MustCompile(`(?i)</(li|tr|dt|dd)\s*>`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// htmlToText turns an email's HTML into plain text: tags stripped (scripts
// and styles with their content), entities decoded, paragraphs kept as
// blank-line-separated blocks and <br> as line breaks.
func htmlToText(s string) string {
	s = htmlSpace.ReplaceAllString(s, " ")
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlBlock.ReplaceAllString(s, "\n\n")
	s = htmlLine.ReplaceAllString(s, "\n")
	s = html.UnescapeString(stripHTML.Sanitize(s))
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s)
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
