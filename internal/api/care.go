package api

import (
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

// careRoutes lists the care endpoints: delays and their heads-ups, promised
// dates at risk, follow-ups, gestures, surveys, and the gateway's inbound
// SMS (survey answers). Any staff member may draft and send a single
// heads-up; sending a whole batch at once is for leads.
func (s *server) careRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/due", roles: staff, handler: s.listDue},
		{method: "POST", path: "/api/v1/delays", roles: staff, handler: s.markDelayed},
		{method: "GET", path: "/api/v1/delays", roles: staff, handler: s.listDelays},
		{method: "GET", path: "/api/v1/delays/{id}", roles: staff, handler: s.getDelay},
		{method: "POST", path: "/api/v1/delays/{id}/approve", roles: staff, handler: s.approveHeadsUp},
		{method: "POST", path: "/api/v1/delays/{id}/cancel", roles: staff, handler: s.cancelDelay},
		{method: "POST", path: "/api/v1/delay-batches/{batch}/approve", roles: leads, handler: s.approveBatch},
		{method: "POST", path: "/api/v1/conversations/{id}/follow-ups", roles: staff, handler: s.scheduleFollowUp},
		{method: "GET", path: "/api/v1/follow-ups", roles: staff, handler: s.listFollowUps},
		{method: "POST", path: "/api/v1/follow-ups/{id}/close", roles: staff, handler: s.closeFollowUp},
		{method: "GET", path: "/api/v1/conversations/{id}/gestures", roles: staff, handler: s.listGestures},
		{method: "POST", path: "/api/v1/gestures/{id}/close", roles: staff, handler: s.closeGesture},
		{method: "GET", path: "/api/v1/surveys", roles: staff, handler: s.listSurveys},
		{method: "POST", path: "/api/v1/sms/inbound", public: true, gateway: true, handler: s.inboundSMS},
	}
}

// Limits on care inputs.
const (
	maxReasonLen  = 300
	maxPlanLen    = 500
	maxHeadsUpLen = 1600
	maxWhatLen    = 500
	maxOutcomeLen = 2000
	maxBatchIDs   = 500
)

// dueDate reads a date or time: RFC 3339, or a plain date (2026-11-27),
// which means the end of that working day (17:00) on the desk's clock, loc.
func (c *checker) dueDate(field, s string, loc *time.Location) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		t := d.Add(17 * time.Hour)
		return &t
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		c.Add(field, "must be a date such as 2026-11-27, or an RFC 3339 time such as 2026-11-27T17:00:00+03:00")
		return nil
	}
	return &t
}

func (s *server) listDue(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "assignee", "within_hours", "limit", "offset")
	within := 48
	if v := q.str("within_hours"); v != "" {
		n := q.id("within_hours")
		if n > 24*90 {
			q.Add("within_hours", "must be at most 2160 (90 days)")
		}
		within = int(n)
	}
	f := kindred.DueFilter{Before: s.cfg.Now().Add(time.Duration(within) * time.Hour), Page: q.page()}
	switch v := q.str("assignee"); v {
	case "":
	case "me":
		actor, _ := kindred.ActorFrom(r.Context())
		f.AssigneeID = actor.AgentID
	default:
		f.AssigneeID = q.id("assignee")
	}
	if err := q.Err(); err != nil {
		return err
	}
	list, err := s.cfg.Care.DueSoon(r.Context(), f)
	if err != nil {
		return s.storeFailed("DueSoon", err)
	}
	return writeList(w, r, list, f.Page)
}

type delayInput struct {
	ConversationIDs []int64 `json:"conversation_ids"`
	Tag             string  `json:"tag"`
	Reason          string  `json:"reason"`
	Plan            string  `json:"plan"`
	NewDate         string  `json:"new_date"`
}

func (s *server) markDelayed(w http.ResponseWriter, r *http.Request) error {
	var in delayInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	req := kindred.DelayRequest{
		ConversationIDs: in.ConversationIDs,
		Reason:          c.line("reason", in.Reason, true, maxReasonLen),
		Plan:            c.text("plan", in.Plan, false, maxPlanLen),
	}
	if in.Tag != "" {
		req.Tag = strings.ToLower(c.line("tag", in.Tag, true, maxTagLen))
	}
	if len(in.ConversationIDs) > maxBatchIDs {
		c.Add("conversation_ids", "must list at most 500 conversations")
	}
	for _, id := range in.ConversationIDs {
		if id <= 0 {
			c.Add("conversation_ids", "must be conversation ids, positive whole numbers")
			break
		}
	}
	if d := c.dueDate("new_date", in.NewDate, s.cfg.Location); d != nil {
		req.NewDate = *d
		if !d.After(s.cfg.Now()) {
			c.Add("new_date", "must be in the future")
		}
	} else if in.NewDate == "" {
		c.Add("new_date", "is required: the new date we can promise")
	}
	if err := c.Err(); err != nil {
		return err
	}
	ds, err := s.cfg.Care.MarkDelayed(r.Context(), req)
	if err != nil {
		return s.storeFailed("MarkDelayed", err)
	}
	return writeJSON(w, http.StatusCreated, ds)
}

