package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserKeyboardShortcuts: j and k move through the inbox, Enter
// opens, r goes to the reply box and Ctrl+Enter sends; ? shows the list,
// which passes axe-core; single keys can be turned off and then do nothing.
func TestBrowserKeyboardShortcuts(t *testing.T) {
	requireBrowser(t)
	d := newDesk(t)
	tb := newTab(t, d.url)
	tb.signIn(d.agent)
	tb.open("/inbox", http.StatusOK)
	focused := func() string {
		return eval[string](tb, `document.activeElement ? (document.activeElement.getAttribute("href") || document.activeElement.id) : ""`)
	}
	tb.do("press j", chromedp.KeyEvent("j"))
	first := focused()
	if !strings.HasPrefix(first, "/conversations/") {
		t.Fatalf("j focused %q, want the first conversation", first)
	}
	tb.do("press j, then k", chromedp.KeyEvent("j"))
	if second := focused(); second == first || !strings.HasPrefix(second, "/conversations/") {
		t.Fatalf("the second j focused %q", second)
	}
	tb.do("press k", chromedp.KeyEvent("k"))
	if got := focused(); got != first {
		t.Fatalf("k went back to %q, want %q", got, first)
	}
	tb.do("press ?", chromedp.KeyEvent("?"))
	if !eval[bool](tb, `document.querySelector("details#shortcuts").open`) {
		t.Fatal("? did not open the list of shortcuts")
	}
	checkAxe(tb, "inbox with the shortcuts shown")

	// Enter opens the focused conversation; r and Ctrl+Enter reply.
	tb.do("focus the first", chromedp.Focus(chromedp.CSS(`#inbox a[href="`+first+`"]`)))
	tb.pressNavigates("Enter on a conversation", chromedp.KeyEvent(kb.Enter))
	tb.do("wait for the conversation", chromedp.WaitVisible(chromedp.CSS("textarea#reply")))
	tb.do("press r", chromedp.KeyEvent("r"))
	if got := focused(); got != "reply" {
		t.Fatalf("r focused %q, want the reply box", got)
	}
	before := eval[int](tb, `document.querySelectorAll("#history > li").length`)
	tb.do("write", chromedp.SendKeys(chromedp.CSS("textarea#reply"), "Thank you for waiting, I have checked and your card is posted today."))
	tb.pressNavigates("Ctrl+Enter in the reply box", chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	if after := eval[int](tb, `document.querySelectorAll("#history > li").length`); after != before+1 {
		t.Fatalf("after Ctrl+Enter the history has %d messages, want %d", after, before+1)
	}

	// Turned off, single keys do nothing.
	tb.open("/inbox", http.StatusOK)
	eval[bool](tb, `document.querySelector("details#shortcuts").open = true`)
	tb.do("turn single keys off", chromedp.Click(chromedp.CSS("#single-keys-toggle")))
	if got := tb.text("#single-keys-state"); got != "Single-key shortcuts are off." {
		t.Errorf("the list says %q", got)
	}
	eval[bool](tb, `(document.activeElement.blur(), true)`)
	tb.do("press j", chromedp.KeyEvent("j"))
	if got := focused(); strings.HasPrefix(got, "/conversations/") {
		t.Errorf("j moved to %q with single keys off", got)
	}
	tb.noPageErrors()
}

// pressNavigates runs a key press that should load another page (a link
// followed, a form sent) and waits for that page, as submit does for clicks.
func (tb *tab) pressNavigates(what string, press chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, press)
	if err != nil {
		tb.t.Fatalf("%s: %v (on %s)", what, err, tb.path())
	}
	tb.checkResponse(what, resp, http.StatusOK)
}
