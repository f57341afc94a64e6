package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kindred-desk/kindred/internal/store/storetest"
)

// postgresSchema returns the DSN of an empty schema in KINDRED_TEST_POSTGRES,
// dropped when the test ends, or skips the test when it is not set.
func postgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("KINDRED_TEST_POSTGRES")
	if base == "" {
		t.Skip("KINDRED_TEST_POSTGRES is not set")
	}
	return storetest.Schema(t, base)
}

// stream is an open console's live-update stream, read event by event.
type stream struct {
	events chan [2]string // event name, data
}

func openStream(t *testing.T, client *http.Client, target string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", target, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("GET %s: %d", target, resp.StatusCode)
	}
	s := &stream{events: make(chan [2]string, 100)}
	lines := bufio.NewScanner(resp.Body)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "retry:") {
		t.Fatalf("%s: first line %q", target, lines.Text())
	}
	go func() {
		defer resp.Body.Close()
		var name string
		for lines.Scan() {
			switch l := lines.Text(); {
			case strings.HasPrefix(l, "event: "):
				name = strings.TrimPrefix(l, "event: ")
			case strings.HasPrefix(l, "data: ") && name != "":
				s.events <- [2]string{name, strings.TrimPrefix(l, "data: ")}
				name = ""
			}
		}
	}()
	return s
}

// next returns the next event called name, skipping others, within 10 s.
func (s *stream) next(t *testing.T, name string) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-s.events:
			if e[0] == name {
				return e[1]
			}
		case <-deadline:
			t.Fatalf("no %q event within 10 s", name)
		}
	}
}

// count returns how many events called name containing what arrive within d.
func (s *stream) count(name, what string, d time.Duration) int {
	n := 0
	deadline := time.After(d)
	for {
		select {
		case e := <-s.events:
			if e[0] == name && strings.Contains(e[1], what) {
				n++
			}
		case <-deadline:
			return n
		}
	}
}

// TestServeLiveUpdatesReachEveryProcess: two kindred processes serve one
// PostgreSQL database. A message posted through one process's API appears,
// once, in the consoles open on both.
func TestServeLiveUpdatesReachEveryProcess(t *testing.T) {
	dsn := postgresSchema(t)
	a := serveInProcess(t, "--db", dsn)

	// The first administrator, through the setup link the first start
	// printed; the session is in the database, so it works on both.
	_, secret, _ := strings.Cut(a.bannerValue("setup link"), "/setup?token=")
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	password := "correct horse battery staple"
	form := url.Values{"token": {secret}, "name": {"Wanjiru Kamau"}, "email": {"wanjiru@example.org"}, "password": {password}, "password2": {password}}
	if status, loc := postForm(t, browser, a.url+"/setup", form); status != http.StatusSeeOther || loc != "/inbox" {
		t.Fatalf("POST /setup: %d to %q", status, loc)
	}
	b := serveInProcess(t, "--db", dsn)
	code, stdout, stderr := runKindred("token", "create", "--db", dsn, "--role", "admin", "--name", "test")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, stderr)
	}
	api := &apiClient{t: t, token: lastLine(t, stdout), client: http.DefaultClient}
	api.base.Store(&a.url)
	var cust, conv struct{ ID int64 }
	api.mustDo("POST", "/api/v1/customers", `{"name":"Grace Wanjiru","phone":"+254711000111"}`, http.StatusCreated, &cust)
	api.mustDo("POST", "/api/v1/conversations", fmt.Sprintf(`{"customer_id":%d,"channel":"sms","subject":"Card"}`, cust.ID), http.StatusCreated, &conv)

	onA := openStream(t, browser, fmt.Sprintf("%s/events?conversation=%d", a.url, conv.ID))
	onB := openStream(t, browser, fmt.Sprintf("%s/events?conversation=%d", b.url, conv.ID))
	// A change made through A reaches B's inbox: B is listening.
	api.mustDo("PATCH", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), `{"tags":["card"]}`, http.StatusOK, nil)
	onB.next(t, "inbox")

	api.mustDo("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID),
		`{"direction":"in","body":"Thank you, I will wait for your call."}`, http.StatusCreated, nil)
	for name, s := range map[string]*stream{"A, where it was posted": onA, "B": onB} {
		if n := s.count("message", "I will wait for your call", time.Second); n != 1 {
			t.Errorf("the console on %s got the message %d times, want once", name, n)
		}
	}
}

