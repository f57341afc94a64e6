package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func TestSignInSucceedsAndSetsASafeSessionCookie(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	r := b.get("/login")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `<form id="login" method="post" action="/login"`, `id="email" name="email"`,
		`id="password" name="password"`, `<button id="sign-in" type="submit"`)

	r = b.post("/login", url.Values{"email": {"Amina@Example.org"}, "password": {testPassword}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/inbox" {
		t.Errorf("signed in to %q, want /inbox", loc)
	}
	var ck *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "kindred_session" {
			ck = c
		}
	}
	if ck == nil {
		t.Fatal("no kindred_session cookie")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over plain http", ck)
	}
	if len(ck.Value) < 43 {
		t.Errorf("session secret %d characters, want 256 bits", len(ck.Value))
	}
	// Only the hash is stored.
	if n := countRows(t, d, "SELECT COUNT(*) FROM sessions WHERE hash = ?", hashSecret(ck.Value)); n != 1 {
		t.Errorf("%d sessions stored under the secret's hash, want 1", n)
	}
	wantStatus(t, b.get("/inbox"), http.StatusOK)

	// Going where you were headed after signing in.
	b2 := d.browser()
	r = b2.get("/customers")
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/login?next=%2Fcustomers" {
		t.Fatalf("signed-out visit went to %q", loc)
	}
	r = b2.post("/login", url.Values{"email": {"amina@example.org"}, "password": {testPassword}, "next": {"/customers"}})
	if loc := r.Header.Get("Location"); loc != "/customers" {
		t.Errorf("after signing in went to %q, want /customers", loc)
	}
	r = d.browser().post("/login", url.Values{"email": {"amina@example.org"}, "password": {testPassword}, "next": {"//evil.example/"}})
	if loc := r.Header.Get("Location"); loc != "/inbox" {
		t.Errorf("next=//evil.example/ redirected to %q, want /inbox", loc)
	}
}

func TestSessionCookieIsSecureWhenToldOrOverTLS(t *testing.T) {
	d := newTestDesk(t, func(c *Config) { c.SecureCookies = true })
	r := d.browser().post("/login", url.Values{"email": {"amina@example.org"}, "password": {testPassword}})
	wantStatus(t, r, http.StatusSeeOther)
	for _, c := range r.Cookies() {
		if c.Name == "kindred_session" && !c.Secure {
			t.Error("with SecureCookies the session cookie is not Secure")
		}
	}
}

func TestSignInFailsWithTheSameWordsForUnknownEmailAndWrongPassword(t *testing.T) {
	d := newTestDesk(t)
	wrong := d.browser().post("/login", url.Values{"email": {"amina@example.org"}, "password": {"not the password"}})
	unknown := d.browser().post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"not the password"}})
	for _, r := range []response{wrong, unknown} {
		wantStatus(t, r, http.StatusUnauthorized)
		wantContains(t, r, `id="form-error"`, `role="alert"`, `<form id="login"`)
		if len(r.Cookies()) > 0 {
			t.Errorf("a failed sign-in set cookies: %v", r.Cookies())
		}
	}
	errText := regexp.MustCompile(`(?s)id="form-error".*?</div>`)
	if a, b := errText.FindString(wrong.body), errText.FindString(unknown.body); a != b || a == "" {
		t.Errorf("different words for a wrong password and an unknown email:\n%s\n%s", a, b)
	}
	// A disabled agent cannot sign in either.
	ctx := context.Background()
	if err := d.db.CreateAgent(ctx, &kindred.Agent{Name: "Gone", Email: "gone@example.org", Role: kindred.RoleAgent, Disabled: true}, mustHash(t)); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, d.browser().post("/login", url.Values{"email": {"gone@example.org"}, "password": {testPassword}}), http.StatusUnauthorized)
}

