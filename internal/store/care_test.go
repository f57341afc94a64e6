package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"CareDueDatesAtRisk", testCareDue},
		suiteTest{"CareHeadsUpGoesToOutboxWithApproval", testCareHeadsUp},
		suiteTest{"CareBatchSkipsUnreachable", testCareBatch},
		suiteTest{"CareFollowUps", testCareFollowUps},
		suiteTest{"CareGestures", testCareGestures},
		suiteTest{"CareSurveys", testCareSurveys},
		suiteTest{"CareInboundTextHandledOnce", testCareInboundOnce},
	)
}

func testCareDue(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(0, "test")
	agent := mustAgent(t, db, "Amina", "amina@desk.example", kindred.RoleAgent)
	cust := mustCustomer(t, db, kindred.Customer{Name: "Grace Wanjiru", PreferredName: "Mrs. Wanjiru", Phone: "+254711000111"})
	soon := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	later := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	a := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card", AssigneeID: &agent.ID, DueAt: &soon})
	b := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Letter"})
	done := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Done", Status: kindred.StatusResolved, DueAt: &soon})

	got, err := db.Conversation(context.Background(), a.ID, false)
	if err != nil || got.DueAt == nil || !got.DueAt.Equal(soon) {
		t.Fatalf("due date did not round-trip: %+v %v", got, err)
	}
	if _, err := db.SetDue(ctx, b.ID, &later); err != nil {
		t.Fatal(err)
	}
	before := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC) // now + 2 days
	due, err := db.DueSoon(context.Background(), kindred.DueFilter{Before: before})
	if err != nil || len(due) != 1 || due[0].ConversationID != a.ID || due[0].CustomerName != "Mrs. Wanjiru" || due[0].DraftID != nil {
		t.Fatalf("due soon: %+v %v (the resolved one and the later one are not at risk)", due, err)
	}
	if mine, _ := db.DueSoon(context.Background(), kindred.DueFilter{Before: before, AssigneeID: agent.ID + 100}); len(mine) != 0 {
		t.Fatalf("someone else's: %+v", mine)
	}
	ids, err := db.RemindDue(ctx, before)
	if err != nil || !slices.Equal(ids, []int64{a.ID}) {
		t.Fatalf("remind: %v %v", ids, err)
	}
	if again, _ := db.RemindDue(ctx, before); len(again) != 0 {
		t.Fatalf("reminded twice: %v", again)
	}
	_ = done
	// A new date is a new promise: reminded afresh when it comes near.
	if _, err := db.SetDue(ctx, a.ID, &soon); err != nil {
		t.Fatal(err)
	}
	cleared, err := db.SetDue(ctx, a.ID, nil)
	if err != nil || cleared.DueAt != nil {
		t.Fatalf("clear: %+v %v", cleared, err)
	}
	if due, _ := db.DueSoon(context.Background(), kindred.DueFilter{Before: before}); len(due) != 0 {
		t.Fatalf("a cleared date is at risk: %+v", due)
	}
	if acts := auditActions(t, db, kindred.AuditFilter{Subject: "conversation", SubjectID: a.ID}); !slices.Contains(acts, "conversation.update") || !slices.Contains(acts, "conversation.due_at_risk") {
		t.Fatalf("audit: %v", acts)
	}
	wantKind(t, func() error { _, err := db.SetDue(ctx, 999, &soon); return err }(), kindred.NotFound)
}

