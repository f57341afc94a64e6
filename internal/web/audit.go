package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
)

// The audit page lets an administrator answer the questions a public
// office is asked: who read this person's sensitive note, who changed
// their phone number, who sent that code. It reads the append-only audit
// log, by person or by record, newest first.

// auditShown is how many entries one page of the log holds.
const auditShown = 50

type auditPage struct {
	*view
	Entries []auditRow
	Agents  []kindred.Agent
	// The filter, as chosen: a person's id, and a kind of record with its
	// number.
	Actor     int64
	Subject   string
	SubjectID int64
	Subjects  []string
	// Newer and Older are the links to the next pages, "" at an end.
	Newer, Older string
}

// SubjectWord is the filter's word for a kind of record.
func (p *auditPage) SubjectWord(s string) string { return p.T(auditSubjects[s]) }

type auditRow struct {
	kindred.AuditEntry
	V *view
}

// What says what was done, in words where the page has them, else
// the log's own name for it.
func (r auditRow) What() string {
	if w, ok := auditActions[r.Action]; ok {
		return r.V.T(w)
	}
	return r.Action
}

// Link is the console page of the entry's record, "" when it has none.
func (r auditRow) Link() string {
	if r.SubjectID <= 0 {
		return ""
	}
	id := strconv.FormatInt(r.SubjectID, 10)
	switch r.Subject {
	case "customer":
		return "/customers/" + id
	case "conversation":
		return "/conversations/" + id
	case "agent":
		return "/admin/agents/" + id
	}
	return ""
}

// Record names the entry's record in words: "customer 12".
func (r auditRow) Record() string {
	name := r.Subject
	if w, ok := auditSubjects[r.Subject]; ok {
		name = r.V.T(w)
	}
	if r.SubjectID <= 0 {
		return name
	}
	return name + " " + strconv.FormatInt(r.SubjectID, 10)
}

// auditSubjectOrder lists the kinds of record the filter offers, and
// auditSubjects the words for every kind the log names.
var auditSubjectOrder = []string{"customer", "conversation", "agent", "code", "helper", "outbox", "lobby_ticket", "lobby_desk", "survey", "webhook"}

var auditSubjects = map[string]string{
	"customer":         "customer",
	"conversation":     "conversation",
	"agent":            "person",
	"code":             "one-time code",
	"helper":           "helper",
	"outbox":           "outgoing message",
	"lobby_ticket":     "lobby ticket",
	"lobby_desk":       "lobby desk",
	"lobby_queue":      "lobby service",
	"survey":           "survey",
	"webhook":          "webhook",
	"webhook_delivery": "webhook delivery",
	"saved_reply":      "saved reply",
}