func TestSignInIsRateLimitedPerAddressAndPerEmail(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	d := newTestDesk(t, func(c *Config) { c.Now = func() time.Time { return time.Unix(0, now.Load()) } })
	b := d.browser()
	for i := range 5 {
		r := b.post("/login", url.Values{"email": {"amina@example.org"}, "password": {fmt.Sprintf("guess %d", i)}})
		wantStatus(t, r, http.StatusUnauthorized)
	}
	// The sixth try is refused even with the right password, and says when to come back.
	r := b.post("/login", url.Values{"email": {"amina@example.org"}, "password": {testPassword}})
	wantStatus(t, r, http.StatusTooManyRequests)
	wantContains(t, r, `id="form-error"`, "please wait 60 seconds")
	if ra := r.Header.Get("Retry-After"); ra != "60" {
		t.Errorf("Retry-After %q, want 60", ra)
	}
	// The same address trying another email is limited too.
	wantStatus(t, b.post("/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}}), http.StatusTooManyRequests)

	// A minute later, the right password works.
	now.Add(int64(time.Minute))
	wantStatus(t, b.post("/login", url.Values{"email": {"amina@example.org"}, "password": {testPassword}}), http.StatusSeeOther)
}

func TestSignOutEndsTheSession(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	r := b.get("/inbox")
	wantContains(t, r, `<form id="sign-out" method="post" action="/logout">`, `<button id="sign-out-button" type="submit">`)
	secret := ""
	u, _ := url.Parse(d.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "kindred_session" {
			secret = c.Value
		}
	}
	r = b.post("/logout", nil)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/login" {
		t.Errorf("signed out to %q", loc)
	}
	wantStatus(t, b.get("/inbox"), http.StatusSeeOther)
	if n := countRows(t, d, "SELECT COUNT(*) FROM sessions WHERE hash = ?", hashSecret(secret)); n != 0 {
		t.Error("the session is still stored after signing out")
	}
	// The old cookie, replayed, signs no one in.
	req, _ := http.NewRequest("GET", d.srv.URL+"/inbox", nil)
	req.AddCookie(&http.Cookie{Name: "kindred_session", Value: secret})
	wantStatus(t, d.browser().do(req), http.StatusSeeOther)
}

func TestCrossOriginFormPostsAreRefused(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	before := countRows(t, d, "SELECT COUNT(*) FROM messages")
	path := fmt.Sprintf("/conversations/%d/reply", d.seed.conv.ID)
	for _, hdr := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	} {
		req, _ := http.NewRequest("POST", d.srv.URL+path, strings.NewReader("body=sent+from+elsewhere"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		r := b.do(req)
		wantStatus(t, r, http.StatusForbidden)
		wantContains(t, r, "another website")
	}
	if after := countRows(t, d, "SELECT COUNT(*) FROM messages"); after != before {
		t.Errorf("a cross-origin post stored a message")
	}
	// The same form from the console's own pages works.
	wantStatus(t, b.post(path, url.Values{"body": {"Thank you, Baba Otieno."}}), http.StatusSeeOther)
}

const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func TestEveryPageHasSecurityHeadersLandmarksAndNoInlineCode(t *testing.T) {
	d := newTestDesk(t)
	admin := d.browser()
	admin.signIn("admin@example.org")
	pages := []struct {
		b    *browser
		path string
		want int
	}{
		{d.browser(), "/login", 200},
		{d.browser(), "/setup?token=nonsense", 403},
		{admin, "/inbox", 200},
		{admin, "/inbox?assignee=none&waiting=1&channel=desk&priority=normal", 200},
		{admin, fmt.Sprintf("/conversations/%d", d.seed.conv.ID), 200},
		{admin, "/customers", 200},
		{admin, fmt.Sprintf("/customers/%d", d.seed.customer.ID), 200},
		{admin, "/admin", 200},
		{admin, fmt.Sprintf("/admin/agents/%d", d.seed.agent.ID), 200},
		{admin, "/no/such/page", 404},
		{admin, "/conversations/999999", 404},
	}
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|\sstyle=|\son[a-z]+=|<style`)
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			r := p.b.get(p.path)
			wantStatus(t, r, p.want)
			h := r.Header
			if got := h.Get("Content-Security-Policy"); got != wantCSP {
				t.Errorf("CSP %q", got)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			if p.path[:6] != "/setup" && h.Get("Referrer-Policy") != "same-origin" {
				t.Errorf("Referrer-Policy %q", h.Get("Referrer-Policy"))
			}
			wantContains(t, r, `<a class="skip-link" href="#main">`, `<header`, `<nav aria-label=`, `<main id="main"`, `<h1>`,
				`<form id="text-size"`, `<button id="toggle-large-text"`, `<form id="language"`)
			if !regexp.MustCompile(`<html lang="(en|sw)">`).MatchString(r.body) {
				t.Error("no <html lang>")
			}
			if m := inline.FindString(r.body); m != "" {
				t.Errorf("inline script or style: %q", m)
			}
			if skip, main := strings.Index(r.body, "skip-link"), strings.Index(r.body, "<header"); skip > main {
				t.Error("the skip link is not first")
			}
			wantLabelledControls(t, r)
		})
	}
	static := admin.get("/static/style.css?v=" + d.console.static.version["style.css"])
	wantStatus(t, static, 200)
	if cc := static.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("versioned asset Cache-Control %q", cc)
	}
}

// wantLabelledControls checks that each input, select and textarea (but
// hidden inputs) has a <label for>, or is inside a label.
func wantLabelledControls(t *testing.T, r response) {
	t.Helper()
	ids := regexp.MustCompile(`<(?:input|select|textarea)\b([^>]*)>`)
	for _, m := range ids.FindAllStringSubmatch(r.body, -1) {
		attrs := m[1]
		if strings.Contains(attrs, `type="hidden"`) {
			continue
		}
		id := regexp.MustCompile(`\bid="([^"]+)"`).FindStringSubmatch(attrs)
		if id == nil {
			t.Errorf("a control without an id cannot be labelled: <%s>", attrs)
			continue
		}
		if !strings.Contains(r.body, `for="`+id[1]+`"`) && !regexp.MustCompile(`<label class="check"><input[^>]*id="`+id[1]+`"`).MatchString(r.body) {
			t.Errorf("control #%s has no label", id[1])
		}
	}
}

