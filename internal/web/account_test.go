package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, apiCfg *api.Config, db *store.DB) {
		cfg.Accounts, apiCfg.Accounts = db, db
	})
}

// linkIn returns the password link shown on an admin page, as a path.
func linkIn(t *testing.T, r response) string {
	t.Helper()
	m := regexp.MustCompile(`<output id="new-link-url" class="secret">([^<]+)</output>`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no link on the page:\n%s", r.body)
	}
	u, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func TestAnInvitedAgentSetsAPasswordOnceAndSignsIn(t *testing.T) {
	d := newTestDesk(t)
	admin := d.browser()
	admin.signIn("admin@example.org")

	// The form offers the least privilege first.
	wantContains(t, admin.get("/admin"), `<option value="agent" selected>Agent</option>`)
	r := admin.post("/admin/agents", url.Values{"name": {"Baraka Mwita"}, "email": {"baraka@example.org"}, "role": {"agent"}})
	wantStatus(t, r, http.StatusCreated)
	wantContains(t, r, "The invitation for Baraka Mwita is below.", "Not yet: no password set")
	link := linkIn(t, r)
	if !strings.HasPrefix(link, kindred.PasswordLinkPath) {
		t.Fatalf("link %q", link)
	}

	baraka := d.browser()
	page := baraka.get(link)
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page, "Welcome to kindred, Baraka Mwita", `value="baraka@example.org"`)
	if page.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("the page whose address holds the secret sends Referer headers")
	}
	token := strings.TrimPrefix(link, kindred.PasswordLinkPath)

	// Bad input gets its reasons and spends nothing.
	r = baraka.post("/password", url.Values{"token": {token}, "password": {"short"}, "password2": {"short"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Password: ")
	r = baraka.post("/password", url.Values{"token": {token}, "password": {testPassword}, "password2": {testPassword + "!"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "the two passwords are not the same")

	r = baraka.post("/password", url.Values{"token": {token}, "password": {testPassword}, "password2": {testPassword}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/inbox" {
		t.Fatalf("after setting the password: to %q", loc)
	}
	wantStatus(t, baraka.get("/inbox"), http.StatusOK)

	// Once only.
	again := d.browser()
	wantStatus(t, again.get(link), http.StatusForbidden)
	wantStatus(t, again.post("/password", url.Values{"token": {token}, "password": {"another long password"}, "password2": {"another long password"}}), http.StatusForbidden)
	again.signIn("baraka@example.org")

	wantContains(t, admin.get("/admin"), `<td data-label="Can sign in" class="can-sign-in">Yes</td>`)
	if n := countRows(t, d, "SELECT COUNT(*) FROM audit WHERE action IN ('password_link.create', 'password_link.use')"); n != 2 {
		t.Errorf("%d link entries in the audit log, want 2", n)
	}
}

func TestAResetLinkReplacesAForgottenPassword(t *testing.T) {
	d := newTestDesk(t)
	amina := d.browser()
	amina.signIn("amina@example.org")
	admin := d.browser()
	admin.signIn("admin@example.org")
	r := admin.post(fmt.Sprintf("/admin/agents/%d/link", d.seed.agent.ID), nil)
	wantStatus(t, r, http.StatusCreated)
	wantContains(t, r, "The password reset link for Amina Wanjiru is below.")
	link := linkIn(t, r)
	wantContains(t, d.browser().get(link), "Set a new password")

	// Making another link kills this one.
	newer := linkIn(t, admin.post(fmt.Sprintf("/admin/agents/%d/link", d.seed.agent.ID), nil))
	wantStatus(t, d.browser().get(link), http.StatusForbidden)

	token := strings.TrimPrefix(newer, kindred.PasswordLinkPath)
	wantStatus(t, d.browser().post("/password", url.Values{"token": {token}, "password": {"a brand new password"}, "password2": {"a brand new password"}}), http.StatusSeeOther)
	// The old password and the browser signed in with it no longer work.
	wantStatus(t, amina.get("/inbox"), http.StatusSeeOther)
	wantStatus(t, d.browser().post("/login", url.Values{"email": {"amina@example.org"}, "password": {testPassword}}), http.StatusUnauthorized)
	wantStatus(t, d.browser().post("/login", url.Values{"email": {"amina@example.org"}, "password": {"a brand new password"}}), http.StatusSeeOther)
}

func TestAnAgentChangesTheirOwnPassword(t *testing.T) {
	d := newTestDesk(t)
	amina := d.browser()
	amina.signIn("amina@example.org")
	other := d.browser()
	other.signIn("amina@example.org")

	page := amina.get("/account")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page, `<h1>Your account</h1>`, `<label for="current">Current password</label>`, `<a href="/account" aria-current="page">Signed in as Amina Wanjiru</a>`)

	tests := []struct {
		name, current, password, again, want string
	}{
		{"wrong current password", "not my password", "a brand new password", "a brand new password", "Current password: is not your current password"},
		{"too short", testPassword, "short", "short", "Password: "},
		{"copies differ", testPassword, "a brand new password", "a brand new passw0rd", "the two passwords are not the same"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := amina.post("/account/password", url.Values{"current": {tt.current}, "password": {tt.password}, "password2": {tt.again}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantContains(t, r, tt.want)
		})
	}
	wantStatus(t, amina.get("/inbox"), http.StatusOK) // nothing changed

	r := amina.post("/account/password", url.Values{"current": {testPassword}, "password": {"a brand new password"}, "password2": {"a brand new password"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantContains(t, amina.get(r.Header.Get("Location")), `id="password-changed"`)
	wantStatus(t, amina.get("/inbox"), http.StatusOK)       // this browser stays in
	wantStatus(t, other.get("/inbox"), http.StatusSeeOther) // the other is signed out
	wantStatus(t, d.browser().post("/login", url.Values{"email": {"amina@example.org"}, "password": {"a brand new password"}}), http.StatusSeeOther)
	if n := countRows(t, d, "SELECT COUNT(*) FROM audit WHERE action = 'agent.password' AND subject_id = ?", d.seed.agent.ID); n != 1 {
		t.Errorf("%d password changes audited, want 1", n)
	}
}

func TestServiceAccountsAreKeptApartFromPeople(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	gw := &kindred.Agent{Name: "SMS gateway", Role: kindred.RoleAgent}
	if err := d.db.CreateAgent(ctx, gw, ""); err != nil {
		t.Fatal(err)
	}
	invited := &kindred.Agent{Name: "Baraka Mwita", Email: "baraka@example.org", Role: kindred.RoleAgent}
	if err := d.db.CreateAgent(ctx, invited, ""); err != nil {
		t.Fatal(err)
	}
	admin := d.browser()
	admin.signIn("admin@example.org")
	page := admin.get("/admin")
	people, services, _ := strings.Cut(page.body, `id="service-accounts"`)
	if strings.Contains(people, "SMS gateway</td>") || !strings.Contains(services, "SMS gateway</td>") {
		t.Error("the service account is not listed apart from people")
	}
	if !strings.Contains(people, `<td data-label="Can sign in" class="can-sign-in">Not yet: no password set</td>`) {
		t.Error("an invited agent without a password is said to be able to sign in")
	}
	// Not offered as an assignee.
	amina := d.browser()
	amina.signIn("amina@example.org")
	conv := amina.get(fmt.Sprintf("/conversations/%d", d.seed.conv.ID))
	wantStatus(t, conv, http.StatusOK)
	if strings.Contains(conv.body, ">SMS gateway</option>") || strings.Contains(conv.body, ">Lobby kiosk</option>") {
		t.Error("a service account or kiosk is offered as an assignee")
	}
	wantContains(t, conv, ">Amina Wanjiru</option>")
}
