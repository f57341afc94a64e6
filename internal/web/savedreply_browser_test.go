package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// TestBrowserSavedReplies: a lead adds a saved reply and sees the coach's
// reading of it; an agent starts a reply from it on a conversation and the
// reply box holds the customer's name. axe-core finds no WCAG 2.2 AA
// violation on either page, in English and Kiswahili, normal and large text.
func TestBrowserSavedReplies(t *testing.T) {
	requireBrowser(t)
	d := emptyDesk(t, func(db *store.DB, _ string, c *web.Config, _ *api.Config) { c.SavedReplies = db })
	ctx := kindred.WithActor(context.Background(), seedActor)
	lead := d.addAgent(t, ctx, "Halima Said", "halima@desk.example", kindred.RoleLead)
	d.agent = d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)
	d.seed(t, ctx)
	for _, lang := range []string{"en", "sw"} {
		for _, large := range []bool{false, true} {
			mode := lang
			if large {
				mode += "-large"
			}
			t.Run(mode, func(t *testing.T) {
				tb := newTab(t, d.url)
				tb.signIn(lead)
				tb.setLargeText(large)
				tb.submit(`form#language button[value="`+lang+`"]`, http.StatusOK)
				tb.open("/saved-replies", http.StatusOK)
				title := "Card ready " + mode
				tb.do("write a saved reply",
					chromedp.SendKeys(chromedp.CSS("#saved-title"), title),
					chromedp.SendKeys(chromedp.CSS("#saved-body"), "Hello {name}, your card is ready. You can collect it at desk 3 from tomorrow at 9 am. {agent}"),
				)
				tb.submit("#add-saved-button", http.StatusOK)
				tb.assertMode(large)
				if got := tb.text("main"); !strings.Contains(got, "Hello Mama Grace, your card is ready.") {
					t.Errorf("the list does not show the reply as read: %q", got)
				}
				checkAxe(tb, "saved replies ("+mode+")")
				tb.screenshot("saved-replies-" + mode)

				ag := newTab(t, d.url)
				ag.signIn(d.agent)
				ag.setLargeText(large)
				ag.submit(`form#language button[value="`+lang+`"]`, http.StatusOK)
				ag.open(d.conversationPath(), http.StatusOK)
				ag.do("pick the saved reply", chromedp.SetValue(chromedp.CSS("select#saved"), savedID(t, d, title)))
				ag.submit("#use-saved-button", http.StatusOK)
				got := eval[string](ag, `document.querySelector("textarea#reply").value`)
				if want := "Hello " + d.customer.AddressAs() + ", your card is ready."; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "Grace") {
					t.Errorf("the reply box holds %q, want it to start %q and end with the agent's first name", got, want)
				}
				ag.mustExist("#coach-score")
				checkAxe(ag, "conversation from a saved reply ("+mode+")")
				ag.noPageErrors()
			})
		}
	}
}

func savedID(t *testing.T, d *desk, title string) string {
	t.Helper()
	rs, err := d.db.SavedReplies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Title == title {
			return fmt.Sprint(r.ID)
		}
	}
	t.Fatalf("no saved reply %q", title)
	return ""
}
