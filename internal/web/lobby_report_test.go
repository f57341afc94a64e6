package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
)

func TestLobbyReportTellsTheLeadHowTheDayWent(t *testing.T) {
	d := newTestDesk(t)
	one, _ := lobbySeed(t, d)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	if _, err := d.db.OpenDesk(ctx, one.ID, []string{"A"}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := d.db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "A"}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // the first is served when the second is called
		if _, err := d.db.CallNext(ctx, one.ID); err != nil {
			t.Fatal(err)
		}
	}
	admin := d.browser()
	admin.signIn("admin@example.org")
	wantContains(t, admin.get(fmt.Sprintf("/lobby/desk?desk=%d", one.ID)), `<a id="lobby-report-link" href="/lobby/report">`)
	r := admin.get("/lobby/report")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "<h1>How the lobby&#39;s day went</h1>", "today, so far",
		"Tickets: 3. Served: 1. Not there when called: 0. Still waiting or at a desk: 2.",
		"Called within the wait the kiosk told them: ", " of 2 (",
		`<th scope="row" data-label="Service">Registration (A)</th>`, `<th scope="row" data-label="Service">Payments (B)</th>`,
		`<a id="report-prev" href="/lobby/report?day=`)
	if strings.Contains(r.body, "report-next") {
		t.Error("today's report leads to tomorrow")
	}
	// The hour the three tickets were taken, on the desk's clock.
	if !regexp.MustCompile(`<th scope="row" data-label="Hour">\d\d:00</th>\s*<td data-label="Tickets"><meter min="0" max="3" value="3" aria-hidden="true"></meter> 3</td>`).MatchString(r.body) {
		t.Error("the hour table does not show the three tickets")
	}

	r = admin.get("/lobby/report?day=2020-01-01")
	wantContains(t, r, "Nobody took a ticket this day.", "1 January 2020", `<a id="report-next" href="/lobby/report?day=2020-01-02">`)
	// A day that is no date is said beside the field; the page shows today.
	r = admin.get("/lobby/report?day=yesterday")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `aria-invalid="true"`, "Choose a date from the calendar", "Tickets: 3.")
	wantContains(t, admin.get("/lobby/report?lang=sw"), "Siku ya foleni ilivyokwenda", "Tiketi: 3. Wamehudumiwa: 1.")

	agent := d.browser()
	agent.signIn("amina@example.org")
	wantStatus(t, agent.get("/lobby/report"), http.StatusForbidden)
	if strings.Contains(agent.get(fmt.Sprintf("/lobby/desk?desk=%d", one.ID)).body, "lobby-report-link") {
		t.Error("an agent's desk page offers the day's report")
	}
}
