package care

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/store"
)

func TestDateIsWrittenAsPeopleSayIt(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	nairobi := time.FixedZone("EAT", 3*3600)
	tests := []struct {
		name string
		t    time.Time
		lang Lang
		want string
	}{
		{"english", time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), English, "Friday 27 November"},
		{"swahili", time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), Swahili, "Ijumaa 27 Novemba"},
		{"next year has its year", time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC), English, "Monday 4 January 2027"},
		{"the desk's day, not UTC's", time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC), English, "Saturday 28 November"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Date(tt.t, now, nairobi, tt.lang); got != tt.want {
				t.Errorf("Date = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHeadsUpSaysWhatACustomerNeedsToKnow(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	promised := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	h := HeadsUp{Name: "Mrs. Wanjiru", Subject: "Replacement card", Reason: "The card printer broke down.",
		Plan: "we are printing the cards at the Nakuru office", PromisedAt: &promised, NewDate: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	subject, en := DraftHeadsUp(h, English, now, time.UTC)
	for _, want := range []string{"Hello Mrs. Wanjiru", "I am sorry", "Tuesday 24 November", "because the card printer broke down.",
		"The new date is Friday 27 November.", "We are printing the cards at the Nakuru office.", "reply to this message"} {
		if !strings.Contains(en, want) {
			t.Errorf("English heads-up lacks %q:\n%s", want, en)
		}
	}
	if subject != "A delay: Replacement card" {
		t.Errorf("subject %q", subject)
	}
	_, sw := DraftHeadsUp(h, Swahili, now, time.UTC)
	for _, want := range []string{"Habari Mrs. Wanjiru", "Samahani", "Jumanne 24 Novemba", "Tarehe mpya ni Ijumaa 27 Novemba."} {
		if !strings.Contains(sw, want) {
			t.Errorf("Swahili heads-up lacks %q:\n%s", want, sw)
		}
	}
	r := compassion.Analyze(compassion.Input{Reply: en, CustomerName: "Mrs. Wanjiru"})
	if r.Compassion == nil || *r.Compassion < 60 {
		t.Errorf("the engine scores the drafted heads-up %v; a draft should start kind", r.Compassion)
	}
	if pl := r.Reply.PlainLanguage; pl.Grade > pl.TargetGrade+2 {
		t.Errorf("the heads-up reads at grade %.1f, target %.0f", pl.Grade, pl.TargetGrade)
	}
}

func TestParseSMSAnswers(t *testing.T) {
	sat := []struct {
		in   string
		want int
		ok   bool
	}{{"4", 4, true}, {" 5 thank you", 5, true}, {"1.", 1, true}, {"0", 0, false}, {"6", 0, false}, {"45", 0, false}, {"four", 0, false}, {"", 0, false}}
	for _, tt := range sat {
		if got, ok := ParseSatisfaction(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParseSatisfaction(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	heard := []struct {
		in, words string
		want      kindred.FeltHeard
		ok        bool
	}{
		{"Y", "", kindred.HeardYes, true}, {"p the officer was kind but slow", "the officer was kind but slow", kindred.HeardPartly, true},
		{"No.", "", kindred.HeardNo, true}, {"ndiyo asante", "asante", kindred.HeardYes, true}, {"hapana", "", kindred.HeardNo, true},
		{"maybe", "", "", false}, {"", "", "", false}, {"5", "", "", false},
	}
	for _, tt := range heard {
		got, words, ok := ParseFeltHeard(tt.in)
		if got != tt.want || words != tt.words || ok != tt.ok {
			t.Errorf("ParseFeltHeard(%q) = %q, %q, %v; want %q, %q, %v", tt.in, got, words, ok, tt.want, tt.words, tt.ok)
		}
	}
}

func FuzzParseSMSAnswers(f *testing.F) {
	for _, s := range []string{"4", "Y yes", "p", "hapana kabisa", "\x00", "５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := ParseSatisfaction(s); ok != (n >= 1 && n <= 5) {
			t.Fatalf("ParseSatisfaction(%q) = %d, %v", s, n, ok)
		}
		if h, _, ok := ParseFeltHeard(s); ok != (h == kindred.HeardYes || h == kindred.HeardPartly || h == kindred.HeardNo) {
			t.Fatalf("ParseFeltHeard(%q) = %q, %v", s, h, ok)
		}
	})
}

func TestGesturesFollowHardship(t *testing.T) {
	tests := []struct {
		name, message string
		want          []string
	}{
		{"bereavement: a note and a call", "My wife passed away last month and I have nobody else to ask.", []string{kindred.GestureNote, kindred.GestureCall}},
		{"money", "I cannot afford food this month, I have no money left.", []string{kindred.GestureCall}},
		{"a plain request", "Hello, I have moved house. Please update my address.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := compassion.AnalyzeCustomer(tt.message)
			var kinds []string
			for _, g := range GesturesFor(&r) {
				kinds = append(kinds, g.Kind)
				if g.Reason == "" {
					t.Errorf("gesture %s has no reason", g.Kind)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(tt.want, ",") {
				t.Errorf("gestures %v, want %v (cues %+v)", kinds, tt.want, r.Cues)
			}
		})
	}
}

// desk is the care service on a real SQLite store, with a settable clock.
type desk struct {
	db  *store.DB
	svc *Service
	now time.Time
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "kindred.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d := &desk{db: db, now: time.Now()}
	d.svc = &Service{DB: db, BaseURL: "https://desk.example.org/", Now: func() time.Time { return d.now }, Location: time.UTC}
	return d
}

var bg = kindred.WithActor(context.Background(), kindred.Actor{AgentID: 0, Name: "test"})

func (d *desk) customer(t *testing.T, c kindred.Customer) *kindred.Customer {
	t.Helper()
	if err := d.db.CreateCustomer(bg, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func (d *desk) conversation(t *testing.T, c kindred.Conversation) *kindred.Conversation {
	t.Helper()
	if err := d.db.CreateConversation(bg, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func TestDelayHeadsUpApprovalOutbox(t *testing.T) {
	d := newDesk(t)
	agent := &kindred.Agent{Name: "Amina", Role: kindred.RoleAgent}
	if err := d.db.CreateAgent(bg, agent, ""); err != nil {
		t.Fatal(err)
	}
	ctx := kindred.WithActor(context.Background(), kindred.Actor{AgentID: agent.ID, Name: agent.Name, Role: agent.Role})
	mama := d.customer(t, kindred.Customer{Name: "Grace Wanjiru", PreferredName: "Mama Grace", Language: "sw", Phone: "+254711000111"})
	baba := d.customer(t, kindred.Customer{Name: "Joseph Otieno", Email: "otieno@example.org", Phone: "+254711000222"})
	promised := d.now.Add(36 * time.Hour)
	c1 := d.conversation(t, kindred.Conversation{CustomerID: mama.ID, Channel: kindred.ChannelSMS, Subject: "Kadi mpya", Tags: []string{"card-delay"}, DueAt: &promised})
	c2 := d.conversation(t, kindred.Conversation{CustomerID: baba.ID, Channel: kindred.ChannelEmail, Subject: "Replacement card", Tags: []string{"card-delay"}})

	_, err := d.svc.MarkDelayed(ctx, kindred.DelayRequest{Tag: "card-delay", NewDate: d.now.Add(-time.Hour)})
	if e, ok := err.(*kindred.Error); !ok || e.Kind != kindred.Invalid || len(e.Fields) != 2 {
		t.Fatalf("no reason and a past date: %v", err)
	}
	newDate := d.now.Add(5 * 24 * time.Hour)
	ds, err := d.svc.MarkDelayed(ctx, kindred.DelayRequest{Tag: "card-delay", Reason: "The card printer broke down", Plan: "We are printing them at another office", NewDate: newDate})
	if err != nil || len(ds) != 2 || ds[0].Batch == "" || ds[0].Batch != ds[1].Batch {
		t.Fatalf("mark delayed by tag: %+v %v", ds, err)
	}
	if !strings.Contains(ds[0].Draft, "Habari Mama Grace") || !strings.Contains(ds[0].Draft, Date(newDate, d.now, time.UTC, Swahili)) {
		t.Errorf("Swahili draft for Mama Grace:\n%s", ds[0].Draft)
	}
	if !strings.Contains(ds[1].Draft, "Hello Joseph Otieno") || ds[1].Compassion == nil || ds[1].Suggestions == nil {
		t.Errorf("English draft, checked: %+v", ds[1])
	}
	// At risk until the heads-up is sent, with its draft waiting.
	due, _ := d.svc.DueSoon(ctx, kindred.DueFilter{Before: d.now.Add(AtRiskWithin)})
	if len(due) != 1 || due[0].ConversationID != c1.ID || due[0].DraftID == nil {
		t.Fatalf("due soon: %+v", due)
	}

	// The agent changes the words and approves: rescored, sent by SMS.
	edited := "Habari Mama Grace, samahani sana. Kadi yako itachelewa. Tarehe mpya ni " + Date(newDate, d.now, time.UTC, Swahili) + "."
	sent, err := d.svc.ApproveHeadsUp(ctx, ds[0].ID, edited)
	if err != nil || sent.Status != kindred.DelaySent || sent.Draft != edited || sent.Channel != kindred.ChannelSMS {
		t.Fatalf("approve: %+v %v", sent, err)
	}
	m, _ := d.db.OutboundMessage(context.Background(), *sent.OutboxID)
	if m.To != mama.Phone || m.Body != edited || m.Purpose != "heads_up" {
		t.Fatalf("outbox: %+v", m)
	}
	if due, _ := d.svc.DueSoon(ctx, kindred.DueFilter{Before: d.now.Add(AtRiskWithin)}); len(due) != 0 {
		t.Fatalf("still at risk after the heads-up: %+v", due)
	}
	// The lead approves the rest of the batch: by email, with its subject.
	res, err := d.svc.ApproveBatch(ctx, ds[0].Batch, nil)
	if err != nil || len(res.Sent) != 1 || res.Sent[0].ConversationID != c2.ID || len(res.Skipped) != 0 {
		t.Fatalf("batch: %+v %v", res, err)
	}
	em, _ := d.db.OutboundMessage(context.Background(), *res.Sent[0].OutboxID)
	if em.Channel != kindred.ChannelEmail || em.To != baba.Email || em.Subject != "A delay: Replacement card" {
		t.Fatalf("email heads-up: %+v", em)
	}
	if _, err := d.svc.ApproveHeadsUp(ctx, ds[1].ID, ""); kindred.ErrorKind(err) != kindred.Conflict {
		t.Fatalf("approved twice: %v", err)
	}
}

func TestWorkerSendsSurveysRemindsAndSuggests(t *testing.T) {
	d := newDesk(t)
	w := &Worker{Care: d.svc}
	cust := d.customer(t, kindred.Customer{Name: "Grace Wanjiru", PreferredName: "Mama Grace", Phone: "+254711000111"})
	due := d.now.Add(24 * time.Hour)
	atRisk := d.conversation(t, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, DueAt: &due})
	resolved := d.conversation(t, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card"})
	sad := d.conversation(t, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS})
	m := &kindred.Message{ConversationID: sad.ID, Direction: kindred.Inbound, Body: "My husband passed away and I cannot pay the rent."}
	m.Analysis = compassion.DeskAnalyzer{}.Analyze(m, nil, cust)
	if err := d.db.AddMessage(bg, m); err != nil {
		t.Fatal(err)
	}
	st := kindred.StatusResolved
	if _, err := d.db.UpdateConversation(bg, resolved.ID, kindred.ConversationUpdate{Status: &st}); err != nil {
		t.Fatal(err)
	}
	// Just resolved: the survey waits SurveyDelay.
	p := w.RunOnce(context.Background())
	if p.Surveys != 0 || p.Reminders != 1 || p.Gestures != 2 {
		t.Fatalf("first pass: %+v", p)
	}
	d.now = d.now.Add(SurveyDelay + time.Minute) // the store stamped the resolution a moment after d.now
	if p := w.RunOnce(context.Background()); p.Surveys != 1 {
		t.Fatalf("pass after the survey delay: %+v, want the survey sent", p)
	}
	if again := w.RunOnce(context.Background()); again != (Pass{}) {
		t.Fatalf("another pass repeated work: %+v", again)
	}
	gs, _ := d.db.Gestures(context.Background(), sad.ID)
	if len(gs) != 2 {
		t.Fatalf("gestures: %+v", gs)
	}
	_ = atRisk
	out, _ := d.db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "survey"})
	if len(out) != 1 || out[0].To != cust.Phone || !strings.Contains(out[0].Body, "Mama Grace") || !strings.Contains(out[0].Body, "https://desk.example.org/survey/") {
		t.Fatalf("survey SMS: %+v", out)
	}
	// The secret is in the link only; the store keeps its hash.
	link := out[0].Body[strings.Index(out[0].Body, "https://"):]
	u, _ := url.Parse(link)
	secret := strings.TrimPrefix(u.Path, "/survey/")
	if form, err := d.svc.SurveyForm(context.Background(), secret); err != nil || form.CustomerName != "Mama Grace" {
		t.Fatalf("the link does not open the survey: %+v %v", form, err)
	}

	// A longer text that is no answer is the customer speaking about
	// something else: it reaches the conversation, and the survey waits.
	other, err := d.svc.InboundSMS(context.Background(), kindred.InboundSMS{From: cust.Phone, Text: "Why is my other card late? I need it by Friday."})
	if err != nil || other.SurveyAnswer || other.Message == nil || other.Message.ConversationID != sad.ID {
		t.Fatalf("a question while the survey is open: %+v %v", other, err)
	}

	// Replies by SMS: a muddle, the number, a muddle, the letter.
	steps := []struct{ text, reply string }{
		{"hello?", "one number from 1 to 5"},
		{"4", "Did you feel heard?"},
		{"4", "Please reply Y, P or N"},
		{"P the officer was kind but it took long", "Thank you for your answers"},
	}
	for _, s := range steps {
		if res, err := d.svc.InboundSMS(context.Background(), kindred.InboundSMS{From: cust.Phone, Text: s.text}); err != nil || !res.SurveyAnswer {
			t.Fatalf("sms %q: %+v %v", s.text, res, err)
		}
		last, _ := d.db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "survey_reply", Page: kindred.Page{Limit: 1}})
		if !strings.Contains(last[0].Body, s.reply) {
			t.Errorf("after %q the reply is %q, want it to say %q", s.text, last[0].Body, s.reply)
		}
	}
	sv, _ := d.db.Surveys(context.Background(), kindred.SurveyFilter{ConversationID: resolved.ID})
	if len(sv) != 1 || sv[0].AnsweredAt == nil || *sv[0].Satisfaction != 4 || *sv[0].FeltHeard != kindred.HeardPartly || sv[0].Comment != "the officer was kind but it took long" {
		t.Fatalf("survey: %+v", sv)
	}
	// A text after the survey is the customer speaking: it goes to their
	// latest open SMS conversation, read by the engine.
	res, err := d.svc.InboundSMS(context.Background(), kindred.InboundSMS{From: cust.Phone, Text: "My card has still not come and I am worried."})
	if err != nil || res.SurveyAnswer || res.Message == nil || res.Message.ConversationID != sad.ID || res.Message.Analysis == nil {
		t.Fatalf("a text after the survey: %+v %v", res, err)
	}
	// The gateway sends a text again when it timed out waiting for us: the
	// same id is handled once.
	before, _ := d.db.Conversation(context.Background(), sad.ID, true)
	resend := kindred.InboundSMS{From: cust.Phone, Text: "Thank you, I will wait for Friday.", ProviderID: "ATXid_77"}
	first, err := d.svc.InboundSMS(context.Background(), resend)
	if err != nil || first.Repeat || first.Message == nil {
		t.Fatalf("first delivery: %+v %v", first, err)
	}
	again, err := d.svc.InboundSMS(context.Background(), resend)
	if err != nil || !again.Repeat || again.Message != nil {
		t.Fatalf("the same text again: %+v %v", again, err)
	}
	if after, _ := d.db.Conversation(context.Background(), sad.ID, true); len(after.Messages) != len(before.Messages)+1 {
		t.Fatalf("a resent text was stored %d times", len(after.Messages)-len(before.Messages))
	}
	if _, err := d.svc.InboundSMS(context.Background(), kindred.InboundSMS{From: "+254799999999", Text: "hello"}); kindred.ErrorKind(err) != kindred.NotFound {
		t.Fatalf("a stranger's text: %v", err)
	}
	if _, err := d.svc.SurveyForm(context.Background(), secret); kindred.ErrorKind(err) != kindred.Conflict {
		t.Fatalf("the link of an answered survey: %v", err)
	}

	// A week open earns a personal call.
	d.now = d.now.Add(LongWait + time.Hour)
	// (The bereaved customer's conversation has its call already.)
	if p := w.RunOnce(context.Background()); p.Gestures != 1 {
		t.Fatalf("long-wait pass: %+v", p)
	}
	if gs, _ := d.db.Gestures(context.Background(), atRisk.ID); len(gs) != 1 || gs[0].Kind != kindred.GestureCall {
		t.Fatalf("long wait: %+v", gs)
	}
}

// TestGestureScanLooksBackAtLateCommits: ids are handed out before commit,
// so a message can land behind the scan's cursor (on PostgreSQL, when a
// later id commits first). The worker looks at the last minutes again.
func TestGestureScanLooksBackAtLateCommits(t *testing.T) {
	d := newDesk(t)
	w := &Worker{Care: d.svc}
	cust := d.customer(t, kindred.Customer{Name: "Joseph Otieno", Phone: "+254711000222"})
	conv := d.conversation(t, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS})
	m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "My wife died last week and I cannot manage the forms."}
	m.Analysis = compassion.DeskAnalyzer{}.Analyze(m, nil, cust)
	if err := d.db.AddMessage(bg, m); err != nil {
		t.Fatal(err)
	}
	// As if a message with a higher id had been read first, a minute ago.
	if err := d.svc.SetCareCursor(bg, cueCursor, m.ID+1); err != nil {
		t.Fatal(err)
	}
	d.now = time.Now().Add(time.Minute)
	w.RunOnce(context.Background())
	if gs, _ := d.db.Gestures(context.Background(), conv.ID); len(gs) == 0 {
		t.Fatal("a message behind the cursor got no gesture")
	}
}

