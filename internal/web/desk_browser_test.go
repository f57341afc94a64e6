package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
)

// TestBrowserDeskFollowsTheQueueRecallsAndOpensTheCustomer: an officer at
// desk 3 watches the queue. A ticket taken at the kiosk appears on the
// desk page without a reload; the officer calls it, calls it again (the
// person did not hear: the board shows it first again), finds the customer
// by the ticket's phone, links the ticket and opens their profile from it.
// In English and Kiswahili, at normal size and in large text, axe-core
// finds no violation on the desk page (the new ticket shown live, the
// recall, the customer linked) nor on the profile.
func TestBrowserDeskFollowsTheQueueRecallsAndOpensTheCustomer(t *testing.T) {
	requireBrowser(t)
	d := newLobbyDesk(t)
	ctx := kindred.WithActor(context.Background(), seedActor)
	amina := &kindred.Customer{Name: "Amina Odhiambo", PreferredName: "Mama Amina", Phone: "+254722000111", Language: "sw"}
	if err := d.db.CreateCustomer(ctx, amina); err != nil {
		t.Fatal(err)
	}
	// Desk 3 serves Payments (B) alone, so that its calls are the new
	// tickets and not the Registration queue already waiting.
	three := &kindred.Desk{Name: "3"}
	if err := d.db.CreateDesk(ctx, three); err != nil {
		t.Fatal(err)
	}
	agentCtx := kindred.WithActor(context.Background(), kindred.Actor{AgentID: d.agent.ID, Name: d.agent.Name, Role: kindred.RoleAgent})
	if _, err := d.db.OpenDesk(agentCtx, three.ID, []string{"B"}); err != nil {
		t.Fatal(err)
	}
	deskPath := fmt.Sprintf("/lobby/desk?desk=%d", three.ID)

	tb := newTab(t, d.url)
	tb.signIn(d.agent)
	for i, mode := range []struct {
		lang  string
		large bool
	}{{"en", false}, {"sw", false}, {"en", true}, {"sw", true}} {
		name := mode.lang
		if mode.large {
			name += "-large"
		}
		number := fmt.Sprintf("B-%03d", i+1)
		t.Run(name, func(t *testing.T) {
			tb.t = t
			tb.openDeskLive(deskPath)
			if tb.path() != deskPath {
				t.Fatalf("on %s", tb.path())
			}
			if lang := eval[string](tb, `document.documentElement.lang`); lang != mode.lang {
				tb.submit(`form#language button[name="lang"][value="`+mode.lang+`"]`, http.StatusOK)
				tb.openDeskLive(deskPath)
			}
			tb.setLargeText(mode.large)
			if mode.large {
				tb.openDeskLive(deskPath) // the toggle reloaded the page: wait for its stream again
			}
			eval[bool](tb, `window.stillThisPage = true`)

			// A visitor takes a ticket at the kiosk (the store, as the
			// kiosk's handler does): the desk page shows it, no reload.
			tk := &kindred.Ticket{QueueCode: "B", Phone: amina.Phone, Language: mode.lang}
			if err := d.db.IssueTicket(ctx, tk); err != nil {
				t.Fatal(err)
			}
			if tk.Number != number {
				t.Fatalf("ticket %s, want %s", tk.Number, number)
			}
			waitFor[bool](tb, number+" in the waiting list", `!!document.querySelector('#waiting tr[data-number="`+number+`"]')`)
			if !eval[bool](tb, `window.stillThisPage === true`) {
				t.Fatal("the desk page reloaded to show the new ticket")
			}
			if said := waitFor[string](tb, "the status line", `document.getElementById("desk-notice").textContent`); !strings.Contains(said, number) {
				t.Errorf("the status line says %q, not the new ticket %s", said, number)
			} else {
				t.Logf("status line: %q", said)
			}
			if live := eval[string](tb, `document.getElementById("desk-notice").getAttribute("role")`); live != "status" {
				t.Errorf("the status line's role is %q, want status (a polite live region)", live)
			}
			checkAxe(tb, "desk page, a ticket arrived live ("+name+")")
			tb.screenshot("lobby-desk-live-" + name)

			tb.submit("button#call-next", http.StatusOK)
			if got := tb.text("#current-number"); got != number {
				t.Fatalf("called %q, want %s", got, number)
			}
			tb.submit("button#recall", http.StatusOK)
			if got := tb.text("#recall-notice"); !strings.Contains(got, number) {
				t.Errorf("recall notice %q", got)
			}
			tb.mustExist("#current-recalls")
			b, err := d.db.Board(ctx)
			if err != nil || len(b.Called) == 0 || b.Called[0].Number != number || b.Called[0].Desk != "3" {
				t.Fatalf("after the recall the board shows %+v (%v), want %s at desk 3 first", b, err, number)
			}
			checkAxe(tb, "desk page, ticket called again ("+name+")")
			tb.screenshot("lobby-desk-recall-" + name)

			// Whose ticket: found by its phone, linked, opened.
			tb.submit(fmt.Sprintf("button#link-customer-%d", amina.ID), http.StatusOK)
			tb.mustExist("a#open-customer")
			checkAxe(tb, "desk page, ticket linked to its customer ("+name+")")
			tb.submit("a#open-customer", http.StatusOK)
			if got, want := tb.path(), fmt.Sprintf("/customers/%d", amina.ID); got != want {
				t.Fatalf("the ticket's customer link led to %s, want %s", got, want)
			}
			if got := tb.text("h1"); got != "Mama Amina" {
				t.Errorf("profile heading %q", got)
			}
			tb.assertMode(mode.large)
			checkAxe(tb, "the customer's profile, opened from the ticket ("+name+")")
			got, err := d.db.Ticket(ctx, tk.ID)
			if err != nil || got.CustomerID == nil || *got.CustomerID != amina.ID || got.Recalls != 1 {
				t.Fatalf("the ticket after the desk's work: %+v %v", got, err)
			}
			tb.noPageErrors()
		})
	}
}

// openDeskLive opens a desk page and waits until its live stream (the
// lobby's news) is answered, so that nothing after it is missed.
func (tb *tab) openDeskLive(path string) {
	tb.t.Helper()
	responses := chromedp.Events(tb.ctx, network.ResponseReceived)
	tb.open(path, http.StatusOK)
	streamCtx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	for ev, err := range responses {
		if err != nil || streamCtx.Err() != nil {
			break
		}
		if strings.Contains(ev.Response.URL, "/events?lobby=1") && ev.Response.Status == http.StatusOK {
			return
		}
	}
	tb.t.Fatalf("the desk page opened no live stream (GET /events?lobby=1) within %s", waitTimeout)
}
