package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestKioskKeepsTheVisitorsLanguageAndShowsNoStaffControls(t *testing.T) {
	d := newTestDesk(t)
	lobbySeed(t, d)
	kiosk := d.browser()
	kiosk.signIn("kiosk@example.org")
	// The kiosk account itself speaks English; a visitor chooses Kiswahili.
	page := kiosk.get("/lobby/kiosk?lang=sw")
	wantContains(t, page, `<form id="kiosk-form" method="post" action="/lobby/kiosk?lang=sw"`, "Chukua tiketi")
	for _, staffOnly := range []string{`id="sign-out"`, "Signed in as", "Umeingia kama"} {
		if strings.Contains(page.body, staffOnly) {
			t.Errorf("the public kiosk screen shows %q", staffOnly)
		}
	}
	r := kiosk.post("/lobby/kiosk?lang=sw", url.Values{"service": {"A"}})
	wantStatus(t, r, http.StatusSeeOther)
	ticket := kiosk.get(r.Header.Get("Location"))
	wantStatus(t, ticket, http.StatusOK)
	wantContains(t, ticket, `<html lang="sw">`, "Tiketi yako", `id="print-ticket"`, "Chapisha tiketi yangu", "print.js")
	if strings.Contains(ticket.body, `id="sign-out"`) {
		t.Error("the ticket page shows the sign-out button")
	}
	// Staff still see who they are.
	agent := d.browser()
	agent.signIn("amina@example.org")
	wantContains(t, agent.get("/lobby/desk"), `id="sign-out"`, "Signed in as Amina Wanjiru")
}
