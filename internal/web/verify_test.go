package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, apiCfg *api.Config, db *store.DB) {
		cfg.Verify = db
		apiCfg.Verify, apiCfg.OfficeHours = db, "Monday to Friday, 8:00 to 17:00"
	})
}

// testClock is a settable time for the console.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

var groupedDigits = regexp.MustCompile(`\b\d{3} \d{3}\b`)

// sentDigits returns the grouped digits of the newest SMS in the outbox.
func sentDigits(t *testing.T, d *testDesk) string {
	t.Helper()
	msgs, err := d.db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "code"})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no code SMS: %v", err)
	}
	g := groupedDigits.FindString(msgs[0].Body)
	if g == "" {
		t.Fatalf("no code in %q", msgs[0].Body)
	}
	return g
}

// codePath follows a 303 to the code screen and returns its path.
func codePath(t *testing.T, r response) string {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s: status %d, want 303:\n%.3000s", r.Request.URL.Path, r.StatusCode, r.body)
	}
	loc := r.Header.Get("Location")
	if !regexp.MustCompile(`^/codes/\d+$`).MatchString(loc) {
		t.Fatalf("redirected to %q", loc)
	}
	return loc
}

func TestStaffSendAndCheckACodeWithoutACountdown(t *testing.T) {
	clock := &testClock{}
	d := newTestDesk(t, func(c *Config) { c.Now = clock.now })
	b := d.browser()
	b.signIn("amina@example.org")
	cust := d.seed.customer
	send := b.get(fmt.Sprintf("/customers/%d/verify", cust.ID))
	wantStatus(t, send, 200)
	wantContains(t, send, "Baba Otieno", `value="sms" checked`, `value="voice"`, "verify.css")
	if strings.Contains(send.body, "helper-") {
		t.Error("offers a helper with no phone")
	}
	wantLabelledControls(t, send)

	wantStatus(t, b.post(fmt.Sprintf("/customers/%d/codes", cust.ID), url.Values{}), http.StatusUnprocessableEntity)
	path := codePath(t, b.post(fmt.Sprintf("/customers/%d/codes", cust.ID), url.Values{"channel": {"sms"}}))
	digits := sentDigits(t, d)

	page := b.get(path)
	wantStatus(t, page, 200)
	wantContains(t, page, `autocomplete="one-time-code"`, `inputmode="numeric"`, `class="code-input"`, "The code works until",
		`id="more-time-button"`, "phone ending 678", "Baba Otieno", "with or without the space, or paste it")
	// No countdown, no refresh, no field that refuses a pasted "482 913".
	for _, bad := range []string{"http-equiv", "maxlength", "seconds"} {
		if strings.Contains(strings.ToLower(page.body), bad) {
			t.Errorf("the code screen has %q", bad)
		}
	}
	if strings.Contains(page.body, digits) || strings.Contains(page.body, strings.ReplaceAll(digits, " ", "")) {
		t.Fatal("the screen shows the code")
	}
	wantLabelledControls(t, page)

	wrong := b.post(path+"/check", url.Values{"code": {"000 001"}})
	if strings.ReplaceAll(digits, " ", "") == "000001" {
		wrong = b.post(path+"/check", url.Values{"code": {"000 002"}})
	}
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	wantContains(t, wrong, "That is not the code. You can try 4 more times.", `aria-invalid="true"`, `value="000 00`)
	short := b.post(path+"/check", url.Values{"code": {"12"}})
	wantStatus(t, short, http.StatusUnprocessableEntity)
	wantContains(t, short, "Please type the 6 digits")

	// More time is a button; the page says the new clock time.
	clock.advance(5 * time.Minute)
	more := b.post(path+"/extend", nil)
	wantStatus(t, more, http.StatusSeeOther)
	after := b.get(more.Header.Get("Location"))
	wantContains(t, after, "You have more time. The code now works until")

	right := b.post(path+"/check", url.Values{"code": {strings.ReplaceAll(digits, " ", "")}})
	wantStatus(t, right, 200)
	wantContains(t, right, "The code is right.", "You are talking to Baba Otieno")
	if strings.Contains(right.body, `id="more-time-button"`) || strings.Contains(right.body, `id="check-code"`) {
		t.Error("a used code still offers more time or a check")
	}
	again := b.post(path+"/check", url.Values{"code": {digits}})
	wantStatus(t, again, http.StatusLocked) // used: the screen says it was right
	wantContains(t, again, "The code is right.")

	// Swahili.
	sw := b.get(path + "?lang=sw")
	wantContains(t, sw, "Andika nambari", "Nambari ni sahihi.")
}

