package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

// Proactive care in the console: a care page per conversation (the promised
// date, heads-ups, follow-ups, gestures), the care overview (dates at risk,
// my follow-ups, delaying many conversations at once), and the public
// survey page customers answer without signing in.

// leads may approve a whole batch of heads-ups at once.
var leads = []kindred.Role{kindred.RoleAdmin, kindred.RoleLead}

// careRoutes lists the care pages.
func (c *Console) careRoutes() []route {
	return []route{
		{"GET /care", staff, c.careOverview},
		{"POST /care/delays", staff, c.delayMany},
		{"GET /conversations/{id}/care", staff, c.conversationCare},
		{"POST /conversations/{id}/due", staff, c.setDue},
		{"POST /conversations/{id}/delays", staff, c.delayOne},
		{"POST /conversations/{id}/follow-ups", staff, c.scheduleFollowUp},
		{"POST /delays/{id}/approve", staff, c.approveHeadsUp},
		{"POST /delays/{id}/cancel", staff, c.cancelHeadsUp},
		{"GET /delay-batches/{batch}", leads, c.reviewBatch},
		{"POST /delay-batches/{batch}/approve", leads, c.approveBatch},
		{"POST /follow-ups/{id}/close", staff, c.closeFollowUp},
		{"POST /gestures/{id}/close", staff, c.closeGesture},

		{"GET /survey/thanks", nil, c.surveyThanks},
		{"GET /survey/{token}", nil, c.surveyPage},
		{"POST /survey/{token}", nil, c.answerSurvey},
	}
}

// atRiskWithin is how near a promised date must be for the console to
// remind the agent to give a heads-up (as the care worker does).
const atRiskWithin = 48 * time.Hour

// DueAtRisk reports whether conv's promised date is near (or past) and the
// conversation not resolved: the agent should give the customer a heads-up.
// A heads-up sent moves the date to its new one, so the reminder ends.
func (v *view) DueAtRisk(conv kindred.Conversation) bool {
	return conv.DueAt != nil && conv.Status != kindred.StatusResolved && conv.DueAt.Before(v.now.Add(atRiskWithin))
}

// Day is a date as people say it, in the reader's language: "Friday 27
// November 2026".
func (v *view) Day(t time.Time) string {
	t = t.In(v.clock())
	return v.T(t.Weekday().String()) + " " + strconv.Itoa(t.Day()) + " " + v.T(t.Month().String()) + " " + strconv.Itoa(t.Year())
}

// DateValue is t as an <input type="date"> value: its day on the desk's
// clock, loc.
func DateValue(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(loc).Format(time.DateOnly)
}

// conversationCarePage is the care page of one conversation.
type conversationCarePage struct {
	*view
	Conv      *kindred.Conversation
	Customer  *kindred.Customer
	Delays    []kindred.Delay
	FollowUps []kindred.FollowUp
	Gestures  []kindred.Gesture
	Answers   []answerView // what the customer said in the survey
	Problems  []string
	Today     string
}

// Due is the promised date as a form value.
func (p *conversationCarePage) Due() string { return DateValue(p.Conv.DueAt, p.clock()) }

// Points rounds a compassion score for display; -1 when there is none.
func (v *view) Points(f *float64) int {
	if f == nil {
		return -1
	}
	return int(*f + 0.5)
}

var gestureLabels = map[string]string{
	kindred.GestureCall: "A personal call",
	kindred.GestureNote: "A handwritten note",
}

// GestureLabel names a kind of gesture.
func (v *view) GestureLabel(kind string) string {
	if l, ok := gestureLabels[kind]; ok {
		return v.T(l)
	}
	return kind
}

var delayLabels = map[kindred.DelayStatus]string{
	kindred.DelayDraft:     "Draft, not sent",
	kindred.DelaySent:      "Sent",
	kindred.DelayCancelled: "Cancelled",
}

// DelayLabel names where a heads-up stands.
func (v *view) DelayLabel(s kindred.DelayStatus) string { return v.T(delayLabels[s]) }

var followUpLabels = map[kindred.FollowUpStatus]string{
	kindred.FollowUpPending: "To do",
	kindred.FollowUpDone:    "Completed",
	kindred.FollowUpSkipped: "Skipped",
}

