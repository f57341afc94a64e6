package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"LobbyServicesAndDesks", testLobbyServicesAndDesks},
		suiteTest{"LobbyQueueOrderPriorityAndSMS", testLobbyQueue},
		suiteTest{"LobbyTicketKeepsPlaceWhenTransferred", testLobbyTransfer},
		suiteTest{"LobbyNumbersRestartEachDay", testLobbyNewDay},
		suiteTest{"LobbyOnePhoneTakesAFewTicketsADay", testLobbyTicketsPerPhone},
		suiteTest{"LobbyDesksCallingAtOnceNeverShareATicket", testLobbyConcurrentCalls},
		suiteTest{"LobbyListingShowsEachTicketItsOwnWait", testLobbyListingWaits},
	)
}

// lobbyFixture makes services A (Registration) and B (Payments), a standing
// desk 1 and a seated desk 2.
func lobbyFixture(t *testing.T, db *DB) (ctx context.Context, standing, seated *kindred.Desk) {
	t.Helper()
	ctx = ctxAs(0, "test")
	for _, q := range []kindred.Queue{{Code: "a", Name: "Registration"}, {Code: "B", Name: "Payments"}} {
		if err := db.CreateQueue(ctx, &q); err != nil {
			t.Fatal(err)
		}
	}
	standing, seated = &kindred.Desk{Name: "1"}, &kindred.Desk{Name: "2", Seated: true}
	for _, d := range []*kindred.Desk{standing, seated} {
		if err := db.CreateDesk(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	return ctx, standing, seated
}

func mustTicket(t *testing.T, db *DB, ctx context.Context, tk kindred.Ticket) *kindred.Ticket {
	t.Helper()
	if err := db.IssueTicket(ctx, &tk); err != nil {
		t.Fatalf("issue %+v: %v", tk, err)
	}
	return &tk
}

func testLobbyServicesAndDesks(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, standing, _ := lobbyFixture(t, db)
	wantField(t, db.CreateQueue(ctx, &kindred.Queue{Code: "A1", Name: "x"}), "code")
	wantField(t, db.CreateQueue(ctx, &kindred.Queue{Code: "C", Name: " "}), "name")
	wantKind(t, db.CreateQueue(ctx, &kindred.Queue{Code: "A", Name: "Again"}), kindred.Conflict)
	wantKind(t, db.CreateDesk(ctx, &kindred.Desk{Name: "1"}), kindred.Conflict)
	qs, err := db.Queues(ctx)
	if err != nil || len(qs) != 2 || qs[0].Code != "A" || qs[0].Name != "Registration" {
		t.Fatalf("services: %+v %v", qs, err)
	}

	_, err = db.OpenDesk(ctx, standing.ID, []string{"Z"})
	wantField(t, err, "services")
	_, err = db.OpenDesk(ctx, 999, []string{"A"})
	wantKind(t, err, kindred.NotFound)
	agent := mustAgent(t, db, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	d, err := db.OpenDesk(ctxAs(agent.ID, agent.Name), standing.ID, []string{"a", "B"})
	if err != nil || !d.Open || strings.Join(d.Services, ",") != "A,B" || d.AgentName != "Amina Wanjiru" || d.OpenedAt == nil {
		t.Fatalf("open desk: %+v %v", d, err)
	}
	_, err = db.CallNext(ctx, 999)
	wantKind(t, err, kindred.NotFound)
	if next, err := db.CallNext(ctx, standing.ID); err != nil || next != nil {
		t.Fatalf("call with nobody waiting: %+v %v", next, err)
	}
	d, err = db.CloseDesk(ctx, standing.ID)
	if err != nil || d.Open {
		t.Fatalf("close: %+v %v", d, err)
	}
	_, err = db.CallNext(ctx, standing.ID)
	wantKind(t, err, kindred.Conflict)
	acts := strings.Join(auditActions(t, db, kindred.AuditFilter{Subject: "lobby_desk"}), " ")
	for _, want := range []string{"lobby.desk.create", "lobby.desk.open", "lobby.desk.close"} {
		if !strings.Contains(acts, want) {
			t.Errorf("desk audit lacks %s: %s", want, acts)
		}
	}
}

func testLobbyQueue(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, standing, seated := lobbyFixture(t, db)

	wantField(t, db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "Z"}), "service")
	wantField(t, db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "A", Phone: "0711"}), "phone")
	wantField(t, db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "A", Language: "fr"}), "language")
	missing := int64(999)
	wantField(t, db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "A", CustomerID: &missing}), "customer_id")

	var tickets []*kindred.Ticket
	phones := []string{"", "", "+254711000001", "", "+254711000002", "+254711000003"}
	for i, phone := range phones {
		lang := "en"
		if i == 4 {
			lang = "sw"
		}
		tk := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A", Phone: phone, Language: lang})
		if want := []string{"A-001", "A-002", "A-003", "A-004", "A-005", "A-006"}[i]; tk.Number != want || tk.Position != i+1 {
			t.Fatalf("ticket %d: %s at %d", i, tk.Number, tk.Position)
		}
		if tk.Wait.DesksOpen != 0 || tk.Wait.HighMinutes <= tk.Wait.LowMinutes || tk.Wait.Method == "" {
			t.Fatalf("wait with no desk open: %+v", tk.Wait)
		}
		tickets = append(tickets, tk)
	}
	if tickets[5].Wait.LowMinutes <= tickets[1].Wait.LowMinutes {
		t.Errorf("sixth in line waits no longer than second: %+v vs %+v", tickets[5].Wait, tickets[1].Wait)
	}

	// Baba Otieno needs a seat: called sooner, to a chair, and the ticket
	// says only that, never why.
	baba := mustCustomer(t, db, kindred.Customer{Name: "Joseph Otieno", Language: "sw",
		Accommodations: []kindred.Accommodation{kindred.Seating, kindred.ExtraTime}})
	pri := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A", CustomerID: &baba.ID, Phone: "+254712345678"})
	if !pri.Priority || !pri.Seated || pri.Position != 1 || pri.Language != "sw" {
		t.Fatalf("priority ticket: %+v", pri)
	}
	if got, _ := db.Ticket(ctx, tickets[0].ID); got.Position != 2 {
		t.Fatalf("first arrival after the priority ticket: position %d", got.Position)
	}
	for _, e := range auditEntries(t, db, "lobby_ticket") {
		if strings.Contains(strings.ToLower(e.Detail), "seat") || strings.Contains(e.Detail, "Otieno") {
			t.Errorf("audit detail reveals why: %q", e.Detail)
		}
	}

	if _, err := db.OpenDesk(ctx, standing.ID, []string{"A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenDesk(ctx, seated.ID, []string{"A", "B"}); err != nil {
		t.Fatal(err)
	}
	// The standing desk leaves Baba Otieno to the seated desk.
	first, err := db.CallNext(ctx, standing.ID)
	if err != nil || first.Number != "A-001" || first.Status != kindred.TicketCalled || first.DeskName != "1" || first.Position != 0 {
		t.Fatalf("standing desk called %+v %v", first, err)
	}
	second, err := db.CallNext(ctx, seated.ID)
	if err != nil || second.ID != pri.ID || second.DeskName != "2" {
		t.Fatalf("seated desk called %+v %v", second, err)
	}
	called := smsTo(t, db, "ticket_called", "+254712345678")
	if len(called) != 1 || !strings.Contains(called[0].Body, "A-007") || !strings.Contains(called[0].Body, "meza 2") {
		t.Fatalf("called SMS in Swahili: %+v", called)
	}
	if called[0].CustomerID == nil || *called[0].CustomerID != baba.ID {
		t.Errorf("called SMS not linked to the customer")
	}

	// Waiting now: A-002, A-003 (phone), A-004, A-005 (phone, sw), A-006
	// (phone). A-006 was issued 5th in line, so it is told once when it
	// comes within three places.
	if n := len(smsTo(t, db, "ticket_near", "+254711000003")); n != 0 {
		t.Fatalf("near SMS too early: %d", n)
	}
	if _, err := db.CallNext(ctx, standing.ID); err != nil { // A-001 served, A-002 called
		t.Fatal(err)
	}
	near := smsTo(t, db, "ticket_near", "+254711000003")
	if len(near) != 1 || !strings.Contains(near[0].Body, "A-006") || !strings.Contains(near[0].Body, "3 people are ahead") {
		t.Fatalf("near SMS: %+v", near)
	}
	if sw := smsTo(t, db, "ticket_near", "+254711000002"); len(sw) != 1 || !strings.Contains(sw[0].Body, "Tiketi yako A-005") {
		t.Fatalf("Swahili near SMS: %+v", sw)
	}
	// A-003 was within three places when issued: the ticket in hand told it.
	if n := len(smsTo(t, db, "ticket_near", "+254711000001")); n != 0 {
		t.Fatalf("near SMS to a ticket issued near the front: %d", n)
	}
	if _, err := db.CallNext(ctx, standing.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(smsTo(t, db, "ticket_near", "+254711000003")); n != 1 {
		t.Fatalf("near SMS sent %d times", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM lobby_tickets WHERE status = 'served'"); n != 2 {
		t.Fatalf("calling next served %d tickets, want 2 (A-001, A-002)", n)
	}

	// Serve and no-show.
	a3, _ := db.Ticket(ctx, tickets[2].ID)
	_, err = db.ServeTicket(ctx, tickets[4].ID)
	wantKind(t, err, kindred.Conflict) // still waiting
	if got, err := db.NoShow(ctx, a3.ID); err != nil || got.Status != kindred.TicketNoShow || got.ClosedAt == nil {
		t.Fatalf("no-show: %+v %v", got, err)
	}
	if again, err := db.NoShow(ctx, a3.ID); err != nil || again.Status != kindred.TicketNoShow ||
		again.QueueName == "" || again.DeskID == nil || again.CreatedAt.IsZero() || again.ClosedAt == nil {
		t.Fatalf("no-show again, not the whole ticket: %+v %v", again, err)
	}
	_, err = db.ServeTicket(ctx, a3.ID)
	wantKind(t, err, kindred.Conflict)
	if got, err := db.ServeTicket(ctx, pri.ID); err != nil || got.Status != kindred.TicketServed {
		t.Fatalf("serve: %+v %v", got, err)
	}
	_, err = db.ServeTicket(ctx, 9999)
	wantKind(t, err, kindred.NotFound)

	// The board: numbers and desks, newest first; nobody's name or needs.
	b, err := db.Board(ctx)
	if err != nil || len(b.Called) != 0 || len(b.Services) != 2 {
		t.Fatalf("board: %+v %v", b, err)
	}
	next, _ := db.CallNext(ctx, seated.ID)
	b, _ = db.Board(ctx)
	if len(b.Called) != 1 || b.Called[0].Number != next.Number || b.Called[0].Desk != "2" {
		t.Fatalf("board calls: %+v", b.Called)
	}
	if b.Services[0].Code != "A" || b.Services[0].Waiting != 2 || b.Services[0].Wait.DesksOpen != 2 {
		t.Fatalf("board services: %+v", b.Services)
	}
	// Closing the desk ends what it was serving.
	if _, err := db.CloseDesk(ctx, seated.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Ticket(ctx, next.ID); got.Status != kindred.TicketServed {
		t.Fatalf("ticket at a closed desk: %s", got.Status)
	}
	// A staff decision moves a waiting ticket ahead.
	last := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	if last.Position != 3 {
		t.Fatalf("new ticket at %d", last.Position)
	}
	moved, err := db.SetTicketNeeds(ctx, last.ID, true, false)
	if err != nil || moved.Position != 1 || !moved.Priority || moved.Seated {
		t.Fatalf("priority by staff: %+v %v", moved, err)
	}
	byPhone, err := db.TicketByPhone(ctx, "+254711000003")
	if err != nil || byPhone.Number != "A-006" {
		t.Fatalf("by phone: %+v %v", byPhone, err)
	}
	_, err = db.TicketByPhone(ctx, "+254700000000")
	wantKind(t, err, kindred.NotFound)
	waiting, err := db.WaitingTickets(ctx, "A")
	if err != nil || len(waiting) != 3 || waiting[0].ID != last.ID || waiting[2].Number != "A-006" || waiting[2].Position != 3 {
		t.Fatalf("waiting: %+v %v", waiting, err)
	}
	acts := strings.Join(auditActions(t, db, kindred.AuditFilter{Subject: "lobby_ticket", Page: kindred.Page{Limit: 500}}), " ")
	for _, want := range []string{"lobby.ticket.issue", "lobby.ticket.call", "lobby.ticket.serve", "lobby.ticket.no_show", "lobby.ticket.needs"} {
		if !strings.Contains(acts, want) {
			t.Errorf("ticket audit lacks %s", want)
		}
	}
}

func testLobbyTransfer(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, standing, _ := lobbyFixture(t, db)
	early := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	b1 := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "B"})
	b2 := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "B"})
	if _, err := db.OpenDesk(ctx, standing.ID, []string{"A"}); err != nil {
		t.Fatal(err)
	}
	called, err := db.CallNext(ctx, standing.ID)
	if err != nil || called.ID != early.ID {
		t.Fatalf("call: %+v %v", called, err)
	}
	// At the desk it turns out A-001 needs Payments: it goes to B, keeps
	// its number, and stands where its arrival time puts it (before B-001).
	moved, err := db.TransferTicket(ctx, early.ID, "b")
	if err != nil || moved.Number != "A-001" || moved.QueueCode != "B" || moved.Status != kindred.TicketWaiting || moved.Position != 1 || moved.DeskID != nil {
		t.Fatalf("transfer: %+v %v", moved, err)
	}
	if got, _ := db.Ticket(ctx, b2.ID); got.Position != 3 {
		t.Fatalf("B-002 at %d after the transfer", got.Position)
	}
	if again, err := db.TransferTicket(ctx, early.ID, "B"); err != nil || again.Position != 1 {
		t.Fatalf("transfer again: %+v %v", again, err)
	}
	_, err = db.TransferTicket(ctx, early.ID, "Z")
	wantField(t, err, "service")
	_ = b1
	if acts := auditActions(t, db, kindred.AuditFilter{Subject: "lobby_ticket", SubjectID: early.ID}); acts[0] != "lobby.ticket.transfer" {
		t.Fatalf("transfer audit: %v", acts)
	}
}

