package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserKioskInKiswahiliPrintsAKiswahiliTicket: a visitor chooses
// Kiswahili on the kiosk (whose account speaks English) and takes a ticket.
// The ticket is in Kiswahili, no screen shows staff controls, the print
// button shows, and the printed page is the ticket alone. axe-core finds no
// violation at normal size and in large-text mode.
func TestBrowserKioskInKiswahiliPrintsAKiswahiliTicket(t *testing.T) {
	requireBrowser(t)
	d := newLobbyDesk(t)
	for _, large := range []bool{false, true} {
		mode := "sw"
		if large {
			mode += "-large"
		}
		t.Run(mode, func(t *testing.T) {
			tb := newTab(t, d.url)
			tb.lobbySignIn(d.kiosk, "/lobby/kiosk")
			tb.setLargeText(large)
			tb.open("/lobby/kiosk?lang=sw", http.StatusOK)
			for _, sel := range []string{"#sign-out", "#sign-out-button", ".signed-in"} {
				if tb.exists(sel) {
					t.Errorf("the public kiosk shows %s", sel)
				}
			}
			checkAxe(tb, "kiosk ("+mode+")")
			tb.do("choose Registration", chromedp.Click(chromedp.CSS("input#service-A"), chromedp.NodeVisible))
			tb.submit("form#kiosk-form button[type=submit]", http.StatusOK)
			if !strings.HasPrefix(tb.path(), "/lobby/kiosk/tickets/") {
				t.Fatalf("after taking a ticket: on %s", tb.path())
			}
			if got := eval[string](tb, `document.documentElement.lang`); got != "sw" {
				t.Errorf("the ticket is in %q, want sw", got)
			}
			if text := eval[string](tb, `document.body.innerText`); !strings.Contains(text, "Tiketi yako") {
				t.Errorf("the ticket is not in Kiswahili:\n%s", text)
			}
			if tb.exists("#sign-out") {
				t.Error("the ticket page shows staff controls")
			}
			if eval[bool](tb, `document.querySelector("#print-ticket").hidden`) {
				t.Error("the print button is hidden where scripts run")
			}
			checkAxe(tb, "kiosk ticket ("+mode+")")
			tb.screenshot("kiosk-ticket-" + mode)

			// As printed: the ticket, without the screen's header and buttons.
			tb.do("emulate print", media("print"))
			rendered := func(sel string) bool {
				return eval[bool](tb, `document.querySelector("`+sel+`").getClientRects().length > 0`)
			}
			for _, sel := range []string{".site-header", "#print-ticket", "#done"} {
				if rendered(sel) {
					t.Errorf("printed, %s is on the page", sel)
				}
			}
			if !rendered("#ticket-number") {
				t.Error("the printed ticket has no number")
			}
			tb.screenshot("kiosk-ticket-printed-" + mode)
			tb.do("back to the screen", media(""))
			tb.noPageErrors()
		})
	}
}

// media makes the page render for a CSS media type ("print"), or for the
// screen again with "".
func media(kind string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: kind})
		return err
	})
}