// FollowUpLabel names where a follow-up stands.
func (v *view) FollowUpLabel(s kindred.FollowUpStatus) string { return v.T(followUpLabels[s]) }

func (c *Console) loadConversationCare(ctx context.Context, v *view, id int64) (*conversationCarePage, error) {
	conv, err := c.cfg.Conversations.Conversation(ctx, id, false)
	if err != nil {
		return nil, err
	}
	cust, err := c.cfg.Customers.Customer(ctx, conv.CustomerID)
	if err != nil {
		return nil, err
	}
	p := &conversationCarePage{view: v, Conv: conv, Customer: cust, Today: v.now.In(v.clock()).Format(time.DateOnly)}
	if p.Delays, err = c.cfg.Care.Delays(ctx, kindred.DelayFilter{ConversationID: id}); err != nil {
		return nil, err
	}
	if p.FollowUps, err = c.cfg.Care.FollowUps(ctx, kindred.FollowUpFilter{ConversationID: id}); err != nil {
		return nil, err
	}
	if p.Gestures, err = c.cfg.Care.Gestures(ctx, id); err != nil {
		return nil, err
	}
	yes := true
	surveys, err := c.cfg.Care.Surveys(ctx, kindred.SurveyFilter{ConversationID: id, Answered: &yes})
	if err != nil {
		return nil, err
	}
	for _, s := range surveys {
		p.Answers = append(p.Answers, answerView{Survey: s, Customer: cust.AddressAs()})
	}
	v.Title = v.T("Care for %s", cust.AddressAs())
	v.Nav = "inbox"
	return p, nil
}

func (c *Console) conversationCare(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := c.loadConversationCare(r.Context(), c.view(r, q, "Care"), id)
	if err != nil {
		return err
	}
	c.pages.render(w, r, c.log, http.StatusOK, "care_conversation", p)
	return nil
}

// careDone goes back to the conversation's care page after a change; an
// Invalid error shows the page again with the problem.
func (c *Console) careDone(w http.ResponseWriter, r *http.Request, q *request, convID int64, err error) error {
	if kindred.ErrorKind(err) == kindred.Invalid {
		p, lerr := c.loadConversationCare(r.Context(), c.view(r, q, "Care"), convID)
		if lerr != nil {
			return lerr
		}
		p.Problems = problems(p.view, err)
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "care_conversation", p)
		return nil
	}
	if err != nil {
		return err
	}
	c.cfg.Hub.InboxChanged(convID)
	http.Redirect(w, r, "/conversations/"+strconv.FormatInt(convID, 10)+"/care", http.StatusSeeOther)
	return nil
}

// formDate reads a date field: "" is nil; a day means the end of that
// working day (17:00) on the desk's clock, loc.
func formDate(field, s string, loc *time.Location) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return nil, fieldError(field, "choose a date")
	}
	t := d.Add(17 * time.Hour)
	return &t, nil
}

func fieldError(field, reason string) error {
	return &kindred.Error{Kind: kindred.Invalid, Message: "some fields need attention", Fields: []kindred.FieldError{{Field: field, Reason: reason}}}
}

func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	return nil
}

func (c *Console) setDue(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var due *time.Time
	if r.PostForm.Get("action") != "clear" {
		if due, err = formDate("due_at", r.PostForm.Get("due"), c.cfg.Location); err == nil && due == nil {
			err = fieldError("due_at", "choose a date, or clear it")
		}
	}
	if err == nil {
		_, err = c.cfg.Care.SetDue(r.Context(), id, due)
	}
	return c.careDone(w, r, q, id, err)
}

func (c *Console) delayRequest(r *http.Request) (kindred.DelayRequest, error) {
	if err := parseForm(r); err != nil {
		return kindred.DelayRequest{}, err
	}
	req := kindred.DelayRequest{Reason: r.PostForm.Get("reason"), Plan: r.PostForm.Get("plan"), Tag: r.PostForm.Get("tag")}
	d, err := formDate("new_date", r.PostForm.Get("new_date"), c.cfg.Location)
	if err != nil {
		return req, err
	}
	if d != nil {
		req.NewDate = *d
	}
	return req, nil
}