func testLobbyNewDay(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, _, _ := lobbyFixture(t, db)
	old := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A", Phone: "+254711000009"})
	mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	tomorrow := db.now().Add(24 * time.Hour)
	db.now = func() time.Time { return tomorrow }
	fresh := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	if fresh.Number != "A-001" || fresh.Position != 1 {
		t.Fatalf("new day's first ticket: %s at %d", fresh.Number, fresh.Position)
	}
	if got, _ := db.Ticket(ctx, old.ID); got.Position != 0 {
		t.Fatalf("yesterday's ticket still in line at %d", got.Position)
	}
	_, err := db.TicketByPhone(ctx, "+254711000009")
	wantKind(t, err, kindred.NotFound)
}

// testLobbyTicketsPerPhone: every ticket with a phone sends SMS, so one
// phone gets TicketsPerPhonePerDay a day, across services, and then a clear
// refusal naming the phone; tickets without a phone and other phones are
// not affected, and the next day the phone may take tickets again.
func testLobbyTicketsPerPhone(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, _, _ := lobbyFixture(t, db)
	const phone = "+254711000042"
	for i := range kindred.TicketsPerPhonePerDay {
		mustTicket(t, db, ctx, kindred.Ticket{QueueCode: []string{"A", "B"}[i%2], Phone: phone})
	}
	err := db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "B", Phone: phone})
	wantKind(t, err, kindred.RateLimited)
	var ke *kindred.Error
	if !errors.As(err, &ke) || len(ke.Fields) != 1 || ke.Fields[0].Field != "phone" {
		t.Fatalf("the refusal does not name the phone field: %v", err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM lobby_tickets WHERE phone = '"+phone+"'"); n != kindred.TicketsPerPhonePerDay {
		t.Fatalf("%d tickets for one phone, want %d", n, kindred.TicketsPerPhonePerDay)
	}
	mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A", Phone: "+254711000043"})
	tomorrow := db.now().Add(24 * time.Hour)
	db.now = func() time.Time { return tomorrow }
	mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A", Phone: phone})
}