func TestKiosksAndAgentsSeeOnlyTheirPages(t *testing.T) {
	d := newTestDesk(t)
	kiosk := d.browser()
	kiosk.signIn("kiosk@example.org")
	for _, p := range []string{"/inbox", fmt.Sprintf("/conversations/%d", d.seed.conv.ID), fmt.Sprintf("/customers/%d", d.seed.customer.ID), "/customers", "/admin"} {
		r := kiosk.get(p)
		wantStatus(t, r, http.StatusForbidden)
		wantContains(t, r, "kiosk account", `<main id="main"`)
		if strings.Contains(r.body, "Otieno") {
			t.Errorf("%s shows a kiosk a customer's name", p)
		}
	}
	wantStatus(t, kiosk.get("/events"), http.StatusForbidden)
	wantStatus(t, kiosk.post(fmt.Sprintf("/conversations/%d/reply", d.seed.conv.ID), url.Values{"body": {"hi"}}), http.StatusForbidden)

	agent := d.browser()
	agent.signIn("amina@example.org")
	r := agent.get("/admin")
	wantStatus(t, r, http.StatusForbidden)
	wantContains(t, r, "ask an administrator")
	wantStatus(t, agent.post("/admin/agents", url.Values{"name": {"X"}, "role": {"admin"}}), http.StatusForbidden)
	wantStatus(t, agent.get("/inbox"), http.StatusOK)
}

