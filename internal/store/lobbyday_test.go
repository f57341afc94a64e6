package store

import (
	"slices"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites, suiteTest{"LobbyDayReportHoldsTheWaitToWhatWasTold", testLobbyDay})
}

// testLobbyDay plays a morning at a Nairobi office: three tickets for
// Registration (one called sooner), one for Payments; one served after two
// minutes' wait, one called after ten and recalled (the wait still ends at
// the first call), then not there, one served after twenty, one still
// waiting. The day's report counts each, takes the waits to the first call
// and the visits at the desk, holds each wait to the range the kiosk told,
// and counts the tickets taken hour by hour on the office's clock.
func testLobbyDay(t *testing.T, s suite) {
	db, _ := s.open(t)
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	db.SetLocation(nairobi)
	ctx, standing, _ := lobbyFixture(t, db)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, nairobi)
	db.now = func() time.Time { return at }
	clock := func(hh, mm int) { at = time.Date(2026, 3, 2, hh, mm, 0, 0, nairobi) }
	if _, err := db.OpenDesk(ctx, standing.ID, []string{"A", "B"}); err != nil {
		t.Fatal(err)
	}
	a1 := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	a2 := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	b1 := mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "B"})
	if _, err := db.SetTicketNeeds(ctx, b1.ID, false, true); err != nil { // to a chair: accommodated
		t.Fatal(err)
	}
	call := func(hh, mm int, want *kindred.Ticket) {
		t.Helper()
		clock(hh, mm)
		got, err := db.CallNext(ctx, standing.ID)
		if err != nil || got == nil || got.ID != want.ID {
			t.Fatalf("at %02d:%02d called %+v (%v), want %s", hh, mm, got, err, want.Number)
		}
	}
	call(9, 2, a1)
	call(9, 10, a2) // a1 served after 8 minutes at the desk
	clock(9, 12)
	if _, err := db.RecallTicket(ctx, a2.ID); err != nil {
		t.Fatal(err)
	}
	clock(9, 15)
	if _, err := db.NoShow(ctx, a2.ID); err != nil {
		t.Fatal(err)
	}
	call(9, 20, b1)
	clock(9, 25)
	if _, err := db.ServeTicket(ctx, b1.ID); err != nil {
		t.Fatal(err)
	}
	clock(10, 30)
	mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})
	// Another day's ticket is not this day's.
	at = at.Add(24 * time.Hour)
	mustTicket(t, db, ctx, kindred.Ticket{QueueCode: "A"})

	// What each was told, as the kiosk showed it.
	told := map[int64]int64{}
	for _, tk := range []*kindred.Ticket{a1, a2, b1} {
		told[tk.ID] = int64(tk.Wait.HighMinutes)
		if n := count(t, db, "SELECT COUNT(*) FROM lobby_tickets WHERE id = ? AND told_high = ? AND told_low = ?", tk.ID, tk.Wait.HighMinutes, tk.Wait.LowMinutes); n != 1 {
			t.Fatalf("ticket %s does not keep the wait it was told (%d to %d minutes)", tk.Number, tk.Wait.LowMinutes, tk.Wait.HighMinutes)
		}
	}
	within, lates := 0, []int64{}
	for id, waited := range map[int64]int64{a1.ID: 2, a2.ID: 10, b1.ID: 20} {
		if waited <= told[id] {
			within++
		} else {
			lates = append(lates, (waited-told[id])*60)
		}
	}

	d, err := db.LobbyDay(ctx, "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	secs := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	tot := d.Total
	if d.Day != "2026-03-02" || tot.Issued != 4 || tot.Served != 2 || tot.NoShow != 1 || tot.Open != 1 || tot.Accommodated != 1 {
		t.Fatalf("the day's counts: %+v", d)
	}
	// Waits 2, 10 (not 12: the recall is not a longer wait) and 20 minutes;
	// visits 8 and 5.
	if secs(tot.WaitP50) != 600 || secs(tot.WaitP90) != 1200 || secs(tot.ServiceP50) != 300 {
		t.Fatalf("waits %v / %v, visit %v; want 600 / 1200, 300", secs(tot.WaitP50), secs(tot.WaitP90), secs(tot.ServiceP50))
	}
	if tot.Told != 3 || tot.WithinTold != within {
		t.Fatalf("told %d, within %d; want 3, %d (told %v)", tot.Told, tot.WithinTold, within, told)
	}
	// The kiosk assumes a desk serves one service at a time; this one served
	// two, so some were called later than told: by how much, at the median.
	slices.Sort(lates)
	if want := float64(lates[(len(lates)*50+99)/100-1]); len(lates) == 0 || secs(tot.LateP50) != want {
		t.Fatalf("late by %v s at the median, want the median of %v", secs(tot.LateP50), lates)
	}
	if len(d.Services) != 2 || d.Services[0].Code != "A" || d.Services[0].Name != "Registration" || d.Services[1].Code != "B" {
		t.Fatalf("services: %+v", d.Services)
	}
	a, b := d.Services[0], d.Services[1]
	if a.Issued != 3 || a.Served != 1 || a.NoShow != 1 || a.Open != 1 || secs(a.WaitP50) != 120 || secs(a.WaitP90) != 600 || secs(a.ServiceP50) != 480 {
		t.Fatalf("Registration: %+v", a)
	}
	if b.Issued != 1 || b.Served != 1 || b.Accommodated != 1 || secs(b.WaitP50) != 1200 || secs(b.ServiceP50) != 300 {
		t.Fatalf("Payments: %+v", b)
	}
	// Hours on Nairobi's clock: 09:00 three, 10:30 one.
	if len(d.Hours) != 2 || d.Hours[0] != (kindred.LobbyHour{Hour: 9, Issued: 3}) || d.Hours[1] != (kindred.LobbyHour{Hour: 10, Issued: 1}) {
		t.Fatalf("hours: %+v", d.Hours)
	}

	// Today is the clock's day; a day with nothing says so, service by service.
	today, err := db.LobbyDay(ctx, "")
	if err != nil || today.Day != "2026-03-03" || today.Total.Issued != 1 || len(today.Services) != 2 {
		t.Fatalf("today: %+v %v", today, err)
	}
	empty, err := db.LobbyDay(ctx, "2026-02-01")
	if err != nil || empty.Total.Issued != 0 || empty.Total.WaitP50 != nil || len(empty.Hours) != 0 || len(empty.Services) != 2 {
		t.Fatalf("an empty day: %+v %v", empty, err)
	}
	_, err = db.LobbyDay(ctx, "2 March")
	wantField(t, err, "day")
}
