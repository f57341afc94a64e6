package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, _ *api.Config, db *store.DB) {
		cfg.Outbox = db
	})
}

// fillOutbox writes, for the seeded customer, two messages the desk gave up
// on (a reply on an SMS conversation and a survey, the SMS gateway not set
// up), a one-time code it gave up on, one waiting for its next try and one
// sent. It returns them in that order, and the reply's conversation.
func fillOutbox(t *testing.T, d *testDesk) ([]*kindred.OutboundMessage, *kindred.Conversation) {
	t.Helper()
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	cust := d.seed.customer.ID
	conv := &kindred.Conversation{CustomerID: cust, Channel: kindred.ChannelSMS, Subject: "Form"}
	if err := d.db.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	if err := d.db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "Your form is posted today.",
		AuthorID: &d.seed.agent.ID, AuthorName: d.seed.agent.Name}); err != nil {
		t.Fatal(err)
	}
	replies, err := d.db.Outbox(ctx, kindred.OutboxFilter{Purpose: "reply"})
	if err != nil || len(replies) != 1 {
		t.Fatalf("the reply's outbox rows: %+v %v", replies, err)
	}
	msgs := []*kindred.OutboundMessage{
		&replies[0],
		{Channel: kindred.ChannelSMS, To: "+254712345678", Body: "How did we do? https://desk.example/survey/tok-SECRET", Purpose: "survey", CustomerID: &cust},
		{Channel: kindred.ChannelSMS, To: "+254712345678", Body: "Your code is 481516", Purpose: "code", CustomerID: &cust},
		{Channel: kindred.ChannelEmail, To: "zawadi@example.org", Subject: "Re: address", Body: "Done.", Purpose: "reply"},
		{Channel: kindred.ChannelSMS, To: "+254712345678", Body: "Number A12 is called to desk 2.", Purpose: "ticket_called", CustomerID: &cust},
	}
	for _, m := range msgs[1:] {
		if err := d.db.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	claimed, err := d.db.Claim(ctx, now.Add(time.Second), time.Minute, 10)
	if err != nil || len(claimed) != len(msgs) {
		t.Fatalf("claimed %d of %d: %v", len(claimed), len(msgs), err)
	}
	for _, m := range msgs[:3] {
		if err := d.db.MarkFailed(ctx, m.ID, "not sent: no SMS gateway is set up", now, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.db.MarkFailed(ctx, msgs[3].ID, "dial tcp: connection refused", now.Add(time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if err := d.db.MarkSent(ctx, msgs[4].ID, "ATXid_1", now); err != nil {
		t.Fatal(err)
	}
	return msgs, conv
}

func TestOutboxPageListsAndSendsAgain(t *testing.T) {
	d := newTestDesk(t)
	msgs, conv := fillOutbox(t, d)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	if err := d.db.CreateAgent(ctx, &kindred.Agent{Name: "Peter Lead", Email: "lead@example.org", Role: kindred.RoleLead}, mustHash(t)); err != nil {
		t.Fatal(err)
	}
	id := func(i int) string { return strconv.FormatInt(msgs[i].ID, 10) }

	admin := d.browser()
	admin.signIn("admin@example.org")
	wantContains(t, admin.get("/inbox"), `<a href="/outbox">Outbox</a>`)
	r := admin.get("/outbox")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "<h1>Outbox</h1>",
		`<table id="outbox-dead"`, "A reply", "A survey", "A one-time code", "not sent: no SMS gateway is set up",
		`<a href="/customers/`+strconv.FormatInt(d.seed.customer.ID, 10)+`">Joseph Otieno</a>`,
		// The code is not offered again, but a new one is.
		`action="/outbox/`+id(0)+`/retry"`, `action="/outbox/`+id(1)+`/retry"`,
		`<a href="/customers/`+strconv.FormatInt(d.seed.customer.ID, 10)+`/verify">Send a new code`,
		`<button id="retry-dead-button" type="submit" aria-describedby="retry-dead-hint">Send 2 messages again</button>`,
		`<table id="outbox-pending"`, "Email: zawadi@example.org", "Last try: dial tcp: connection refused",
		`<table id="outbox-sent"`, "Your number is called")
	// No body is shown: a code or a survey link is the customer's alone.
	for _, secret := range []string{"481516", "tok-SECRET", "Your form is posted"} {
		if strings.Contains(r.body, secret) {
			t.Errorf("the outbox page shows %q", secret)
		}
	}
	if strings.Contains(r.body, `action="/outbox/`+id(2)+`/retry"`) {
		t.Error("the page offers to send a one-time code again")
	}

	// A lead sees the lists, and cannot send again.
	lead := d.browser()
	lead.signIn("lead@example.org")
	r = lead.get("/outbox")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "not sent: no SMS gateway is set up", "An administrator can send them again.")
	if strings.Contains(r.body, "/retry") {
		t.Error("a lead is offered to send again")
	}
	wantStatus(t, lead.post("/outbox/"+id(0)+"/retry", nil), http.StatusForbidden)
	// An agent does not see the outbox at all.
	agent := d.browser()
	agent.signIn("amina@example.org")
	wantStatus(t, agent.get("/outbox"), http.StatusForbidden)
	if strings.Contains(agent.get("/inbox").body, `href="/outbox"`) {
		t.Error("an agent's menu offers the outbox")
	}
	// The reply that did not go leads a lead to the outbox, and not an agent.
	page := "/conversations/" + strconv.FormatInt(conv.ID, 10)
	wantContains(t, lead.get(page), `data-status="failed"`, `<a class="to-outbox" href="/outbox">See the outbox</a>`)
	if r := agent.get(page); !strings.Contains(r.body, `data-status="failed"`) || strings.Contains(r.body, "to-outbox") {
		t.Error("an agent's conversation page does not show the failed reply, or leads to the outbox")
	}

	// The code stays given up, even when asked for by its address: the
	// store refuses it.
	r = admin.post("/outbox/"+id(2)+"/retry", nil)
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "is a one-time code, which expires: send a new code instead")
	// One message, then the rest.
	r = admin.post("/outbox/"+id(0)+"/retry", nil)
	wantStatus(t, r, http.StatusSeeOther)
	wantContains(t, admin.get(r.Header.Get("Location")), "1 message is back in the queue.")
	r = admin.post("/outbox/retry-dead", nil)
	wantStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != "/outbox?requeued=1" {
		t.Fatalf("after sending all again: %s", got)
	}
	for i, want := range []kindred.OutboxStatus{kindred.OutboxPending, kindred.OutboxPending, kindred.OutboxDead, kindred.OutboxPending, kindred.OutboxSent} {
		m, err := d.db.OutboundMessage(ctx, msgs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != want {
			t.Errorf("message %d (%s) is %s, want %s", i, m.Purpose, m.Status, want)
		}
	}
	// Each is audited as one retry, by the admin.
	entries, err := d.db.Audit(ctx, kindred.AuditFilter{Subject: "outbox"})
	if err != nil {
		t.Fatal(err)
	}
	var retries []int64
	for _, e := range entries {
		if e.Action == "outbox.requeue" {
			retries = append(retries, e.SubjectID)
			if e.ActorName != "Grace Admin" {
				t.Errorf("retry audited as %q", e.ActorName)
			}
		}
	}
	if len(retries) != 2 {
		t.Fatalf("audited retries of %v, want messages %d and %d", retries, msgs[0].ID, msgs[1].ID)
	}
	// Nothing left to send again: the button goes, the code stays listed.
	r = admin.get("/outbox")
	wantContains(t, r, "A one-time code")
	if strings.Contains(r.body, "retry-dead-button") {
		t.Error("the page offers to send all again with only a code left")
	}
	wantContains(t, admin.get("/outbox?lang=sw"), "Jumbe zinazotoka", "Haikutumwa", "Nambari ya mara moja")
}
