package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/outbox"
	"github.com/kindred-desk/kindred/internal/sms"
	"github.com/kindred-desk/kindred/internal/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "kindred.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// gateway is the simulator behind a real HTTP server, and the adapter
// pointed at it.
func gateway(t *testing.T) (*sms.Simulator, *sms.Gateway) {
	t.Helper()
	sim := &sms.Simulator{Username: "kindred", APIKey: "sim-key"}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, &sms.Gateway{URL: srv.URL, Username: "kindred", APIKey: "sim-key", From: "KINDRED"}
}

// fastWorker retries within milliseconds.
func fastWorker(db *store.DB, g outbox.Sender, tweak ...func(*outbox.Config)) *outbox.Worker {
	cfg := outbox.Config{Store: db, Senders: map[kindred.Channel]outbox.Sender{kindred.ChannelSMS: g},
		Lease: 2 * time.Second, SendTimeout: time.Second, Batch: 3, Poll: 10 * time.Millisecond,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond, MaxAttempts: 1000, Logger: quiet}
	for _, f := range tweak {
		f(&cfg)
	}
	return outbox.New(cfg)
}

func enqueue(t *testing.T, db *store.DB, n int, to string) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		m := &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: to, Body: fmt.Sprintf("Message %d", i), Purpose: "test"}
		if err := db.Enqueue(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	return ids
}

// run starts w and returns a function that stops it and waits.
func run(w *outbox.Worker) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() { cancel(); <-done }
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func statuses(t *testing.T, db *store.DB, ids []int64) map[kindred.OutboxStatus]int {
	t.Helper()
	out := map[kindred.OutboxStatus]int{}
	for _, id := range ids {
		m, err := db.OutboundMessage(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out[m.Status]++
	}
	return out
}

// checkOnce fails unless the simulator delivered each id exactly once.
func checkOnce(t *testing.T, sim *sms.Simulator, db *store.DB, ids []int64) {
	t.Helper()
	seen := map[string]int{}
	for _, d := range sim.Deliveries() {
		seen[d.Key]++
	}
	if len(sim.Deliveries()) != len(ids) {
		t.Fatalf("%d deliveries for %d messages: %+v", len(sim.Deliveries()), len(ids), sim.Deliveries())
	}
	for _, id := range ids {
		if seen[sms.IdempotencyKey(id)] != 1 {
			t.Fatalf("message %d delivered %d times", id, seen[sms.IdempotencyKey(id)])
		}
		m, _ := db.OutboundMessage(context.Background(), id)
		if m.Status != kindred.OutboxSent || m.ProviderID == "" || m.SentAt == nil {
			t.Fatalf("message %d: %+v", id, m)
		}
	}
}

func TestEverySMSDeliveredOnceAfterGatewayOutage(t *testing.T) {
	db := openStore(t)
	sim, gw := gateway(t)
	reg := prometheus.NewRegistry()
	sim.SetDown(true)
	ids := enqueue(t, db, 7, "+254711000111")
	w := fastWorker(db, gw, func(c *outbox.Config) { c.Registry = reg })
	stop := run(w)
	defer stop()

	// While the gateway is down, every message is tried, and tried again.
	waitFor(t, "retries while down", func() bool {
		for _, id := range ids {
			m, _ := db.OutboundMessage(context.Background(), id)
			if m.Attempts < 3 {
				return false
			}
		}
		return true
	})
	if got := statuses(t, db, ids); got[kindred.OutboxPending] != len(ids) {
		t.Fatalf("while down: %v", got)
	}
	m, _ := db.OutboundMessage(context.Background(), ids[0])
	if m.LastError == "" {
		t.Fatal("no error recorded while down")
	}
	sim.SetDown(false)
	waitFor(t, "delivery after the outage", func() bool { return statuses(t, db, ids)[kindred.OutboxSent] == len(ids) })
	checkOnce(t, sim, db, ids)
	// The worker counts a message after its sent mark commits: wait for the
	// last count, then hold the counter to exactly one per message.
	waitFor(t, "the sent counter", func() bool {
		return counterValue(t, reg, "kindred_outbox_sent_total") >= float64(len(ids))
	})
	if got := counterValue(t, reg, "kindred_outbox_sent_total"); got != float64(len(ids)) {
		t.Fatalf("sent counter %v", got)
	}
}

// counterValue reads a registered counter's sms series.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func TestLostReplyDoesNotDeliverTwice(t *testing.T) {
	db := openStore(t)
	sim, gw := gateway(t)
	// Without keep-alives, Go's transport cannot resend by itself: the
	// lost reply reaches the worker as an error, and the worker retries.
	gw.Client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	sim.LoseReplies(2)
	ids := enqueue(t, db, 2, "+254711000222")
	stop := run(fastWorker(db, gw))
	defer stop()
	waitFor(t, "delivery", func() bool { return statuses(t, db, ids)[kindred.OutboxSent] == len(ids) })
	if sim.Requests() < 4 {
		t.Fatalf("%d requests: the lost replies were not retried", sim.Requests())
	}
	checkOnce(t, sim, db, ids)
	// The retry got the first delivery's id back.
	for _, id := range ids {
		m, _ := db.OutboundMessage(context.Background(), id)
		if m.Attempts < 2 {
			t.Fatalf("message %d sent in %d attempts; the reply was lost", id, m.Attempts)
		}
	}
}

