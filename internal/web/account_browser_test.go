package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// accountDesk is the seeded desk with invitation and reset links wired in,
// as kindred serve wires them.
func accountDesk(t *testing.T) *desk {
	t.Helper()
	d := emptyDesk(t, func(db *store.DB, base string, c *web.Config, a *api.Config) {
		c.Accounts, a.Accounts = db, db
		c.BaseURL, a.BaseURL = base, base
	})
	ctx := kindred.WithActor(context.Background(), seedActor)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)
	d.agent = d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	d.seed(t, ctx)
	return d
}

// TestBrowserAdminInvitesAnAgentWhoSetsAPasswordAndSignsIn adds an agent on
// the admin page, opens the invitation in another browser, sets a password
// there and signs in with it; then the agent changes it on their account
// page. In English and Kiswahili, at normal size and in large-text mode,
// axe-core finds no WCAG 2.2 AA violation on any of these screens.
func TestBrowserAdminInvitesAnAgentWhoSetsAPasswordAndSignsIn(t *testing.T) {
	requireBrowser(t)
	d := accountDesk(t)
	n := 0
	for _, lang := range []string{"en", "sw"} {
		for _, large := range []bool{false, true} {
			mode := lang
			if large {
				mode += "-large"
			}
			n++
			email := fmt.Sprintf("baraka%d@desk.example", n)
			t.Run(mode, func(t *testing.T) {
				admin := newTab(t, d.url)
				admin.signIn(d.admin)
				admin.setLargeText(large)
				admin.submit(fmt.Sprintf(`form#language button[value="%s"]`, lang), http.StatusOK)
				admin.open("/admin", http.StatusOK)
				admin.assertMode(large)
				if got := eval[string](admin, `document.querySelector("select#agent-role").value`); got != "agent" {
					t.Errorf("Add agent offers role %q first, want agent (least privilege)", got)
				}
				checkAxe(admin, "admin ("+mode+")")
				admin.do("fill in the new agent",
					chromedp.SendKeys(chromedp.CSS("input#agent-name"), "Baraka Mwita"),
					chromedp.SendKeys(chromedp.CSS("input#agent-email"), email),
				)
				admin.submit("button#create-agent-button", http.StatusCreated)
				link := admin.text("#new-link-url")
				if !strings.HasPrefix(link, d.url+kindred.PasswordLinkPath) {
					t.Fatalf("the invitation shown is %q", link)
				}
				checkAxe(admin, "admin with invitation ("+mode+")")
				admin.screenshot("account-invitation-" + mode)

				// The new agent, in their own browser.
				baraka := newTab(t, d.url)
				baraka.open("/login", http.StatusOK)
				baraka.setLargeText(large)
				baraka.submit(fmt.Sprintf(`form#language button[value="%s"]`, lang), http.StatusOK)
				u, err := url.Parse(link)
				if err != nil {
					t.Fatal(err)
				}
				baraka.open(u.RequestURI(), http.StatusOK)
				baraka.assertMode(large)
				if eval[string](baraka, `document.documentElement.lang`) != lang {
					t.Errorf("the invitation page is not in %s", lang)
				}
				baraka.mustExist("form#set-password")
				checkAxe(baraka, "set password ("+mode+")")
				baraka.screenshot("account-set-password-" + mode)
				// Two different passwords: told so, nothing spent.
				baraka.do("type two different passwords",
					chromedp.SendKeys(chromedp.CSS("input#password"), "baraka's long pass phrase"),
					chromedp.SendKeys(chromedp.CSS("input#password2"), "baraka's long pass phrase!"),
				)
				baraka.submit("button#save-password", http.StatusUnprocessableEntity)
				baraka.mustExist("#form-error")
				checkAxe(baraka, "set password, problems ("+mode+")")
				baraka.do("type the password twice",
					chromedp.SendKeys(chromedp.CSS("input#password"), "baraka's long pass phrase"),
					chromedp.SendKeys(chromedp.CSS("input#password2"), "baraka's long pass phrase"),
				)
				baraka.submit("button#save-password", http.StatusOK)
				if got := baraka.path(); got != "/inbox" {
					t.Fatalf("after setting the password: on %s, want /inbox", got)
				}

				// Signing in again, with the new password.
				again := newTab(t, d.url)
				again.signIn(person{kindred.Agent{Email: email}, "baraka's long pass phrase"})
				again.setLargeText(large)
				again.submit(fmt.Sprintf(`form#language button[value="%s"]`, lang), http.StatusOK)
				again.open("/account", http.StatusOK)
				checkAxe(again, "account ("+mode+")")
				again.do("change the password",
					chromedp.SendKeys(chromedp.CSS("input#current"), "baraka's long pass phrase"),
					chromedp.SendKeys(chromedp.CSS("input#password"), "baraka's new long pass phrase"),
					chromedp.SendKeys(chromedp.CSS("input#password2"), "baraka's new long pass phrase"),
				)
				again.submit("button#change-password-button", http.StatusOK)
				again.mustExist("#password-changed")
				checkAxe(again, "account, changed ("+mode+")")
				again.screenshot("account-changed-" + mode)

				// The link is spent.
				baraka.open(u.RequestURI(), http.StatusForbidden)
				checkAxe(baraka, "spent link ("+mode+")")
				admin.noPageErrors()
				baraka.noPageErrors()
				again.noPageErrors()
			})
		}
	}
}
