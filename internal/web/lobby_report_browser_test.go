package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/kindred-desk/kindred"
)

// TestAxeLobbyReport walks the lobby's day report as a lead reads it at
// closing time: from the desk page to today's figures, then the day before,
// which had nobody. axe-core finds no WCAG 2.2 AA violation on either
// screen, in English and Kiswahili, at normal size and large text.
func TestAxeLobbyReport(t *testing.T) {
	requireBrowser(t)
	d := newLobbyDesk(t)
	ctx := kindred.WithActor(context.Background(), seedActor)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)
	if _, err := d.db.CallNext(ctx, d.one.ID); err != nil { // one of the two waiting is called
		t.Fatal(err)
	}
	inEveryMode(t, d.url, d.admin, func(t *testing.T, tb *tab, mode string, large bool) {
		tb.open("/lobby/desk", http.StatusOK)
		tb.submit("a#lobby-report-link", http.StatusOK)
		tb.assertMode(large)
		tb.mustExist("p#report-honesty")
		tb.mustExist("table#report-hours tbody tr meter")
		checkAxe(tb, "lobby report, today ("+mode+")")

		tb.submit("a#report-prev", http.StatusOK)
		tb.mustExist("p#report-none")
		tb.assertMode(large)
		checkAxe(tb, "lobby report, a day with nobody ("+mode+")")
	})
}
