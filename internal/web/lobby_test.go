package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, apiCfg *api.Config, db *store.DB) {
		cfg.Lobby, apiCfg.Lobby = db, db
		// As kindred serve wires it: the store's lobby news reaches the
		// desk pages through the console's hub.
		if cfg.Hub == nil {
			cfg.Hub = NewHub()
		}
		db.OnQueued(store.QueueLobby, cfg.Hub.PublishLobby)
	})
}

// lobbySeed adds services A (Registration) and B (Payments) and desks 1
// and 2 (seated).
func lobbySeed(t *testing.T, d *testDesk) (one, two *kindred.Desk) {
	t.Helper()
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	for _, q := range []kindred.Queue{{Code: "A", Name: "Registration"}, {Code: "B", Name: "Payments"}} {
		if err := d.db.CreateQueue(ctx, &q); err != nil {
			t.Fatal(err)
		}
	}
	one, two = &kindred.Desk{Name: "1"}, &kindred.Desk{Name: "2", Seated: true}
	for _, desk := range []*kindred.Desk{one, two} {
		if err := d.db.CreateDesk(ctx, desk); err != nil {
			t.Fatal(err)
		}
	}
	return one, two
}

func TestLobbyPagesAreSafeAndLabelled(t *testing.T) {
	d := newTestDesk(t)
	one, _ := lobbySeed(t, d)
	kiosk, agent, admin := d.browser(), d.browser(), d.browser()
	kiosk.signIn("kiosk@example.org")
	agent.signIn("amina@example.org")
	admin.signIn("admin@example.org")
	agent.post(fmt.Sprintf("/lobby/desks/%d/open", one.ID), url.Values{"services": {"A", "B"}})
	kiosk.post("/lobby/kiosk", url.Values{"service": {"A"}})
	pages := []struct {
		b    *browser
		path string
		want int
	}{
		{kiosk, "/lobby/kiosk", 200},
		{kiosk, "/lobby/kiosk/tickets/1", 200},
		{kiosk, "/lobby/board", 200},
		{kiosk, "/lobby/desk", 403},
		{agent, "/lobby/board", 200},
		{agent, "/lobby/desk", 200},
		{agent, fmt.Sprintf("/lobby/desk?desk=%d", one.ID), 200},
		{admin, "/lobby/desk?desk=2", 200},
	}
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|\sstyle=|\son[a-z]+=|<style`)
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			r := p.b.get(p.path)
			wantStatus(t, r, p.want)
			if got := r.Header.Get("Content-Security-Policy"); got != wantCSP {
				t.Errorf("CSP %q", got)
			}
			wantContains(t, r, `<a class="skip-link" href="#main">`, `<main id="main"`, `<h1>`)
			if m := inline.FindString(r.body); m != "" {
				t.Errorf("inline script or style: %q", m)
			}
			wantLabelledControls(t, r)
		})
	}
	wantStatus(t, d.browser().get("/lobby/kiosk"), http.StatusSeeOther)
	// /lobby, the address people are told, leads each to their own page.
	for _, c := range []struct {
		b    *browser
		want string
	}{{kiosk, "/lobby/kiosk"}, {agent, "/lobby/desk"}, {admin, "/lobby/desk"}} {
		r := c.b.get("/lobby")
		wantStatus(t, r, http.StatusSeeOther)
		if got := r.Header.Get("Location"); got != c.want {
			t.Errorf("/lobby sends to %q, want %q", got, c.want)
		}
	}
	if r := d.browser().get("/lobby"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("/lobby signed out: %d to %q, want the sign-in page", r.StatusCode, r.Header.Get("Location"))
	}
	wantStatus(t, agent.post("/lobby/services", url.Values{"name": {"X"}, "code": {"X"}}), http.StatusForbidden)
	wantStatus(t, kiosk.post(fmt.Sprintf("/lobby/desks/%d/call", one.ID), nil), http.StatusForbidden)
}

func TestKioskIssuesATicketWithAnHonestWait(t *testing.T) {
	d := newTestDesk(t)
	one, _ := lobbySeed(t, d)
	kiosk := d.browser()
	kiosk.signIn("kiosk@example.org")
	r := kiosk.get("/lobby/kiosk")
	wantStatus(t, r, 200)
	wantContains(t, r, "Take a ticket", "Registration", "Payments", "No desk is serving Registration right now", "A minute or less")

	r = kiosk.post("/lobby/kiosk", url.Values{"phone": {"12"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, `id="form-error"`, "Service: choose a service", "Phone: ")

	r = kiosk.post("/lobby/kiosk?lang=sw", url.Values{"service": {"A"}, "phone": {"0712 345 678"}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "?lang=sw") {
		t.Errorf("the ticket's address %q forgets the visitor's language", loc)
	}
	r = kiosk.get(r.Header.Get("Location"))
	wantStatus(t, r, 200)
	wantContains(t, r, "A-001", "Wewe ndiye unayefuata", "Dakika moja au chini", "Hakuna meza inayohudumia Registration sasa hivi", "Tutakutumia SMS")
	if strings.Contains(r.body, "712") {
		t.Error("the ticket page shows the phone number")
	}
	r = kiosk.post("/lobby/kiosk", url.Values{"service": {"A"}})
	r = kiosk.get(r.Header.Get("Location"))
	// With nobody served yet, the range is wide: a default spread of visits.
	wantContains(t, r, "A-002", "1 person is ahead of you", "About ", " minutes")
	if strings.Contains(r.body, "We will send an SMS") {
		t.Error("an SMS promised without a phone")
	}

	// The agent opens desk 1 and calls: the SMS goes in the language the
	// kiosk spoke, and the board shows the number and the desk.
	agent := d.browser()
	agent.signIn("amina@example.org")
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/desks/%d/open", one.ID), url.Values{"services": {"A"}}), http.StatusSeeOther)
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/desks/%d/call", one.ID), nil), http.StatusSeeOther)
	msgs, err := d.db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "ticket_called"})
	if err != nil || len(msgs) != 1 || msgs[0].To != "+254712345678" || !strings.HasPrefix(msgs[0].Body, "Tiketi yako A-001 imeitwa") {
		t.Fatalf("called SMS: %+v %v", msgs, err)
	}
	r = kiosk.get("/lobby/board")
	wantContains(t, r, `<span class="call-number">A-001</span>`, `data-say="Ticket A-001, desk 1"`, "1 desk is serving Registration")
	r = kiosk.get("/lobby/board/live?lang=sw")
	wantContains(t, r, `data-say="Tiketi A-001, meza 1"`)
	if strings.Contains(r.body, "<html") {
		t.Error("the live part is a whole page")
	}
}

func TestDeskPageShowsNeedsToStaffOnlyAndWorksTheQueue(t *testing.T) {
	d := newTestDesk(t)
	one, two := lobbySeed(t, d)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	// Baba Otieno (seeded) needs a seat: his ticket is flagged, never named.
	baba := &kindred.Ticket{QueueCode: "A", CustomerID: &d.seed.customer.ID}
	plain := &kindred.Ticket{QueueCode: "A"}
	for _, tk := range []*kindred.Ticket{plain, baba} {
		if err := d.db.IssueTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	agent := d.browser()
	agent.signIn("amina@example.org")
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/desks/%d/open", two.ID), url.Values{"services": {"A"}}), http.StatusSeeOther)
	desk := fmt.Sprintf("/lobby/desk?desk=%d", two.ID)
	r := agent.get(desk)
	wantContains(t, r, "Desk 2", "Seated desk", "A-002", "Call sooner", "Needs a seat")

	kiosk := d.browser()
	kiosk.signIn("kiosk@example.org")
	for _, p := range []string{"/lobby/board", "/lobby/kiosk"} {
		body := kiosk.get(p).body
		for _, secret := range []string{"Otieno", "seat", "Call sooner", "A-002"} {
			if strings.Contains(body, secret) && !(secret == "A-002" && p == "/lobby/kiosk") {
				t.Errorf("%s shows %q", p, secret)
			}
		}
	}

	// The seated desk calls Baba Otieno first.
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/desks/%d/call", two.ID), nil), http.StatusSeeOther)
	r = agent.get(desk)
	wantContains(t, r, `<p class="ticket-number" id="current-number">A-002</p>`)
	// Sent to Payments, it keeps its number and waits there.
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/tickets/%d/transfer", baba.ID), url.Values{"service": {"B"}, "desk": {fmt.Sprint(two.ID)}}), http.StatusSeeOther)
	got, _ := d.db.Ticket(ctx, baba.ID)
	if got.QueueCode != "B" || got.Status != kindred.TicketWaiting || got.Number != "A-002" {
		t.Fatalf("transferred: %+v", got)
	}
	// Calling at desk 2 now finds the plain ticket; marking it did-not-come closes it.
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/desks/%d/call", two.ID), nil), http.StatusSeeOther)
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/tickets/%d/no-show", plain.ID), url.Values{"desk": {fmt.Sprint(two.ID)}}), http.StatusSeeOther)
	if got, _ := d.db.Ticket(ctx, plain.ID); got.Status != kindred.TicketNoShow {
		t.Fatalf("no-show: %s", got.Status)
	}
	r = agent.post(fmt.Sprintf("/lobby/tickets/%d/serve", plain.ID), url.Values{"desk": {fmt.Sprint(two.ID)}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "closed already")
	r = agent.post(fmt.Sprintf("/lobby/desks/%d/call", two.ID), nil)
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "&empty=1") {
		t.Fatalf("call with nobody waiting went to %q", loc)
	}
	wantContains(t, agent.get(r.Header.Get("Location")), "Nobody is waiting for this desk")
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/desks/%d/close", two.ID), nil), http.StatusSeeOther)
	_ = one

	admin := d.browser()
	admin.signIn("admin@example.org")
	wantStatus(t, admin.post("/lobby/services", url.Values{"name": {"Certificates"}, "code": {"c"}}), http.StatusSeeOther)
	r = admin.post("/lobby/services", url.Values{"name": {"Again"}, "code": {"C"}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "Code: is taken by another service")
	wantStatus(t, admin.post("/lobby/desks", url.Values{"name": {"3"}, "seated": {"on"}}), http.StatusSeeOther)
}
