package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func testOutbox(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(0, "test")
	c := mustCustomer(t, db, kindred.Customer{Name: "Wanjiru Kamau", Phone: "+254711000111"})

	wantField(t, db.Enqueue(ctx, &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: "0711", Body: "hi"}), "to")
	wantField(t, db.Enqueue(ctx, &kindred.OutboundMessage{Channel: kindred.ChannelEmail, To: "a@b.example", Body: " "}), "body")
	wantField(t, db.Enqueue(ctx, &kindred.OutboundMessage{Channel: kindred.ChannelChat, To: "x", Body: "hi"}), "channel")
	if n := count(t, db, "SELECT COUNT(*) FROM outbox"); n != 0 {
		t.Fatalf("bad input stored %d messages", n)
	}

	first := &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: c.Phone, Body: "Your ticket A-014 is 3 places away.", Purpose: "ticket_near", CustomerID: &c.ID}
	second := &kindred.OutboundMessage{Channel: kindred.ChannelEmail, To: "wanjiru@example.org", Subject: "Your card", Body: "It is delayed.", Purpose: "heads_up"}
	for _, m := range []*kindred.OutboundMessage{first, second} {
		if err := db.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	got, err := db.Claim(context.Background(), now, time.Minute, 10)
	if err != nil || len(got) != 2 || got[0].ID != first.ID || got[0].Attempts != 1 || got[0].Body != first.Body || *got[0].CustomerID != c.ID {
		t.Fatalf("claim: %+v %v", got, err)
	}
	// Leased: nobody else gets them until the lease runs out.
	if again, err := db.Claim(context.Background(), now, time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("claimed leased messages again: %+v %v", again, err)
	}
	if err := db.MarkSent(context.Background(), first.ID, "ATPid_1", now); err != nil {
		t.Fatal(err)
	}
	wantKind(t, db.MarkSent(context.Background(), first.ID, "ATPid_1", now), kindred.Conflict)
	wantKind(t, db.MarkSent(context.Background(), 999, "x", now), kindred.NotFound)

	if err := db.MarkFailed(context.Background(), second.ID, "connection refused", now.Add(time.Second), false); err != nil {
		t.Fatal(err)
	}
	if early, _ := db.Claim(context.Background(), now, time.Minute, 10); len(early) != 0 {
		t.Fatalf("claimed before its retry time: %+v", early)
	}
	retry, err := db.Claim(context.Background(), now.Add(2*time.Second), time.Minute, 10)
	if err != nil || len(retry) != 1 || retry[0].Attempts != 2 || retry[0].LastError != "connection refused" {
		t.Fatalf("retry claim: %+v %v", retry, err)
	}
	if err := db.MarkFailed(context.Background(), second.ID, "mailbox unavailable", now, true); err != nil {
		t.Fatal(err)
	}
	dead, err := db.Outbox(context.Background(), kindred.OutboxFilter{Status: kindred.OutboxDead})
	if err != nil || len(dead) != 1 || dead[0].ID != second.ID {
		t.Fatalf("dead letters: %+v %v", dead, err)
	}
	if err := db.Retry(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, db.Retry(ctx, second.ID), kindred.Conflict)
	m, err := db.OutboundMessage(context.Background(), second.ID)
	if err != nil || m.Status != kindred.OutboxPending || m.Attempts != 0 {
		t.Fatalf("after retry: %+v %v", m, err)
	}
	sent, err := db.OutboundMessage(context.Background(), first.ID)
	if err != nil || sent.Status != kindred.OutboxSent || sent.ProviderID != "ATPid_1" || sent.SentAt == nil {
		t.Fatalf("sent: %+v %v", sent, err)
	}
	// A lease that runs out (a worker died mid-send) frees the message.
	if _, err := db.Claim(context.Background(), now, time.Second, 10); err != nil {
		t.Fatal(err)
	}
	if late, _ := db.Claim(context.Background(), now.Add(2*time.Second), time.Second, 10); len(late) != 1 || late[0].Attempts != 2 {
		t.Fatalf("expired lease not reclaimed: %+v", late)
	}
	if acts := auditActions(t, db, kindred.AuditFilter{Subject: "outbox"}); len(acts) < 6 {
		t.Fatalf("outbox audit: %v", acts)
	}
}

// A one-time code that died has expired too: Retry refuses it, whoever asks,
// and leaves it dead, unaudited.
func testOutboxCodeIsNotSentAgain(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(0, "test")
	c := mustCustomer(t, db, kindred.Customer{Name: "Wanjiru Kamau", Phone: "+254711000111"})
	code := &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: c.Phone, Body: "Your code is 481516", Purpose: "code", CustomerID: &c.ID}
	if err := db.Enqueue(ctx, code); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if got, err := db.Claim(context.Background(), now, time.Minute, 10); err != nil || len(got) != 1 {
		t.Fatalf("claim: %+v %v", got, err)
	}
	if err := db.MarkFailed(context.Background(), code.ID, "no SMS gateway", now, true); err != nil {
		t.Fatal(err)
	}

	audited := count(t, db, "SELECT COUNT(*) FROM audit")
	err := db.Retry(ctx, code.ID)
	wantKind(t, err, kindred.Conflict)
	if want := "is a one-time code"; !strings.Contains(err.Error(), want) {
		t.Errorf("refusal %q does not say %q", err, want)
	}
	m, err := db.OutboundMessage(context.Background(), code.ID)
	if err != nil || m.Status != kindred.OutboxDead || m.Attempts != 1 {
		t.Fatalf("after the refused retry: %+v %v", m, err)
	}
	// Dead, it is wiped as a sent one is: its digits do not outlive it.
	if m.Body != "" {
		t.Errorf("a dead code's body is %q, want it wiped", m.Body)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM audit"); n != audited {
		t.Errorf("the refused retry wrote %d audit entries", n-audited)
	}
	wantKind(t, db.Retry(ctx, 999), kindred.NotFound)
}