func (c *Console) delayOne(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	req, err := c.delayRequest(r)
	if err == nil {
		req.Tag, req.ConversationIDs = "", []int64{id}
		_, err = c.cfg.Care.MarkDelayed(r.Context(), req)
	}
	return c.careDone(w, r, q, id, err)
}

// approveHeadsUp sends one heads-up, with the words as the agent left them.
func (c *Console) approveHeadsUp(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	d, err := c.cfg.Care.Delay(r.Context(), id)
	if err != nil {
		return err
	}
	_, err = c.cfg.Care.ApproveHeadsUp(r.Context(), id, r.PostForm.Get("text"))
	if kindred.ErrorKind(err) == kindred.Conflict {
		err = fieldError("heads_up", "it was already sent or cancelled")
	}
	return c.careDone(w, r, q, d.ConversationID, err)
}

func (c *Console) cancelHeadsUp(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := c.cfg.Care.CancelDelay(r.Context(), id)
	if kindred.ErrorKind(err) == kindred.Conflict {
		if d, lerr := c.cfg.Care.Delay(r.Context(), id); lerr == nil {
			return c.careDone(w, r, q, d.ConversationID, fieldError("heads_up", "it was already sent or cancelled"))
		}
	}
	if err != nil {
		return err
	}
	return c.careDone(w, r, q, d.ConversationID, nil)
}

func (c *Console) scheduleFollowUp(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	due, err := formDate("due_at", r.PostForm.Get("due"), c.cfg.Location)
	if err == nil {
		f := &kindred.FollowUp{ConversationID: id, AgentID: q.agent.ID, What: r.PostForm.Get("what")}
		if due != nil {
			f.DueAt = *due
		}
		err = c.cfg.Care.ScheduleFollowUp(r.Context(), f)
	}
	if back := "/conversations/" + strconv.FormatInt(id, 10); err == nil && r.PostForm.Get("back") == back {
		// Made from the offer beside the reply that promised it.
		http.Redirect(w, r, back+"?done=follow-up#history-heading", http.StatusSeeOther)
		return nil
	}
	return c.careDone(w, r, q, id, err)
}

func (c *Console) closeFollowUp(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	status := kindred.FollowUpStatus(r.PostForm.Get("status"))
	f, err := c.cfg.Care.CloseFollowUp(r.Context(), id, status, r.PostForm.Get("outcome"))
	if kindred.ErrorKind(err) == kindred.Invalid || kindred.ErrorKind(err) == kindred.Conflict {
		// Back to where the form was: the overview, or the conversation.
		conv, lerr := c.followUpConversation(r.Context(), id)
		if lerr != nil {
			return lerr
		}
		if kindred.ErrorKind(err) == kindred.Conflict {
			err = fieldError("outcome", "this follow-up was already closed")
		}
		return c.careDone(w, r, q, conv, err)
	}
	if err != nil {
		return err
	}
	if back := r.PostForm.Get("back"); back == "/care" {
		http.Redirect(w, r, "/care", http.StatusSeeOther)
		return nil
	}
	return c.careDone(w, r, q, f.ConversationID, nil)
}

// followUpConversation is the conversation of follow-up id.
func (c *Console) followUpConversation(ctx context.Context, id int64) (int64, error) {
	f, err := c.cfg.Care.FollowUp(ctx, id)
	if err != nil {
		return 0, err
	}
	return f.ConversationID, nil
}

func (c *Console) closeGesture(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	g, err := c.cfg.Care.CloseGesture(r.Context(), id, kindred.GestureStatus(r.PostForm.Get("status")))
	if err != nil {
		return err
	}
	return c.careDone(w, r, q, g.ConversationID, nil)
}

// careOverviewPage is the care overview: what needs doing first.
type careOverviewPage struct {
	*view
	Due       []kindred.DueReminder
	FollowUps []kindred.FollowUp
	Drafts    []kindred.Delay
	Batches   []batchView
	Problems  []string
	Notice    string
	Form      url.Values

	Answers     []answerView   // survey answers: about me, or my team's for a lead
	TeamOverdue []teamFollowUp // a lead's team's follow-ups past their date
}

// batchView is a batch of draft heads-ups waiting for a lead.
type batchView struct {
	Batch string
	Count int
}