func TestExpiredCodeOffersMoreTimeNotAWall(t *testing.T) {
	clock := &testClock{}
	d := newTestDesk(t, func(c *Config) { c.Now = clock.now })
	b := d.browser()
	b.signIn("amina@example.org")
	path := codePath(t, b.post(fmt.Sprintf("/customers/%d/codes", d.seed.customer.ID), url.Values{"channel": {"sms"}}))
	digits := sentDigits(t, d)
	clock.advance(11 * time.Minute)
	page := b.get(path)
	wantContains(t, page, "This code no longer works.", "Its time ran out at", `id="more-time-button"`, `id="new-code"`)
	dead := b.post(path+"/check", url.Values{"code": {digits}})
	wantStatus(t, dead, http.StatusLocked)
	wantStatus(t, b.post(path+"/extend", nil), http.StatusSeeOther)
	wantStatus(t, b.post(path+"/check", url.Values{"code": {digits}}), http.StatusOK)

	// Five wrong tries: dead, and no more time.
	path = codePath(t, b.post(fmt.Sprintf("/customers/%d/codes", d.seed.customer.ID), url.Values{"channel": {"sms"}}))
	digits = strings.ReplaceAll(sentDigits(t, d), " ", "")
	wrong := "000000"
	if digits == wrong {
		wrong = "111111"
	}
	for range kindred.CodeMaxTries - 1 {
		wantStatus(t, b.post(path+"/check", url.Values{"code": {wrong}}), http.StatusUnprocessableEntity)
	}
	last := b.post(path+"/check", url.Values{"code": {wrong}})
	wantStatus(t, last, http.StatusLocked)
	wantContains(t, last, "It was typed wrong too many times.")
	if strings.Contains(last.body, `id="more-time-button"`) {
		t.Error("a locked code offers more time")
	}
}

func TestKioskFindsTheCodeByPhoneAndShowsNoName(t *testing.T) {
	d := newTestDesk(t)
	staff := d.browser()
	staff.signIn("amina@example.org")
	codePath(t, staff.post(fmt.Sprintf("/customers/%d/codes", d.seed.customer.ID), url.Values{"channel": {"sms"}}))
	digits := sentDigits(t, d)

	kiosk := d.browser()
	kiosk.signIn("kiosk@example.org")
	wantStatus(t, kiosk.get(fmt.Sprintf("/customers/%d/verify", d.seed.customer.ID)), http.StatusForbidden)
	wantStatus(t, kiosk.post(fmt.Sprintf("/customers/%d/codes", d.seed.customer.ID), url.Values{"channel": {"sms"}}), http.StatusForbidden)
	find := kiosk.get("/verify")
	wantStatus(t, find, 200)
	wantLabelledControls(t, find)
	wantStatus(t, kiosk.post("/verify", url.Values{"phone": {"not a phone"}}), http.StatusUnprocessableEntity)
	none := kiosk.post("/verify", url.Values{"phone": {"0799 000 000"}})
	wantStatus(t, none, http.StatusNotFound)
	wantContains(t, none, "There is no code waiting for this phone.")

	path := codePath(t, kiosk.post("/verify", url.Values{"phone": {"0712 345 678"}}))
	page := kiosk.get(path)
	wantStatus(t, page, 200)
	wantContains(t, page, `autocomplete="one-time-code"`)
	for _, private := range []string{"Otieno", "Joseph", "678", "/customers/"} {
		if strings.Contains(page.body, private) {
			t.Errorf("the kiosk's code screen shows %q", private)
		}
	}
	right := kiosk.post(path+"/check", url.Values{"code": {digits}})
	wantStatus(t, right, 200)
	wantContains(t, right, "The code is right.", "Please go back to the desk.")
	if strings.Contains(right.body, "Otieno") {
		t.Error("the kiosk names the customer")
	}
}