// TestServeWebChatAcrossProcesses: two kindred processes serve one
// PostgreSQL database with the web chat on. A visitor's widget is open on
// B; the agent works on A. The visitor's typing and message reach A's
// console; the agent's reply through A reaches the widget on B, and its
// acknowledgement reaches A's console as delivered.
func TestServeWebChatAcrossProcesses(t *testing.T) {
	dsn := postgresSchema(t)
	const origin = "http://shop.example"
	a := serveInProcess(t, "--db", dsn, "--chat-origins", origin)
	_, secret, _ := strings.Cut(a.bannerValue("setup link"), "/setup?token=")
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	password := "correct horse battery staple"
	form := url.Values{"token": {secret}, "name": {"Wanjiru Kamau"}, "email": {"wanjiru@example.org"}, "password": {password}, "password2": {password}}
	if status, loc := postForm(t, browser, a.url+"/setup", form); status != http.StatusSeeOther || loc != "/inbox" {
		t.Fatalf("POST /setup: %d to %q", status, loc)
	}
	b := serveInProcess(t, "--db", dsn, "--chat-origins", origin)
	code, stdout, stderr := runKindred("token", "create", "--db", dsn, "--role", "admin", "--name", "test")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, stderr)
	}
	api := &apiClient{t: t, token: lastLine(t, stdout), client: http.DefaultClient}
	api.base.Store(&a.url)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(b.url, "http")+"/chat/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	type frame struct {
		Type    string
		Token   string
		Agent   string
		Message *struct {
			ID   int64
			From string
			Body string
			Ack  bool
		}
	}
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	next := func(typ string) frame {
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			var f frame
			json.Unmarshal(b, &f)
			if f.Type == typ && (typ != "message" || f.Message.From == "agent") {
				return f
			}
		}
	}
	send(map[string]any{"type": "hello"})
	next("welcome")
	send(map[string]any{"type": "message", "id": "1", "body": "Habari, is my card ready?"})
	next("stored")

	var convs []struct{ ID int64 }
	api.mustDo("GET", "/api/v1/conversations?channel=chat", "", http.StatusOK, &convs)
	if len(convs) != 1 {
		t.Fatalf("%d chat conversations", len(convs))
	}
	id := convs[0].ID
	onA := openStream(t, browser, fmt.Sprintf("%s/events?conversation=%d", a.url, id))
	send(map[string]any{"type": "typing"})
	onA.next(t, "typing")

	// The agent's draft on A: the widget on B sees them typing.
	if status, _ := postForm(t, browser, fmt.Sprintf("%s/conversations/%d/coach", a.url, id), url.Values{"body": {"Pole sana"}}); status != http.StatusOK {
		t.Fatalf("coach: %d", status)
	}
	if f := next("typing"); f.Agent != "Wanjiru" {
		t.Fatalf("typing %+v", f)
	}
	var reply struct{ ID int64 }
	api.mustDo("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", id), `{"direction":"out","body":"Yes, it is ready at desk 3."}`, http.StatusCreated, &reply)
	f := next("message")
	if f.Message.ID != reply.ID || !f.Message.Ack {
		t.Fatalf("the widget on B got %+v, want reply %d", f.Message, reply.ID)
	}
	send(map[string]any{"type": "ack", "message_id": reply.ID})
	for {
		data := onA.next(t, "delivery")
		if strings.Contains(data, fmt.Sprintf(`"id":%d`, reply.ID)) && strings.Contains(data, `"status":"delivered"`) {
			break
		}
	}
}