func (s *server) listDelays(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "conversation_id", "batch", "status", "limit", "offset")
	f := kindred.DelayFilter{ConversationID: q.id("conversation_id"), Batch: q.line("batch", q.str("batch"), false, maxNameLen), Page: q.page()}
	if v := q.str("status"); v != "" {
		f.Status = oneOf(&q.checker, "status", v, []kindred.DelayStatus{kindred.DelayDraft, kindred.DelaySent, kindred.DelayCancelled})
	}
	if err := q.Err(); err != nil {
		return err
	}
	list, err := s.cfg.Care.Delays(r.Context(), f)
	if err != nil {
		return s.storeFailed("Delays", err)
	}
	return writeList(w, r, list, f.Page)
}

func (s *server) getDelay(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "heads-up")
	if err != nil {
		return err
	}
	d, err := s.cfg.Care.Delay(r.Context(), id)
	if err != nil {
		return s.storeFailed("Delay", err)
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *server) approveHeadsUp(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "heads-up")
	if err != nil {
		return err
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := decodeOptional(r, &in); err != nil {
		return err
	}
	var c checker
	text := c.text("text", in.Text, false, maxHeadsUpLen)
	if err := c.Err(); err != nil {
		return err
	}
	d, err := s.cfg.Care.ApproveHeadsUp(r.Context(), id, text)
	if err != nil {
		return s.storeFailed("ApproveHeadsUp", err)
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *server) cancelDelay(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "heads-up")
	if err != nil {
		return err
	}
	d, err := s.cfg.Care.CancelDelay(r.Context(), id)
	if err != nil {
		return s.storeFailed("CancelDelay", err)
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *server) approveBatch(w http.ResponseWriter, r *http.Request) error {
	batch := r.PathValue("batch")
	if batch == "" || len(batch) > maxNameLen {
		return kindred.Errorf(kindred.NotFound, "no such batch")
	}
	// A lead who read the batch one by one names the heads-ups to send;
	// no body sends every draft.
	var in struct {
		DelayIDs *[]int64 `json:"delay_ids"`
	}
	if err := decodeOptional(r, &in); err != nil {
		return err
	}
	var only []int64
	if in.DelayIDs != nil {
		if only = *in.DelayIDs; only == nil || len(only) == 0 {
			var v kindred.Validation
			v.Add("delay_ids", "list at least one heads-up to send, or send no body to send them all")
			return v.Err()
		}
	}
	res, err := s.cfg.Care.ApproveBatch(r.Context(), batch, only)
	if err != nil {
		return s.storeFailed("ApproveBatch", err)
	}
	return writeJSON(w, http.StatusOK, res)
}

type followUpInput struct {
	AgentID *int64 `json:"agent_id"`
	What    string `json:"what"`
	DueAt   string `json:"due_at"`
}

func (s *server) scheduleFollowUp(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "conversation")
	if err != nil {
		return err
	}
	var in followUpInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	actor, _ := kindred.ActorFrom(r.Context())
	f := &kindred.FollowUp{ConversationID: id, AgentID: actor.AgentID, What: c.line("what", in.What, true, maxWhatLen)}
	if in.AgentID != nil {
		f.AgentID = *in.AgentID
	}
	if d := c.dueDate("due_at", in.DueAt, s.cfg.Location); d != nil {
		f.DueAt = *d
	} else if in.DueAt == "" {
		c.Add("due_at", "is required: when to do it")
	}
	if err := c.Err(); err != nil {
		return err
	}
	if err := s.cfg.Care.ScheduleFollowUp(r.Context(), f); err != nil {
		return s.storeFailed("ScheduleFollowUp", err)
	}
	return writeJSON(w, http.StatusCreated, f)
}

func (s *server) listFollowUps(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "agent", "conversation_id", "status", "due_before", "limit", "offset")
	f := kindred.FollowUpFilter{ConversationID: q.id("conversation_id"), DueBefore: q.timestamp("due_before", q.str("due_before")), Page: q.page()}
	switch v := q.str("agent"); v {
	case "":
	case "me":
		actor, _ := kindred.ActorFrom(r.Context())
		f.AgentID = actor.AgentID
	default:
		f.AgentID = q.id("agent")
	}
	if v := q.str("status"); v != "" {
		f.Status = oneOf(&q.checker, "status", v, []kindred.FollowUpStatus{kindred.FollowUpPending, kindred.FollowUpDone, kindred.FollowUpSkipped})
	}
	if err := q.Err(); err != nil {
		return err
	}
	list, err := s.cfg.Care.FollowUps(r.Context(), f)
	if err != nil {
		return s.storeFailed("FollowUps", err)
	}
	return writeList(w, r, list, f.Page)
}

