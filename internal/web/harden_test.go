package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
)

// A post to /setup without a live link is refused before its password is
// hashed: on a desk already set up, a flood of them costs a read each, not
// a second and 64 MiB each.
func TestSetupChecksTheLinkBeforeHashingThePassword(t *testing.T) {
	d := newTestDesk(t)
	before := auth.Hashes()
	for _, token := range []string{"", "not-a-link"} {
		r := d.browser().post("/setup", url.Values{"token": {token}, "name": {"Mallory"}, "email": {"m@example.org"},
			"password": {testPassword}, "password2": {testPassword}})
		wantStatus(t, r, http.StatusForbidden)
	}
	if n := auth.Hashes() - before; n != 0 {
		t.Errorf("%d passwords hashed for setup posts without a live link", n)
	}
	if n := countRows(t, d, "SELECT count(*) FROM agents WHERE email = 'm@example.org'"); n != 0 {
		t.Errorf("%d agents made without a link", n)
	}
}

// Parallel wrong passwords for one email are counted as they arrive, not
// after each hash: no more than the limit reach the password check, the
// rest are told to wait.
func TestParallelWrongPasswordsCannotPassTheLimit(t *testing.T) {
	d := newTestDesk(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	const n = 20
	before := auth.Hashes()
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each from its own client, so that the email's limit is the one tested.
			form := url.Values{"email": {"amina@example.org"}, "password": {fmt.Sprintf("guess %d", i)}}
			req, _ := http.NewRequest("POST", d.srv.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusUnauthorized] > 5 || count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != n {
		t.Errorf("statuses %v: want at most 5 × 401 and the rest 429", count)
	}
	if h := auth.Hashes() - before; h > 5+1 { // +1: the dummy hash, made once per process
		t.Errorf("%d passwords hashed for %d attempts with a limit of 5", h, n)
	}
}

// An agent with no password yet is refused after the same work as a wrong
// password: the timing must not tell who has no password.
func TestSignInWithoutAPasswordTakesAHashLikeAnyOther(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	if err := d.db.CreateAgent(ctx, &kindred.Agent{Name: "New Starter", Email: "new@example.org", Role: kindred.RoleAgent}, ""); err != nil {
		t.Fatal(err)
	}
	dummyHash() // made once per process; not what is measured
	for _, email := range []string{"new@example.org", "amina@example.org", "nobody@example.org"} {
		before := auth.Hashes()
		wantStatus(t, d.browser().post("/login", url.Values{"email": {email}, "password": {"not the password"}}), http.StatusUnauthorized)
		if n := auth.Hashes() - before; n != 1 {
			t.Errorf("%s: %d hashes for a refused sign-in, want 1 like every other", email, n)
		}
	}
}

func TestFailedSignInsAreLoggedAndAuditedWithoutSecrets(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	d := newTestDesk(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	})
	d.console.cfg.Audit = d.db
	const secretGuess = "hunter2-my-real-bank-password"
	wantStatus(t, d.browser().post("/login", url.Values{"email": {"amina@example.org"}, "password": {secretGuess}}), http.StatusUnauthorized)
	wantStatus(t, d.browser().post("/login", url.Values{"email": {secretGuess}, "password": {"x"}}), http.StatusUnauthorized)

	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if !strings.Contains(out, "sign-in failed") || !strings.Contains(out, fmt.Sprintf("agent=%d", d.seed.agent.ID)) ||
		!strings.Contains(out, `reason="wrong password"`) || !strings.Contains(out, `reason="unknown email"`) {
		t.Errorf("log lacks the failed sign-ins:\n%s", out)
	}
	if strings.Contains(out, secretGuess) {
		t.Errorf("the log holds what was typed:\n%s", out)
	}
	entries, err := d.db.Audit(context.Background(), kindred.AuditFilter{Subject: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	var found, unknown bool
	for _, e := range entries {
		if strings.Contains(e.Detail, secretGuess) {
			t.Errorf("audit entry holds what was typed: %+v", e)
		}
		if e.Action == "agent.sign_in_failed" {
			found = found || e.SubjectID == d.seed.agent.ID
			unknown = unknown || e.SubjectID == 0 && strings.Contains(e.Detail, "unknown email")
		}
	}
	if !found || !unknown {
		t.Errorf("audit lacks the failed sign-ins (wrong password %v, unknown email %v): %+v", found, unknown, entries)
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Behind a trusted proxy, each client has its own limit: five failures by
// one do not lock out the others, and a client cannot pose as another by
// writing X-Forwarded-For itself.
func TestSignInLimitIsPerClientBehindATrustedProxy(t *testing.T) {
	d := newTestDesk(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	post := func(xff, email string) response {
		b := d.browser()
		req, _ := http.NewRequest("POST", d.srv.URL+"/login", strings.NewReader(url.Values{"email": {email}, "password": {"wrong"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		return b.do(req)
	}
	for i := range 5 {
		wantStatus(t, post("203.0.113.7", fmt.Sprintf("guess%d@example.org", i)), http.StatusUnauthorized)
	}
	wantStatus(t, post("203.0.113.7", "another@example.org"), http.StatusTooManyRequests)
	// A spoofed left-hand address does not help: the proxy appended the real one.
	wantStatus(t, post("198.51.100.1, 203.0.113.7", "yet-another@example.org"), http.StatusTooManyRequests)
	// Someone else behind the same proxy is not locked out.
	wantStatus(t, post("203.0.113.8", "someone@example.org"), http.StatusUnauthorized)
}

func TestClientAddrTakesTheRightmostUntrustedHop(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"no proxy", "198.51.100.9:4000", nil, "198.51.100.9"},
		{"untrusted sender's header ignored", "198.51.100.9:4000", []string{"203.0.113.1"}, "198.51.100.9"},
		{"one trusted proxy", "10.0.0.2:4000", []string{"203.0.113.1"}, "203.0.113.1"},
		{"spoofed left hop ignored", "10.0.0.2:4000", []string{"1.2.3.4, 203.0.113.1"}, "203.0.113.1"},
		{"two trusted proxies", "10.0.0.2:4000", []string{"203.0.113.1, 10.1.1.1"}, "203.0.113.1"},
		{"headers in order", "10.0.0.2:4000", []string{"203.0.113.1", "10.1.1.1"}, "203.0.113.1"},
		{"garbage hop stops the walk", "10.0.0.2:4000", []string{"203.0.113.1, nonsense"}, "10.0.0.2"},
		{"only trusted hops", "10.0.0.2:4000", []string{"10.9.9.9"}, "10.9.9.9"},
		{"trusted proxy, no header", "10.0.0.2:4000", nil, "10.0.0.2"},
		{"IPv6 proxy", "[::1]:4000", []string{"2001:db8::5"}, "2001:db8::5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, h := range tc.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := ClientAddr(r, trusted); got != tc.want {
				t.Errorf("ClientAddr = %q, want %q", got, tc.want)
			}
		})
	}
}

// openEvents opens /events for a signed-in browser and reads its greeting.
func (b *browser) openEvents(ctx context.Context) (*http.Response, *bufio.Scanner) {
	return b.openEventsAfter(ctx, "", "")
}

// openEventsAfter is openEvents with ?after= (when not "") and a
// Last-Event-ID header (when not "").
func (b *browser) openEventsAfter(ctx context.Context, after, lastEventID string) (*http.Response, *bufio.Scanner) {
	b.t.Helper()
	url := fmt.Sprintf("%s/events?conversation=%d", b.d.srv.URL, b.d.seed.conv.ID)
	if after != "" {
		url += "&after=" + after
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	lines := bufio.NewScanner(resp.Body)
	if resp.StatusCode == http.StatusOK && (!lines.Scan() || !strings.HasPrefix(lines.Text(), "retry:")) {
		b.t.Fatalf("first line %q", lines.Text())
	}
	return resp, lines
}

// postInbound adds a customer's message through the API, as a gateway
// would, and returns its id.
func (d *testDesk) postInbound(body string) int64 {
	d.t.Helper()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/conversations/%d/messages", d.srv.URL, d.seed.conv.ID),
		strings.NewReader(fmt.Sprintf(`{"direction":"in","body":%q}`, body)))
	req.Header.Set("Authorization", "Bearer "+d.seed.apiToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ ID int64 }
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&m) != nil {
		d.t.Fatalf("API post: %d", resp.StatusCode)
	}
	return m.ID
}

// streamEnds reads the stream to its end and fails if it carries secret.
func streamEnds(t *testing.T, lines *bufio.Scanner, secret string) {
	t.Helper()
	for lines.Scan() {
		if strings.Contains(lines.Text(), secret) {
			t.Fatalf("the stream carried %q after its session ended", secret)
		}
	}
}

func TestLiveStreamEndsWhenItsSessionEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(d *testDesk, b *browser)
	}{
		{"signed out", func(d *testDesk, b *browser) { wantStatus(t, b.post("/logout", nil), http.StatusSeeOther) }},
		{"agent disabled by an admin", func(d *testDesk, b *browser) {
			admin := d.browser()
			admin.signIn("admin@example.org")
			r := admin.post(fmt.Sprintf("/admin/agents/%d", d.seed.agent.ID), url.Values{
				"name": {d.seed.agent.Name}, "role": {"agent"}, "team": {""}, "disabled": {"on"}})
			wantStatus(t, r, http.StatusSeeOther)
		}},
		{"agent disabled through the API", func(d *testDesk, b *browser) {
			ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
			off := true
			if _, err := d.db.UpdateAgent(ctx, d.seed.agent.ID, kindred.AgentUpdate{Disabled: &off}); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newTestDesk(t)
			b := d.browser()
			b.signIn("amina@example.org")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			resp, lines := b.openEvents(ctx)
			defer resp.Body.Close()
			wantStatus(t, response{Response: resp}, http.StatusOK)
			tc.end(d, b)
			// The API's token still works when only the session ended;
			// when the agent is disabled, post as the admin's process would.
			if tc.name == "signed out" {
				d.postInbound("A secret after sign-out")
			} else {
				d.console.Hub().Publish(kindred.Message{ID: 999, ConversationID: d.seed.conv.ID, Direction: kindred.Inbound, Body: "A secret after sign-out"})
			}
			streamEnds(t, lines, "A secret after sign-out")
			if ctx.Err() != nil {
				t.Fatal("the stream stayed open until the test's deadline")
			}
		})
	}
}

func TestOneSessionHoldsAtMostEightStreams(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range maxStreamsPerSession {
		resp, _ := b.openEvents(ctx)
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, _ := b.openEvents(ctx)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("stream %d: %d, want 429", maxStreamsPerSession+1, resp.StatusCode)
	}
	// Another person's session is not affected.
	other := d.browser()
	other.signIn("admin@example.org")
	resp, _ = other.openEvents(ctx)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("another session's stream: %d", resp.StatusCode)
	}
}

// A kiosk cannot take unlimited tickets for one phone (each sends SMS): past
// the day's few, it is told why, on the kiosk's own form.
func TestKioskTakesAFewTicketsPerPhoneADay(t *testing.T) {
	d := newTestDesk(t)
	lobbySeed(t, d)
	kiosk := d.browser()
	kiosk.signIn("kiosk@example.org")
	for i := range kindred.TicketsPerPhonePerDay {
		if r := kiosk.post("/lobby/kiosk", url.Values{"service": {"A"}, "phone": {"0712 345 678"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("ticket %d: %d", i+1, r.StatusCode)
		}
	}
	r := kiosk.post("/lobby/kiosk", url.Values{"service": {"A"}, "phone": {"0712 345 678"}})
	wantStatus(t, r, http.StatusTooManyRequests)
	wantContains(t, r, `id="form-error"`, "Phone: already has 4 tickets today")
	if n := countRows(t, d, "SELECT COUNT(*) FROM lobby_tickets WHERE phone = '+254712345678'"); n != kindred.TicketsPerPhonePerDay {
		t.Errorf("%d tickets for one phone", n)
	}
}

// FuzzClientAddr: any X-Forwarded-For is read without panicking, and the
// address named is one the request carried: the connecting address or a
// hop of the header.
func FuzzClientAddr(f *testing.F) {
	f.Add("10.0.0.2:4000", "203.0.113.1, 10.1.1.1")
	f.Add("[::1]:80", "2001:db8::5,  ,nonsense")
	f.Add("garbage", "")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := ClientAddr(r, trusted)
		if got == "" && remote != "" && !strings.HasPrefix(remote, ":") {
			t.Fatalf("ClientAddr(%q, %q) is empty", remote, xff)
		}
		// What the request carried: the connecting address as written, and
		// each hop as written or in its canonical form ("A::" is "a::"),
		// which is how ClientAddr names a hop so that one client is one key.
		carried := map[string]bool{remote: true}
		if host, _, err := net.SplitHostPort(remote); err == nil {
			carried[host] = true
		}
		for _, hop := range strings.Split(xff, ",") {
			hop = strings.TrimSpace(hop)
			carried[hop] = true
			if a, err := netip.ParseAddr(hop); err == nil {
				carried[a.Unmap().String()] = true
			}
		}
		if !carried[got] {
			t.Fatalf("ClientAddr(%q, %q) = %q, an address the request did not carry", remote, xff, got)
		}
	})
}
