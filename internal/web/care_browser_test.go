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
