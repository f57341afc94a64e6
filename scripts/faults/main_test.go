package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/bench"
	"github.com/kindred-desk/kindred/internal/sms"
	"github.com/kindred-desk/kindred/internal/store"
)

func TestGatewayTallyCountsEachSentRowOnce(t *testing.T) {
	outbox := map[int64]outboxRow{
		1: {channel: "email", status: "sent", providerID: "a@x"},
		2: {channel: "email", status: "sent", providerID: "b@x"},
		3: {channel: "email", status: "sent", providerID: "c@x"},
		4: {channel: "email", status: "sent", providerID: "d@x"},
		5: {channel: "email", status: "pending"},
		6: {channel: "sms", status: "sent", providerID: "ATPid_1"},
	}
	tests := []struct {
		name  string
		taken map[int64]map[string]int
		want  gatewayFigures
	}{
		{"each once", map[int64]map[string]int{1: {"a@x": 1}, 2: {"b@x": 1}, 3: {"c@x": 1}, 4: {"d@x": 1}},
			gatewayFigures{sent: 4, once: 4, messages: 4}},
		{"a copy with the same Message-ID is one message", map[int64]map[string]int{1: {"a@x": 2}, 2: {"b@x": 1}, 3: {"c@x": 1}, 4: {"d@x": 1}},
			gatewayFigures{sent: 4, once: 4, messages: 4, copies: 1, copied: 1}},
		{"sent twice as two messages", map[int64]map[string]int{1: {"a@x": 1, "z@x": 1}, 2: {"b@x": 1}, 3: {"c@x": 1}, 4: {"d@x": 1}},
			gatewayFigures{sent: 4, once: 3, more: 1, messages: 5}},
		{"never taken, and taken under another id", map[int64]map[string]int{1: {"a@x": 1}, 2: {"b@x": 1}, 3: {"y@x": 1}},
			gatewayFigures{sent: 4, once: 3, never: 1, messages: 3, wrongID: 1}},
		{"taken for a row not sent, and for no row", map[int64]map[string]int{1: {"a@x": 1}, 2: {"b@x": 1}, 3: {"c@x": 1}, 4: {"d@x": 1}, 5: {"e@x": 1}, 9: {"f@x": 1}},
			gatewayFigures{sent: 4, once: 4, messages: 6, unknown: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gatewayTally("email", outbox, tt.taken); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A desk with one email reply sent: the tally passes on what happened, and
// fails when the mailbox took the reply as two messages or a write the load
// was acknowledged for is missing.
func TestTallyPassesWhatHappenedAndFailsWhatDidNot(t *testing.T) {
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	dir := t.TempDir()
	dsn := filepath.Join(dir, "kindred.db")
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	cust := &kindred.Customer{Name: "Amina Odhiambo", Email: "amina@example.org", Phone: "+254711000111"}
	if err := db.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	var acks []any
	acks = append(acks, bench.Ack{Kind: "customer", ID: cust.ID})
	replies := map[kindred.Channel]*kindred.Message{}
	for _, ch := range []kindred.Channel{kindred.ChannelEmail, kindred.ChannelSMS} {
		conv := &kindred.Conversation{CustomerID: cust.ID, Channel: ch, Subject: "My card"}
		if err := db.CreateConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		reply := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "It reaches you by Friday."}
		if err := db.AddMessage(ctx, reply); err != nil {
			t.Fatal(err)
		}
		replies[ch] = reply
		acks = append(acks, bench.Ack{Kind: "conversation", ID: conv.ID, CustomerID: cust.ID, Channel: string(ch)},
			bench.Ack{Kind: "message", ID: reply.ID, ConversationID: conv.ID, Direction: "out", Body: reply.Body})
	}
	claimed, err := db.Claim(ctx, time.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	var mail mailRecord
	var text sms.Delivery
	for _, m := range claimed {
		provider := "ATPid_sim000001"
		if m.Channel == kindred.ChannelEmail {
			provider = "m1@example.org"
			mail = mailRecord{MessageID: provider, OutboxID: fmt.Sprint(m.ID)}
		} else {
			text = sms.Delivery{MessageID: provider, Key: sms.IdempotencyKey(m.ID)}
		}
		if err := db.MarkSent(ctx, m.ID, provider, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	write := func(name string, lines ...any) string {
		var b bytes.Buffer
		for _, l := range lines {
			json.NewEncoder(&b).Encode(l)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name     string
		acks     []any
		mails    []any
		wantFail string // "" when the tally passes
	}{
		{"as it happened", acks, []any{mail}, ""},
		{"a copy under the same Message-ID", acks, []any{mail, mail}, ""},
		{"two messages for one reply", acks, []any{mail, mailRecord{MessageID: "m2@example.org", OutboxID: mail.OutboxID}}, "FAIL  mailbox"},
		{"a reply never taken", acks, nil, "FAIL  mailbox"},
		{"an acknowledged message missing", append(slices.Clone(acks), bench.Ack{Kind: "message", ID: replies[kindred.ChannelSMS].ID + 100,
			ConversationID: replies[kindred.ChannelSMS].ConversationID, Direction: "in", Body: "lost"}), []any{mail}, "FAIL  messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := run(context.Background(), []string{"--db", dsn, "--acked", write("acked.jsonl", tt.acks...),
				"--sms", write("sms.jsonl", text), "--mail", write("mail.jsonl", tt.mails...)}, &b)
			if tt.wantFail == "" {
				if err != nil {
					t.Errorf("the tally failed: %v\n%s", err, &b)
				}
				return
			}
			if !errors.Is(err, errFailed) || !strings.Contains(b.String(), tt.wantFail) {
				t.Errorf("tally: %v, want a line %q:\n%s", err, tt.wantFail, &b)
			}
		})
	}
}