func testCareHeadsUp(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina", "amina@desk.example", kindred.RoleAgent)
	ctx := ctxAs(agent.ID, agent.Name)
	cust := mustCustomer(t, db, kindred.Customer{Name: "Grace Wanjiru", Phone: "+254711000111", Email: "grace@example.org"})
	promised := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelEmail, Subject: "Card", DueAt: &promised})
	newDate := time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC)
	score := 81.5
	ds := []kindred.Delay{{ConversationID: conv.ID, Reason: "the printer broke", NewDate: newDate, Draft: "Hello Grace, sorry...", Subject: "A delay", Compassion: &score, Suggestions: []string{"Say when."}}}
	if err := db.CreateDelays(ctx, ds); err != nil {
		t.Fatal(err)
	}
	// A second draft for the same promise (a lead's batch, say): once the
	// first is sent, this one must not tell the customer again.
	twin := []kindred.Delay{{ConversationID: conv.ID, Reason: "the printer broke", NewDate: newDate.AddDate(0, 0, -2), Draft: "Hello Grace, again...", Subject: "A delay"}}
	if err := db.CreateDelays(ctx, twin); err != nil {
		t.Fatal(err)
	}
	d, err := db.Delay(context.Background(), ds[0].ID)
	if err != nil || d.Status != kindred.DelayDraft || d.PromisedAt == nil || !d.PromisedAt.Equal(promised) || *d.Compassion != 81.5 ||
		!slices.Equal(d.Suggestions, []string{"Say when."}) || d.CustomerID != cust.ID || *d.CreatedBy != agent.ID {
		t.Fatalf("stored draft: %+v %v", d, err)
	}
	// A draft alone is not a heads-up sent: the date is still at risk.
	before := promised.Add(time.Hour)
	if due, _ := db.DueSoon(context.Background(), kindred.DueFilter{Before: before}); len(due) != 1 || due[0].DraftID == nil || *due[0].DraftID != d.ID {
		t.Fatalf("due with draft: %+v", due)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM outbox"); n != 0 {
		t.Fatalf("a draft reached the outbox: %d", n)
	}

	edited := &kindred.Delay{Draft: "Hello Grace, I am sorry. The new date is Friday 6 March.", Compassion: &score}
	sent, err := db.SendHeadsUp(ctx, d.ID, edited)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Status != kindred.DelaySent || sent.Channel != kindred.ChannelEmail || sent.OutboxID == nil || *sent.ApprovedBy != agent.ID || sent.SentAt == nil {
		t.Fatalf("sent: %+v", sent)
	}
	m, err := db.OutboundMessage(context.Background(), *sent.OutboxID)
	if err != nil || m.Channel != kindred.ChannelEmail || m.To != "grace@example.org" || m.Body != edited.Draft || m.Subject != "A delay" || m.Purpose != "heads_up" || *m.CustomerID != cust.ID {
		t.Fatalf("outbox: %+v %v", m, err)
	}
	c, _ := db.Conversation(context.Background(), conv.ID, true)
	if c.DueAt == nil || !c.DueAt.Equal(newDate) {
		t.Fatalf("the promise did not move to the new date: %v", c.DueAt)
	}
	if len(c.Messages) != 1 || c.Messages[0].Direction != kindred.InternalNote || c.Status != kindred.StatusOpen {
		t.Fatalf("the conversation should record the heads-up as a note: %+v", c.Messages)
	}
	if due, _ := db.DueSoon(context.Background(), kindred.DueFilter{Before: before}); len(due) != 0 {
		t.Fatalf("at risk after the heads-up: %+v", due)
	}
	// The new date is a new promise: at risk again when it nears.
	if due, _ := db.DueSoon(context.Background(), kindred.DueFilter{Before: newDate.Add(time.Hour)}); len(due) != 1 {
		t.Fatalf("the new date is never at risk: %+v", due)
	}
	wantKind(t, func() error { _, err := db.SendHeadsUp(ctx, d.ID, nil); return err }(), kindred.Conflict)
	wantKind(t, func() error { _, err := db.SendHeadsUp(ctx, twin[0].ID, nil); return err }(), kindred.Conflict)
	if c, _ := db.Conversation(context.Background(), conv.ID, false); !c.DueAt.Equal(newDate) {
		t.Fatalf("the older draft moved the promise: %v", c.DueAt)
	}
	wantKind(t, func() error { _, err := db.CancelDelay(ctx, d.ID); return err }(), kindred.Conflict)
	if n := count(t, db, "SELECT COUNT(*) FROM outbox"); n != 1 {
		t.Fatalf("sent twice: %d", n)
	}

	// A customer with no phone and no email: nothing approved, nothing sent.
	lost := mustCustomer(t, db, kindred.Customer{Name: "No Phone"})
	lc := mustConversation(t, db, kindred.Conversation{CustomerID: lost.ID, Channel: kindred.ChannelDesk})
	ld := []kindred.Delay{{ConversationID: lc.ID, Reason: "x", NewDate: newDate, Draft: "Hello"}}
	if err := db.CreateDelays(ctx, ld); err != nil {
		t.Fatal(err)
	}
	_, err = db.SendHeadsUp(ctx, ld[0].ID, nil)
	wantField(t, err, "customer")
	if again, _ := db.Delay(context.Background(), ld[0].ID); again.Status != kindred.DelayDraft {
		t.Fatalf("unreachable heads-up changed: %+v", again)
	}
	cancelled, err := db.CancelDelay(ctx, ld[0].ID)
	if err != nil || cancelled.Status != kindred.DelayCancelled {
		t.Fatalf("cancel: %+v %v", cancelled, err)
	}
	if list, _ := db.Delays(context.Background(), kindred.DelayFilter{Status: kindred.DelaySent}); len(list) != 1 || list[0].ID != d.ID {
		t.Fatalf("sent list: %+v", list)
	}
}

