package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Africa/Nairobi on a machine without zoneinfo

	"github.com/kindred-desk/kindred"
)

// deskWithTicket opens desk 1 for services A and B as the agent, issues a
// ticket (with phone, when given) and calls it there.
func deskWithTicket(t *testing.T, d *testDesk, phone string) (agent *browser, desk *kindred.Desk, tk *kindred.Ticket) {
	t.Helper()
	one, _ := lobbySeed(t, d)
	agent = d.browser()
	agent.signIn("amina@example.org")
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/desks/%d/open", one.ID), url.Values{"services": {"A", "B"}}), http.StatusSeeOther)
	tk = &kindred.Ticket{QueueCode: "A", Phone: phone}
	if err := d.db.IssueTicket(kindred.WithActor(context.Background(), kindred.Actor{Name: "kiosk"}), tk); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/desks/%d/call", one.ID), nil), http.StatusSeeOther)
	return agent, one, tk
}

// TestDeskCallsItsTicketAgain: "Call again" recalls the ticket at the desk;
// the desk page says so and how often, the board shows it again, and a
// ticket that is not the desk's current one cannot be recalled.
func TestDeskCallsItsTicketAgain(t *testing.T) {
	d := newTestDesk(t)
	agent, one, tk := deskWithTicket(t, d, "")
	page := fmt.Sprintf("/lobby/desk?desk=%d", one.ID)
	r := agent.get(page)
	wantContains(t, r, `id="recall"`, "Call again")
	wantLabelledControls(t, r)

	r = agent.post(fmt.Sprintf("/lobby/tickets/%d/recall", tk.ID), url.Values{"desk": {fmt.Sprint(one.ID)}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != page+"&recalled=1" {
		t.Fatalf("after the recall: %q", loc)
	}
	r = agent.get(r.Header.Get("Location"))
	wantContains(t, r, "Ticket A-001 is called again: the board shows it again.", `<span id="current-recalls">Called again once</span>`)
	agent.post(fmt.Sprintf("/lobby/tickets/%d/recall", tk.ID), url.Values{"desk": {fmt.Sprint(one.ID)}})
	wantContains(t, agent.get(page+"&lang=sw"), "Imeitwa tena mara 2", "Ita tena")

	kiosk := d.browser()
	kiosk.signIn("kiosk@example.org")
	wantStatus(t, kiosk.post(fmt.Sprintf("/lobby/tickets/%d/recall", tk.ID), url.Values{"desk": {fmt.Sprint(one.ID)}}), http.StatusForbidden)
	board := kiosk.get("/lobby/board/live")
	wantContains(t, board, `<li class="call latest" data-key="A-001@1@`)

	wantStatus(t, agent.post(fmt.Sprintf("/lobby/tickets/%d/serve", tk.ID), url.Values{"desk": {fmt.Sprint(one.ID)}}), http.StatusSeeOther)
	r = agent.post(fmt.Sprintf("/lobby/tickets/%d/recall", tk.ID), url.Values{"desk": {fmt.Sprint(one.ID)}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "closed already")
	var recalls int
	for _, e := range auditOf(t, d, "lobby_ticket") {
		if e.Action == "lobby.ticket.recall" && e.ActorName == "Amina Wanjiru" {
			recalls++
		}
	}
	if recalls != 2 {
		t.Fatalf("%d recalls audited under the agent's name, want 2", recalls)
	}
}

func auditOf(t *testing.T, d *testDesk, subject string) []kindred.AuditEntry {
	t.Helper()
	es, err := d.db.Audit(context.Background(), kindred.AuditFilter{Subject: subject, Page: kindred.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestDeskLinksTheTicketToItsCustomer: the desk finds whose ticket it is
// by its phone, or by a search, links it, and opens the person's profile
// from it; a walk-in nobody knows is registered from the ticket, with the
// phone and language the kiosk took, and linked.
func TestDeskLinksTheTicketToItsCustomer(t *testing.T) {
	d := newTestDesk(t)
	baba := d.seed.customer // Joseph Otieno, +254712345678
	agent, one, tk := deskWithTicket(t, d, baba.Phone)
	page := fmt.Sprintf("/lobby/desk?desk=%d", one.ID)
	r := agent.get(page)
	wantContains(t, r, "Whose ticket is it?", "Customers with this ticket&#39;s phone number:", "Joseph Otieno (Baba Otieno)",
		fmt.Sprintf(`id="link-customer-%d"`, baba.ID), `id="register-customer" href="/customers/new?ticket=`)
	if strings.Contains(r.body, "Zawadi") {
		t.Error("offers a customer with another phone")
	}
	wantLabelledControls(t, r)

	// A search finds others.
	r = agent.get(page + "&find=Zawadi")
	wantContains(t, r, "Customers found for Zawadi:", "Zawadi Mwangi")
	r = agent.get(page + "&find=Nobody+Here")
	wantContains(t, r, "Nobody found for Nobody Here.")

	wantStatus(t, agent.post(fmt.Sprintf("/lobby/tickets/%d/customer", tk.ID), url.Values{"desk": {fmt.Sprint(one.ID)}, "customer_id": {"9999"}}), http.StatusUnprocessableEntity)
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/tickets/%d/customer", tk.ID), url.Values{"desk": {fmt.Sprint(one.ID)}, "customer_id": {fmt.Sprint(baba.ID)}}), http.StatusSeeOther)
	r = agent.get(page)
	wantContains(t, r, fmt.Sprintf(`<a id="open-customer" href="/customers/%d">Open the profile and history of Baba Otieno</a>`, baba.ID))
	if strings.Contains(r.body, `id="register-customer"`) {
		t.Error("offers to register a customer the ticket is linked to")
	}
	profile := agent.get(fmt.Sprintf("/customers/%d", baba.ID))
	wantStatus(t, profile, 200)
	wantContains(t, profile, "Pension payment missing") // the history, one link from the ticket

	// The next walk-in is nobody we know: registered from the ticket.
	stranger := &kindred.Ticket{QueueCode: "A", Phone: "+254733000444", Language: "sw"}
	if err := d.db.IssueTicket(kindred.WithActor(context.Background(), kindred.Actor{Name: "kiosk"}), stranger); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, agent.post(fmt.Sprintf("/lobby/desks/%d/call", one.ID), nil), http.StatusSeeOther)
	r = agent.get(page)
	wantContains(t, r, fmt.Sprintf(`href="/customers/new?ticket=%d"`, stranger.ID))
	form := agent.get(fmt.Sprintf("/customers/new?ticket=%d", stranger.ID))
	wantStatus(t, form, 200)
	wantContains(t, form, "For ticket A-002: their record is linked to it.", `value="&#43;254733000444"`, `<option value="sw" selected>`,
		fmt.Sprintf(`<input type="hidden" name="ticket" value="%d">`, stranger.ID))
	wantLabelledControls(t, form)
	r = agent.post("/customers", url.Values{"name": {"Halima Yusuf"}, "phone": {"+254733000444"}, "language": {"sw"}, "ticket": {fmt.Sprint(stranger.ID)}})
	wantStatus(t, r, http.StatusSeeOther)
	got, err := d.db.Ticket(context.Background(), stranger.ID)
	if err != nil || got.CustomerID == nil {
		t.Fatalf("the registered walk-in's ticket: %+v %v", got, err)
	}
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/customers/%d?added#start", *got.CustomerID) {
		t.Fatalf("after registering: %q", loc)
	}
	wantContains(t, agent.get(page), "Open the profile and history of Halima Yusuf")
	wantStatus(t, agent.get("/customers/new?ticket=9999"), http.StatusNotFound)
}

// TestDeskPageFollowsTheQueue: a desk page's stream (/events?lobby=1)
// hears each change to the queue, a ticket issued at the kiosk among them,
// and fetches the waiting list (/lobby/desk/live) with the new ticket; an
// inbox's stream hears nothing of the lobby.
func TestDeskPageFollowsTheQueue(t *testing.T) {
	d := newTestDesk(t)
	agent, one, _ := deskWithTicket(t, d, "")
	page := agent.get(fmt.Sprintf("/lobby/desk?desk=%d", one.ID))
	wantContains(t, page, `data-lobby="1"`, "lobby-desk.js", fmt.Sprintf(`data-live="/lobby/desk/live?desk=%d"`, one.ID))

	desk := openStream(t, agent, "/events?lobby=1")
	inbox := openStream(t, agent, "/events")
	kiosk := d.browser()
	kiosk.signIn("kiosk@example.org")
	wantStatus(t, kiosk.post("/lobby/kiosk", url.Values{"service": {"B"}}), http.StatusSeeOther)
	if ev := desk.next(t); ev != "lobby" {
		t.Fatalf("the desk page's stream heard %q, want lobby", ev)
	}
	// A message after the ticket: the inbox hears it, and nothing before it.
	m := &kindred.Message{ConversationID: d.seed.conv.ID, Direction: kindred.Inbound, Body: "I am at the desk now."}
	if err := d.db.AddMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	d.console.Hub().Publish(*m)
	if ev := inbox.next(t); ev != "inbox" {
		t.Fatalf("the inbox's stream heard %q first, want inbox", ev)
	}

	live := agent.get(fmt.Sprintf("/lobby/desk/live?desk=%d", one.ID))
	wantStatus(t, live, 200)
	wantContains(t, live, `id="waiting-count" data-count="1"`, `data-number="B-001"`)
	if strings.Contains(live.body, "<html") {
		t.Error("the live part is a whole page")
	}
	wantStatus(t, kiosk.get(fmt.Sprintf("/lobby/desk/live?desk=%d", one.ID)), http.StatusForbidden)
}

// stream reads Server-Sent Events' names from an open stream.
type stream struct {
	events chan string
}

func openStream(t *testing.T, b *browser, path string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", b.d.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	s := &stream{events: make(chan string, 16)}
	sc := bufio.NewScanner(resp.Body)
	// The first line ("retry: …") says the server has subscribed.
	if !sc.Scan() {
		t.Fatalf("GET %s: the stream ended at once", path)
	}
	go func() {
		defer close(s.events)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				s.events <- name
			}
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return s
}

func (s *stream) next(t *testing.T) string {
	t.Helper()
	select {
	case ev := <-s.events:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
		return ""
	}
}

// TestClockTimesFollowTheDesksTimeZone: the server's zone is UTC (as on
// this machine and most servers); the desk is in Nairobi (UTC+3). A code
// sent now works until ten minutes from now, which the console, the kiosk
// and the SMS say on Nairobi's clock, three hours ahead of the server's.
func TestClockTimesFollowTheDesksTimeZone(t *testing.T) {
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	d := newTestDesk(t, func(c *Config) { c.Location = nairobi })
	d.db.SetLocation(nairobi)
	staff := d.browser()
	staff.signIn("amina@example.org")
	path := codePath(t, staff.post(fmt.Sprintf("/customers/%d/codes", d.seed.customer.ID), url.Values{"channel": {"sms"}}))
	var id int64
	fmt.Sscanf(path, "/codes/%d", &id)
	code, err := d.db.Code(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	desk, server := code.ExpiresAt.In(nairobi).Format("15:04"), code.ExpiresAt.In(time.Local).Format("15:04")
	if desk == server {
		t.Logf("this machine's own zone is Nairobi's: the test shows less here than on a UTC server")
	}
	for _, b := range []*browser{staff, func() *browser { k := d.browser(); k.signIn("kiosk@example.org"); return k }()} {
		r := b.get(path)
		wantStatus(t, r, 200)
		wantContains(t, r, "The code works until ", ", "+desk+".")
		if desk != server && strings.Contains(r.body, server) {
			t.Errorf("the page says the server's clock time %s, not the desk's %s", server, desk)
		}
	}
	if m := sentMessage(t, d); !strings.Contains(m, "hadi saa "+desk) {
		t.Errorf("the SMS says %q, want the desk's %s", m, desk)
	}
}

// sentMessage is the body of the latest code SMS.
func sentMessage(t *testing.T, d *testDesk) string {
	t.Helper()
	ms, err := d.db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "code"})
	if err != nil || len(ms) == 0 {
		t.Fatalf("code SMS: %v %v", ms, err)
	}
	return ms[len(ms)-1].Body
}

// TestReadOutIsTheDefaultForWhoCannotRead: a customer with "read aloud" or
// "low vision" on file is offered the code read out first, with the reason
// and the number to dial; SMS stays a choice. Everyone else gets SMS first.
func TestReadOutIsTheDefaultForWhoCannotRead(t *testing.T) {
	d := newTestDesk(t, func(c *Config) { c.USSDCode = "*384*1234#" })
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	mama := &kindred.Customer{Name: "Mama Achieng", Phone: "+254711000900", Language: "sw",
		Accommodations: []kindred.Accommodation{kindred.ReadAloud}}
	if err := d.db.CreateCustomer(ctx, mama); err != nil {
		t.Fatal(err)
	}
	staff := d.browser()
	staff.signIn("amina@example.org")
	send := staff.get(fmt.Sprintf("/customers/%d/verify", mama.ID))
	wantStatus(t, send, 200)
	wantContains(t, send, `value="voice" checked`, "Read out on their phone: they dial *384*1234# and choose 3",
		"Mama Achieng has asked for things to be read aloud, so the code is read out on their phone. You can still choose SMS.")
	if strings.Contains(send.body, `value="sms" checked`) {
		t.Error("SMS is still the default")
	}
	wantLabelledControls(t, send)
	sw := staff.get(fmt.Sprintf("/customers/%d/verify?lang=sw", mama.ID))
	wantContains(t, sw, "apige *384*1234# na achague 3", "ameomba asomewe kwa sauti")

	// The officer sends it read out: no SMS, and the screen says what to dial.
	before, _ := d.db.Outbox(ctx, kindred.OutboxFilter{Purpose: "code"})
	path := codePath(t, staff.post(fmt.Sprintf("/customers/%d/codes", mama.ID), url.Values{"channel": {"voice"}}))
	after, _ := d.db.Outbox(ctx, kindred.OutboxFilter{Purpose: "code"})
	if len(after) != len(before) {
		t.Fatal("a read-out code sent an SMS")
	}
	wantContains(t, staff.get(path), "Mama Achieng can hear the code on the phone ending 900: dial *384*1234# and choose 3.")
	kiosk := d.browser()
	kiosk.signIn("kiosk@example.org")
	wantContains(t, kiosk.get(path), "To hear the code, dial *384*1234# on your phone and choose 3.")
	wantContains(t, kiosk.get("/verify"), "Cannot read the SMS? Dial *384*1234#")

	// The officer may still choose SMS.
	path = codePath(t, staff.post(fmt.Sprintf("/customers/%d/codes", mama.ID), url.Values{"channel": {"sms"}}))
	wantContains(t, staff.get(path), "If they cannot read the SMS, they can hear the same code: dial *384*1234# and choose 3.")

	// Low vision too; everyone else, SMS first.
	lowVision := &kindred.Customer{Name: "Baraka Otieno", Phone: "+254711000901", Accommodations: []kindred.Accommodation{kindred.LowVision}}
	if err := d.db.CreateCustomer(ctx, lowVision); err != nil {
		t.Fatal(err)
	}
	wantContains(t, staff.get(fmt.Sprintf("/customers/%d/verify", lowVision.ID)), `value="voice" checked`, "Baraka Otieno has low vision")
	plain := staff.get(fmt.Sprintf("/customers/%d/verify", d.seed.customer.ID))
	wantContains(t, plain, `value="sms" checked`)
	if strings.Contains(plain.body, "read-out-why") {
		t.Error("explains a read-out default that is not there")
	}
}