func (c *Console) loadCareOverview(ctx context.Context, v *view) (*careOverviewPage, error) {
	p := &careOverviewPage{view: v, Form: url.Values{}}
	var err error
	if p.Due, err = c.cfg.Care.DueSoon(ctx, kindred.DueFilter{Before: v.now.Add(atRiskWithin)}); err != nil {
		return nil, err
	}
	soon := v.now.Add(7 * 24 * time.Hour)
	if p.FollowUps, err = c.cfg.Care.FollowUps(ctx, kindred.FollowUpFilter{AgentID: v.Agent.ID, Status: kindred.FollowUpPending, DueBefore: &soon}); err != nil {
		return nil, err
	}
	if p.Drafts, err = c.cfg.Care.Delays(ctx, kindred.DelayFilter{Status: kindred.DelayDraft, Page: kindred.Page{Limit: 500}}); err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, d := range p.Drafts {
		if d.Batch != "" {
			if count[d.Batch] == 0 {
				p.Batches = append(p.Batches, batchView{Batch: d.Batch})
			}
			count[d.Batch]++
		}
	}
	for i := range p.Batches {
		p.Batches[i].Count = count[p.Batches[i].Batch]
	}
	if err := c.loadCareAnswers(ctx, p); err != nil {
		return nil, err
	}
	v.Nav = "care"
	return p, nil
}

func (c *Console) careOverview(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadCareOverview(r.Context(), c.view(r, q, "Care"))
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "delayed":
		p.Notice = p.T("The heads-ups are drafted. Read each one, then approve it.")
	}
	c.pages.render(w, r, c.log, http.StatusOK, "care_overview", p)
	return nil
}