func testCareBatch(t *testing.T, s suite) {
	db, _ := s.open(t)
	lead := mustAgent(t, db, "Lead", "lead@desk.example", kindred.RoleLead)
	ctx := ctxAs(lead.ID, lead.Name)
	sms := mustCustomer(t, db, kindred.Customer{Name: "Otieno", Phone: "+254711000222", Email: "o@example.org"})
	none := mustCustomer(t, db, kindred.Customer{Name: "Nobody"})
	later := mustCustomer(t, db, kindred.Customer{Name: "Wanjiku", Email: "w@example.org"})
	var convs []*kindred.Conversation
	for _, c := range []*kindred.Customer{sms, none, later} {
		convs = append(convs, mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelDesk, Tags: []string{"card-delay"}}))
	}
	mustConversation(t, db, kindred.Conversation{CustomerID: sms.ID, Channel: kindred.ChannelDesk, Tags: []string{"card-delay"}, Status: kindred.StatusResolved})
	targets, err := db.DelayTargets(context.Background(), nil, "card-delay")
	if err != nil || len(targets) != 3 {
		t.Fatalf("targets by tag: %+v %v (resolved ones are left out)", targets, err)
	}
	_, err = db.DelayTargets(context.Background(), []int64{convs[0].ID, 999}, "")
	wantField(t, err, "conversation_ids")
	newDate := time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)
	ds := []kindred.Delay{
		{ConversationID: convs[0].ID, Batch: "b1", Reason: "x", NewDate: newDate, Draft: "Hello Otieno"},
		{ConversationID: convs[1].ID, Batch: "b1", Reason: "x", NewDate: newDate, Draft: "Hello"},
		{ConversationID: convs[2].ID, Batch: "b1", Reason: "x", NewDate: newDate, Draft: "Hello Wanjiku"},
	}
	if err := db.CreateDelays(ctx, ds); err != nil {
		t.Fatal(err)
	}
	listed, err := db.Delays(context.Background(), kindred.DelayFilter{Batch: "b1"})
	if err != nil || len(listed) != 3 || listed[0].CustomerName != "Wanjiku" || listed[2].CustomerName != "Otieno" {
		t.Fatalf("a batch lists each person by name: %+v %v", listed, err)
	}

	// A lead read them one by one and chose two. A choice that is not a
	// draft of the batch sends nothing.
	_, err = db.SendBatch(ctx, "b1", []int64{ds[0].ID, 9999})
	wantField(t, err, "delay_ids")
	if m, _ := db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "heads_up"}); len(m) != 0 {
		t.Fatalf("a refused choice sent %d heads-ups", len(m))
	}
	res, err := db.SendBatch(ctx, "b1", []int64{ds[0].ID, ds[1].ID})
	if err != nil || len(res.Sent) != 1 || len(res.Skipped) != 1 || res.Sent[0].Channel != kindred.ChannelSMS {
		t.Fatalf("batch: %+v %v", res, err)
	}
	if sk := res.Skipped[0]; sk.ConversationID != convs[1].ID || sk.CustomerName != "Nobody" || !strings.Contains(sk.Reason, "no phone number or email") {
		t.Fatalf("the heads-up that could not go names its person and why: %+v", sk)
	}
	m, _ := db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "heads_up"})
	if len(m) != 1 || m[0].To != "+254711000222" {
		t.Fatalf("desk conversation falls back to SMS: %+v", m)
	}
	if d, _ := db.Delay(context.Background(), ds[2].ID); d.Status != kindred.DelayDraft {
		t.Fatalf("a heads-up not chosen was %s", d.Status)
	}
	// The rest of the batch, all at once.
	res, err = db.SendBatch(ctx, "b1", nil)
	if err != nil || len(res.Sent) != 1 || res.Sent[0].ID != ds[2].ID || res.Sent[0].Channel != kindred.ChannelEmail || len(res.Skipped) != 1 {
		t.Fatalf("the rest: %+v %v", res, err)
	}
	wantKind(t, func() error { _, err := db.SendBatch(ctx, "nope", nil); return err }(), kindred.NotFound)
	if _, err := db.CancelDelay(ctx, ds[1].ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, func() error { _, err := db.SendBatch(ctx, "b1", nil); return err }(), kindred.Conflict)
}