// TestInboundResendsWhileHandled: a gateway that gives up waiting sends the
// text again while the first delivery is still being read; however the
// deliveries overlap, the text is stored once.
func TestInboundResendsWhileHandled(t *testing.T) {
	d := newDesk(t)
	cust := d.customer(t, kindred.Customer{Name: "Grace Wanjiru", Phone: "+254711000111"})
	conv := d.conversation(t, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card"})
	for round := range 4 {
		text := kindred.InboundSMS{From: cust.Phone, Text: "My card has still not come and I am worried.", ProviderID: fmt.Sprintf("ATXid_%d", round)}
		const copies = 6
		results := make([]*kindred.InboundResult, copies)
		errs := make([]error, copies)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range copies {
			wg.Go(func() {
				<-start
				results[i], errs[i] = d.svc.InboundSMS(bg, text)
			})
		}
		close(start)
		wg.Wait()
		stored := 0
		for i, r := range results {
			switch {
			case errs[i] != nil:
				t.Fatalf("round %d, delivery %d: %v", round, i, errs[i])
			case r.Message != nil && !r.Repeat:
				stored++
			case r.Message == nil && r.Repeat:
			default:
				t.Fatalf("round %d, delivery %d: %+v", round, i, r)
			}
		}
		if stored != 1 {
			t.Fatalf("round %d: %d of %d deliveries stored the text, want 1", round, stored, copies)
		}
	}
	c, err := d.db.Conversation(bg, conv.ID, true)
	if err != nil || len(c.Messages) != 4 {
		t.Fatalf("%d messages stored for 4 texts (%v)", len(c.Messages), err)
	}
}

// TestSwahiliHeadsUpIsScoredOnItself: the Kiswahili draft is read in
// Kiswahili, scores near its English twin and is not told about an English
// reading grade; a cold Kiswahili edit scores below it.
func TestSwahiliHeadsUpIsScoredOnItself(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	promised := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	h := HeadsUp{Name: "Mama Grace", Subject: "Kadi mpya", Reason: "mashine ya kuchapisha kadi imeharibika",
		Plan: "tunachapisha kadi katika ofisi ya Nakuru", PromisedAt: &promised, NewDate: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	hEn := h
	hEn.Reason, hEn.Plan, hEn.Subject = "the card printer broke down", "we are printing the cards at the Nakuru office", "Replacement card"
	_, sw := DraftHeadsUp(h, Swahili, now, time.UTC)
	_, en := DraftHeadsUp(hEn, English, now, time.UTC)
	cust := &kindred.Customer{Name: "Grace Wanjiru", PreferredName: "Mama Grace", Language: "sw"}
	swScore, swSugg := check(sw, "Mama Grace", cust, Swahili)
	enScore, _ := check(en, "Mama Grace", cust, English)
	if swScore == nil || enScore == nil {
		t.Fatal("no score")
	}
	if d := *swScore - *enScore; d < -10 || d > 10 {
		t.Errorf("Kiswahili heads-up %.1f, its English twin %.1f: more than 10 apart\n%s", *swScore, *enScore, sw)
	}
	for _, s := range swSugg {
		if strings.Contains(s, "grade") || strings.Contains(s, "Say ") || strings.Contains(s, "Use ") {
			t.Errorf("suggestion for a Kiswahili heads-up not in Kiswahili or about an English grade: %q", s)
		}
	}
	t.Logf("Kiswahili heads-up %.1f, English twin %.1f; suggestions %q", *swScore, *enScore, swSugg)
	cold, coldSugg := check("Kadi itachelewa.", "Mama Grace", cust, Swahili)
	if *cold >= *swScore {
		t.Errorf("a cold Kiswahili edit %.1f scores as well as the draft %.1f", *cold, *swScore)
	}
	if len(coldSugg) == 0 {
		t.Error("no suggestion for a cold Kiswahili edit")
	}
	for _, s := range coldSugg {
		if strings.Contains(s, "Say ") || strings.Contains(s, "the customer") || strings.Contains(s, "e.g.") {
			t.Errorf("suggestion for a Kiswahili heads-up in English: %q", s)
		}
	}
	t.Logf("cold edit %.1f; suggestions %q", *cold, coldSugg)
}
