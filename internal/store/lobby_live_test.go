package store

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata" // Africa/Nairobi on a machine without zoneinfo

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"LobbyRecallCallsTheSameTicketAgain", testLobbyRecall},
		suiteTest{"LobbyTicketLinksToItsCustomer", testLobbyLinkCustomer},
		suiteTest{"LobbyChangesWakeTheDesksPages", testLobbyChangesAnnounced},
		suiteTest{"LobbyDayFollowsTheDesksTimeZone", testLobbyDayInTimeZone},
		suiteTest{"CodeSMSSaysTheDesksClockTime", testCodeSMSInTimeZone},
		suiteTest{"CodeReadOutSameDigitsOnEveryProcess", testCodeReadOutAcrossProcesses},
	)
}

// testLobbyRecall: a desk calls its ticket again. The board shows it first
// again (its called_at moves), the first recall sends the called SMS once
// more and later ones do not, every recall is audited, and a ticket that is
// waiting or closed cannot be recalled.
func testLobbyRecall(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, standing, seated := lobbyFixture(t, db)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := start
	db.now = func() time.Time { return now }
	for _, d := range []*kindred.Desk{standing, seated} {
		if _, err := db.OpenDesk(ctx, d.ID, []string{"A"}); err != nil {
			t.Fatal(err)
		}
	}
	const phone = "+254711000321"
	mine := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A", Phone: phone})
	other := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	waiting := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})

	_, err := db.RecallTicket(ctx, mine.ID)
	wantKind(t, err, kindred.Conflict) // not called yet
	called, err := db.CallNext(ctx, standing.ID)
	if err != nil || called.ID != mine.ID {
		t.Fatalf("call: %+v %v", called, err)
	}
	now = now.Add(time.Minute)
	if _, err := db.CallNext(ctx, seated.ID); err != nil { // the other desk calls A-002 after
		t.Fatal(err)
	}
	b, _ := db.Board(ctx)
	if len(b.Called) != 2 || b.Called[0].Number != other.Number {
		t.Fatalf("board before recall: %+v", b.Called)
	}

	now = now.Add(time.Minute)
	again, err := db.RecallTicket(ctx, mine.ID)
	if err != nil || again.Status != kindred.TicketCalled || again.Recalls != 1 || again.DeskName != "1" ||
		again.CalledAt == nil || !again.CalledAt.Equal(now) {
		t.Fatalf("recall: %+v %v", again, err)
	}
	b, _ = db.Board(ctx)
	if b.Called[0].Number != mine.Number || b.Called[0].Desk != "1" || !b.Called[0].CalledAt.Equal(now) {
		t.Fatalf("board after recall: %+v", b.Called)
	}
	if sms := smsTo(t, db, "ticket_called", phone); len(sms) != 2 || sms[1].Body != sms[0].Body {
		t.Fatalf("called SMS after the first recall: %+v", sms)
	}
	now = now.Add(time.Minute)
	if twice, err := db.RecallTicket(ctx, mine.ID); err != nil || twice.Recalls != 2 {
		t.Fatalf("second recall: %+v %v", twice, err)
	}
	if n := len(smsTo(t, db, "ticket_called", phone)); n != 2 {
		t.Fatalf("%d called SMS after two recalls, want 2", n)
	}
	if got, _ := db.Desk(ctx, standing.ID); got.Current == nil || got.Current.ID != mine.ID || got.Current.Recalls != 2 {
		t.Fatalf("desk's current ticket: %+v", got.Current)
	}
	recalls := 0
	for _, e := range auditEntries(t, db, "lobby_ticket") {
		if e.Action == "lobby.ticket.recall" {
			recalls++
			if e.SubjectID != mine.ID || !strings.Contains(e.Detail, mine.Number) {
				t.Errorf("recall audit: %+v", e)
			}
		}
	}
	if recalls != 2 {
		t.Fatalf("%d recalls audited, want 2", recalls)
	}

	_, err = db.RecallTicket(ctx, waiting.ID)
	wantKind(t, err, kindred.Conflict)
	if _, err := db.ServeTicket(ctx, mine.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.RecallTicket(ctx, mine.ID)
	wantKind(t, err, kindred.Conflict)
	_, err = db.RecallTicket(ctx, 9999)
	wantKind(t, err, kindred.NotFound)
}