// delayMany marks every open conversation with a tag delayed, drafting a
// heads-up for each.
func (c *Console) delayMany(w http.ResponseWriter, r *http.Request, q *request) error {
	req, err := c.delayRequest(r)
	if err == nil && strings.TrimSpace(req.Tag) == "" {
		err = fieldError("tag", "give the tag the delayed conversations share")
	}
	if err == nil {
		_, err = c.cfg.Care.MarkDelayed(r.Context(), req)
	}
	if kindred.ErrorKind(err) == kindred.Invalid {
		p, lerr := c.loadCareOverview(r.Context(), c.view(r, q, "Care"))
		if lerr != nil {
			return lerr
		}
		p.Problems, p.Form = problems(p.view, err), r.PostForm
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "care_overview", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/care?done=delayed", http.StatusSeeOther)
	return nil
}

// The survey page, for customers: no sign-in, the customer's language (or
// the one they choose), one use.

// surveyPage is what the survey page shows.
type surveyPage struct {
	*view
	Token    string
	Name     string
	Subject  string
	Closed   string // why the survey cannot be answered, when it cannot
	Thanks   bool
	Problems []string
	Answer   kindred.SurveyAnswer
}

// Scale is the five answers to "how happy are you with the help you got?".
func (p *surveyPage) Scale() []scalePoint {
	labels := []string{"Not happy at all", "Not very happy", "Neither happy nor unhappy", "Happy", "Very happy"}
	out := make([]scalePoint, 5)
	for i := range out {
		out[i] = scalePoint{Value: i + 1, Label: p.T(labels[i]), Checked: p.Answer.Satisfaction == i+1}
	}
	return out
}

type scalePoint struct {
	Value   int
	Label   string
	Checked bool
}

// Heard is the three answers to "did you feel heard?".
func (p *surveyPage) Heard() []heardPoint {
	return []heardPoint{
		{string(kindred.HeardYes), p.T("Yes"), p.Answer.FeltHeard == kindred.HeardYes},
		{string(kindred.HeardPartly), p.T("Partly"), p.Answer.FeltHeard == kindred.HeardPartly},
		{string(kindred.HeardNo), p.T("No"), p.Answer.FeltHeard == kindred.HeardNo},
	}
}

type heardPoint struct {
	Value, Label string
	Checked      bool
}

// surveyView is the view of a survey page in lang: the one asked for with
// ?lang=, else the customer's, else the browser's.
func (c *Console) surveyView(r *http.Request, q *request, customerLang string) *view {
	if _, ok := supported(r.URL.Query().Get("lang")); !ok && strings.HasPrefix(strings.ToLower(customerLang), "sw") {
		q.lang = swahili
	}
	v := c.view(r, q, "Survey")
	v.Scripts = nil
	return v
}

func (c *Console) renderSurvey(w http.ResponseWriter, r *http.Request, status int, p *surveyPage) {
	p.Title = p.T("How did we do?")
	c.pages.renderTemplate(w, r, c.log, status, "survey", "survey-page", p)
}

// surveyClosed explains why a survey link cannot be used, or returns err.
func (c *Console) surveyClosed(w http.ResponseWriter, r *http.Request, q *request, err error) error {
	p := &surveyPage{view: c.surveyView(r, q, "")}
	status := http.StatusNotFound
	switch kindred.ErrorKind(err) {
	case kindred.Conflict:
		p.Closed, status = p.T("This survey has already been answered. Thank you: we have your answers."), http.StatusConflict
	case kindred.Locked:
		p.Closed, status = p.T("This survey link has expired. Thank you all the same."), http.StatusGone
	case kindred.NotFound:
		p.Closed = p.T("We could not find this survey. Please check that you copied the whole link.")
	default:
		return err
	}
	c.renderSurvey(w, r, status, p)
	return nil
}

func (c *Console) surveyPage(w http.ResponseWriter, r *http.Request, q *request) error {
	w.Header().Set("Referrer-Policy", "no-referrer") // the link is a secret
	token := r.PathValue("token")
	f, err := c.cfg.Care.SurveyForm(r.Context(), token)
	if err != nil {
		return c.surveyClosed(w, r, q, err)
	}
	p := &surveyPage{view: c.surveyView(r, q, f.Language), Token: token, Name: f.CustomerName, Subject: f.Subject}
	c.renderSurvey(w, r, http.StatusOK, p)
	return nil
}

func (c *Console) answerSurvey(w http.ResponseWriter, r *http.Request, q *request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := r.PathValue("token")
	f, err := c.cfg.Care.SurveyForm(r.Context(), token)
	if err != nil {
		return c.surveyClosed(w, r, q, err)
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p := &surveyPage{view: c.surveyView(r, q, f.Language), Token: token, Name: f.CustomerName, Subject: f.Subject}
	sat, _ := strconv.Atoi(r.PostForm.Get("satisfaction"))
	p.Answer = kindred.SurveyAnswer{Satisfaction: sat, FeltHeard: kindred.FeltHeard(r.PostForm.Get("felt_heard")), Comment: r.PostForm.Get("comment")}
	err = c.cfg.Care.AnswerSurvey(r.Context(), token, p.Answer)
	if kindred.ErrorKind(err) == kindred.Invalid {
		var ke *kindred.Error
		if errors.As(err, &ke) {
			for _, fe := range ke.Fields {
				switch fe.Field {
				case "satisfaction":
					p.Problems = append(p.Problems, p.T("Please choose how happy you are, from 1 to 5."))
				case "felt_heard":
					p.Problems = append(p.Problems, p.T("Please say if you felt heard: yes, partly or no."))
				case "comment":
					p.Problems = append(p.Problems, p.T("Please keep your words under 2000 letters."))
				}
			}
		}
		c.renderSurvey(w, r, http.StatusUnprocessableEntity, p)
		return nil
	}
	if err != nil {
		return c.surveyClosed(w, r, q, err)
	}
	http.Redirect(w, r, "/survey/thanks?lang="+p.Lang, http.StatusSeeOther)
	return nil
}

func (c *Console) surveyThanks(w http.ResponseWriter, r *http.Request, q *request) error {
	p := &surveyPage{view: c.surveyView(r, q, ""), Thanks: true}
	c.renderSurvey(w, r, http.StatusOK, p)
	return nil
}

// followUpForm is what the form that closes a follow-up needs.
type followUpForm struct {
	*view
	F    kindred.FollowUp
	Back string
}

// FollowUpForm wraps a follow-up for the "close-follow-up" template.
func (v *view) FollowUpForm(f kindred.FollowUp, back string) followUpForm {
	return followUpForm{view: v, F: f, Back: back}
}
