package web_test

// Browser tests of the lobby: the kiosk where a walk-in customer takes a
// ticket, and the board that calls them, each checked with axe-core in
// English and Kiswahili, at normal size and in large-text mode, with
// screenshots in /screenshots/lobby-*.png.

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// lobbyDesk is a running console and API with the lobby wired, two
// services, a standing desk 1 and a seated desk 2, and a kiosk account.
type lobbyDesk struct {
	*desk
	kiosk    person
	one, two *kindred.Desk
}

func newLobbyDesk(t *testing.T) *lobbyDesk {
	t.Helper()
	ctx := kindred.WithActor(context.Background(), seedActor)
	d := &lobbyDesk{desk: emptyDesk(t, func(db *store.DB, _ string, c *web.Config, a *api.Config) {
		c.Lobby, a.Lobby = db, db
		// As kindred serve wires it: the desk pages hear the queue change.
		c.Hub = web.NewHub()
		db.OnQueued(store.QueueLobby, c.Hub.PublishLobby)
	})}
	db := d.db
	d.agent = d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	d.kiosk = d.addAgent(t, ctx, "Lobby kiosk", "kiosk@desk.example", kindred.RoleKiosk)
	for _, q := range []kindred.Queue{{Code: "A", Name: "Registration"}, {Code: "B", Name: "Payments"}} {
		if err := db.CreateQueue(ctx, &q); err != nil {
			t.Fatal(err)
		}
	}
	d.one, d.two = &kindred.Desk{Name: "1"}, &kindred.Desk{Name: "2", Seated: true}
	for _, dk := range []*kindred.Desk{d.one, d.two} {
		if err := db.CreateDesk(ctx, dk); err != nil {
			t.Fatal(err)
		}
	}
	agentCtx := kindred.WithActor(context.Background(), kindred.Actor{AgentID: d.agent.ID, Name: d.agent.Name, Role: kindred.RoleAgent})
	if _, err := db.OpenDesk(agentCtx, d.one.ID, []string{"A", "B"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenDesk(agentCtx, d.two.ID, []string{"A"}); err != nil {
		t.Fatal(err)
	}
	// Two people already wait for Registration.
	for range 2 {
		if err := db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "A"}); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// lobbySignIn signs p in through the form and lands on path.
func (tb *tab) lobbySignIn(p person, path string) {
	tb.t.Helper()
	tb.open(path, http.StatusOK) // the sign-in page, remembering path
	tb.do("fill in the sign-in form",
		chromedp.WaitVisible(chromedp.CSS("form#login")),
		chromedp.SendKeys(chromedp.CSS("input#email"), p.Email),
		chromedp.SendKeys(chromedp.CSS("input#password"), p.password),
	)
	tb.submit("button#sign-in", http.StatusOK)
	if got := tb.path(); got != path {
		tb.t.Fatalf("after signing in as %s: on %s, want %s", p.Email, got, path)
	}
}

func TestBrowserKioskIssuesATicket(t *testing.T) {
	requireBrowser(t)
	d := newLobbyDesk(t)
	tb := newTab(t, d.url)
	tb.lobbySignIn(d.kiosk, "/lobby/kiosk")
	if n := eval[int](tb, `document.querySelectorAll("label.service-tile").length`); n != 2 {
		t.Fatalf("%d service tiles, want 2", n)
	}
	// Touch targets: each tile is at least 44 CSS pixels tall.
	if h := eval[float64](tb, `document.querySelector("label.service-tile").getBoundingClientRect().height`); h < 44 {
		t.Errorf("service tile is %.0fpx tall, want at least 44", h)
	}
	checkAxe(tb, "lobby kiosk")
	tb.screenshot("lobby-kiosk")

	tb.do("choose Registration and give a phone",
		chromedp.Click(chromedp.CSS(`label[for="service-A"]`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("input#phone"), "0712 345 678"),
	)
	tb.submit("button#get-ticket", http.StatusOK)
	if got := tb.text("#ticket-number"); got != "A-003" {
		t.Fatalf("ticket number %q, want A-003", got)
	}
	if got := tb.text("#ticket-place"); got != "2 people are ahead of you" {
		t.Errorf("place %q", got)
	}
	if got := tb.text("#ticket-now"); got != "2 desks are serving Registration" {
		t.Errorf("what is happening: %q", got)
	}
	if got := tb.text("#ticket-wait"); !strings.HasPrefix(got, "About ") || !strings.HasSuffix(got, " minutes") {
		t.Errorf("wait %q", got)
	}
	tb.mustExist("#sms-promise")
	checkAxe(tb, "lobby ticket")
	tb.screenshot("lobby-ticket")

	// Kiswahili, then large text, on the kiosk and the ticket.
	tb.submit(`a#done`, http.StatusOK)
	tb.submit(`form#language button[name="lang"][value="sw"]`, http.StatusOK)
	if got := tb.text("h1"); got != "Chukua tiketi" {
		t.Errorf("Swahili kiosk heading %q", got)
	}
	checkAxe(tb, "lobby kiosk, Kiswahili")
	tb.screenshot("lobby-kiosk-sw")
	tb.setLargeText(true)
	checkAxe(tb, "lobby kiosk, Kiswahili, large text")
	tb.screenshot("lobby-kiosk-sw-large")
	tb.do("choose Payments", chromedp.Click(chromedp.CSS(`label[for="service-B"]`), chromedp.NodeVisible))
	tb.submit("button#get-ticket", http.StatusOK)
	if got := tb.text("#ticket-place"); got != "Wewe ndiye unayefuata" {
		t.Errorf("Swahili place %q", got)
	}
	checkAxe(tb, "lobby ticket, Kiswahili, large text")
	tb.screenshot("lobby-ticket-sw-large")
	tb.noPageErrors()
}

func TestBrowserBoardCallsAndAnnounces(t *testing.T) {
	requireBrowser(t)
	d := newLobbyDesk(t)
	tb := newTab(t, d.url)
	tb.lobbySignIn(d.kiosk, "/lobby/board")
	tb.mustExist("p.called-none")
	checkAxe(tb, "lobby board, nobody called")

	// Announcements: the page speaks only once someone turns them on.
	// Record what it would say instead of saying it.
	hasSpeech := eval[bool](tb, `!!window.speechSynthesis`)
	if hasSpeech {
		eval[bool](tb, `window.spoken = []; window.speechSynthesis.speak = function (u) { window.spoken.push({text: u.text, lang: u.lang}); }; true`)
		tb.do("turn on announcements", chromedp.Click(chromedp.CSS("button#announce"), chromedp.NodeVisible))
		if got := eval[string](tb, `document.getElementById("announce").getAttribute("aria-pressed")`); got != "true" {
			t.Errorf("announce button aria-pressed=%q after pressing", got)
		}
	} else {
		t.Log("this Chromium has no speechSynthesis: the announce button stays hidden; checking the live region only")
	}

	agentCtx := kindred.WithActor(context.Background(), kindred.Actor{AgentID: d.agent.ID, Name: d.agent.Name, Role: kindred.RoleAgent})
	if _, err := d.db.CallNext(agentCtx, d.two.ID); err != nil {
		t.Fatal(err)
	}
	waitFor[bool](tb, "A-001 on the board", `!!document.querySelector('li.call.latest[data-key^="A-001@2@"]')`)
	if got := waitFor[string](tb, "the call in the live region", `document.getElementById("board-announcer").textContent`); got != "Ticket A-001, desk 2" {
		t.Errorf("live region says %q", got)
	}
	if hasSpeech {
		got := waitFor[string](tb, "the call read aloud", `window.spoken.length > 1 && window.spoken[window.spoken.length-1].text + "|" + window.spoken[window.spoken.length-1].lang`)
		if got != "Ticket A-001, desk 2|en-GB" {
			t.Errorf("spoke %q", got)
		}
	}
	body := eval[string](tb, `document.body.innerText`)
	for _, secret := range []string{"Grace", "seat", "+254"} {
		if strings.Contains(body, secret) {
			t.Errorf("the board shows %q", secret)
		}
	}
	checkAxe(tb, "lobby board")
	tb.screenshot("lobby-board")

	tb.submit(`form#language button[name="lang"][value="sw"]`, http.StatusOK)
	if hasSpeech {
		eval[bool](tb, `window.spoken = []; window.speechSynthesis.speak = function (u) { window.spoken.push({text: u.text, lang: u.lang}); }; true`)
		tb.do("turn on announcements", chromedp.Click(chromedp.CSS("button#announce"), chromedp.NodeVisible))
	}
	if _, err := d.db.CallNext(agentCtx, d.one.ID); err != nil {
		t.Fatal(err)
	}
	waitFor[bool](tb, "A-002 on the board", `!!document.querySelector('li.call.latest[data-key^="A-002@1@"]')`)
	if got := waitFor[string](tb, "the call in the live region", `document.getElementById("board-announcer").textContent`); got != "Tiketi A-002, meza 1" {
		t.Errorf("Swahili live region says %q", got)
	}
	if hasSpeech {
		got := waitFor[string](tb, "the call read aloud", `window.spoken.length > 1 && window.spoken[window.spoken.length-1].text + "|" + window.spoken[window.spoken.length-1].lang`)
		if got != "Tiketi A-002, meza 1|sw-KE" {
			t.Errorf("spoke %q", got)
		}
	}
	checkAxe(tb, "lobby board, Kiswahili")
	tb.screenshot("lobby-board-sw")
	tb.setLargeText(true)
	checkAxe(tb, "lobby board, Kiswahili, large text")
	tb.screenshot("lobby-board-sw-large")
	tb.submit(`form#language button[name="lang"][value="en"]`, http.StatusOK)
	checkAxe(tb, "lobby board, large text")
	tb.screenshot("lobby-board-large")
	tb.noPageErrors()
}

func TestBrowserAgentWorksTheDesk(t *testing.T) {
	requireBrowser(t)
	d := newLobbyDesk(t)
	tb := newTab(t, d.url)
	tb.signIn(d.agent)
	tb.open("/lobby/desk", http.StatusOK)
	checkAxe(tb, "lobby desk list")
	tb.open("/lobby/desk?desk="+strconv.FormatInt(d.one.ID, 10), http.StatusOK)
	tb.submit("button#call-next", http.StatusOK)
	if got := tb.text("#current-number"); got != "A-001" {
		t.Fatalf("called %q", got)
	}
	checkAxe(tb, "lobby desk")
	tb.screenshot("lobby-desk")
	tb.submit("button#served", http.StatusOK)
	tb.noPageErrors()
}