func TestPagesRenderTheSeededDesk(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("admin@example.org")
	s := d.seed

	r := b.get("/inbox")
	wantContains(t, r, `<table id="inbox"`, `<form id="inbox-filters" method="get"`,
		fmt.Sprintf(`<a class="conversation-link" href="/conversations/%d">`, s.conv.ID),
		`<span class="badge">grieving</span>`, `<span class="badge">may need more time</span>`)
	// Baba Otieno (distressed, grieving, accommodations) comes before a calm change of address.
	if a, c := strings.Index(r.body, fmt.Sprintf("/conversations/%d\"", s.conv.ID)), strings.Index(r.body, fmt.Sprintf("/conversations/%d\"", s.quiet.ID)); a < 0 || c < 0 || a > c {
		t.Errorf("the inbox does not put the person most in need first")
	}
	r = b.get("/inbox?channel=email")
	if strings.Contains(r.body, fmt.Sprintf("/conversations/%d\"", s.conv.ID)) || !strings.Contains(r.body, fmt.Sprintf("/conversations/%d\"", s.quiet.ID)) {
		t.Error("the channel filter does not filter")
	}
	r = b.get("/inbox?assignee=me")
	if strings.Contains(r.body, `class="conversation-link"`) {
		t.Error("'mine' shows conversations nobody assigned to me")
	}

	r = b.get(fmt.Sprintf("/conversations/%d", s.conv.ID))
	wantStatus(t, r, 200)
	wantContains(t, r, `<ol id="history"`, `<li class="message in"`, `<li class="message out"`,
		`<aside id="customer-card"`, "<strong>Joseph Otieno</strong> — likes to be called <strong>Baba Otieno</strong>",
		"BAH-bah oh-TYEH-no", `aria-hidden="true"`, "Give extra time", "Achieng Otieno", "his hands go numb in the cold",
		`<form id="reply-form"`, `<textarea id="reply" name="body"`, `<button id="send" type="submit"`, `<button id="check"`,
		`<button id="simpler"`, `<section id="coach" aria-live="polite"`, `id="coach-score"`, `<ol id="coach-suggestions">`,
		`<div id="coach-highlights">`, `<form id="note-form"`, `<form id="assign-form"`, `<form id="status-form"`, `<form id="tags-form"`)
	// Reading the sensitive note was audited.
	if n := countRows(t, d, "SELECT COUNT(*) FROM audit WHERE action = 'note.read_sensitive'"); n == 0 {
		t.Error("reading a sensitive note on the customer card was not audited")
	}

	r = b.get(fmt.Sprintf("/customers/%d", s.customer.ID))
	wantContains(t, r, `<main id="main"`, "Joseph Otieno", "Give extra time", "Achieng Otieno", "in person at desk 3",
		`<form id="add-helper"`, `<form id="add-note"`, "Pension payment missing", fmt.Sprintf(`action="/helpers/%d/revoke"`, s.helper.ID))

	r = b.get("/admin")
	wantContains(t, r, `<form id="create-agent"`, `<form id="create-token"`, "Amina Wanjiru", "Lobby kiosk")
}

