package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
)

// TestBrowserAgentRegistersAWalkInAndStartsAConversation: an agent looks
// for a visitor, finds nobody, adds them from the search with what they
// need, and starts a conversation at the desk with what they said. In
// English and Kiswahili, at normal size and in large-text mode, axe-core
// finds no WCAG 2.2 AA violation on any screen.
func TestBrowserAgentRegistersAWalkInAndStartsAConversation(t *testing.T) {
	requireBrowser(t)
	d := newDesk(t)
	n := 0
	for _, lang := range []string{"en", "sw"} {
		for _, large := range []bool{false, true} {
			mode := lang
			if large {
				mode += "-large"
			}
			n++
			name := fmt.Sprintf("Wairimu Njeri %d", n)
			t.Run(mode, func(t *testing.T) {
				tb := newTab(t, d.url)
				tb.signIn(d.agent)
				tb.setLargeText(large)
				tb.submit(fmt.Sprintf(`form#language button[value="%s"]`, lang), http.StatusOK)

				tb.open("/customers", http.StatusOK)
				tb.do("search for the visitor", chromedp.SendKeys(chromedp.CSS("input#q"), name))
				tb.submit("button#search", http.StatusOK)
				tb.assertMode(large)
				tb.submit("a#add-customer", http.StatusOK)
				if got := eval[string](tb, `document.querySelector("input#cust-name").value`); got != name {
					t.Errorf("the form starts with name %q, want what was searched, %q", got, name)
				}
				checkAxe(tb, "add customer ("+mode+")")
				tb.screenshot("walkin-add-" + mode)

				// A phone number that cannot be one: told so, the rest kept.
				tb.do("fill in the visitor",
					chromedp.SendKeys(chromedp.CSS("input#cust-preferred"), "Mama Njeri"),
					chromedp.SetValue(chromedp.CSS("select#cust-language"), "sw"),
					chromedp.SendKeys(chromedp.CSS("input#cust-phone"), "12"),
					chromedp.Click(chromedp.CSS("input#cust-acc-seating"), chromedp.NodeVisible),
				)
				tb.submit("button#save-customer", http.StatusUnprocessableEntity)
				tb.mustExist("#form-error")
				if !eval[bool](tb, `document.querySelector("input#cust-acc-seating").checked`) {
					t.Error("the form forgot the ticked need")
				}
				checkAxe(tb, "add customer, problems ("+mode+")")
				tb.do("correct the phone", chromedp.SetValue(chromedp.CSS("input#cust-phone"), "0712 000 11"+fmt.Sprint(n)))
				tb.submit("button#save-customer", http.StatusOK)
				tb.mustExist("#customer-added")
				checkAxe(tb, "customer added ("+mode+")")

				tb.do("say what brings them",
					chromedp.SendKeys(chromedp.CSS("input#start-subject"), "Pension card"),
					chromedp.SendKeys(chromedp.CSS("textarea#start-said"), "My pension card has not come and I am worried."),
				)
				tb.submit("button#start-conversation-button", http.StatusOK)
				if !strings.HasPrefix(tb.path(), "/conversations/") {
					t.Fatalf("after starting: on %s", tb.path())
				}
				if !strings.Contains(eval[string](tb, `document.body.innerText`), "My pension card has not come") {
					t.Error("the conversation does not show what the visitor said")
				}
				tb.mustExist("textarea#reply")
				checkAxe(tb, "walk-in conversation ("+mode+")")
				tb.screenshot("walkin-conversation-" + mode)
				tb.noPageErrors()
			})
		}
	}
	convs, err := d.db.Conversations(context.Background(), kindred.ConversationFilter{Channel: kindred.ChannelDesk, AssigneeID: d.agent.ID})
	if err != nil || len(convs) < 4 {
		t.Errorf("%d desk conversations assigned to the agent, want at least 4: %v", len(convs), err)
	}
}
