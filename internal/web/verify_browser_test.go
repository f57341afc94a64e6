package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// verifyDesk is the seeded desk with one-time codes wired in, as kindred
// serve wires them, and a kiosk account.
func verifyDesk(t *testing.T) (*desk, person) {
	t.Helper()
	d := emptyDesk(t, func(db *store.DB, _ string, c *web.Config, a *api.Config) {
		c.Verify, a.Verify, a.OfficeHours = db, db, "Monday to Friday, 8:00 to 17:00"
		c.USSDCode = "*384*1234#" // every screen that offers the read-out names it
	})
	ctx := kindred.WithActor(context.Background(), seedActor)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)
	d.agent = d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	d.seed(t, ctx)
	kiosk := d.addAgent(t, ctx, "Lobby kiosk", "kiosk@desk.example", kindred.RoleKiosk)
	return d, kiosk
}

// codeCustomer adds a customer with a phone and a daughter who may receive
// codes: each subtest has its own, as codes are limited per customer.
func codeCustomer(t *testing.T, d *desk, n int) (*kindred.Customer, string) {
	t.Helper()
	ctx := kindred.WithActor(context.Background(), seedActor)
	phone := fmt.Sprintf("+25471200010%d", n)
	c := &kindred.Customer{Name: fmt.Sprintf("Mzee Kamau %d", n), PreferredName: "Mzee Kamau", Language: "sw", Phone: phone}
	if err := d.db.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	h := &kindred.Helper{CustomerID: c.ID, Name: "Wanjiru Kamau", Relation: "daughter", Phone: fmt.Sprintf("+25472200010%d", n),
		Scopes: []kindred.HelperScope{kindred.ScopeReceiveCodes}, Consent: "in person at desk 2, signed form"}
	if err := d.db.AddHelper(ctx, h); err != nil {
		t.Fatal(err)
	}
	return c, fmt.Sprintf("/customers/%d", c.ID)
}

var grouped = regexp.MustCompile(`\b\d{3} \d{3}\b`)

// lastCode reads the digits of the newest code SMS in the outbox.
func lastCode(t *testing.T, db *store.DB) string {
	t.Helper()
	msgs, err := db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "code"})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no code SMS: %v", err)
	}
	return grouped.FindString(msgs[0].Body)
}

// TestBrowserVerificationScreensPassAxe sends a code from the customer's
// page and types it on the desk's screen, in English and Swahili, at normal
// size and in large-text mode, and walks the kiosk's way in: axe-core finds
// no WCAG 2.2 AA violation on any screen.
func TestBrowserVerificationScreensPassAxe(t *testing.T) {
	requireBrowser(t)
	d, kiosk := verifyDesk(t)
	n := 0
	for _, lang := range []string{"en", "sw"} {
		for _, large := range []bool{false, true} {
			mode := lang
			if large {
				mode += "-large"
			}
			n++
			_, custPath := codeCustomer(t, d, n)
			t.Run(mode, func(t *testing.T) {
				tb := newTab(t, d.url)
				tb.signIn(d.agent)
				tb.setLargeText(large)
				tb.submit(fmt.Sprintf(`form#language button[value="%s"]`, lang), http.StatusOK)

				tb.open(custPath+"/verify", http.StatusOK)
				tb.assertMode(large)
				checkAxe(tb, "verify send ("+mode+")")
				tb.screenshot("verify-send-" + mode)
				tb.do("send to the daughter", chromedp.Click(chromedp.CSS(`input[name="channel"][value^="helper-"]`), chromedp.NodeVisible))
				tb.submit("button#send-code-button", http.StatusOK)
				if !strings.HasPrefix(tb.path(), "/codes/") {
					t.Fatalf("after sending: on %s", tb.path())
				}
				digits := lastCode(t, d.db)
				if got := eval[string](tb, `document.querySelector("input#code").getAttribute("autocomplete")`); got != "one-time-code" {
					t.Errorf("autocomplete %q", got)
				}
				size := eval[float64](tb, `parseFloat(getComputedStyle(document.querySelector("input#code")).fontSize)`)
				if size < 36 {
					t.Errorf("the code's digits are %.0f px; want large (at least 36)", size)
				}
				if eval[bool](tb, `document.activeElement && document.activeElement.id === "code"`) != true {
					t.Error("the code field does not have the focus")
				}
				checkAxe(tb, "verify code ("+mode+")")
				tb.screenshot("verify-code-" + mode)

				// A wrong code: the screen says so, keeps what was typed.
				wrong := "000 000"
				if digits == wrong {
					wrong = "111 111"
				}
				tb.do("type a wrong code", chromedp.SendKeys(chromedp.CSS("input#code"), wrong))
				tb.submit("button#check-code-button", http.StatusUnprocessableEntity)
				tb.mustExist("#code-error")
				if got := eval[string](tb, `document.querySelector("input#code").value`); got != wrong {
					t.Errorf("the field lost what was typed: %q", got)
				}
				checkAxe(tb, "verify wrong code ("+mode+")")
				tb.screenshot("verify-wrong-" + mode)

				// More time, then the right code, pasted without its space.
				tb.submit("button#more-time-button", http.StatusOK)
				tb.mustExist("#code-notice")
				checkAxe(tb, "verify more time ("+mode+")")
				tb.do("paste the code", chromedp.SetValue(chromedp.CSS("input#code"), strings.ReplaceAll(digits, " ", "")))
				tb.submit("button#check-code-button", http.StatusOK)
				tb.mustExist(".code-ok")
				checkAxe(tb, "verify right code ("+mode+")")
				tb.screenshot("verify-right-" + mode)
				tb.noPageErrors()
			})
		}
	}

	t.Run("kiosk", func(t *testing.T) {
		staff := newTab(t, d.url)
		staff.signIn(d.agent)
		cust, custPath := codeCustomer(t, d, 9)
		staff.open(custPath+"/verify", http.StatusOK)
		staff.submit("button#send-code-button", http.StatusOK)
		digits := lastCode(t, d.db)

		tb := newTab(t, d.url)
		tb.open("/login", http.StatusOK)
		tb.do("sign in as the kiosk",
			chromedp.SendKeys(chromedp.CSS("input#email"), kiosk.Email),
			chromedp.SendKeys(chromedp.CSS("input#password"), kiosk.password),
		)
		// Wait for the sign-in's own page load: the login page has a header
		// too, so waiting for one let the next navigation abort this one.
		tb.submit("button#sign-in", http.StatusOK)
		if got := tb.path(); got != "/verify" {
			t.Fatalf("the kiosk landed on %s, want /verify (this desk has no lobby)", got)
		}
		tb.setLargeText(true)
		checkAxe(tb, "verify kiosk phone (large)")
		tb.screenshot("verify-kiosk-large")
		tb.do("type the phone", chromedp.SendKeys(chromedp.CSS("input#phone"), cust.Phone))
		tb.submit("button#find-code-button", http.StatusOK)
		if strings.Contains(eval[string](tb, `document.body.innerText`), "Kamau") {
			t.Error("the kiosk shows the customer's name")
		}
		checkAxe(tb, "verify kiosk code (large)")
		tb.do("type the code", chromedp.SendKeys(chromedp.CSS("input#code"), digits))
		tb.submit("button#check-code-button", http.StatusOK)
		tb.mustExist(".code-ok")
		checkAxe(tb, "verify kiosk right (large)")
		tb.screenshot("verify-kiosk-right-large")
	})
}