func TestAdminMakesAgentsAndTokensShowingTheSecretOnce(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("admin@example.org")
	r := b.post("/admin/agents", url.Values{"name": {"Baraka"}, "email": {"baraka@example.org"}, "role": {"lead"}, "password": {"short"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "at least 12 characters")
	wantStatus(t, b.post("/admin/agents", url.Values{"name": {"Baraka"}, "email": {"baraka@example.org"}, "role": {"lead"}, "password": {testPassword}}), http.StatusSeeOther)
	d.browser().signIn("baraka@example.org")

	r = b.post("/admin/tokens", url.Values{"agent": {strconv.FormatInt(d.seed.agent.ID, 10)}, "name": {"sms gateway"}})
	wantStatus(t, r, http.StatusCreated)
	secret := regexp.MustCompile(`<output id="new-token-secret" class="secret">(kdr_[^<]+)</output>`).FindStringSubmatch(r.body)
	if secret == nil {
		t.Fatalf("the new token's secret is not shown:\n%s", r.body)
	}
	if strings.Contains(b.get("/admin").body, secret[1]) {
		t.Error("the secret is shown again")
	}
	toks, _ := d.db.Tokens(context.Background())
	wantStatus(t, b.post(fmt.Sprintf("/admin/tokens/%d/revoke", toks[0].ID), nil), http.StatusSeeOther)
	if _, _, err := d.db.TokenByHash(context.Background(), hashSecret(secret[1])); kindred.ErrorKind(err) != kindred.NotFound {
		t.Errorf("revoked token still works: %v", err)
	}
}

// coachScore posts a draft to the coach and returns the score it shows.
func coachScore(t *testing.T, b *browser, convID int64, draft string) (int, response) {
	t.Helper()
	r := b.post(fmt.Sprintf("/conversations/%d/coach", convID), url.Values{"body": {draft}})
	wantStatus(t, r, http.StatusOK)
	m := regexp.MustCompile(`<span id="coach-score">(\d+)</span>`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no score in the coach panel:\n%s", r.body)
	}
	n, _ := strconv.Atoi(m[1])
	return n, r
}

func TestCoachScoreRisesForAWarmerDraft(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	id := d.seed.conv.ID
	cold, r := coachScore(t, b, id, "Calm down. That is not our problem, you should have read the rules. <b>Wait</b>.")
	if strings.Contains(r.body, "<html") {
		t.Error("the coach answered a whole page, not the panel")
	}
	wantContains(t, r, `<ol id="coach-suggestions">`, `<div id="coach-highlights">`, "&lt;b&gt;Wait&lt;/b&gt;", `<mark class="hurts">`)
	if n := strings.Count(regexp.MustCompile(`(?s)<ol id="coach-suggestions">.*?</ol>`).FindString(r.body), "<li>"); n < 1 || n > 3 {
		t.Errorf("%d suggestions, want 1 to 3", n)
	}
	warm, r := coachScore(t, b, id, "Baba Otieno, I am so sorry for the loss of your wife, and I understand how worrying it is to wait for your pension. "+
		"I will call the pensions office myself today and ring you back by 4 pm on Friday with the payment date.")
	if warm <= cold {
		t.Errorf("warm draft scored %d, cold %d: want higher", warm, cold)
	}
	wantContains(t, r, `<mark class="helps">`)
	// An empty draft shows how to start, without a score.
	r = b.post(fmt.Sprintf("/conversations/%d/coach", id), url.Values{"body": {""}})
	wantContains(t, r, `<span id="coach-score"></span>`)

	// Without JavaScript: "Check my reply" renders the page with the panel and keeps the draft.
	r = b.post(fmt.Sprintf("/conversations/%d/check", id), url.Values{"body": {"Calm down."}, "action": {"check"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `<html`, `<textarea id="reply" name="body" rows="8" required aria-describedby="reply-hint">Calm down.</textarea>`)
	if !regexp.MustCompile(`<span id="coach-score">\d+</span>`).MatchString(r.body) {
		t.Error("the checked page has no score")
	}
}

func TestExplainItAgainMoreSimply(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	id := d.seed.conv.ID
	r := b.post(fmt.Sprintf("/conversations/%d/simpler", id), url.Values{"body": {""}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `<p id="simpler-text">`)
	r = b.post(fmt.Sprintf("/conversations/%d/check", id), url.Values{"body": {""}, "action": {"simpler"}})
	wantContains(t, r, `<p id="simpler-text">`, `<div id="simpler-box">`)
}

func TestSendingAReplyStoresItAnalysedAndShowsItInTheHistory(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	id := d.seed.conv.ID
	body := "Baba Otieno, I am sorry for your loss. I will ring you by 4 pm today with the payment date."
	r := b.post(fmt.Sprintf("/conversations/%d/reply", id), url.Values{"body": {body}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/conversations/%d", id) {
		t.Errorf("sent to %q", loc)
	}
	conv, err := d.db.Conversation(context.Background(), id, true)
	if err != nil {
		t.Fatal(err)
	}
	last := conv.Messages[len(conv.Messages)-1]
	if last.Body != body || last.Direction != kindred.Outbound || last.AuthorID == nil || *last.AuthorID != d.seed.agent.ID {
		t.Fatalf("last message %+v", last)
	}
	if last.Analysis == nil || last.Analysis.Compassion == nil {
		t.Error("the reply was stored without its analysis")
	}
	if conv.Status != kindred.StatusWaitingOnCustomer {
		t.Errorf("status %s after our reply", conv.Status)
	}
	r = b.get(fmt.Sprintf("/conversations/%d", id))
	wantContains(t, r, fmt.Sprintf(`<li class="message out" id="message-%d">`, last.ID), "I am sorry for your loss")

	// An empty reply is refused kindly, and nothing is stored.
	r = b.post(fmt.Sprintf("/conversations/%d/reply", id), url.Values{"body": {"   "}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, `id="form-error"`)

	// Internal notes, assignment, status and tags.
	wantStatus(t, b.post(fmt.Sprintf("/conversations/%d/note", id), url.Values{"body": {"Pension office ref 4471"}}), http.StatusSeeOther)
	wantStatus(t, b.post(fmt.Sprintf("/conversations/%d/assign", id), url.Values{"assignee": {strconv.FormatInt(d.seed.agent.ID, 10)}}), http.StatusSeeOther)
	wantStatus(t, b.post(fmt.Sprintf("/conversations/%d/assign", id), url.Values{"assignee": {strconv.FormatInt(d.seed.kiosk.ID, 10)}}), http.StatusUnprocessableEntity)
	wantStatus(t, b.post(fmt.Sprintf("/conversations/%d/status", id), url.Values{"status": {"resolved"}, "priority": {"high"}}), http.StatusSeeOther)
	wantStatus(t, b.post(fmt.Sprintf("/conversations/%d/tags", id), url.Values{"tags": {"Pension, follow-up"}}), http.StatusSeeOther)
	conv, _ = d.db.Conversation(context.Background(), id, true)
	if conv.AssigneeID == nil || *conv.AssigneeID != d.seed.agent.ID || conv.Status != kindred.StatusResolved ||
		conv.Priority != kindred.PriorityHigh || strings.Join(conv.Tags, ",") != "follow-up,pension" {
		t.Errorf("conversation after the forms: %+v", conv)
	}
	if m := conv.Messages[len(conv.Messages)-1]; m.Direction != kindred.InternalNote || m.Analysis != nil {
		t.Errorf("the note %+v", m)
	}
	wantContains(t, b.get("/inbox?assignee=me&resolved=1"), fmt.Sprintf(`href="/conversations/%d"`, id))
}

func TestCustomerProfileFormsRecordHelpersNotesAndNeeds(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	cid := d.seed.customer.ID
	r := b.post(fmt.Sprintf("/customers/%d/helpers", cid), url.Values{"name": {"Omondi"}, "relation": {"son"}, "scopes": {"act_on_conversations"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "How the customer gave consent", `value="Omondi"`)
	wantStatus(t, b.post(fmt.Sprintf("/customers/%d/helpers", cid), url.Values{"name": {"Omondi"}, "relation": {"son"},
		"scopes": {"act_on_conversations"}, "consent": {"by phone, recorded call 12"}}), http.StatusSeeOther)
	wantStatus(t, b.post(fmt.Sprintf("/helpers/%d/revoke", d.seed.helper.ID), nil), http.StatusSeeOther)
	wantStatus(t, b.post(fmt.Sprintf("/customers/%d/notes", cid), url.Values{"body": {"Prefers mornings"}}), http.StatusSeeOther)
	wantStatus(t, b.post(fmt.Sprintf("/customers/%d/accommodations", cid), url.Values{"accommodations": {"low_vision", "read_aloud"}}), http.StatusSeeOther)
	ctx := context.Background()
	hs, _ := d.db.Helpers(ctx, cid)
	if len(hs) != 2 || hs[0].RevokedAt == nil || hs[1].Consent != "by phone, recorded call 12" || hs[1].CreatedBy != d.seed.agent.ID {
		t.Errorf("helpers %+v", hs)
	}
	c, _ := d.db.Customer(ctx, cid)
	if fmt.Sprint(c.Accommodations) != "[low_vision read_aloud]" {
		t.Errorf("accommodations %v", c.Accommodations)
	}
	wantContains(t, b.get(fmt.Sprintf("/customers/%d", cid)), "Prefers mornings", "No longer a helper")
}

func TestPreferencesAreRememberedAcrossSessions(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	path := fmt.Sprintf("/conversations/%d", d.seed.conv.ID)
	r := b.post("/preferences", url.Values{"large": {"on"}, "back": {path}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != path {
		t.Errorf("back to %q, want %q", loc, path)
	}
	wantContains(t, b.get(path), `<body class="large-text"`, `aria-pressed="true">Large text`)
	wantStatus(t, b.post("/preferences", url.Values{"lang": {"sw"}, "back": {"https://evil.example/"}}), http.StatusSeeOther)

	// Another browser, another day: the same preferences.
	other := d.browser()
	other.signIn("amina@example.org")
	r = other.get("/inbox")
	wantContains(t, r, `<html lang="sw">`, `<body class="large-text"`, "Kikasha", "Ruka hadi maudhui makuu")
	p, _ := d.db.Preferences(context.Background(), d.seed.agent.ID)
	if !p.LargeText || p.Language != "sw" {
		t.Errorf("stored preferences %+v", p)
	}
	// ?lang=en overrides for one page.
	wantContains(t, other.get("/inbox?lang=en"), `<html lang="en">`, ">Inbox<")

	// Before signing in, the choice is kept in cookies.
	anon := d.browser()
	wantStatus(t, anon.post("/preferences", url.Values{"large": {"on"}, "lang": {"sw"}, "back": {"/login"}}), http.StatusSeeOther)
	// Larger text keeps the language the page was read in; a new language
	// replaces it.
	if loc := anon.post("/preferences", url.Values{"large": {"off"}, "back": {"/login?lang=en"}}).Header.Get("Location"); loc != "/login?lang=en" {
		t.Errorf("after the text-size toggle on /login?lang=en: back to %q", loc)
	}
	if loc := anon.post("/preferences", url.Values{"lang": {"sw"}, "back": {"/login?lang=en"}}).Header.Get("Location"); loc != "/login" {
		t.Errorf("after choosing Kiswahili on /login?lang=en: back to %q", loc)
	}
	anon.post("/preferences", url.Values{"large": {"on"}, "back": {"/login"}})
	wantContains(t, anon.get("/login"), `<html lang="sw">`, `<body class="large-text"`, ">Ingia<")
}

func TestSwahiliPages(t *testing.T) {
	d := newTestDesk(t)
	r := d.browser().get("/login?lang=sw")
	wantContains(t, r, `<html lang="sw">`, "Barua pepe", "Nenosiri", `<button id="sign-in" type="submit" class="primary">Ingia</button>`)
	req, _ := http.NewRequest("GET", d.srv.URL+"/login", nil)
	req.Header.Set("Accept-Language", "sw-KE, en;q=0.5")
	wantContains(t, d.browser().do(req), `<html lang="sw">`)
	b := d.browser()
	b.signIn("amina@example.org")
	r = b.get(fmt.Sprintf("/conversations/%d?lang=sw", d.seed.conv.ID))
	wantContains(t, r, "Unayemsaidia", "hupenda kuitwa", "Hifadhi jibu (halitumwi)", "anaomboleza") // a desk conversation: the reply is recorded, not sent
}

func TestLiveUpdatesDeliverAMessagePostedThroughTheAPI(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	id := d.seed.conv.ID
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/events?conversation=%d", d.srv.URL, id), nil)
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := bufio.NewScanner(resp.Body)
	// The stream says hello once it is subscribed.
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "retry:") {
		t.Fatalf("first line %q", lines.Text())
	}

	api, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/conversations/%d/messages", d.srv.URL, id),
		strings.NewReader(`{"direction":"in","body":"Thank you, I will wait for your call."}`))
	api.Header.Set("Authorization", "Bearer "+d.seed.apiToken)
	api.Header.Set("Content-Type", "application/json")
	ar, err := http.DefaultClient.Do(api)
	if err != nil {
		t.Fatal(err)
	}
	ar.Body.Close()
	if ar.StatusCode != http.StatusCreated {
		t.Fatalf("API post: %d", ar.StatusCode)
	}

	var gotMessage, gotInbox bool
	for lines.Scan() && !(gotMessage && gotInbox) {
		switch l := lines.Text(); {
		case l == "event: message":
			if !lines.Scan() {
				break
			}
			data := lines.Text()
			if !strings.Contains(data, `"conversation_id":`+strconv.FormatInt(id, 10)) || !strings.Contains(data, "I will wait for your call") ||
				!strings.Contains(data, `class=\"message in\"`) {
				t.Errorf("message event data %s", data)
			}
			gotMessage = true
		case l == "event: inbox":
			gotInbox = true
		}
	}
	if !gotMessage || !gotInbox {
		t.Fatalf("stream ended without the message and inbox events (message %v, inbox %v): %v", gotMessage, gotInbox, lines.Err())
	}
}

func TestSetupLinkIsSingleUseAndExpires(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	d := newEmptyDesk(t, func(c *Config) { c.Now = func() time.Time { return time.Unix(0, now.Load()) } })
	ctx := context.Background()
	link, err := NewSetupLink(ctx, d.db, d.srv.URL, time.Unix(0, now.Load()))
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(link, d.srv.URL)
	_, secret, _ := strings.Cut(link, "token=")

	r := d.browser().get("/setup")
	wantStatus(t, r, http.StatusForbidden)
	wantContains(t, r, "kindred serve")

	b := d.browser()
	r = b.get(path)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `<form id="setup"`, `id="password2"`)
	if r.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("the setup page may leak its secret in Referer")
	}
	form := url.Values{"token": {secret}, "name": {"Wanjiru Kamau"}, "email": {"wanjiru@example.org"}, "password": {testPassword}, "password2": {"something else entirely"}}
	r = b.post("/setup", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "not the same")
	form.Set("password2", testPassword)
	r = b.post("/setup", form)
	wantStatus(t, r, http.StatusSeeOther)
	wantStatus(t, b.get("/inbox"), http.StatusOK)
	if n, _ := d.db.CountAdmins(ctx); n != 1 {
		t.Errorf("%d admins after setup", n)
	}
	// Used once, the link is dead.
	form.Set("email", "second@example.org")
	r = d.browser().post("/setup", form)
	wantStatus(t, r, http.StatusForbidden)
	wantStatus(t, d.browser().get(path), http.StatusForbidden)

	// A link older than 24 hours does not work.
	d2 := newEmptyDesk(t, func(c *Config) { c.Now = func() time.Time { return time.Unix(0, now.Load()) } })
	link, err = NewSetupLink(ctx, d2.db, d2.srv.URL, time.Unix(0, now.Load()))
	if err != nil {
		t.Fatal(err)
	}
	now.Add(int64(24*time.Hour + time.Second))
	wantStatus(t, d2.browser().get(strings.TrimPrefix(link, d2.srv.URL)), http.StatusForbidden)
}

func countRows(t *testing.T, d *testDesk, query string, args ...any) int {
	t.Helper()
	// The store's readers are query-only; Audit and friends cover most
	// needs, and this covers the rest in tests.
	var n int
	if err := d.db.ReadTx(context.Background(), func(tx *storeTx) error {
		return tx.QueryRow(context.Background(), query, args...).Scan(&n)
	}); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestCoachSuggestsInTheConsoleLanguage: a Kiswahili console gets Kiswahili
// suggestions, an English one English, for the same draft.
func TestCoachSuggestsInTheConsoleLanguage(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	id := d.seed.conv.ID
	draft := "Kama nilivyosema, si kosa letu. Jaza fomu tena."
	suggestions := func(lang string) string {
		r := b.post(fmt.Sprintf("/conversations/%d/coach?lang=%s", id, lang), url.Values{"body": {draft}})
		wantStatus(t, r, http.StatusOK)
		return regexp.MustCompile(`(?s)<ol id="coach-suggestions">.*?</ol>`).FindString(r.body)
	}
	sw := suggestions("sw")
	if !strings.Contains(sw, "Ondoa “si kosa letu”") || strings.Contains(sw, "Remove") {
		t.Errorf("Kiswahili console, suggestions not in Kiswahili:\n%s", sw)
	}
	en := suggestions("en")
	if !strings.Contains(en, "Remove “si kosa letu”") {
		t.Errorf("English console, suggestions not in English:\n%s", en)
	}
}

// TestLiveStreamCatchesUpOnWhatItMissed: a message added after the page was
// drawn but before its stream opened (or while the connection was lost)
// comes first on the stream, from the page's last message (?after=) or the
// stream's last event (Last-Event-ID, which the browser sends when it
// reconnects); what the page has already is not sent again.
func TestLiveStreamCatchesUpOnWhatItMissed(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	// open opens the stream and returns the ids of the first message events
	// it sends, up to the end of the first event that carries one: those it
	// catches up with, or else (with whileOpen) the live one.
	open := func(after, lastEventID string, whileOpen func()) []string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, lines := b.openEventsAfter(ctx, after, lastEventID)
		defer resp.Body.Close()
		if whileOpen != nil {
			whileOpen()
		}
		var ids []string
		for lines.Scan() {
			l := lines.Text()
			if strings.HasPrefix(l, "id: ") {
				ids = append(ids, strings.TrimPrefix(l, "id: "))
			}
			if l == "" && len(ids) > 0 {
				break
			}
		}
		return ids
	}

	before := d.postInbound("The first letter came, thank you.")
	missed := d.postInbound("But the second one has not.")
	str := strconv.FormatInt
	if got := open(str(before, 10), "", nil); !slices.Equal(got, []string{str(missed, 10)}) {
		t.Errorf("after the page's last message %d: caught up %v, want [%d]", before, got, missed)
	}
	// A reconnect names the last event it had: nothing before it again,
	// and what comes next comes live.
	var live int64
	got := open(str(before, 10), str(missed, 10), func() { live = d.postInbound("It came now.") })
	if !slices.Equal(got, []string{str(live, 10)}) {
		t.Errorf("reconnected after %d: got %v, want only the live %d", missed, got, live)
	}
}
