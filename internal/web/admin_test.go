package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
)

func TestAdminEditsAnAgentFromTheAdminPage(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("admin@example.org")
	path := fmt.Sprintf("/admin/agents/%d", d.seed.agent.ID)

	wantContains(t, b.get("/admin"), `<a class="edit-agent" href="`+path+`">Edit<span class="visually-hidden"> Amina Wanjiru</span></a>`)
	r := b.get(path)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "<h1>Edit Amina Wanjiru</h1>", `<form id="edit-agent" method="post" action="`+path+`"`,
		`<label for="edit-name">Name</label>`, `<input id="edit-name" name="name" type="text" required value="Amina Wanjiru">`,
		`<label for="edit-role">Role</label>`, `<option value="agent" selected>Agent</option>`,
		`<label for="edit-team">Team</label>`, `aria-describedby="edit-team-hint"`,
		`<input id="edit-disabled" type="checkbox" name="disabled" value="1" aria-describedby="edit-disabled-hint"> Disabled: cannot sign in or use API tokens</label>`,
		"Signs in as amina@example.org.")
	if strings.Contains(r.body, "aria-invalid") {
		t.Error("a fresh form marks fields invalid")
	}

	r = b.post(path, url.Values{"name": {"Amina W. Wanjiru"}, "role": {"lead"}, "team": {"Pensions"}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/admin?saved=%d", d.seed.agent.ID) {
		t.Fatalf("redirected to %q", loc)
	}
	wantContains(t, b.get(r.Header.Get("Location")), `<p id="agent-saved" class="notice" role="status">The changes to Amina W. Wanjiru are saved.</p>`)
	a, err := d.db.Agent(context.Background(), d.seed.agent.ID)
	if err != nil || a.Name != "Amina W. Wanjiru" || a.Role != kindred.RoleLead || a.Team != "Pensions" || a.Disabled {
		t.Fatalf("after the edit: %+v %v", a, err)
	}
	if n := countRows(t, d, "SELECT COUNT(*) FROM audit WHERE action = 'agent.update' AND subject_id = ? AND actor_id = ?", a.ID, d.seed.admin.ID); n != 1 {
		t.Errorf("%d agent.update entries by the admin, want 1", n)
	}
	// In Kiswahili too.
	wantContains(t, b.get(path+"?lang=sw"), "Hariri Amina W. Wanjiru", "Imezimwa: hawezi kuingia wala kutumia tokeni za API", "Hifadhi mabadiliko")
}

func TestDisablingAnAgentRefusesTheirOpenSessionAndToken(t *testing.T) {
	d := newTestDesk(t)
	admin := d.browser()
	admin.signIn("admin@example.org")
	amina := d.browser()
	amina.signIn("amina@example.org")
	wantStatus(t, amina.get("/inbox"), http.StatusOK)
	apiGet := func() int {
		req, _ := http.NewRequest("GET", d.srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+d.seed.apiToken)
		return d.browser().do(req).StatusCode
	}
	if got := apiGet(); got != http.StatusOK {
		t.Fatalf("her token before: %d", got)
	}

	path := fmt.Sprintf("/admin/agents/%d", d.seed.agent.ID)
	form := url.Values{"name": {"Amina Wanjiru"}, "role": {"agent"}, "team": {""}, "disabled": {"1"}}
	wantStatus(t, admin.post(path, form), http.StatusSeeOther)
	wantContains(t, admin.get("/admin"), "No, disabled")
	wantContains(t, admin.get(path), `name="disabled" value="1" checked`)

	// Her open session is refused on its next request, and so is a form.
	r := amina.get("/inbox")
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("a disabled agent's session went to %q, want the sign-in page", loc)
	}
	before := countRows(t, d, "SELECT COUNT(*) FROM messages")
	wantStatus(t, amina.post(fmt.Sprintf("/conversations/%d/reply", d.seed.conv.ID), url.Values{"body": {"Hello"}}), http.StatusSeeOther)
	if countRows(t, d, "SELECT COUNT(*) FROM messages") != before {
		t.Error("a disabled agent's reply was stored")
	}
	if got := apiGet(); got != http.StatusUnauthorized {
		t.Errorf("her token while disabled: %d, want 401", got)
	}
	wantStatus(t, d.browser().post("/login", url.Values{"email": {"amina@example.org"}, "password": {testPassword}}), http.StatusUnauthorized)

	// Enabled again, she signs in afresh; her old session and token stay
	// ended (issue 17: re-enabling must not revive what may have leaked).
	delete(form, "disabled")
	wantStatus(t, admin.post(path, form), http.StatusSeeOther)
	if r := amina.get("/inbox"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("her old session once enabled: %d to %q, want the sign-in page", r.StatusCode, r.Header.Get("Location"))
	}
	if got := apiGet(); got != http.StatusUnauthorized {
		t.Errorf("her old token once enabled: %d, want 401", got)
	}
	fresh := d.browser()
	fresh.signIn("amina@example.org")
	wantStatus(t, fresh.get("/inbox"), http.StatusOK)
}

