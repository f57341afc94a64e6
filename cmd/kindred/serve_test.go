package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/store"
)

// served is `kindred serve` running in this process through run.
type served struct {
	url      string
	banner   []string      // stdout before the "listening" line
	draining chan struct{} // closed once shutdown has stopped accepting connections
	exit     chan int
	stderr   *lockedBuffer
	stop     context.CancelFunc // as SIGINT/SIGTERM does
}

func serveInProcess(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	s := &served{draining: make(chan struct{}), exit: make(chan int, 1), stderr: &lockedBuffer{}, stop: cancel}
	go func() {
		code := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), nil, outW, errW)
		outW.Close()
		errW.Close()
		s.exit <- code
	}()
	t.Cleanup(cancel)
	go func() {
		sc := bufio.NewScanner(errR)
		closed := false
		for sc.Scan() {
			s.stderr.Write([]byte(sc.Text() + "\n"))
			if !closed && strings.Contains(sc.Text(), "no longer accepting connections") {
				close(s.draining)
				closed = true
			}
		}
	}()
	sc := bufio.NewScanner(outR)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "kindred listening on "); ok {
			s.url = u
			break
		}
		s.banner = append(s.banner, sc.Text())
	}
	if s.url == "" {
		t.Fatalf("serve did not print its address; exit %d\n%s", <-s.exit, s.stderr)
	}
	go io.Copy(io.Discard, outR)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log of kindred serve at %s:\n%s", s.url, s.stderr)
		}
	})
	return s
}

// bannerValue returns the value printed after label in the first-run banner.
func (s *served) bannerValue(label string) string {
	for _, l := range s.banner {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), label); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeWelcomesFirstAdminOnceAndFinishesRequestsOnShutdown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kindred.db")
	s := serveInProcess(t, "--db", db)

	for _, path := range []string{"/healthz", "/readyz"} {
		if status, body := get(t, s.url+path); status != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}

	// The first start prints a one-time setup link, not a password.
	link := s.bannerValue("setup link")
	_, secret, _ := strings.Cut(link, "/setup?token=")
	if !strings.HasPrefix(link, s.url+"/setup?token=") || len(secret) < 40 {
		t.Fatalf("first-run banner lacks the setup link:\n%s", strings.Join(s.banner, "\n"))
	}
	if status, body := get(t, link); status != http.StatusOK || !strings.Contains(body, `id="setup"`) {
		t.Fatalf("GET the setup link: %d, want the setup form\n%s", status, body)
	}
	// The form creates the first administrator and signs them in, once.
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	email, password := "wanjiru@example.org", "correct horse battery staple"
	form := url.Values{"token": {secret}, "name": {"Wanjiru Kamau"}, "email": {email}, "password": {password}, "password2": {password}}
	if status, loc := postForm(t, browser, s.url+"/setup", form); status != http.StatusSeeOther || loc != "/inbox" {
		t.Fatalf("POST /setup: %d to %q, want 303 to /inbox", status, loc)
	}
	if status, _ := browserGet(t, browser, s.url+"/inbox"); status != http.StatusOK {
		t.Fatalf("GET /inbox after setup: %d, want 200 (signed in)", status)
	}
	form.Set("email", "someone-else@example.org")
	if status, _ := postForm(t, http.DefaultClient, s.url+"/setup", form); status != http.StatusForbidden {
		t.Fatalf("second use of the setup link: %d, want 403", status)
	}

	// An API token for the rest of the test, made as an operator would.
	code, stdout, stderr := runKindred("token", "create", "--db", db, "--role", "admin", "--name", "test")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, stderr)
	}
	token := lastLine(t, stdout)
	c := &apiClient{t: t, token: token, client: http.DefaultClient}
	c.base.Store(&s.url)
	var me struct{ Role string }
	c.mustDo("GET", "/api/v1/me", "", http.StatusOK, &me)
	if me.Role != "admin" {
		t.Errorf("/api/v1/me = %+v, want an admin", me)
	}

	// A request whose body is still arriving when the server is told to stop
	// must be answered. Expect: 100-continue tells us when the handler has
	// begun to read the body, i.e. the request is in flight.
	body, bodyW := io.Pipe()
	req, err := http.NewRequest("POST", s.url+"/api/v1/customers", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	reading := make(chan struct{})
	req = req.WithContext(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got100Continue: func() { close(reading) },
	}))
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	answered := make(chan int, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("in-flight request: %v", err)
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()

	<-reading
	s.stop()
	<-s.draining
	if conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://")); err == nil {
		conn.Close()
		t.Error("a new connection was accepted after shutdown began")
	}
	io.WriteString(bodyW, `{"name":"Late Arrival"}`)
	bodyW.Close()
	if status := <-answered; status != http.StatusCreated {
		t.Errorf("in-flight request answered %d, want 201", status)
	}
	if code := <-s.exit; code != 0 {
		t.Fatalf("serve exited %d after shutdown\n%s", code, s.stderr)
	}

	if logs := s.stderr.String(); strings.Contains(logs, password) || strings.Contains(logs, secret) {
		t.Errorf("the password or the setup secret was logged:\n%s", logs)
	}

	// The password typed in the setup form is the one stored, hashed with argon2id.
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	_, hash, err := d.AgentByEmail(context.Background(), email)
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || !auth.CheckPassword(hash, password) {
		t.Errorf("the password given at setup does not match the stored hash %.10s…", hash)
	}

	// The second start finds the administrator: no new link, and the
	// request that arrived during shutdown was kept.
	s = serveInProcess(t, "--db", db)
	if len(s.banner) > 0 {
		t.Errorf("second start printed a banner again:\n%s", strings.Join(s.banner, "\n"))
	}
	c.base.Store(&s.url)
	var customers []struct{ Name string }
	c.mustDo("GET", "/api/v1/customers?q=Late", "", http.StatusOK, &customers)
	if len(customers) != 1 || customers[0].Name != "Late Arrival" {
		t.Errorf("customers = %+v, want the one created during shutdown", customers)
	}
	s.stop()
	if code := <-s.exit; code != 0 {
		t.Fatalf("serve exited %d\n%s", code, s.stderr)
	}
}

// postForm posts form as a same-origin browser would and returns the status
// and the redirect target.
func postForm(t *testing.T, client *http.Client, target string, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func browserGet(t *testing.T, client *http.Client, target string) (int, string) {
	t.Helper()
	resp, err := client.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeRefusesBadSettingsBeforeTouchingTheDatabase(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"log format", []string{"--log-format", "xml"}, "--log-format"},
		{"region", []string{"--region", "Kenya"}, "--region"},
		{"address", []string{"--addr", "8080"}, "--addr"},
		{"time zone", []string{"--time-zone", "Nairobi"}, "--time-zone (or KINDRED_TIME_ZONE)"},
		{"USSD code", []string{"--ussd-code", "384*1234"}, "--ussd-code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "kindred.db")
			var stdout, stderr lockedBuffer
			code := run(context.Background(), append([]string{"serve", "--db", db}, tt.args...), nil, &stdout, &stderr)
			if code == 0 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want failure naming %s", code, stderr.String(), tt.want)
			}
			if _, err := os.Stat(db); err == nil {
				t.Error("the database was created despite bad settings")
			}
		})
	}
}
