package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/care"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, db *store.DB) {
		cfg.Care = &care.Service{DB: db, BaseURL: "https://desk.example.org", Now: cfg.Now, Location: time.UTC, Logger: cfg.Logger}
	})
	featureAuthz = append(featureAuthz, careAuthz)
}

// exec runs a statement on the test's store, to put a record back as it was
// between the walk's calls.
func exec(t *testing.T, d *desk, q string, args ...any) {
	t.Helper()
	err := d.db.Tx(system, func(tx *store.Tx) error { _, err := tx.Exec(system, q, args...); return err })
	if err != nil {
		t.Fatal(err)
	}
}

func careAuthz(t *testing.T, d *desk) []authzCase {
	svc := d.srv.cfg.Care.(*care.Service)
	cust := &kindred.Customer{Name: "Wanjiru Kamau", Phone: "+254711000111"}
	if err := d.db.CreateCustomer(system, cust); err != nil {
		t.Fatal(err)
	}
	conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card", Tags: []string{"walk"}}
	if err := d.db.CreateConversation(system, conv); err != nil {
		t.Fatal(err)
	}
	c := itoa(conv.ID)
	ds, err := svc.MarkDelayed(system, kindred.DelayRequest{Tag: "walk", Reason: "the printer broke", NewDate: time.Now().Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	delay := itoa(ds[0].ID)
	f := &kindred.FollowUp{ConversationID: conv.ID, AgentID: d.agents[kindred.RoleAgent].ID, What: "Call", DueAt: time.Now()}
	if err := d.db.ScheduleFollowUp(system, f); err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.SuggestGesture(system, conv.ID, kindred.GestureCall, "walk"); err != nil {
		t.Fatal(err)
	}
	gs, _ := d.db.Gestures(system, conv.ID)
	future := time.Now().Add(96 * time.Hour).Format(time.DateOnly)
	// draftAgain puts the heads-up back as it was drafted: a draft, against
	// the promised date it was drafted for.
	draftAgain := func() string {
		exec(t, d, "UPDATE delays SET status = 'draft' WHERE id = ?", ds[0].ID)
		exec(t, d, "UPDATE conversations SET due_at = (SELECT promised_at FROM delays WHERE id = ?) WHERE id = ?", ds[0].ID, conv.ID)
		return `{}`
	}
	const staff, leads, public = "admin lead agent", "admin lead", "public"
	return []authzCase{
		{"GET /api/v1/due", staff, "/api/v1/due", nil},
		{"POST /api/v1/delays", staff, "/api/v1/delays", func() string {
			return `{"conversation_ids": [` + c + `], "reason": "the printer broke", "new_date": "` + future + `"}`
		}},
		{"GET /api/v1/delays", staff, "/api/v1/delays", nil},
		{"GET /api/v1/delays/{id}", staff, "/api/v1/delays/" + delay, nil},
		{"POST /api/v1/delays/{id}/approve", staff, "/api/v1/delays/" + delay + "/approve", draftAgain},
		{"POST /api/v1/delays/{id}/cancel", staff, "/api/v1/delays/" + delay + "/cancel", draftAgain},
		{"POST /api/v1/delay-batches/{batch}/approve", leads, "/api/v1/delay-batches/" + ds[0].Batch + "/approve", draftAgain},
		{"POST /api/v1/conversations/{id}/follow-ups", staff, "/api/v1/conversations/" + c + "/follow-ups", func() string {
			return `{"what": "Call to check the card arrived", "due_at": "` + future + `"}`
		}},
		{"GET /api/v1/follow-ups", staff, "/api/v1/follow-ups?agent=me", nil},
		{"POST /api/v1/follow-ups/{id}/close", staff, "/api/v1/follow-ups/" + itoa(f.ID) + "/close", func() string {
			exec(t, d, "UPDATE follow_ups SET status = 'pending' WHERE id = ?", f.ID)
			return `{"status": "done", "outcome": "It arrived."}`
		}},
		{"GET /api/v1/conversations/{id}/gestures", staff, "/api/v1/conversations/" + c + "/gestures", nil},
		{"POST /api/v1/gestures/{id}/close", staff, "/api/v1/gestures/" + itoa(gs[0].ID) + "/close", func() string {
			exec(t, d, "UPDATE gestures SET status = 'suggested' WHERE id = ?", gs[0].ID)
			return `{"status": "done"}`
		}},
		{"GET /api/v1/surveys", staff, "/api/v1/surveys", nil},
		{"POST /api/v1/sms/inbound", public, "/api/v1/sms/inbound", func() string { return `{"from": "+254711000999", "text": "hello"}` }},
	}
}

// inboundForm posts a text as Africa's Talking does.
func (d *desk) inboundForm(from, text string) *httptest.ResponseRecorder {
	d.t.Helper()
	return d.inboundFormID(from, text, fmt.Sprintf("ATXid_%d", inboundSeq.Add(1)))
}

// inboundSeq numbers the gateway's texts: each has its own id.
var inboundSeq atomic.Int64

// inboundFormID posts a text as the gateway does, with the gateway's id.
func (d *desk) inboundFormID(from, text, gatewayID string) *httptest.ResponseRecorder {
	d.t.Helper()
	form := url.Values{"from": {from}, "to": {"22384"}, "text": {text}, "date": {"2026-11-23 10:00:00"}, "id": {gatewayID}}
	req := httptest.NewRequest("POST", "/api/v1/sms/inbound", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec
}

func num(m map[string]any, k string) string {
	f, _ := m[k].(float64)
	return itoa(int64(f))
}

func TestHeadsUpFromDelayToApprovalToOutbox(t *testing.T) {
	d := newDesk(t)
	agent, lead := kindred.RoleAgent, kindred.RoleLead
	mkCustomer := func(body map[string]any) string {
		return id(d.must(agent, 201, "POST", "/api/v1/customers", body))
	}
	wanjiru := mkCustomer(map[string]any{"name": "Grace Wanjiru", "preferred_name": "Mrs. Wanjiru", "phone": "+254 711 000 111", "email": "grace@example.org"})
	otieno := mkCustomer(map[string]any{"name": "Joseph Otieno", "email": "otieno@example.org", "language": "sw"})
	nobody := mkCustomer(map[string]any{"name": "Walk-in Only"})
	tomorrow := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	mkConv := func(cust, channel string, extra map[string]any) map[string]any {
		body := map[string]any{"customer_id": json.Number(cust), "channel": channel, "subject": "Replacement card", "tags": []string{"card-delay"}}
		for k, v := range extra {
			body[k] = v
		}
		return d.must(agent, 201, "POST", "/api/v1/conversations", body)
	}
	c1 := mkConv(wanjiru, "sms", map[string]any{"due_at": tomorrow})
	if c1["due_at"] == nil {
		t.Fatalf("due_at not kept on create: %v", c1)
	}
	c2 := mkConv(otieno, "email", nil)
	mkConv(nobody, "desk", nil)

	// Due dates through PATCH: set, refuse nonsense, clear.
	p := d.must(agent, 200, "PATCH", "/api/v1/conversations/"+id(c2), map[string]any{"due_at": "2030-01-15"})
	if !strings.HasPrefix(p["due_at"].(string), "2030-01-15") {
		t.Fatalf("due_at by date: %v", p["due_at"])
	}
	if rec := d.as(agent, "PATCH", "/api/v1/conversations/"+id(c2), map[string]any{"due_at": "next week"}); rec.Code != 422 || !strings.Contains(rec.Body.String(), "due_at") {
		t.Fatalf("bad due_at: %d %s", rec.Code, rec.Body)
	}
	if p := d.must(agent, 200, "PATCH", "/api/v1/conversations/"+id(c2), map[string]any{"due_at": nil, "priority": "high"}); p["due_at"] != nil || p["priority"] != "high" {
		t.Fatalf("clear due_at: %v", p)
	}

	// At risk: within two days, not resolved, no heads-up sent.
	due := d.mustList(agent, 200, "GET", "/api/v1/due", nil)
	if len(due) != 1 || num(due[0], "conversation_id") != id(c1) || due[0]["customer_name"] != "Mrs. Wanjiru" {
		t.Fatalf("due: %v", due)
	}

	// Bad requests change nothing.
	if rec := d.as(agent, "POST", "/api/v1/delays", map[string]any{"tag": "card-delay", "new_date": "2020-01-01"}); rec.Code != 422 {
		t.Fatalf("no reason, past date: %d %s", rec.Code, rec.Body)
	} else if p := problemOf(t, rec); len(p.Errors) < 2 {
		t.Fatalf("want reason and new_date named: %+v", p)
	}
	if rec := d.as(agent, "POST", "/api/v1/delays", map[string]any{"tag": "no-such-tag", "reason": "x", "new_date": "2030-01-01"}); rec.Code != 422 {
		t.Fatalf("empty tag: %d %s", rec.Code, rec.Body)
	}

	newDate := time.Now().Add(5 * 24 * time.Hour).Format(time.DateOnly)
	var drafts []map[string]any
	rec := d.as(agent, "POST", "/api/v1/delays", map[string]any{"tag": "card-delay", "reason": "The card printer broke down",
		"plan": "We are printing the cards at the Nakuru office", "new_date": newDate})
	if rec.Code != 201 {
		t.Fatalf("mark delayed: %d %s", rec.Code, rec.Body)
	}
	json.Unmarshal(rec.Body.Bytes(), &drafts)
	if len(drafts) != 3 {
		t.Fatalf("drafts: %d", len(drafts))
	}
	batch := drafts[0]["batch"].(string)
	first := drafts[0]
	if !strings.Contains(first["draft"].(string), "Hello Mrs. Wanjiru") || first["compassion"] == nil || first["status"] != "draft" {
		t.Fatalf("draft: %v", first)
	}
	if !strings.Contains(drafts[1]["draft"].(string), "Samahani") {
		t.Fatalf("Otieno reads Swahili: %v", drafts[1]["draft"])
	}
	if out := d.mustList(lead, 200, "GET", "/api/v1/outbox?purpose=heads_up", nil); len(out) != 0 {
		t.Fatalf("a draft was sent: %v", out)
	}
	if due := d.mustList(agent, 200, "GET", "/api/v1/due", nil); due[0]["draft_id"] == nil {
		t.Fatalf("the reminder should point at the draft: %v", due)
	}

	// The agent edits and approves Mrs. Wanjiru's: SMS, in the outbox.
	text := "Hello Mrs. Wanjiru, I am sorry: your new card is late because the printer broke. The new date is " + newDate + ". I will call you when it arrives."
	sent := d.must(agent, 200, "POST", "/api/v1/delays/"+id(first)+"/approve", map[string]any{"text": text})
	if sent["status"] != "sent" || sent["channel"] != "sms" || sent["draft"] != text || sent["outbox_id"] == nil {
		t.Fatalf("approved: %v", sent)
	}
	out := d.mustList(lead, 200, "GET", "/api/v1/outbox?purpose=heads_up", nil)
	if len(out) != 1 || out[0]["to"] != "+254711000111" || out[0]["body"] != text || num(out[0], "id") != num(sent, "outbox_id") {
		t.Fatalf("outbox: %v", out)
	}
	if rec := d.as(agent, "POST", "/api/v1/delays/"+id(first)+"/approve", nil); rec.Code != 409 {
		t.Fatalf("approved twice: %d %s", rec.Code, rec.Body)
	}
	if due := d.mustList(agent, 200, "GET", "/api/v1/due", nil); len(due) != 0 {
		t.Fatalf("still at risk after the heads-up: %v", due)
	}
	conv := d.must(agent, 200, "GET", "/api/v1/conversations/"+id(c1), nil)
	if !strings.HasPrefix(conv["due_at"].(string), newDate) {
		t.Fatalf("the promise moves to the new date: %v", conv["due_at"])
	}

	// A batch is for leads; the unreachable customer is left as a draft.
	if rec := d.as(agent, "POST", "/api/v1/delay-batches/"+batch+"/approve", nil); rec.Code != 403 {
		t.Fatalf("agent approved a batch: %d", rec.Code)
	}
	// A lead names the heads-ups to send; an empty choice, or one from
	// elsewhere, sends nothing.
	for _, body := range []map[string]any{{"delay_ids": []int64{}}, {"delay_ids": []int64{999999}}} {
		if rec := d.as(lead, "POST", "/api/v1/delay-batches/"+batch+"/approve", body); rec.Code != 422 || !strings.Contains(rec.Body.String(), `"delay_ids"`) {
			t.Fatalf("approve %v: %d %s", body, rec.Code, rec.Body)
		}
	}
	if sent := d.mustList(lead, 200, "GET", "/api/v1/outbox?purpose=heads_up", nil); len(sent) != 1 {
		t.Fatalf("a refused choice sent heads-ups: %v", sent)
	}
	res := d.must(lead, 200, "POST", "/api/v1/delay-batches/"+batch+"/approve", nil)
	sentList, skipped := res["sent"].([]any), res["skipped"].([]any)
	if len(sentList) != 1 || len(skipped) != 1 || !strings.Contains(skipped[0].(map[string]any)["reason"].(string), "Walk-in Only has no phone number or email") {
		t.Fatalf("batch: %v", res)
	}
	email := d.mustList(lead, 200, "GET", "/api/v1/outbox?purpose=heads_up&channel=email", nil)
	if len(email) != 1 || email[0]["to"] != "otieno@example.org" || !strings.HasPrefix(email[0]["subject"].(string), "Kuchelewa") {
		t.Fatalf("email heads-up: %v", email)
	}
	left := d.mustList(agent, 200, "GET", "/api/v1/delays?status=draft", nil)
	if len(left) != 1 {
		t.Fatalf("drafts left: %v", left)
	}
	if rec := d.as(agent, "POST", "/api/v1/delays/"+id(left[0])+"/approve", nil); rec.Code != 422 || !strings.Contains(rec.Body.String(), `"customer"`) {
		t.Fatalf("unreachable approved: %d %s", rec.Code, rec.Body)
	}
	d.must(agent, 200, "POST", "/api/v1/delays/"+id(left[0])+"/cancel", nil)
}

func TestFollowUpsOnResolve(t *testing.T) {
	d := newDesk(t)
	agent := kindred.RoleAgent
	conv := d.newConversation(d.newCustomer("Grace Wanjiru"))
	d.must(agent, 200, "PATCH", "/api/v1/conversations/"+conv, map[string]any{"status": "resolved"})
	path := "/api/v1/conversations/" + conv + "/follow-ups"
	if rec := d.as(agent, "POST", path, map[string]any{"what": " ", "due_at": "soon"}); rec.Code != 422 {
		t.Fatalf("bad follow-up: %d %s", rec.Code, rec.Body)
	} else if p := problemOf(t, rec); len(p.Errors) != 2 {
		t.Fatalf("want what and due_at: %+v", p)
	}
	kiosk := d.agents[kindred.RoleKiosk].ID
	if rec := d.as(agent, "POST", path, map[string]any{"what": "Call", "due_at": "2030-01-01", "agent_id": kiosk}); rec.Code != 422 {
		t.Fatalf("a kiosk's follow-up: %d %s", rec.Code, rec.Body)
	}
	friday := time.Now().Add(72 * time.Hour).Format(time.DateOnly)
	f := d.must(agent, 201, "POST", path, map[string]any{"what": "Call Mrs. Wanjiru to check the card arrived", "due_at": friday})
	if num(f, "agent_id") != itoa(d.agents[agent].ID) || f["status"] != "pending" {
		t.Fatalf("follow-up: %v", f)
	}
	d.must(agent, 201, "POST", path, map[string]any{"what": "Send the letter", "due_at": friday, "agent_id": d.agents[kindred.RoleLead].ID})
	mine := d.mustList(agent, 200, "GET", "/api/v1/follow-ups?agent=me&status=pending", nil)
	if len(mine) != 1 || mine[0]["what"] != "Call Mrs. Wanjiru to check the card arrived" {
		t.Fatalf("due list: %v", mine)
	}
	if rec := d.as(agent, "POST", "/api/v1/follow-ups/"+id(f)+"/close", map[string]any{"status": "done"}); rec.Code != 422 {
		t.Fatalf("no outcome: %d", rec.Code)
	}
	done := d.must(agent, 200, "POST", "/api/v1/follow-ups/"+id(f)+"/close", map[string]any{"status": "done", "outcome": "The card arrived. She is pleased."})
	if done["status"] != "done" || done["closed_at"] == nil {
		t.Fatalf("done: %v", done)
	}
	if rec := d.as(agent, "POST", "/api/v1/follow-ups/"+id(f)+"/close", map[string]any{"status": "skipped", "outcome": "x"}); rec.Code != 409 {
		t.Fatalf("closed twice: %d", rec.Code)
	}
	if rec := d.as(agent, "POST", "/api/v1/follow-ups/999/close", map[string]any{"status": "done", "outcome": "x"}); rec.Code != 404 {
		t.Fatalf("missing: %d", rec.Code)
	}
}

func TestInboundSMSAnswersTheSurvey(t *testing.T) {
	d := newDesk(t)
	svc := d.srv.cfg.Care.(*care.Service)
	cust := &kindred.Customer{Name: "Grace Wanjiru", PreferredName: "Mama Grace", Phone: "+254711000111"}
	if err := d.db.CreateCustomer(system, cust); err != nil {
		t.Fatal(err)
	}
	conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card", AssigneeID: &d.agents[kindred.RoleAgent].ID}
	if err := d.db.CreateConversation(system, conv); err != nil {
		t.Fatal(err)
	}
	st := kindred.StatusResolved
	if _, err := d.db.UpdateConversation(system, conv.ID, kindred.ConversationUpdate{Status: &st}); err != nil {
		t.Fatal(err)
	}
	d.clock.advance(care.SurveyDelay) // surveys wait a while after resolving
	if p := (&care.Worker{Care: svc}).RunOnce(context.Background()); p.Surveys != 1 {
		t.Fatalf("the worker sent %d surveys", p.Surveys)
	}
	reply := func(rec *httptest.ResponseRecorder, answer bool, says string) {
		t.Helper()
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"survey_answer":`+map[bool]string{true: "true", false: "false"}[answer]) {
			t.Fatalf("inbound: %d %s", rec.Code, rec.Body)
		}
		last := d.mustList(kindred.RoleLead, 200, "GET", "/api/v1/outbox?purpose=survey_reply&limit=1", nil)
		if !strings.Contains(last[0]["body"].(string), says) {
			t.Fatalf("the reply says %q, want %q", last[0]["body"], says)
		}
	}
	// The invitation holds the one-use link: a lead reading the outbox sees
	// that it went, not the link.
	invites := d.mustList(kindred.RoleLead, 200, "GET", "/api/v1/outbox?purpose=survey", nil)
	if len(invites) == 0 {
		t.Fatal("no survey invitation in the outbox")
	}
	for _, m := range invites {
		if strings.Contains(m["body"].(string), "/survey/") {
			t.Fatalf("the outbox shows a survey link: %v", m["body"])
		}
	}
	reply(d.inboundForm("+254711000111", "7"), true, "one number from 1 to 5")
	reply(d.inboundFormID("0711 000111", "5", "ATXid_resent"), true, "Did you feel heard?") // a national number is the same phone
	// The gateway sends it again (it timed out waiting for us): handled once.
	if rec := d.inboundFormID("0711 000111", "5", "ATXid_resent"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"repeat":true`) {
		t.Fatalf("a resent text: %d %s", rec.Code, rec.Body)
	}
	reply(d.inboundForm("+254711000111", "Y asante sana"), true, "Thank you for your answers")
	// Nothing waits now: a text is the customer speaking. Theirs was
	// resolved moments ago, so the text belongs to it and reopens it (one
	// timeline: kindred.ReopenWindow), where the inbox shows it.
	reply(d.inboundForm("+254711000111", "The card came, thank you!"), false, "Thank you for your answers")
	convs := d.mustList(kindred.RoleAgent, 200, "GET", "/api/v1/conversations?status=waiting_on_us&customer_id="+itoa(cust.ID), nil)
	if len(convs) != 1 || convs[0]["channel"] != "sms" || num(convs[0], "id") != itoa(conv.ID) {
		t.Fatalf("the text's conversation: %v", convs)
	}
	msgs := d.must(kindred.RoleAgent, 200, "GET", "/api/v1/conversations/"+id(convs[0]), nil)["messages"].([]any)
	if last := msgs[len(msgs)-1].(map[string]any); last["body"] != "The card came, thank you!" || last["direction"] != "in" || last["channel"] != "sms" {
		t.Fatalf("the text: %v", msgs)
	}
	sv := d.mustList(kindred.RoleAgent, 200, "GET", "/api/v1/surveys?answered=true", nil)
	if len(sv) != 1 || sv[0]["satisfaction"] != 5.0 || sv[0]["felt_heard"] != "yes" || sv[0]["comment"] != "asante sana" || num(sv[0], "agent_id") != itoa(d.agents[kindred.RoleAgent].ID) {
		t.Fatalf("survey: %v", sv)
	}
	if rec := d.inboundForm("", "5"); rec.Code != 422 {
		t.Fatalf("no sender: %d %s", rec.Code, rec.Body)
	}
	if rec := d.inboundForm("not a phone", "5"); rec.Code != 422 {
		t.Fatalf("bad sender: %d %s", rec.Code, rec.Body)
	}
	if rec := d.as(kindred.RoleAgent, "GET", "/api/v1/surveys?answered=maybe", nil); rec.Code != 422 {
		t.Fatalf("bad filter: %d", rec.Code)
	}
	_ = http.StatusOK
}