func (s *server) closeFollowUp(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "follow-up")
	if err != nil {
		return err
	}
	var in struct {
		Status  string `json:"status"`
		Outcome string `json:"outcome"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	st := oneOf(&c, "status", in.Status, []kindred.FollowUpStatus{kindred.FollowUpDone, kindred.FollowUpSkipped})
	outcome := c.text("outcome", in.Outcome, true, maxOutcomeLen)
	if err := c.Err(); err != nil {
		return err
	}
	f, err := s.cfg.Care.CloseFollowUp(r.Context(), id, st, outcome)
	if err != nil {
		return s.storeFailed("CloseFollowUp", err)
	}
	return writeJSON(w, http.StatusOK, f)
}

func (s *server) listGestures(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "conversation")
	if err != nil {
		return err
	}
	gs, err := s.cfg.Care.Gestures(r.Context(), id)
	if err != nil {
		return s.storeFailed("Gestures", err)
	}
	return writeAll(w, gs)
}

func (s *server) closeGesture(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "gesture")
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	st := oneOf(&c, "status", in.Status, []kindred.GestureStatus{kindred.GestureDone, kindred.GestureDismissed})
	if err := c.Err(); err != nil {
		return err
	}
	g, err := s.cfg.Care.CloseGesture(r.Context(), id, st)
	if err != nil {
		return s.storeFailed("CloseGesture", err)
	}
	return writeJSON(w, http.StatusOK, g)
}

func (s *server) listSurveys(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "conversation_id", "agent_id", "answered", "limit", "offset")
	f := kindred.SurveyFilter{ConversationID: q.id("conversation_id"), AgentID: q.id("agent_id"), Page: q.page()}
	if a, _ := kindred.ActorFrom(r.Context()); a.Role == kindred.RoleAgent {
		// Agents see the answers about their own work; leads see the team's.
		f.AgentID = a.AgentID
	}
	switch q.str("answered") {
	case "":
	case "true":
		t := true
		f.Answered = &t
	case "false":
		t := false
		f.Answered = &t
	default:
		q.Add("answered", "must be true or false")
	}
	if err := q.Err(); err != nil {
		return err
	}
	list, err := s.cfg.Care.Surveys(r.Context(), f)
	if err != nil {
		return s.storeFailed("Surveys", err)
	}
	return writeList(w, r, list, f.Page)
}

// inboundSMS takes a text a customer sent to the desk's number, as the SMS
// gateway posts it: Africa's Talking's form (from, to, text, date, id), or
// the same fields as JSON. It is public because gateways send no token; all
// it can do is answer a survey waiting for that phone, or add the text to the
// customer's SMS conversation. The gateway is told 200 whenever the request
// was well formed, so that it does not send the same text again; the body
// says what became of it.
func (s *server) inboundSMS(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		From string `json:"from"`
		To   string `json:"to"`
		Text string `json:"text"`
		Date string `json:"date"`
		ID   string `json:"id"`
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		if err := decode(r, &in); err != nil {
			return err
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return badRequest("the form could not be read")
		}
		in.From, in.To, in.Text, in.Date, in.ID = r.PostForm.Get("from"), r.PostForm.Get("to"), r.PostForm.Get("text"), r.PostForm.Get("date"), r.PostForm.Get("id")
	}
	var c checker
	m := kindred.InboundSMS{
		From:       c.phone("from", in.From, s.cfg.DefaultRegion),
		To:         c.line("to", in.To, false, maxPhoneLen),
		Text:       c.text("text", in.Text, false, maxShortTextLen),
		ProviderID: c.line("id", in.ID, false, maxNameLen),
		At:         s.cfg.Now(),
	}
	if in.From == "" {
		c.Add("from", "is required: the phone the text came from")
	}
	if err := c.Err(); err != nil {
		return err
	}
	res, err := s.cfg.Care.InboundSMS(r.Context(), m)
	switch kindred.ErrorKind(err) {
	case kindred.NotFound:
		// A phone no customer has: nobody to attach it to. Logged without
		// the number or the words.
		s.log.WarnContext(r.Context(), "inbound SMS from an unknown phone")
		return writeJSON(w, http.StatusOK, kindred.InboundResult{})
	case kindred.Conflict:
		// The same answer twice (a gateway retry), or out of turn.
		return writeJSON(w, http.StatusOK, kindred.InboundResult{SurveyAnswer: true})
	}
	if err != nil {
		return s.storeFailed("InboundSMS", err)
	}
	if res.Message != nil && s.cfg.OnMessage != nil {
		s.cfg.OnMessage(*res.Message)
	}
	return writeJSON(w, http.StatusOK, res)
}
