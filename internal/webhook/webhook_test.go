package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/webhook"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const secret = "test-secret-0123456789"

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "kindred.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var ctx = kindred.WithActor(context.Background(), kindred.Actor{Name: "test", Role: kindred.RoleAdmin})

// receiver is a subscriber's endpoint: it checks every signature and keeps
// the deliveries it accepted, in the order they came; while down it answers
// 503.
type receiver struct {
	t        *testing.T
	mu       sync.Mutex
	down     bool
	tries    int
	accepted []accepted
	onAccept func() // called, with mu held, after each accepted delivery
}

type accepted struct {
	delivery int64
	event    string
	body     string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.tries++
	if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
		rc.t.Errorf("delivery %s: %v", r.Header.Get(webhook.DeliveryHeader), err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if rc.down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	var b struct {
		ID    int64           `json:"id"`
		Event string          `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		rc.t.Errorf("body %s: %v", body, err)
	}
	if h := r.Header.Get(webhook.DeliveryHeader); h != strconv.FormatInt(b.ID, 10) || r.Header.Get(webhook.EventHeader) != b.Event {
		rc.t.Errorf("headers %v disagree with the body %s", r.Header, body)
	}
	rc.accepted = append(rc.accepted, accepted{b.ID, b.Event, string(b.Data)})
	if rc.onAccept != nil {
		rc.onAccept()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) setDown(down bool) {
	rc.mu.Lock()
	rc.down = down
	rc.mu.Unlock()
}

// conversationWithMessages makes a conversation and writes each body into
// it as the customer's message: one message.created event each.
func conversationWithMessages(t *testing.T, db *store.DB, bodies ...string) {
	t.Helper()
	c := &kindred.Customer{Name: "Achieng Otieno"}
	if err := db.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	conv := &kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelDesk}
	if err := db.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		if err := db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: b}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReceiverDownThenUpGetsEachEventOnceInOrder(t *testing.T) {
	db := openStore(t)
	rc := &receiver{t: t, down: true}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	if err := db.CreateWebhook(ctx, &kindred.Webhook{URL: srv.URL + "/hook", Secret: secret, Events: []kindred.WebhookEvent{kindred.EventMessageCreated}}); err != nil {
		t.Fatal(err)
	}
	bodies := []string{"one", "two", "three", "four", "five"}
	conversationWithMessages(t, db, bodies...)

	w := webhook.New(webhook.Config{Store: db, AllowPrivate: true, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Logger: quiet})
	// Down: the first event is tried, and the others wait behind it.
	for range 3 {
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(rc.accepted) != 0 || rc.tries != 3 {
		t.Fatalf("while down: %d accepted, %d tries; want 0 and 3 (the first event, three times)", len(rc.accepted), rc.tries)
	}
	rc.setDown(false)
	deadline := time.Now().Add(10 * time.Second)
	for len(rc.accepted) < len(bodies) && time.Now().Before(deadline) {
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// And nothing more comes, however often the worker looks.
	for range 3 {
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(rc.accepted) != len(bodies) {
		t.Fatalf("accepted %d deliveries, want %d: %+v", len(rc.accepted), len(bodies), rc.accepted)
	}
	for i, a := range rc.accepted {
		var data struct{ Message kindred.Message }
		json.Unmarshal([]byte(a.body), &data)
		if a.event != "message.created" || data.Message.Body != bodies[i] {
			t.Errorf("delivery %d is %s %q, want message.created %q", i, a.event, data.Message.Body, bodies[i])
		}
		if i > 0 && a.delivery <= rc.accepted[i-1].delivery {
			t.Errorf("delivery ids out of order: %d after %d", a.delivery, rc.accepted[i-1].delivery)
		}
	}
	first, err := db.WebhookDelivery(ctx, rc.accepted[0].delivery)
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != kindred.WebhookDelivered || len(first.Log) != 4 || first.Log[0].StatusCode != 503 || first.Log[3].StatusCode != 204 {
		t.Fatalf("the first delivery's log: %+v", first)
	}
}

// awayStore is the store with its database gone while away is set.
type awayStore struct {
	*store.DB
	away atomic.Bool
}

var errAway = errors.New("database away (test)")

func (s *awayStore) ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]kindred.WebhookDelivery, error) {
	if s.away.Load() {
		return nil, errAway
	}
	return s.DB.ClaimWebhookDeliveries(ctx, now, lease, limit)
}

func (s *awayStore) RecordWebhookAttempt(ctx context.Context, id int64, a kindred.WebhookAttempt, delivered bool, retryAt time.Time, dead bool) error {
	if s.away.Load() {
		return errAway
	}
	return s.DB.RecordWebhookAttempt(ctx, id, a, delivered, retryAt, dead)
}

// The database goes away just after the receiver accepted a delivery and
// comes back within the lease: the worker notes the delivery once it can,
// and the receiver gets each event once (before, the note was dropped and
// the event posted again when its lease ran out).
func TestADatabaseRestartAfterADeliveryDoesNotPostAgain(t *testing.T) {
	db := &awayStore{DB: openStore(t)}
	first := true
	rc := &receiver{t: t, onAccept: func() {
		if first {
			first = false
			db.away.Store(true)
			time.AfterFunc(400*time.Millisecond, func() { db.away.Store(false) })
		}
	}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	if err := db.CreateWebhook(ctx, &kindred.Webhook{URL: srv.URL + "/hook", Secret: secret, Events: []kindred.WebhookEvent{kindred.EventMessageCreated}}); err != nil {
		t.Fatal(err)
	}
	bodies := []string{"one", "two", "three"}
	conversationWithMessages(t, db.DB, bodies...)

	w := webhook.New(webhook.Config{Store: db, AllowPrivate: true, Timeout: 500 * time.Millisecond, Lease: 1500 * time.Millisecond,
		Poll: 10 * time.Millisecond, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Logger: quiet})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(rctx); close(done) }()
	defer func() { cancel(); <-done }()

	count := func() int { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.accepted) }
	deadline := time.Now().Add(10 * time.Second)
	for count() < len(bodies) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// Past the lease taken before the outage: an unnoted delivery would
	// have been posted again by now.
	time.Sleep(2 * time.Second)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.accepted) != len(bodies) {
		t.Fatalf("the receiver accepted %d deliveries, want each of %d once: %+v", len(rc.accepted), len(bodies), rc.accepted)
	}
	seen := map[int64]bool{}
	for _, a := range rc.accepted {
		if seen[a.delivery] {
			t.Errorf("delivery %d posted twice", a.delivery)
		}
		seen[a.delivery] = true
	}
}

func TestReceiverThatRefusesConnectionsIsRetriedThenReached(t *testing.T) {
	db := openStore(t)
	// A port with nothing listening, then a receiver on it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := db.CreateWebhook(ctx, &kindred.Webhook{URL: "http://" + addr + "/hook", Secret: secret, Events: []kindred.WebhookEvent{kindred.EventMessageCreated}}); err != nil {
		t.Fatal(err)
	}
	conversationWithMessages(t, db, "first", "second")
	w := webhook.New(webhook.Config{Store: db, AllowPrivate: true, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, Logger: quiet})
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("run: %d %v", n, err)
	}
	ds, _ := db.WebhookDeliveries(ctx, kindred.WebhookDeliveryFilter{Status: kindred.WebhookPending})
	if len(ds) != 2 || ds[1].LastError == "" {
		t.Fatalf("after a refused connection: %+v", ds)
	}

	rc := &receiver{t: t}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	srv := &http.Server{Handler: rc}
	go srv.Serve(ln)
	defer srv.Close()
	time.Sleep(5 * time.Millisecond)
	for range 4 {
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(rc.accepted) != 2 || rc.tries != 2 {
		t.Fatalf("accepted %+v in %d tries, want both once", rc.accepted, rc.tries)
	}
}

func TestLoopbackIsRefusedUnlessAllowed(t *testing.T) {
	db := openStore(t)
	rc := &receiver{t: t}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	// The store takes any http URL; the guard is the worker's, at dial time.
	if err := db.CreateWebhook(ctx, &kindred.Webhook{URL: srv.URL, Secret: secret, Events: []kindred.WebhookEvent{kindred.EventMessageCreated}}); err != nil {
		t.Fatal(err)
	}
	conversationWithMessages(t, db, "hello")
	w := webhook.New(webhook.Config{Store: db, Logger: quiet})
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("run: %d %v", n, err)
	}
	if rc.tries != 0 {
		t.Fatal("a delivery reached a loopback receiver without --webhook-allow-private")
	}
	ds, _ := db.WebhookDeliveries(ctx, kindred.WebhookDeliveryFilter{})
	if len(ds) != 1 || !strings.Contains(ds[0].LastError, "refused") {
		t.Fatalf("the log should say why: %+v", ds)
	}

	// A name that resolves to loopback is caught where it is dialled.
	client := webhook.NewClient(false, 5*time.Second)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, u := range []string{srv.URL, "http://localhost:" + port, "http://[::ffff:127.0.0.1]:" + port} {
		_, err := client.Get(u)
		if !errors.Is(err, webhook.ErrPrivateAddress) {
			t.Errorf("GET %s: %v, want the private-address refusal", u, err)
		}
	}
	if rc.tries != 0 {
		t.Fatal("the guarded client reached loopback")
	}
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()
	if resp, err := webhook.NewClient(true, 5*time.Second).Get(plain.URL); err != nil {
		t.Fatalf("allowed: %v", err)
	} else {
		resp.Body.Close()
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		name, url    string
		allowPrivate bool
		ok           bool
	}{
		{"public https", "https://crm.example.org/hooks/kindred", false, true},
		{"public http", "http://203.0.113.9/hook", false, true},
		{"ftp", "ftp://crm.example.org/", false, false},
		{"no host", "https:///hook", false, false},
		{"user and password", "https://me:pw@crm.example.org/", false, false},
		{"loopback", "http://127.0.0.1:9000/", false, false},
		{"localhost", "http://localhost/", false, false},
		{"private 10/8", "http://10.1.2.3/", false, false},
		{"private 192.168", "http://192.168.1.1/", false, false},
		{"link-local metadata", "http://169.254.169.254/latest/meta-data", false, false},
		{"unspecified", "http://0.0.0.0/", false, false},
		{"ipv6 loopback", "http://[::1]/", false, false},
		{"ipv6 unique local", "http://[fd00::1]/", false, false},
		{"ipv4-mapped loopback", "http://[::ffff:127.0.0.1]/", false, false},
		{"carrier-grade nat", "http://100.64.0.1/", false, false},
		{"loopback when allowed", "http://127.0.0.1:9000/", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.CheckURL(tt.url, tt.allowPrivate)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckURL(%q) = %v, want ok=%v", tt.url, err, tt.ok)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":1,"event":"message.created"}`)
	now := time.Unix(1_800_000_000, 0)
	good := webhook.Sign(secret, now, body)
	tests := []struct {
		name   string
		header string
		body   []byte
		at     time.Time
		ok     bool
	}{
		{"good", good, body, now, true},
		{"good, a minute later", good, body, now.Add(time.Minute), true},
		{"body changed", good, []byte(`{"id":2,"event":"message.created"}`), now, false},
		{"other secret", webhook.Sign("another-secret-456789", now, body), body, now, false},
		{"too old", good, body, now.Add(10 * time.Minute), false},
		{"timestamp changed", strings.Replace(good, "t=1800000000", "t=1800000001", 1), body, now, false},
		{"no v1", "t=1800000000", body, now, false},
		{"empty", "", body, now, false},
		{"garbage", "t=x,v1=zz", body, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.Verify(secret, tt.header, tt.body, tt.at, 5*time.Minute)
			if (err == nil) != tt.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// FuzzVerify: no header, however malformed, panics the check or passes it
// without the secret.
func FuzzVerify(f *testing.F) {
	f.Add("t=1800000000,v1=00", []byte("{}"))
	f.Add("t=,v1=", []byte(""))
	f.Add(",,,=,", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if webhook.Verify(secret, header, body, time.Unix(1_800_000_000, 0), time.Hour) == nil {
			if header != webhook.Sign(secret, time.Unix(1_800_000_000, 0), body) && !strings.Contains(header, "v1=") {
				t.Fatalf("accepted %q", header)
			}
		}
	})
}
