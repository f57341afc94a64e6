package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/care"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// careDesk is a console with care turned on, over a new SQLite store.
func careDesk(t *testing.T) (*desk, *care.Service) {
	t.Helper()
	var svc *care.Service
	d := emptyDesk(t, func(db *store.DB, base string, c *web.Config, a *api.Config) {
		svc = &care.Service{DB: db, BaseURL: base, Logger: c.Logger}
		c.Care, a.Care = svc, svc
	})
	return d, svc
}

// TestBrowserSurveyIsAccessibleInBothLanguages: the survey a customer
// opens from an SMS passes axe-core's WCAG 2.2 AA rules in English and in
// Kiswahili, can be answered with the keyboard and mouse alike, and then
// says thank you; the link does not work twice.
func TestBrowserSurveyIsAccessibleInBothLanguages(t *testing.T) {
	requireBrowser(t)
	d, svc := careDesk(t)
	ctx := kindred.WithActor(context.Background(), seedActor)
	cust := &kindred.Customer{Name: "Grace Wanjiru", PreferredName: "Mama Grace", Phone: "+254711000111", Language: "sw"}
	if err := d.db.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Replacement card", Status: kindred.StatusResolved}
	if err := d.db.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	_, secret, err := svc.SendSurvey(ctx, conv, cust)
	if err != nil {
		t.Fatal(err)
	}
	path := "/survey/" + secret

	tb := newTab(t, d.url)
	for _, lang := range []string{"en", "sw"} {
		tb.open(path+"?lang="+lang, http.StatusOK)
		if got := eval[string](tb, `document.documentElement.lang`); got != lang {
			t.Errorf("<html lang=%q>, want %q", got, lang)
		}
		checkAxe(tb, "survey "+lang)
		tb.screenshot("survey-" + lang)
		tb.screenshot("survey-" + lang)
	}
	// Large text, for customers who need it, without signing in.
	tb.submit("#toggle-large-text", http.StatusOK)
	tb.assertMode(true)
	checkAxe(tb, "survey large text")
	tb.screenshot("survey-large-text")
	tb.submit("#toggle-large-text", http.StatusOK)
	tb.open(path+"?lang=sw", http.StatusOK)
	// The customer answers in Kiswahili, choosing with the keyboard.
	tb.do("answer the survey",
		chromedp.Focus(chromedp.CSS("#satisfaction-4")),
		chromedp.KeyEvent(" "),
		chromedp.Click(chromedp.CSS("label:has(#heard-partly)"), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#comment"), "Mlikuwa wapole, lakini ilichukua muda."),
	)
	tb.submit("#send-survey", http.StatusOK)
	if got := tb.path(); !strings.HasPrefix(got, "/survey/thanks") {
		t.Fatalf("after answering: on %s", got)
	}
	tb.mustExist("#survey-thanks")
	checkAxe(tb, "survey thanks sw")
	tb.screenshot("survey-thanks-sw")
	answered := true
	got, _ := d.db.Surveys(context.Background(), kindred.SurveyFilter{Answered: &answered})
	if len(got) != 1 || *got[0].Satisfaction != 4 || *got[0].FeltHeard != kindred.HeardPartly {
		t.Fatalf("answers: %+v", got)
	}
	tb.open(path+"?lang=en", http.StatusConflict)
	tb.mustExist("#survey-closed")
	checkAxe(tb, "survey used twice")
	tb.noPageErrors()
}

// TestBrowserCarePageIsAccessible: the conversation's care page, with a
// drafted heads-up, a follow-up and a suggested gesture, passes axe-core.
func TestBrowserCarePageIsAccessible(t *testing.T) {
	requireBrowser(t)
	d, svc := careDesk(t)
	ctx := kindred.WithActor(context.Background(), seedActor)
	agent := d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	cust := &kindred.Customer{Name: "Joseph Otieno", PreferredName: "Baba Otieno", Phone: "+254712345678"}
	if err := d.db.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(20 * time.Hour)
	conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Replacement card", DueAt: &due}
	if err := d.db.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MarkDelayed(ctx, kindred.DelayRequest{ConversationIDs: []int64{conv.ID}, Reason: "The card printer broke down",
		Plan: "We are printing the cards at another office", NewDate: time.Now().Add(4 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := d.db.ScheduleFollowUp(ctx, &kindred.FollowUp{ConversationID: conv.ID, AgentID: agent.ID, What: "Call to check the card arrived", DueAt: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.SuggestGesture(ctx, conv.ID, kindred.GestureCall, care.LongWaitGesture.Reason); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, d.url)
	tb.signIn(agent)
	for _, p := range []string{fmt.Sprintf("/conversations/%d/care", conv.ID), "/care", fmt.Sprintf("/conversations/%d", conv.ID)} {
		tb.open(p, http.StatusOK)
		checkAxe(tb, "care "+p)
	}
	tb.open(fmt.Sprintf("/conversations/%d/care", conv.ID), http.StatusOK)
	tb.mustExist("#due-warning")
	tb.screenshot("care-conversation")
	tb.noPageErrors()
}

// TestBrowserLeadReviewsABatchPersonByPerson: a lead opens a batch of
// heads-ups from the care page, reads each one (name, where it goes, the
// coach's score, the words), leaves one person out, and sends the rest;
// the page then names who was sent a heads-up, who could not be reached and
// who is still waiting. In English and Kiswahili, at normal size and in
// large text, axe-core finds no WCAG 2.2 AA violation.
func TestBrowserLeadReviewsABatchPersonByPerson(t *testing.T) {
	requireBrowser(t)
	d, svc := careDesk(t)
	ctx := kindred.WithActor(context.Background(), seedActor)
	lead := d.addAgent(t, ctx, "Halima Said", "halima@desk.example", kindred.RoleLead)
	for _, lang := range []string{"en", "sw"} {
		for _, large := range []bool{false, true} {
			mode := lang
			if large {
				mode += "-large"
			}
			t.Run(mode, func(t *testing.T) {
				tag := "card-late-" + mode
				people := []*kindred.Customer{
					{Name: "Joseph Otieno " + mode, Phone: "+254712345678"},
					{Name: "Wanjiku Kamau " + mode, Email: "wanjiku@example.org", Language: "sw"},
					{Name: "Zawadi Mwangi " + mode}, // no phone, no email
				}
				for _, c := range people {
					if err := d.db.CreateCustomer(ctx, c); err != nil {
						t.Fatal(err)
					}
					conv := &kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelSMS, Subject: "Replacement card", Tags: []string{tag}}
					if err := d.db.CreateConversation(ctx, conv); err != nil {
						t.Fatal(err)
					}
				}
				ds, err := svc.MarkDelayed(ctx, kindred.DelayRequest{Tag: tag, Reason: "The card printer broke down",
					NewDate: time.Now().Add(5 * 24 * time.Hour)})
				if err != nil || len(ds) != 3 {
					t.Fatalf("drafts: %+v %v", ds, err)
				}
				tb := newTab(t, d.url)
				tb.signIn(lead)
				tb.setLargeText(large)
				tb.submit(`form#language button[value="`+lang+`"]`, http.StatusOK)
				tb.open("/care", http.StatusOK)
				tb.submit("a#review-batch-"+ds[0].Batch, http.StatusOK)
				tb.assertMode(large)
				if n := eval[int](tb, `document.querySelectorAll("form#batch-form article.heads-up").length`); n != 3 {
					t.Fatalf("the batch shows %d heads-ups, want one per person (3)", n)
				}
				byName := map[string]kindred.Delay{}
				for _, dl := range ds {
					for _, c := range people {
						if c.ID == dl.CustomerID {
							byName[c.Name] = dl
						}
					}
				}
				joseph, wanjiku, zawadi := byName[people[0].Name], byName[people[1].Name], byName[people[2].Name]
				for _, c := range people {
					if body := tb.text("form#batch-form"); !strings.Contains(body, c.Name) {
						t.Errorf("the review does not name %s", c.Name)
					}
				}
				if !eval[bool](tb, fmt.Sprintf(`document.querySelector("#send-%d").checked && !document.querySelector("#send-%d").checked`, joseph.ID, zawadi.ID)) {
					t.Error("a reachable person should start ticked and an unreachable one unticked")
				}
				if got := tb.text(fmt.Sprintf("#batch-delay-%d", joseph.ID)); !strings.Contains(got, "254712345678") || !strings.Contains(got, "card printer broke down") {
					t.Errorf("Joseph's heads-up does not say where it goes or what it says: %q", got)
				}
				checkAxe(tb, "batch review ("+mode+")")
				tb.screenshot("care-batch-review-" + mode)

				// Wanjiku is left out; Zawadi is ticked though she cannot be reached.
				tb.do("choose who gets it",
					chromedp.Click(chromedp.CSS(fmt.Sprintf("#send-%d", wanjiku.ID))),
					chromedp.Click(chromedp.CSS(fmt.Sprintf("#send-%d", zawadi.ID))),
				)
				tb.submit("button#approve-chosen", http.StatusOK)
				tb.assertMode(large)
				if got := tb.text("#batch-sent"); !strings.Contains(got, people[0].Name) {
					t.Errorf("sent: %q, want Joseph", got)
				}
				if got := tb.text("#batch-not-sent"); !strings.Contains(got, people[2].Name) {
					t.Errorf("not sent: %q, want Zawadi named", got)
				}
				if got := tb.text("form#batch-form"); !strings.Contains(got, people[1].Name) || strings.Contains(got, people[0].Name) {
					t.Errorf("still waiting: %q, want Wanjiku only", got)
				}
				checkAxe(tb, "batch approved ("+mode+")")
				tb.screenshot("care-batch-approved-" + mode)
				tb.noPageErrors()

				out, _ := d.db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "heads_up", CustomerID: people[0].ID})
				if len(out) == 0 {
					t.Error("Joseph's heads-up is not in the outbox")
				}
				if dl, _ := d.db.Delay(context.Background(), wanjiku.ID); dl.Status != kindred.DelayDraft {
					t.Errorf("Wanjiku's heads-up, left out, is %s", dl.Status)
				}
			})
		}
	}
}

// TestBrowserNotHeardSurveyReachesTheLead: a customer answers their survey
// in the browser that they did not feel heard; the team lead signs in and
// finds a follow-up to call them on the care page, beside the answer and
// who served them, and opens the conversation from it. In English and
// Kiswahili, at normal size and in large text, axe-core finds no WCAG 2.2
// AA violation on the survey or on the lead's pages.
func TestBrowserNotHeardSurveyReachesTheLead(t *testing.T) {
	requireBrowser(t)
	d, svc := careDesk(t)
	ctx := kindred.WithActor(context.Background(), seedActor)
	agent := d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAgent)
	lead := d.addAgent(t, ctx, "Halima Said", "halima@desk.example", kindred.RoleLead)
	for _, lang := range []string{"en", "sw"} {
		for _, large := range []bool{false, true} {
			mode := lang
			if large {
				mode += "-large"
			}
			t.Run(mode, func(t *testing.T) {
				cust := &kindred.Customer{Name: "Joseph Otieno " + mode, PreferredName: "Baba Otieno " + mode, Phone: "+254712345678", Language: lang}
				if err := d.db.CreateCustomer(ctx, cust); err != nil {
					t.Fatal(err)
				}
				conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Replacement card",
					Status: kindred.StatusResolved, AssigneeID: &agent.ID}
				if err := d.db.CreateConversation(ctx, conv); err != nil {
					t.Fatal(err)
				}
				_, secret, err := svc.SendSurvey(ctx, conv, cust)
				if err != nil {
					t.Fatal(err)
				}

				// The customer, on their phone.
				customer := newTab(t, d.url)
				customer.open("/survey/"+secret+"?lang="+lang, http.StatusOK)
				customer.setLargeText(large)
				customer.assertMode(large)
				customer.do("answer: not heard",
					chromedp.Click(chromedp.CSS("label:has(#satisfaction-2)"), chromedp.NodeVisible),
					chromedp.Click(chromedp.CSS("label:has(#heard-no)"), chromedp.NodeVisible),
					chromedp.SendKeys(chromedp.CSS("#comment"), "Nobody called me back."),
				)
				checkAxe(customer, "survey answered not heard ("+mode+")")
				customer.submit("#send-survey", http.StatusOK)
				customer.mustExist("#survey-thanks")

				// The lead.
				tb := newTab(t, d.url)
				tb.signIn(lead)
				tb.setLargeText(large)
				tb.submit(`form#language button[value="`+lang+`"]`, http.StatusOK)
				tb.open("/care", http.StatusOK)
				tb.assertMode(large)
				follow := tb.text("#my-follow-ups")
				want := "Call Baba Otieno " + mode + ": the survey says they felt not heard."
				if lang == "sw" {
					want = "Mpigie simu Baba Otieno " + mode + ": utafiti unasema hakuhisi amesikilizwa."
				}
				if !strings.Contains(follow, want) {
					t.Fatalf("the lead's follow-ups: %q, want %q", follow, want)
				}
				answers := tb.text("#survey-answers")
				if !strings.Contains(answers, "Nobody called me back.") || !strings.Contains(answers, "Amina Wanjiru") {
					t.Errorf("the lead does not see the answer and who served: %q", answers)
				}
				checkAxe(tb, "care with a not-heard follow-up ("+mode+")")
				tb.screenshot("care-not-heard-lead-" + mode)
				tb.submit(fmt.Sprintf(`#my-follow-ups a[href="/conversations/%d/care"]`, conv.ID), http.StatusOK)
				tb.assertMode(large)
				checkAxe(tb, "the conversation's care page, from the follow-up ("+mode+")")
				tb.noPageErrors()
			})
		}
	}
}