func TestRestartedWorkerDeliversWhatTheLastOneLeft(t *testing.T) {
	db := openStore(t)
	sim, gw := gateway(t)
	sim.SetDown(true)
	ids := enqueue(t, db, 5, "+254711000333")
	stop := run(fastWorker(db, gw))
	waitFor(t, "a failed attempt", func() bool {
		m, _ := db.OutboundMessage(context.Background(), ids[4])
		return m.Attempts >= 1
	})
	stop()
	// A worker that died holding a lease (claimed, never marked).
	if _, err := db.Claim(context.Background(), time.Now().Add(time.Second), 300*time.Millisecond, 1); err != nil {
		t.Fatal(err)
	}
	sim.SetDown(false)
	ids = append(ids, enqueue(t, db, 2, "+254711000334")...)
	stop = run(fastWorker(db, gw))
	defer stop()
	waitFor(t, "the new worker's deliveries", func() bool { return statuses(t, db, ids)[kindred.OutboxSent] == len(ids) })
	checkOnce(t, sim, db, ids)
}

func TestPermanentFailuresGoStraightToDeadLetters(t *testing.T) {
	db := openStore(t)
	sim, gw := gateway(t)
	// The outbox takes "+1234567" (it looks international); the gateway says
	// it is no phone number: 403 InvalidPhoneNumber.
	bad := enqueue(t, db, 1, "+1234567")
	w := fastWorker(db, gw)
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	m, _ := db.OutboundMessage(context.Background(), bad[0])
	if m.Status != kindred.OutboxDead || m.Attempts != 1 || m.LastError == "" {
		t.Fatalf("invalid number: %+v", m)
	}
	if len(sim.Deliveries()) != 0 {
		t.Fatal("delivered to an invalid number")
	}

	// Email with no email sender configured: dead, with the reason.
	e := &kindred.OutboundMessage{Channel: kindred.ChannelEmail, To: "a@example.org", Body: "hi"}
	if err := db.Enqueue(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m, _ := db.OutboundMessage(context.Background(), e.ID); m.Status != kindred.OutboxDead {
		t.Fatalf("unsendable channel: %+v", m)
	}

	// Temporary failures die after MaxAttempts.
	sim.SetDown(true)
	tired := enqueue(t, db, 1, "+254711000444")
	stop := run(fastWorker(db, gw, func(c *outbox.Config) { c.MaxAttempts = 3 }))
	defer stop()
	waitFor(t, "dead after 3 attempts", func() bool {
		m, _ := db.OutboundMessage(context.Background(), tired[0])
		return m.Status == kindred.OutboxDead
	})
	if m, _ := db.OutboundMessage(context.Background(), tired[0]); m.Attempts != 3 {
		t.Fatalf("dead after %d attempts", m.Attempts)
	}
}

// mailError is how a sender in another package (the email sender) says
// "permanent" without importing this one.
type mailError struct{ code int }

func (e *mailError) Error() string   { return fmt.Sprintf("smtp %d", e.code) }
func (e *mailError) Permanent() bool { return e.code >= 500 }

func TestPermanentIsReadFromTheErrorChain(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", base, false},
		{"wrapped by Permanent", outbox.Permanent(base), true},
		{"Permanent, wrapped again", fmt.Errorf("send: %w", outbox.Permanent(base)), true},
		{"foreign type saying yes", fmt.Errorf("send: %w", &mailError{550}), true},
		{"foreign type saying no", fmt.Errorf("send: %w", &mailError{451}), false},
		{"joined", errors.Join(base, &mailError{550}), true},
		{"gateway refused number", &sms.Error{StatusCode: 403}, false}, // only the adapter sets permanence
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outbox.IsPermanent(tt.err); got != tt.want {
				t.Fatalf("IsPermanent(%v) = %v", tt.err, got)
			}
		})
	}
	if outbox.Permanent(nil) != nil {
		t.Fatal("Permanent(nil) is not nil")
	}
	if !errors.Is(outbox.Permanent(base), base) {
		t.Fatal("Permanent hides its cause")
	}
}