func TestAgentEditFormShowsProblemsBesideTheFields(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("admin@example.org")
	path := fmt.Sprintf("/admin/agents/%d", d.seed.agent.ID)

	r := b.post(path, url.Values{"name": {"  "}, "role": {"boss"}, "team": {"Cards"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, `<div id="form-error" class="form-error" role="alert"`,
		`aria-invalid="true" aria-describedby="edit-name-error"`, `<span id="edit-name-error" class="field-error">Name: is required</span>`,
		`aria-invalid="true" aria-describedby="edit-role-error"`, `<span id="edit-role-error" class="field-error">Role: &#34;boss&#34; is not allowed`,
		`value="Cards"`, "<h1>Edit Amina Wanjiru</h1>")
	wantLabelledControls(t, r)
	if a, _ := d.db.Agent(context.Background(), d.seed.agent.ID); a.Name != "Amina Wanjiru" || a.Team != "" {
		t.Fatalf("a refused form changed the agent: %+v", a)
	}

	// Grace is the only administrator who can sign in: she cannot step down.
	self := fmt.Sprintf("/admin/agents/%d", d.seed.admin.ID)
	for _, form := range []url.Values{
		{"name": {"Grace Admin"}, "role": {"lead"}},
		{"name": {"Grace Admin"}, "role": {"admin"}, "disabled": {"1"}},
	} {
		r = b.post(self, form)
		wantStatus(t, r, http.StatusConflict)
		wantContains(t, r, "This is the only administrator who can sign in.", `id="form-error"`)
	}
	wantStatus(t, b.get("/admin"), http.StatusOK)

	// With a second administrator, she may, and leaves the admin page.
	if _, err := d.db.UpdateAgent(context.Background(), d.seed.agent.ID, kindred.AgentUpdate{Role: ptr(kindred.RoleAdmin)}); err != nil {
		t.Fatal(err)
	}
	r = b.post(self, url.Values{"name": {"Grace Admin"}, "role": {"lead"}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/" {
		t.Errorf("after stepping down, sent to %q, want /", loc)
	}
	wantStatus(t, b.get("/admin"), http.StatusForbidden)
}

func TestOnlyAdministratorsOpenTheAgentEditForm(t *testing.T) {
	d := newTestDesk(t)
	path := fmt.Sprintf("/admin/agents/%d", d.seed.admin.ID)
	agent := d.browser()
	agent.signIn("amina@example.org")
	wantStatus(t, agent.get(path), http.StatusForbidden)
	wantStatus(t, agent.post(fmt.Sprintf("/admin/agents/%d", d.seed.agent.ID), url.Values{"name": {"Amina"}, "role": {"admin"}}), http.StatusForbidden)
	wantStatus(t, d.browser().get(path), http.StatusSeeOther) // signed out: to the sign-in page

	admin := d.browser()
	admin.signIn("admin@example.org")
	wantStatus(t, admin.get("/admin/agents/999999"), http.StatusNotFound)
	wantStatus(t, admin.get("/admin/agents/nobody"), http.StatusNotFound)
	wantStatus(t, admin.post("/admin/agents/999999", url.Values{"name": {"X"}, "role": {"agent"}}), http.StatusNotFound)

	// A form posted from another site is refused, like every console form.
	req, _ := http.NewRequest("POST", d.srv.URL+fmt.Sprintf("/admin/agents/%d", d.seed.agent.ID),
		strings.NewReader(url.Values{"name": {"Amina"}, "role": {"agent"}, "disabled": {"1"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r := admin.do(req)
	wantStatus(t, r, http.StatusForbidden)
	wantContains(t, r, "another website")
	if a, _ := d.db.Agent(context.Background(), d.seed.agent.ID); a.Disabled {
		t.Fatal("a cross-site post disabled the agent")
	}
}

func ptr[T any](v T) *T { return &v }