// TestBrowserAPromiseInAReplyBecomesAFollowUp: an agent replies in the
// console that they will call tomorrow; the page offers the follow-up with
// tomorrow filled in (axe-clean, in English and Kiswahili); the agent adds
// it and finds it on the care page.
func TestBrowserAPromiseInAReplyBecomesAFollowUp(t *testing.T) {
	requireBrowser(t)
	d, _ := careDesk(t)
	ctx := kindred.WithActor(context.Background(), seedActor)
	agent := d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	for _, lang := range []string{"en", "sw"} {
		t.Run(lang, func(t *testing.T) {
			cust := &kindred.Customer{Name: "Joseph Otieno " + lang, Phone: "+254712345678"}
			if err := d.db.CreateCustomer(ctx, cust); err != nil {
				t.Fatal(err)
			}
			conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelDesk, Subject: "Replacement card"}
			if err := d.db.CreateConversation(ctx, conv); err != nil {
				t.Fatal(err)
			}
			if err := d.db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "Where is my card? I have waited three weeks."}); err != nil {
				t.Fatal(err)
			}
			tb := newTab(t, d.url)
			tb.signIn(agent)
			tb.submit(`form#language button[value="`+lang+`"]`, http.StatusOK)
			path := fmt.Sprintf("/conversations/%d", conv.ID)
			tb.open(path, http.StatusOK)
			tb.do("promise a call", chromedp.SendKeys(chromedp.CSS("textarea#reply"),
				"I am sorry you have waited so long. I will call you tomorrow at 10 am with the date your card is ready."))
			tb.submit("button#send", http.StatusOK)
			tb.mustExist("#promise-offer")
			tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
			if got := eval[string](tb, `document.querySelector("#promise-due").value`); got != tomorrow {
				t.Errorf("the offer's day is %q, want tomorrow (%s)", got, tomorrow)
			}
			checkAxe(tb, "conversation with a promise offered ("+lang+")")
			tb.screenshot("promise-offer-" + lang)
			tb.submit("button#promise-follow-up", http.StatusOK)
			if n := eval[int](tb, `document.querySelectorAll("#promise-offer").length`); n != 0 {
				t.Error("the offer stays after the follow-up was added")
			}
			tb.open("/care", http.StatusOK)
			if got := tb.text("#my-follow-ups"); !strings.Contains(got, "I will call you tomorrow at 10 am") {
				t.Errorf("the follow-up is not on the agent's list: %q", got)
			}
			tb.noPageErrors()
		})
	}
}