func TestBackoffGrowsWithJitterAndIsCapped(t *testing.T) {
	w := outbox.New(outbox.Config{Store: openStore(t), MinBackoff: time.Second, MaxBackoff: time.Minute, Logger: quiet})
	for attempt, base := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 7: time.Minute, 50: time.Minute} {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := w.Backoff(attempt)
			if d < base/2 || d > base {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, base/2, base)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Fatalf("attempt %d: no jitter", attempt)
		}
	}
}

func TestWakeDeliversWithoutWaitingForThePoll(t *testing.T) {
	db := openStore(t)
	var mu sync.Mutex
	var got []string
	sender := outbox.SenderFunc(func(ctx context.Context, m kindred.OutboundMessage) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, m.Body)
		return "x", nil
	})
	w := fastWorker(db, sender, func(c *outbox.Config) { c.Poll = time.Hour })
	stop := run(w)
	defer stop()
	time.Sleep(50 * time.Millisecond) // the first poll has passed
	ids := enqueue(t, db, 1, "+254711000555")
	w.Wake()
	waitFor(t, "woken delivery", func() bool { return statuses(t, db, ids)[kindred.OutboxSent] == 1 })
}

func TestLogSenderNeverLogsTheBody(t *testing.T) {
	var buf syncBuffer
	l := outbox.Log{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	id, err := l.Send(context.Background(), kindred.OutboundMessage{ID: 9, Channel: kindred.ChannelSMS, To: "+254711000666", Body: "Your code is 482 913."})
	// Nothing was sent: the message must never be called sent, and
	// retrying cannot help until a gateway is set up.
	if id != "" || err == nil || !outbox.IsPermanent(err) || err.Error() != "not sent: no SMS gateway is set up" {
		t.Fatalf("%q %v", id, err)
	}
	out := buf.String()
	if containsAny(out, "482", "+254711000666") || !containsAny(out, "…666") {
		t.Fatalf("log: %s", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		for i := 0; i+len(sub) <= len(s); i++ {
			if s[i:i+len(sub)] == sub {
				return true
			}
		}
	}
	return false
}

func TestOneTimeCodeReachesThePhoneThroughTheGateway(t *testing.T) {
	db := openStore(t)
	sim, gw := gateway(t)
	ctx := context.Background()
	c := &kindred.Customer{Name: "Amina", Phone: "+254711000777", Language: "sw"}
	if err := db.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	code, err := db.IssueCode(ctx, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w := fastWorker(db, gw)
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	ds := sim.Deliveries()
	if len(ds) != 1 || ds[0].To != c.Phone || ds[0].Key != sms.IdempotencyKey(*code.OutboxID) || ds[0].From != "KINDRED" {
		t.Fatalf("deliveries %+v", ds)
	}
	digits := regexp.MustCompile(`\d{3} \d{3}`).FindString(ds[0].Message)
	if got, err := db.CheckCode(ctx, code.ID, digits, time.Now()); err != nil || got.Status != kindred.CodeUsed {
		t.Fatalf("the delivered code does not check: %q %+v %v", ds[0].Message, got, err)
	}
}

// awayStore is the real store behind a switch: while away, recording an
// outcome fails as it does when the database server restarts.
type awayStore struct {
	*store.DB
	away atomic.Bool
}

var errAway = errors.New("connection refused (database restarting)")

func (s *awayStore) MarkSent(ctx context.Context, id int64, providerID string, at time.Time) error {
	if s.away.Load() {
		return errAway
	}
	return s.DB.MarkSent(ctx, id, providerID, at)
}

func (s *awayStore) MarkFailed(ctx context.Context, id int64, reason string, retryAt time.Time, dead bool) error {
	if s.away.Load() {
		return errAway
	}
	return s.DB.MarkFailed(ctx, id, reason, retryAt, dead)
}

func (s *awayStore) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]kindred.OutboundMessage, error) {
	if s.away.Load() {
		return nil, errAway
	}
	return s.DB.Claim(ctx, now, lease, limit)
}

// The database goes away just after the gateway took a message, and comes
// back within the lease: the worker must note the send once it can, and
// not send that message, or the rest of its batch, while it cannot: each
// would go again when its lease ran out (an SMS without an idempotent
// gateway, or an email, reaches the customer twice).
func TestADatabaseRestartAfterASendDoesNotSendAgain(t *testing.T) {
	db := &awayStore{DB: openStore(t)}
	_, gw := gateway(t)
	var mu sync.Mutex
	sends := map[int64]int{}
	first := true
	sender := outbox.SenderFunc(func(ctx context.Context, m kindred.OutboundMessage) (string, error) {
		id, err := gw.Send(ctx, m)
		mu.Lock()
		defer mu.Unlock()
		sends[m.ID]++
		if err == nil && first {
			first = false
			db.away.Store(true)
			time.AfterFunc(400*time.Millisecond, func() { db.away.Store(false) })
		}
		return id, err
	})
	ids := enqueue(t, db.DB, 6, "+254711000444")
	w := outbox.New(outbox.Config{Store: db, Senders: map[kindred.Channel]outbox.Sender{kindred.ChannelSMS: sender},
		Lease: 1500 * time.Millisecond, SendTimeout: 500 * time.Millisecond, Batch: 6, Poll: 10 * time.Millisecond,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond, MaxAttempts: 1000, Logger: quiet})
	stop := run(w)
	defer stop()
	waitFor(t, "every message sent", func() bool { return statuses(t, db.DB, ids)[kindred.OutboxSent] == len(ids) })
	// Past every lease taken during the outage: a message whose send was
	// not noted would have gone again by now.
	time.Sleep(2 * time.Second)
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		if sends[id] != 1 {
			t.Errorf("message %d handed to the gateway %d times, want once", id, sends[id])
		}
	}
}