func testCareFollowUps(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina", "amina@desk.example", kindred.RoleAgent)
	other := mustAgent(t, db, "Baraka", "baraka@desk.example", kindred.RoleAgent)
	kiosk := mustAgent(t, db, "Kiosk", "kiosk@desk.example", kindred.RoleKiosk)
	ctx := ctxAs(agent.ID, agent.Name)
	cust := mustCustomer(t, db, kindred.Customer{Name: "Grace Wanjiru"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelPhone, Status: kindred.StatusResolved})
	friday := time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)
	monday := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)

	wantField(t, db.ScheduleFollowUp(ctx, &kindred.FollowUp{ConversationID: conv.ID, AgentID: agent.ID, DueAt: friday}), "what")
	wantField(t, db.ScheduleFollowUp(ctx, &kindred.FollowUp{ConversationID: conv.ID, AgentID: kiosk.ID, What: "call", DueAt: friday}), "agent_id")
	wantField(t, db.ScheduleFollowUp(ctx, &kindred.FollowUp{ConversationID: conv.ID, AgentID: 999, What: "call", DueAt: friday}), "agent_id")
	wantKind(t, db.ScheduleFollowUp(ctx, &kindred.FollowUp{ConversationID: 999, AgentID: agent.ID, What: "call", DueAt: friday}), kindred.NotFound)

	call := &kindred.FollowUp{ConversationID: conv.ID, AgentID: agent.ID, What: "Call Mrs. Wanjiru to check the card arrived", DueAt: monday}
	early := &kindred.FollowUp{ConversationID: conv.ID, AgentID: agent.ID, What: "Send the form", DueAt: friday}
	theirs := &kindred.FollowUp{ConversationID: conv.ID, AgentID: other.ID, What: "Visit", DueAt: friday}
	for _, f := range []*kindred.FollowUp{call, early, theirs} {
		if err := db.ScheduleFollowUp(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	mine, err := db.FollowUps(context.Background(), kindred.FollowUpFilter{AgentID: agent.ID, Status: kindred.FollowUpPending})
	if err != nil || len(mine) != 2 || mine[0].ID != early.ID || mine[1].ID != call.ID {
		t.Fatalf("due list, soonest first: %+v %v", mine, err)
	}
	cut := friday.Add(time.Hour)
	if due, _ := db.FollowUps(context.Background(), kindred.FollowUpFilter{AgentID: agent.ID, DueBefore: &cut}); len(due) != 1 {
		t.Fatalf("due before: %+v", due)
	}
	_, err = db.CloseFollowUp(ctx, call.ID, kindred.FollowUpDone, " ")
	wantField(t, err, "outcome")
	_, err = db.CloseFollowUp(ctx, call.ID, kindred.FollowUpPending, "x")
	wantField(t, err, "status")
	done, err := db.CloseFollowUp(ctx, call.ID, kindred.FollowUpDone, "The card arrived; she is pleased.")
	if err != nil || done.Status != kindred.FollowUpDone || done.ClosedAt == nil || done.Outcome != "The card arrived; she is pleased." {
		t.Fatalf("done: %+v %v", done, err)
	}
	skipped, err := db.CloseFollowUp(ctx, early.ID, kindred.FollowUpSkipped, "She came to the desk herself.")
	if err != nil || skipped.Status != kindred.FollowUpSkipped {
		t.Fatalf("skipped: %+v %v", skipped, err)
	}
	wantKind(t, func() error { _, err := db.CloseFollowUp(ctx, call.ID, kindred.FollowUpSkipped, "again"); return err }(), kindred.Conflict)
	wantKind(t, func() error { _, err := db.CloseFollowUp(ctx, 999, kindred.FollowUpDone, "x"); return err }(), kindred.NotFound)
	if got, err := db.FollowUp(context.Background(), early.ID); err != nil || got.Status != kindred.FollowUpSkipped || got.Outcome != "She came to the desk herself." {
		t.Fatalf("read back: %+v %v", got, err)
	}
	wantKind(t, func() error { _, err := db.FollowUp(context.Background(), 999); return err }(), kindred.NotFound)
	if acts := auditActions(t, db, kindred.AuditFilter{Subject: "conversation", SubjectID: conv.ID}); !slices.Contains(acts, "follow_up.done") || !slices.Contains(acts, "follow_up.skipped") {
		t.Fatalf("audit: %v", acts)
	}
}

func testCareGestures(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina", "amina@desk.example", kindred.RoleAgent)
	ctx := ctxAs(agent.ID, agent.Name)
	cust := mustCustomer(t, db, kindred.Customer{Name: "Grace Wanjiru"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelPhone})
	for i, want := range []bool{true, false} {
		added, err := db.SuggestGesture(ctx, conv.ID, kindred.GestureCall, "bereavement")
		if err != nil || added != want {
			t.Fatalf("suggest %d: %v %v", i, added, err)
		}
	}
	if _, err := db.SuggestGesture(ctx, conv.ID, kindred.GestureNote, "bereavement"); err != nil {
		t.Fatal(err)
	}
	gs, err := db.Gestures(context.Background(), conv.ID)
	if err != nil || len(gs) != 2 || gs[0].Kind != kindred.GestureCall || gs[0].Status != kindred.GestureSuggested {
		t.Fatalf("gestures: %+v %v", gs, err)
	}
	done, err := db.CloseGesture(ctx, gs[0].ID, kindred.GestureDone)
	if err != nil || done.Status != kindred.GestureDone || *done.DoneBy != agent.ID || done.DoneAt == nil {
		t.Fatalf("done: %+v %v", done, err)
	}
	if _, err := db.CloseGesture(ctx, gs[1].ID, kindred.GestureDismissed); err != nil {
		t.Fatal(err)
	}
	wantKind(t, func() error { _, err := db.CloseGesture(ctx, gs[1].ID, kindred.GestureDone); return err }(), kindred.Conflict)
	wantKind(t, func() error { _, err := db.CloseGesture(ctx, gs[1].ID, "maybe"); return err }(), kindred.Invalid)

	if v, _ := db.CareCursor(context.Background(), "x"); v != 0 {
		t.Fatalf("fresh cursor %d", v)
	}
	for _, v := range []int64{5, 9} {
		if err := db.SetCareCursor(context.Background(), "x", v); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := db.CareCursor(context.Background(), "x"); v != 9 {
		t.Fatalf("cursor %d", v)
	}
}

func testCareSurveys(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina", "amina@desk.example", kindred.RoleAgent)
	ctx := ctxAs(0, "care")
	cust := mustCustomer(t, db, kindred.Customer{Name: "Grace Wanjiru", PreferredName: "Mama Grace", Phone: "+254711000111", Language: "sw"})
	silent := mustCustomer(t, db, kindred.Customer{Name: "No Contact"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card", AssigneeID: &agent.ID})
	mustConversation(t, db, kindred.Conversation{CustomerID: silent.ID, Channel: kindred.ChannelDesk, Status: kindred.StatusResolved})
	since := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if due, _ := db.ResolvedWithoutSurvey(context.Background(), since, 10); len(due) != 0 {
		t.Fatalf("unresolved or unreachable surveyed: %+v", due)
	}
	status := kindred.StatusResolved
	if _, err := db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: &status}); err != nil {
		t.Fatal(err)
	}
	due, err := db.ResolvedWithoutSurvey(context.Background(), since, 10)
	if err != nil || len(due) != 1 || due[0].Conversation.ID != conv.ID || due[0].Customer.ID != cust.ID {
		t.Fatalf("due: %+v %v", due, err)
	}
	hash := sha256.Sum256([]byte("secret-1"))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sv := &kindred.Survey{ConversationID: conv.ID, Channel: kindred.ChannelSMS, ExpiresAt: now.Add(14 * 24 * time.Hour)}
	msg := &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: cust.Phone, Body: "How did we do?", Purpose: "survey"}
	if err := db.CreateSurvey(ctx, sv, hash[:], msg); err != nil {
		t.Fatal(err)
	}
	if sv.AgentID == nil || *sv.AgentID != agent.ID || sv.OutboxID == nil || *sv.OutboxID != msg.ID {
		t.Fatalf("survey: %+v", sv)
	}
	wantKind(t, db.CreateSurvey(ctx, &kindred.Survey{ConversationID: conv.ID, Channel: kindred.ChannelSMS, ExpiresAt: now},
		bytes.Repeat([]byte{1}, 32), &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: cust.Phone, Body: "x"}), kindred.Conflict)
	if due, _ := db.ResolvedWithoutSurvey(context.Background(), since, 10); len(due) != 0 {
		t.Fatalf("surveyed twice: %+v", due)
	}

	form, err := db.SurveyByToken(context.Background(), hash[:], now)
	if err != nil || form.CustomerName != "Mama Grace" || form.Language != "sw" || form.Subject != "Card" {
		t.Fatalf("form: %+v %v", form, err)
	}
	other := sha256.Sum256([]byte("wrong"))
	wantKind(t, func() error { _, err := db.SurveyByToken(context.Background(), other[:], now); return err }(), kindred.NotFound)
	wantKind(t, func() error { _, err := db.SurveyByToken(context.Background(), hash[:], sv.ExpiresAt); return err }(), kindred.Locked)

	// By SMS: the number, then whether they felt heard.
	pending, pc, err := db.PendingSMSSurvey(context.Background(), cust.Phone, now)
	if err != nil || pending.ID != sv.ID || pc.ID != cust.ID {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	four := 4
	reply := &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: cust.Phone, Body: "Did you feel heard?", Purpose: "survey_reply"}
	if err := db.AnswerSurveyBySMS(ctx, sv.ID, &four, nil, "", reply, now); err != nil {
		t.Fatal(err)
	}
	wantKind(t, db.AnswerSurveyBySMS(ctx, sv.ID, &four, nil, "", nil, now), kindred.Conflict)
	partly := kindred.HeardPartly
	if err := db.AnswerSurveyBySMS(ctx, sv.ID, nil, &partly, "kind but slow", nil, now); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Surveys(context.Background(), kindred.SurveyFilter{ConversationID: conv.ID})
	if len(got) != 1 || *got[0].Satisfaction != 4 || *got[0].FeltHeard != kindred.HeardPartly || got[0].Comment != "kind but slow" || got[0].AnsweredAt == nil {
		t.Fatalf("answered by SMS: %+v", got)
	}
	if _, _, err := db.PendingSMSSurvey(context.Background(), cust.Phone, now); kindred.ErrorKind(err) != kindred.NotFound {
		t.Fatalf("an answered survey still waits: %v", err)
	}
	// The link of an answered survey is spent.
	wantKind(t, db.AnswerSurveyByToken(ctx, hash[:], kindred.SurveyAnswer{Satisfaction: 5, FeltHeard: kindred.HeardYes}, now), kindred.Conflict)

	// By link: bad answers change nothing; a good one is kept once.
	status = kindred.StatusOpen
	db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: &status})
	status = kindred.StatusResolved
	db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: &status})
	hash2 := sha256.Sum256([]byte("secret-2"))
	sv2 := &kindred.Survey{ConversationID: conv.ID, Channel: kindred.ChannelEmail, ExpiresAt: now.Add(time.Hour)}
	if err := db.CreateSurvey(ctx, sv2, hash2[:], nil); err != nil {
		t.Fatalf("a second resolution gets its own survey: %v", err)
	}
	err = db.AnswerSurveyByToken(ctx, hash2[:], kindred.SurveyAnswer{Satisfaction: 6, FeltHeard: "maybe"}, now)
	wantField(t, err, "satisfaction")
	wantField(t, err, "felt_heard")
	if err := db.AnswerSurveyByToken(ctx, hash2[:], kindred.SurveyAnswer{Satisfaction: 5, FeltHeard: kindred.HeardYes, Comment: "  Asante sana  "}, now); err != nil {
		t.Fatal(err)
	}
	wantKind(t, db.AnswerSurveyByToken(ctx, hash2[:], kindred.SurveyAnswer{Satisfaction: 1, FeltHeard: kindred.HeardNo}, now), kindred.Conflict)
	answered := true
	got, _ = db.Surveys(context.Background(), kindred.SurveyFilter{AgentID: agent.ID, Answered: &answered})
	if len(got) != 2 || got[0].ID != sv2.ID || *got[0].Satisfaction != 5 || got[0].Comment != "Asante sana" {
		t.Fatalf("answered by link: %+v", got)
	}
}