// testLobbyListingWaits checks that the desk's listing of the queue, which
// estimates a whole service at once, shows each ticket the position and the
// range its own page shows, with busy desks, shared desks and a history.
func testLobbyListingWaits(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, standing, seated := lobbyFixture(t, db)
	var offset atomic.Int64 // the clock, moved on by hand as well as by each reading
	tick := db.now
	db.now = func() time.Time { return tick().Add(time.Duration(offset.Load())) }
	third := &kindred.Desk{Name: "3"}
	if err := db.CreateDesk(ctx, third); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	}
	for range 6 {
		mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "B"})
	}
	for _, o := range []struct {
		desk     int64
		services []string
	}{{standing.ID, []string{"A"}}, {seated.ID, []string{"A", "B"}}, {third.ID, []string{"A"}}} {
		if _, err := db.OpenDesk(ctx, o.desk, o.services); err != nil {
			t.Fatal(err)
		}
	}
	// Six visits of a few minutes each at the standing desk, and a
	// seventh going on: enough history for the estimate to use its own.
	for _, minutes := range []int{4, 7, 3, 9, 5, 6, 8} {
		if _, err := db.CallNext(ctx, standing.ID); err != nil {
			t.Fatal(err)
		}
		offset.Add(int64(time.Duration(minutes) * time.Minute))
	}
	for _, d := range []int64{seated.ID, third.ID} {
		if _, err := db.CallNext(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	offset.Add(int64(2 * time.Minute))
	frozen := db.now()
	db.now = func() time.Time { return frozen }

	all, err := db.WaitingTickets(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	const waitingA = 20 - 7 - 2 // the seated desk called an A too: they came first
	if len(all) != waitingA+6 {
		t.Fatalf("%d waiting, want %d", len(all), waitingA+6)
	}
	places := map[string]int{}
	for _, tk := range all {
		places[tk.QueueCode]++
		own, err := db.Ticket(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Position != places[tk.QueueCode] || own.Position != tk.Position || own.Wait != tk.Wait {
			t.Fatalf("%s listed at %d with %+v; its own page says %d with %+v", tk.Number, tk.Position, tk.Wait, own.Position, own.Wait)
		}
	}
	if a := all[0]; a.QueueCode != "A" || a.Wait.DesksOpen != 3 || !strings.Contains(a.Wait.Method, "the last 6 service times") {
		t.Fatalf("first in line for A: %+v", a)
	}
	onlyA, err := db.WaitingTickets(ctx, "a")
	if err != nil || len(onlyA) != waitingA {
		t.Fatalf("waiting for A: %d %v", len(onlyA), err)
	}
	for i, tk := range onlyA {
		if tk.ID != all[i].ID || tk.Wait != all[i].Wait || tk.Position != i+1 {
			t.Fatalf("A listed alone, %d: %+v vs %+v", i, tk, all[i])
		}
	}
}

func smsTo(t *testing.T, db *DB, purpose, phone string) []kindred.OutboundMessage {
	t.Helper()
	ms, err := db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: purpose, Channel: kindred.ChannelSMS})
	if err != nil {
		t.Fatal(err)
	}
	var out []kindred.OutboundMessage
	for _, m := range ms {
		if m.To == phone {
			out = append(out, m)
		}
	}
	return out
}

func auditEntries(t *testing.T, db *DB, subject string) []kindred.AuditEntry {
	t.Helper()
	es, err := db.Audit(context.Background(), kindred.AuditFilter{Subject: subject, Page: kindred.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func testLobbyConcurrentCalls(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, _, _ := lobbyFixture(t, db)
	const desks, tickets = 4, 24
	var ids []int64
	for i := range desks {
		d := &kindred.Desk{Name: fmt.Sprintf("busy %d", i)}
		if err := db.CreateDesk(ctx, d); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenDesk(ctx, d.ID, []string{"A"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	var wg sync.WaitGroup
	for range tickets {
		wg.Go(func() {
			if err := db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "A"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := count(t, db, "SELECT COUNT(DISTINCT number) FROM lobby_tickets"); n != tickets {
		t.Fatalf("%d distinct numbers for %d tickets", n, tickets)
	}
	var mu sync.Mutex
	calls := map[int64]int{}
	for _, desk := range ids {
		wg.Go(func() {
			for {
				tk, err := db.CallNext(ctx, desk)
				if err != nil {
					t.Error(err)
					return
				}
				if tk == nil {
					return
				}
				mu.Lock()
				calls[tk.ID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(calls) != tickets {
		t.Fatalf("%d tickets called, want %d", len(calls), tickets)
	}
	for id, n := range calls {
		if n != 1 {
			t.Errorf("ticket %d called %d times", id, n)
		}
	}
}