// The database stays away longer than the lease: the worker gives up
// recording the one message it sent, and sends none of the rest of its
// batch while it cannot note them; once the database is back, all go.
func TestAWorkerThatCannotRecordSendsNoMore(t *testing.T) {
	db := &awayStore{DB: openStore(t)}
	sim, gw := gateway(t)
	var mu sync.Mutex
	sends := map[int64]int{}
	first := true
	sender := outbox.SenderFunc(func(ctx context.Context, m kindred.OutboundMessage) (string, error) {
		id, err := gw.Send(ctx, m)
		mu.Lock()
		defer mu.Unlock()
		sends[m.ID]++
		if err == nil && first {
			first = false
			db.away.Store(true)
		}
		return id, err
	})
	ids := enqueue(t, db.DB, 4, "+254711000555")
	w := outbox.New(outbox.Config{Store: db, Senders: map[kindred.Channel]outbox.Sender{kindred.ChannelSMS: sender},
		Lease: 500 * time.Millisecond, SendTimeout: 200 * time.Millisecond, Batch: 4, Poll: 10 * time.Millisecond,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond, MaxAttempts: 1000, Logger: quiet})
	stop := run(w)
	defer stop()
	waitFor(t, "the first send", func() bool { mu.Lock(); defer mu.Unlock(); return len(sends) > 0 })
	time.Sleep(1500 * time.Millisecond) // three leases away
	mu.Lock()
	if len(sends) != 1 {
		t.Errorf("sent %v while nothing could be recorded, want only the first message", sends)
	}
	mu.Unlock()

	db.away.Store(false)
	waitFor(t, "every message sent", func() bool { return statuses(t, db.DB, ids)[kindred.OutboxSent] == len(ids) })
	// The first went to the gateway twice (its note was lost with the
	// database); the gateway's idempotency key made it one SMS.
	checkOnce(t, sim, db.DB, ids)
}