// testLobbyLinkCustomer: a walk-in's ticket is linked to their record,
// through a record merged into another to the one kept; a missing customer
// or a closed ticket is refused and changes nothing.
func testLobbyLinkCustomer(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, standing, _ := lobbyFixture(t, db)
	if _, err := db.OpenDesk(ctx, standing.ID, []string{"A"}); err != nil {
		t.Fatal(err)
	}
	amina := mustCustomer(t, db, kindred.Customer{Name: "Amina Odhiambo", Phone: "+254722000111"})
	tk := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A", Phone: "+254722000111"})
	if tk.CustomerID != nil {
		t.Fatalf("a kiosk ticket came linked: %+v", tk)
	}
	_, err := db.LinkTicketCustomer(ctx, tk.ID, 9999)
	wantField(t, err, "customer_id")
	if got, _ := db.Ticket(ctx, tk.ID); got.CustomerID != nil {
		t.Fatalf("a refused link changed the ticket: %+v", got)
	}
	linked, err := db.LinkTicketCustomer(ctx, tk.ID, amina.ID)
	if err != nil || linked.CustomerID == nil || *linked.CustomerID != amina.ID || linked.Position != 1 {
		t.Fatalf("link: %+v %v", linked, err)
	}
	// A duplicate record, merged into Amina's: the ticket is hers.
	dup := mustCustomer(t, db, kindred.Customer{Name: "A. Odhiambo", Phone: "+254722000111"})
	if _, err := db.MergeCustomers(ctx, amina.ID, dup.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := db.LinkTicketCustomer(ctx, tk.ID, dup.ID); err != nil || *got.CustomerID != amina.ID {
		t.Fatalf("link through a merged record: %+v %v", got, err)
	}
	if _, err := db.CallNext(ctx, standing.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ServeTicket(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.LinkTicketCustomer(ctx, tk.ID, amina.ID)
	wantKind(t, err, kindred.Conflict)
	if acts := strings.Join(auditActions(t, db, kindred.AuditFilter{Subject: "lobby_ticket", SubjectID: tk.ID}), " "); strings.Count(acts, "lobby.ticket.customer") != 2 {
		t.Fatalf("link audit: %s", acts)
	}
}

// testLobbyChangesAnnounced: each committed change to the queue wakes the
// hooks of OnQueued(QueueLobby) once; a refused change does not.
func testLobbyChangesAnnounced(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx, standing, _ := lobbyFixture(t, db)
	var woken atomic.Int32
	db.OnQueued(QueueLobby, func() { woken.Add(1) })
	step := func(what string, do func() error) {
		t.Helper()
		before := woken.Load()
		if err := do(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := woken.Load() - before; got != 1 {
			t.Fatalf("%s woke the desks' pages %d times, want 1", what, got)
		}
	}
	var tk *kindred.Ticket
	step("open a desk", func() error { _, err := db.OpenDesk(ctx, standing.ID, []string{"A"}); return err })
	step("issue a ticket", func() error { tk = mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"}); return nil })
	step("call next", func() error { _, err := db.CallNext(ctx, standing.ID); return err })
	step("recall", func() error { _, err := db.RecallTicket(ctx, tk.ID); return err })
	step("serve", func() error { _, err := db.ServeTicket(ctx, tk.ID); return err })
	before := woken.Load()
	if _, err := db.RecallTicket(ctx, tk.ID); kindred.ErrorKind(err) != kindred.Conflict {
		t.Fatalf("recall a served ticket: %v", err)
	}
	if woken.Load() != before {
		t.Fatal("a refused recall woke the desks' pages")
	}
}

// testLobbyDayInTimeZone: ticket numbers restart at midnight on the desk's
// clock. At 21:30 UTC it is already 00:30 the next day in Nairobi, so a
// Nairobi desk's next ticket is A-001 again, where a desk on UTC would
// give A-002.
func testLobbyDayInTimeZone(t *testing.T, s suite) {
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		loc  *time.Location
		want string
	}{{nairobi, "A-001"}, {time.UTC, "A-002"}} {
		t.Run(tt.loc.String(), func(t *testing.T) {
			db, _ := s.open(t)
			db.SetLocation(tt.loc)
			ctx, _, _ := lobbyFixture(t, db)
			now := time.Date(2026, 3, 2, 20, 30, 0, 0, time.UTC) // 23:30 in Nairobi
			db.now = func() time.Time { return now }
			mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A", Phone: "+254711000555"})
			now = now.Add(time.Hour)
			if got := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"}); got.Number != tt.want {
				t.Fatalf("the ticket after %s midnight is %s, want %s", tt.loc, got.Number, tt.want)
			}
		})
	}
}

// testCodeSMSInTimeZone: a code's SMS says when it stops working on the
// desk's clock, not the server's: 09:10 UTC is 12:10 in Nairobi.
func testCodeSMSInTimeZone(t *testing.T, s suite) {
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	db, _ := s.open(t)
	db.SetLocation(nairobi)
	c := mustCustomer(t, db, kindred.Customer{Name: "Wanjiru", Phone: "+254711000778", Language: "sw"})
	code := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	m, err := db.OutboundMessage(ctxAs(0, ""), *code.OutboxID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Body, "hadi saa 12:10") || strings.Contains(m.Body, "09:10") {
		t.Fatalf("SMS %q: want the Nairobi clock time 12:10", m.Body)
	}
	// A dead code's reason says the time on the same clock.
	_, err = db.CheckCode(ctxAs(0, ""), code.ID, "123456", time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC))
	if kindred.ErrorKind(err) != kindred.Locked || !strings.Contains(err.Error(), "12:10") {
		t.Fatalf("expired code: %v", err)
	}
}

// testCodeReadOutAcrossProcesses: two kindred processes on one database
// read a live code out as the same digits, the digits its SMS carried:
// they share the desk's code key, made once by whichever came first.
func testCodeReadOutAcrossProcesses(t *testing.T, s suite) {
	one, dsn := s.open(t)
	two := openDSN(t, dsn)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := mustCustomer(t, one, kindred.Customer{Name: "Otieno", Phone: "+254711000779"})
	code := mustIssue(t, two, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, now)
	sent := sentCode(t, two, code)
	for i, db := range []*DB{one, two, one} {
		r, err := db.ReadCode(ctxAs(0, ""), c.Phone, now.Add(time.Duration(i+1)*time.Minute))
		if err != nil || r.Digits != sent {
			t.Fatalf("reading %d: %+v %v, want the SMS's %s", i+1, r, err, sent)
		}
	}
	if n := count(t, one, "SELECT COUNT(*) FROM server_keys WHERE name = 'codes'"); n != 1 {
		t.Fatalf("%d code keys, want 1", n)
	}
	voice := mustIssue(t, one, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeByVoice}, now.Add(5*time.Minute))
	r1, err := one.ReadCode(ctxAs(0, ""), c.Phone, now.Add(6*time.Minute))
	if err != nil || r1.Code.ID != voice.ID {
		t.Fatalf("read the voice code: %+v %v", r1, err)
	}
	r2, err := two.ReadCode(ctxAs(0, ""), c.Phone, now.Add(7*time.Minute))
	if err != nil || r2.Digits != r1.Digits {
		t.Fatalf("the other process read %+v %v, want %s", r2, err, r1.Digits)
	}
	if got, err := two.CheckCode(ctxAs(0, ""), voice.ID, r1.Digits, now.Add(8*time.Minute)); err != nil || got.Status != kindred.CodeUsed {
		t.Fatalf("check: %+v %v", got, err)
	}
}