// auditActions are the log's actions in words.
var auditActions = map[string]string{
	"agent.create":             "Added a person",
	"agent.update":             "Changed a person's account",
	"agent.password":           "Changed their password",
	"agent.team":               "Moved a person to a team",
	"agent.sign_in_failed":     "Failed to sign in",
	"session.create":           "Signed in",
	"session.delete":           "Signed out",
	"preferences.update":       "Changed their display settings",
	"password_link.create":     "Made an invitation or password link",
	"password_link.use":        "Set a password with a link",
	"setup.create":             "Made the setup link",
	"setup.use":                "Created the first administrator",
	"token.create":             "Made an API token",
	"token.revoke":             "Revoked an API token",
	"customer.create":          "Added a customer",
	"customer.update":          "Changed a customer's details",
	"customer.merge":           "Merged two customer records",
	"customer.unmerge":         "Undid a merge",
	"note.create":              "Wrote a note",
	"note.read_sensitive":      "Read a sensitive note",
	"helper.create":            "Added a helper",
	"helper.revoke":            "Removed a helper",
	"conversation.create":      "Opened a conversation",
	"conversation.update":      "Changed a conversation",
	"conversation.assign":      "Took a conversation",
	"conversation.due_at_risk": "A promised date came close",
	"message.create":           "Added a message",
	"code.issue":               "Sent a one-time code",
	"code.check":               "Checked a one-time code",
	"code.extend":              "Gave a code more time",
	"code.read":                "Showed a code to read aloud",
	"code.refuse":              "Refused to send another code",
	"delay.create":             "Drafted a heads-up about a delay",
	"delay.send":               "Sent a heads-up about a delay",
	"delay.batch_send":         "Sent a batch of heads-ups",
	"delay.cancel":             "Cancelled a heads-up",
	"follow_up.create":         "Planned a follow-up",
	"follow_up.done":           "Followed up",
	"follow_up.skipped":        "Skipped a follow-up",
	"gesture.done":             "Made a gesture",
	"gesture.dismissed":        "Set a gesture aside",
	"gesture.suggest":          "Suggested a gesture",
	"survey.create":            "Sent a survey",
	"survey.answer":            "A survey was answered",
	"kindness.record":          "Recorded an act of kindness",
	"lobby.service.create":     "Added a lobby service",
	"lobby.desk.create":        "Added a lobby desk",
	"lobby.desk.open":          "Opened a desk",
	"lobby.desk.close":         "Closed a desk",
	"lobby.ticket.issue":       "Gave out a ticket",
	"lobby.ticket.call":        "Called a ticket",
	"lobby.ticket.recall":      "Called a ticket again",
	"lobby.ticket.serve":       "Finished serving a ticket",
	"lobby.ticket.customer":    "Linked a ticket to a customer",
	"lobby.ticket.transfer":    "Sent a ticket to another service",
	"lobby.ticket.needs":       "Noted a visitor's needs",
	"outbox.enqueue":           "Queued a message to send",
	"outbox.sent":              "A message was sent",
	"outbox.requeue":           "Sent a message again",
	"outbox.report":            "A gateway reported on a message",
	"outbox.bounce":            "An email bounced",
	"saved_reply.create":       "Saved a reply",
	"saved_reply.remove":       "Removed a saved reply",
	"webhook.create":           "Added a webhook",
	"webhook.remove":           "Removed a webhook",
	"webhook.replay":           "Sent a webhook event again",
	"report.export":            "Downloaded a report",
	"import":                   "Imported history",
	"demo.load":                "Loaded the demo",
}

func (c *Console) auditRoutes() []route {
	return []route{{"GET /admin/audit", admins, c.audit}}
}

func (c *Console) audit(w http.ResponseWriter, r *http.Request, q *request) error {
	ctx := r.Context()
	v := c.view(r, q, "Audit log")
	v.Nav = "admin"
	p := &auditPage{view: v, Subjects: auditSubjectOrder}
	in := r.URL.Query()
	f := kindred.AuditFilter{Page: kindred.Page{Limit: auditShown + 1}}
	// A filter that cannot be read is left out, not refused: the page
	// shows what it did filter by.
	if id, err := strconv.ParseInt(in.Get("actor"), 10, 64); err == nil && id > 0 {
		f.ActorID, p.Actor = id, id
	}
	if s := in.Get("subject"); auditSubjects[s] != "" {
		f.Subject, p.Subject = s, s
		if id, err := strconv.ParseInt(strings.TrimSpace(in.Get("subject_id")), 10, 64); err == nil && id > 0 {
			f.SubjectID, p.SubjectID = id, id
		}
	}
	if n, err := strconv.Atoi(in.Get("offset")); err == nil && n > 0 {
		f.Offset = n
	}
	entries, err := c.cfg.Audit.Audit(ctx, f)
	if err != nil {
		return err
	}
	if p.Agents, err = c.cfg.Agents.Agents(ctx); err != nil {
		return err
	}
	page := func(offset int) string {
		u := url.Values{}
		if p.Actor != 0 {
			u.Set("actor", strconv.FormatInt(p.Actor, 10))
		}
		if p.Subject != "" {
			u.Set("subject", p.Subject)
		}
		if p.SubjectID != 0 {
			u.Set("subject_id", strconv.FormatInt(p.SubjectID, 10))
		}
		if offset > 0 {
			u.Set("offset", strconv.Itoa(offset))
		}
		return "/admin/audit?" + u.Encode()
	}
	if len(entries) > auditShown {
		entries = entries[:auditShown]
		p.Older = page(f.Offset + auditShown)
	}
	if f.Offset > 0 {
		p.Newer = page(max(0, f.Offset-auditShown))
	}
	for _, e := range entries {
		p.Entries = append(p.Entries, auditRow{AuditEntry: e, V: v})
	}
	c.pages.render(w, r, c.log, http.StatusOK, "audit", p)
	return nil
}
