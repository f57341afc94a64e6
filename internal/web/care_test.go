package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/care"
	"github.com/kindred-desk/kindred/internal/store"
)

// careClock is the care service's clock in these tests, so that a survey
// link can be made to expire.
var careClock struct {
	sync.Mutex
	offset time.Duration
}

func careNow() time.Time {
	careClock.Lock()
	defer careClock.Unlock()
	return time.Now().Add(careClock.offset)
}

func advanceCare(t *testing.T, d time.Duration) {
	careClock.Lock()
	careClock.offset += d
	careClock.Unlock()
	t.Cleanup(func() {
		careClock.Lock()
		careClock.offset -= d
		careClock.Unlock()
	})
}

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, apiCfg *api.Config, db *store.DB) {
		svc := &care.Service{DB: db, BaseURL: "https://desk.example.org", Now: careNow}
		cfg.Care, apiCfg.Care = svc, svc
	})
}

// resolvedWithSurvey resolves the seeded conversation and sends its survey,
// returning the link's secret.
func resolvedWithSurvey(t *testing.T, d *testDesk, cust *kindred.Customer, conv *kindred.Conversation) string {
	t.Helper()
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	st := kindred.StatusResolved
	c, err := d.db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: &st})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := d.console.cfg.Care.(*care.Service).SendSurvey(ctx, c, cust)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestSurveyLinkWorksOnceAndExpires(t *testing.T) {
	d := newTestDesk(t)
	secret := resolvedWithSurvey(t, d, d.seed.customer, d.seed.conv)
	b := d.browser() // a customer: nobody signed in

	// Only the hash of the secret is kept.
	sum := sha256.Sum256([]byte(secret))
	var stored []byte
	err := d.db.ReadTx(context.Background(), func(tx *storeTx) error {
		return tx.QueryRow(context.Background(), "SELECT token_hash FROM surveys").Scan(&stored)
	})
	if err != nil || !bytes.Equal(stored, sum[:]) {
		t.Fatalf("stored %x, want the SHA-256 of the secret", stored)
	}

	// Baba Otieno's language is Swahili: the page starts in it.
	r := b.get("/survey/" + secret)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `lang="sw"`, "Tulikuhudumiaje, Baba Otieno?", "Je, ulihisi umesikilizwa?")
	if strings.Contains(r.body, "Joseph") || strings.Contains(r.body, "+254") {
		t.Error("the survey page shows more of the customer than the name they go by")
	}
	r = b.get("/survey/" + secret + "?lang=en")
	wantContains(t, r, `lang="en"`, "How did we do, Baba Otieno?", "Did you feel heard?", `name="satisfaction" value="5"`, `value="partly"`)

	// Bad answers: shown again, in words, and nothing kept.
	bad := []struct {
		name string
		form url.Values
		want []string
	}{
		{"nothing chosen", url.Values{}, []string{"Please choose how happy you are", "Please say if you felt heard"}},
		{"out of range", url.Values{"satisfaction": {"9"}, "felt_heard": {"yes"}}, []string{"Please choose how happy you are"}},
		{"not an answer", url.Values{"satisfaction": {"3"}, "felt_heard": {"maybe"}, "comment": {"kept"}}, []string{"Please say if you felt heard", ">kept</textarea>"}},
		{"too many words", url.Values{"satisfaction": {"3"}, "felt_heard": {"no"}, "comment": {strings.Repeat("a", 2001)}}, []string{"under 2000 letters"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := b.post("/survey/"+secret+"?lang=en", tt.form)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantContains(t, r, tt.want...)
		})
	}
	answered := true
	if got, _ := d.db.Surveys(context.Background(), kindred.SurveyFilter{Answered: &answered}); len(got) != 0 {
		t.Fatalf("a bad answer was kept: %+v", got)
	}

	r = b.post("/survey/"+secret+"?lang=en", url.Values{"satisfaction": {"4"}, "felt_heard": {"partly"}, "comment": {"Kind, but it took long."}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/survey/thanks?lang=en" {
		t.Fatalf("after answering: %s", loc)
	}
	wantContains(t, b.get("/survey/thanks?lang=en"), "Thank you for your answers")
	got, _ := d.db.Surveys(context.Background(), kindred.SurveyFilter{ConversationID: d.seed.conv.ID})
	if len(got) != 1 || got[0].AnsweredAt == nil || *got[0].Satisfaction != 4 || *got[0].FeltHeard != kindred.HeardPartly ||
		got[0].Comment != "Kind, but it took long." || got[0].CustomerID != d.seed.customer.ID {
		t.Fatalf("answer: %+v", got)
	}

	// The link used twice: the first answer stands.
	r = b.post("/survey/"+secret+"?lang=en", url.Values{"satisfaction": {"1"}, "felt_heard": {"no"}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "already been answered")
	wantStatus(t, b.get("/survey/"+secret), http.StatusConflict)
	if got, _ := d.db.Surveys(context.Background(), kindred.SurveyFilter{}); *got[0].Satisfaction != 4 {
		t.Fatalf("the second use changed the answer: %+v", got[0])
	}

	// An expired link, and one that never was.
	other := resolvedWithSurvey(t, d, &kindred.Customer{ID: d.seed.quiet.CustomerID, Name: "Zawadi Mwangi", Email: "zawadi@example.org"}, d.seed.quiet)
	wantStatus(t, b.get("/survey/"+other), http.StatusOK)
	advanceCare(t, care.DefaultSurveyTTL+time.Minute)
	r = b.get("/survey/" + other)
	wantStatus(t, r, http.StatusGone)
	wantContains(t, r, "expired")
	wantStatus(t, b.post("/survey/"+other, url.Values{"satisfaction": {"5"}, "felt_heard": {"yes"}}), http.StatusGone)
	r = b.get("/survey/not-a-real-link")
	wantStatus(t, r, http.StatusNotFound)
	wantContains(t, r, "We could not find this survey")
}

func TestCarePagesDelayApproveFollowUp(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	conv := strconv.FormatInt(d.seed.conv.ID, 10)
	carePath := "/conversations/" + conv + "/care"

	tomorrow := time.Now().Add(24 * time.Hour).Format(time.DateOnly)
	wantStatus(t, b.post("/conversations/"+conv+"/due", url.Values{"due": {tomorrow}}), http.StatusSeeOther)
	wantContains(t, b.get("/conversations/"+conv), `id="due-reminder"`, "Give Baba Otieno a heads-up before it passes.", `href="`+carePath+`"`)
	wantContains(t, b.get("/inbox"), "Heads-up due", `href="/care"`)
	wantContains(t, b.get("/care"), "Promised dates at risk", "Baba Otieno: Pension payment missing")

	r := b.post("/conversations/"+conv+"/delays", url.Values{"reason": {""}, "new_date": {"yesterday"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Please check the form:")

	newDate := time.Now().Add(5 * 24 * time.Hour).Format(time.DateOnly)
	wantStatus(t, b.post("/conversations/"+conv+"/delays", url.Values{"reason": {"The bank sent the payment late"},
		"plan": {"We will call you the day it arrives"}, "new_date": {newDate}}), http.StatusSeeOther)
	page := b.get(carePath)
	wantContains(t, page, "Compassion score", "Approve and send", "Samahani") // Baba Otieno reads Swahili
	delays, _ := d.db.Delays(context.Background(), kindred.DelayFilter{ConversationID: d.seed.conv.ID})
	if len(delays) != 1 || delays[0].Status != kindred.DelayDraft {
		t.Fatalf("delays: %+v", delays)
	}
	id := strconv.FormatInt(delays[0].ID, 10)
	wantStatus(t, b.post("/delays/"+id+"/approve", url.Values{"text": {delays[0].Draft}}), http.StatusSeeOther)
	out, _ := d.db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "heads_up"})
	if len(out) != 1 || out[0].To != d.seed.customer.Phone || out[0].Body != delays[0].Draft {
		t.Fatalf("outbox: %+v", out)
	}
	r = b.post("/delays/"+id+"/approve", url.Values{"text": {"again"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "already sent")
	if strings.Contains(b.get("/conversations/"+conv).body, `id="due-reminder"`) {
		t.Error("the reminder stays after the heads-up moved the date")
	}
	// A batch is for leads: the agent's console refuses.
	wantStatus(t, b.post("/delay-batches/x/approve", nil), http.StatusForbidden)

	// A follow-up on resolving, done with an outcome.
	wantStatus(t, b.post("/conversations/"+conv+"/status", url.Values{"status": {"resolved"}}), http.StatusSeeOther)
	wantContains(t, b.get("/conversations/"+conv), "Resolved. Would a follow-up help?")
	friday := time.Now().Add(72 * time.Hour).Format(time.DateOnly)
	wantStatus(t, b.post("/conversations/"+conv+"/follow-ups", url.Values{"what": {"Call Baba Otieno to check the pension arrived"}, "due": {friday}}), http.StatusSeeOther)
	wantContains(t, b.get("/care"), "Call Baba Otieno to check the pension arrived")
	fs, _ := d.db.FollowUps(context.Background(), kindred.FollowUpFilter{AgentID: d.seed.agent.ID})
	if len(fs) != 1 {
		t.Fatalf("follow-ups: %+v", fs)
	}
	fid := strconv.FormatInt(fs[0].ID, 10)
	wantStatus(t, b.post("/follow-ups/"+fid+"/close", url.Values{"status": {"done"}, "outcome": {""}}), http.StatusUnprocessableEntity)
	r = b.post("/follow-ups/"+fid+"/close", url.Values{"status": {"done"}, "outcome": {"It arrived on Thursday."}, "back": {"/care"}})
	wantStatus(t, r, http.StatusSeeOther)
	if r.Header.Get("Location") != "/care" {
		t.Errorf("back to %s", r.Header.Get("Location"))
	}
	wantContains(t, b.get(carePath), "It arrived on Thursday.")

	// A gesture the worker suggested, recorded as done.
	if p := (&care.Worker{Care: d.console.cfg.Care.(*care.Service)}).RunOnce(context.Background()); p.Gestures == 0 {
		t.Fatalf("the bereaved customer's conversation got no gesture: %+v", p)
	}
	gs, _ := d.db.Gestures(context.Background(), d.seed.conv.ID)
	wantContains(t, b.get(carePath), "A handwritten note", "I did this")
	wantStatus(t, b.post("/gestures/"+strconv.FormatInt(gs[0].ID, 10)+"/close", url.Values{"status": {"done"}}), http.StatusSeeOther)
	if gs, _ := d.db.Gestures(context.Background(), d.seed.conv.ID); gs[0].Status != kindred.GestureDone || *gs[0].DoneBy != d.seed.agent.ID {
		t.Fatalf("gesture: %+v", gs[0])
	}

	// The kiosk sees none of it.
	k := d.browser()
	k.signIn("kiosk@example.org")
	wantStatus(t, k.get(carePath), http.StatusForbidden)
	wantStatus(t, k.get("/care"), http.StatusForbidden)
}

func TestCareDelayManyByTag(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	tags := []string{"card-delay"}
	for _, c := range []*kindred.Conversation{d.seed.conv, d.seed.quiet} {
		if _, err := d.db.UpdateConversation(ctx, c.ID, kindred.ConversationUpdate{Tags: &tags}); err != nil {
			t.Fatal(err)
		}
	}
	lead := &kindred.Agent{Name: "Lead", Email: "lead@example.org", Role: kindred.RoleLead}
	if err := d.db.CreateAgent(ctx, lead, mustHash(t)); err != nil {
		t.Fatal(err)
	}
	b := d.browser()
	b.signIn("lead@example.org")
	newDate := time.Now().Add(6 * 24 * time.Hour).Format(time.DateOnly)
	r := b.post("/care/delays", url.Values{"tag": {"no-such-tag"}, "reason": {"The printer broke"}, "new_date": {newDate}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "no open conversation has the tag", `value="The printer broke"`)
	wantStatus(t, b.post("/care/delays", url.Values{"tag": {"card-delay"}, "reason": {"The printer broke"}, "new_date": {newDate}}), http.StatusSeeOther)
	page := b.get("/care?done=delayed")
	ds, _ := d.db.Delays(context.Background(), kindred.DelayFilter{Status: kindred.DelayDraft})
	if len(ds) != 2 {
		t.Fatalf("drafts: %+v", ds)
	}
	batch := "/delay-batches/" + ds[0].Batch
	wantContains(t, page, "The heads-ups are drafted", "2 heads-ups in batch", `href="`+batch+`">Read and approve them`)

	// The lead reads the batch person by person: each name, where it goes,
	// and the words; someone who cannot be reached is not ticked.
	review := b.get(batch)
	wantStatus(t, review, http.StatusOK)
	joseph, zawadi := strconv.FormatInt(ds[1].ID, 10), strconv.FormatInt(ds[0].ID, 10)
	if ds[0].ConversationID == d.seed.conv.ID {
		joseph, zawadi = zawadi, joseph
	}
	wantContains(t, review, d.seed.customer.Name, "Goes by SMS to &#43;"+d.seed.customer.Phone[1:],
		`value="`+joseph+`" checked>`, `value="`+zawadi+`">`, "Cannot be sent: no phone number or email on file", "The printer broke")
	r = b.post(batch+"/approve", url.Values{})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "tick at least one heads-up to send")
	// Ticking both: one goes, and the one who cannot be reached is named.
	r = b.post(batch+"/approve", url.Values{"send": {joseph, zawadi}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "1 sent, 1 could not be sent, 0 still waiting.", `id="batch-not-sent"`, "Zawadi")
	out, _ := d.db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "heads_up"})
	// Zawadi has no phone or email: her heads-up waits as a draft.
	if len(out) != 1 {
		t.Fatalf("outbox: %+v", out)
	}
	if left, _ := d.db.Delays(context.Background(), kindred.DelayFilter{Status: kindred.DelayDraft}); len(left) != 1 || left[0].ConversationID != d.seed.quiet.ID {
		t.Fatalf("left: %+v", left)
	}
}