// testCareInboundOnce: deliveries of one gateway text, however they overlap,
// have one effect between them; a delivery whose effect failed leaves the
// text to the next.
func testCareInboundOnce(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(0, "gateway")
	cust := mustCustomer(t, db, kindred.Customer{Name: "Grace Wanjiru", Phone: "+254711000111"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card"})
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	deliver := func(id, body string) error {
		return db.HandleInbound(ctx, id, at, func(tx *Tx) error {
			return tx.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: body})
		})
	}
	const rounds, copies = 5, 6
	for round := range rounds {
		id := fmt.Sprintf("ATXid_%d", round)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, copies)
		for i := range copies {
			wg.Go(func() {
				<-start
				errs[i] = deliver(id, "Is my card ready? "+id)
			})
		}
		close(start)
		wg.Wait()
		handled := 0
		for _, err := range errs {
			switch {
			case err == nil:
				handled++
			case !errors.Is(err, ErrInboundHandled):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if handled != 1 {
			t.Fatalf("round %d: %d of %d deliveries handled the text, want 1 (%v)", round, handled, copies, errs)
		}
		if seen, err := db.InboundHandled(context.Background(), id); !seen || err != nil {
			t.Fatalf("round %d: handled = %v, %v", round, seen, err)
		}
	}
	c, err := db.Conversation(context.Background(), conv.ID, true)
	if err != nil || len(c.Messages) != rounds {
		t.Fatalf("%d messages stored for %d texts (%v)", len(c.Messages), rounds, err)
	}

	// An effect that fails records nothing: the gateway's next delivery
	// of the same text is handled.
	failing := db.HandleInbound(ctx, "ATXid_late", at, func(tx *Tx) error {
		return tx.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID + 1000, Direction: kindred.Inbound, Body: "lost?"})
	})
	wantKind(t, failing, kindred.NotFound)
	if seen, _ := db.InboundHandled(context.Background(), "ATXid_late"); seen {
		t.Fatal("a text whose effect failed is recorded as handled")
	}
	if err := deliver("ATXid_late", "lost?"); err != nil {
		t.Fatalf("the next delivery after a failure: %v", err)
	}
	if err := deliver("ATXid_late", "lost?"); !errors.Is(err, ErrInboundHandled) {
		t.Fatalf("a repeat of the late text: %v", err)
	}
	if c, _ := db.Conversation(context.Background(), conv.ID, true); len(c.Messages) != rounds+1 {
		t.Fatalf("%d messages after the late text, want %d", len(c.Messages), rounds+1)
	}
}