// TestBrowserReadOutIsOfferedFirstToWhoCannotRead: for a customer with
// "read aloud" on file the send form offers the code read out first, says
// why, and names the number to dial; the code screen names it again. In
// English and Kiswahili, normal and large text, axe-core finds no
// violation.
func TestBrowserReadOutIsOfferedFirstToWhoCannotRead(t *testing.T) {
	requireBrowser(t)
	d, _ := verifyDesk(t)
	ctx := kindred.WithActor(context.Background(), seedActor)
	n := 0
	for _, lang := range []string{"en", "sw"} {
		for _, large := range []bool{false, true} {
			mode := lang
			if large {
				mode += "-large"
			}
			n++
			c := &kindred.Customer{Name: fmt.Sprintf("Mama Achieng %d", n), PreferredName: "Mama Achieng", Language: "sw",
				Phone: fmt.Sprintf("+25471300010%d", n), Accommodations: []kindred.Accommodation{kindred.ReadAloud}}
			if err := d.db.CreateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
			t.Run(mode, func(t *testing.T) {
				tb := newTab(t, d.url)
				tb.signIn(d.agent)
				tb.setLargeText(large)
				tb.submit(fmt.Sprintf(`form#language button[value="%s"]`, lang), http.StatusOK)
				tb.open(fmt.Sprintf("/customers/%d/verify", c.ID), http.StatusOK)
				if !eval[bool](tb, `document.querySelector('input[name="channel"][value="voice"]').checked`) {
					t.Fatal("the read-out is not chosen first for a customer who asked to be read to")
				}
				tb.mustExist("#read-out-why")
				if label := eval[string](tb, `document.querySelector('input[name="channel"][value="voice"]').parentElement.textContent`); !strings.Contains(label, "*384*1234#") {
					t.Errorf("the read-out choice does not name the number to dial: %q", label)
				}
				checkAxe(tb, "verify send, read out first ("+mode+")")
				tb.screenshot("verify-send-read-out-" + mode)
				tb.submit("button#send-code-button", http.StatusOK)
				if got := tb.text("#code-sent"); !strings.Contains(got, "*384*1234#") {
					t.Errorf("the code screen says %q: no number to dial", got)
				}
				checkAxe(tb, "verify code, read out ("+mode+")")
				tb.noPageErrors()
			})
		}
	}
}
