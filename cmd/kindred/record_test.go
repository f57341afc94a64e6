package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/mail"
	"github.com/kindred-desk/kindred/internal/sms"
)

// runSimulator runs a kindred gateway subcommand in-process until the
// returned stop is called.
func runSimulator(t *testing.T, args ...string) (out *lockedBuffer, stop func()) {
	t.Helper()
	out = &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, nil, out, out) }()
	return out, func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("kindred %s exited %d:\n%s", args[0], code, out)
		}
	}
}

// recordLines reads a --record file.
func recordLines[T any](t *testing.T, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var all []T
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		all = append(all, v)
	}
	return all
}

// sendRetrying sends m through s, trying for a few seconds while the
// simulator starts.
func sendRetrying(t *testing.T, s interface {
	Send(context.Context, kindred.OutboundMessage) (string, error)
}, m kindred.OutboundMessage) string {
	t.Helper()
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var id string
		if id, err = s.Send(context.Background(), m); err == nil {
			return id
		}
	}
	t.Fatalf("send outbox %d: %v", m.ID, err)
	return ""
}

// The SMS simulator stopped and started again on the same --record still
// delivers a message once, and the record counts what reached it.
func TestSMSGatewayRecordOutlivesARestart(t *testing.T) {
	addr := freePort(t)
	record := filepath.Join(t.TempDir(), "sms.jsonl")
	g := &sms.Gateway{URL: "http://" + addr + "/"}
	m := kindred.OutboundMessage{ID: 5, Channel: kindred.ChannelSMS, To: "+254711000111", Body: "Habari"}

	_, stop := runSimulator(t, "smsgw", "--addr", addr, "--record", record)
	first := sendRetrying(t, g, m)
	stop()
	out, stop := runSimulator(t, "smsgw", "--addr", addr, "--record", record)
	again := sendRetrying(t, g, m)
	stop()
	if again != first {
		t.Errorf("outbox 5 sent again after the restart got %q, want %q (delivered twice)", again, first)
	}
	if !strings.Contains(out.String(), "remembering 1 messages taken before") {
		t.Errorf("the restarted simulator did not say what it remembered:\n%s", out)
	}
	lines := recordLines[sms.Delivery](t, record)
	if len(lines) != 2 || lines[0].Key != "kindred-outbox-5" || lines[0].Repeat || !lines[1].Repeat {
		t.Errorf("record %+v: want one delivery of outbox 5, then one resend", lines)
	}
}

func TestMailSinkRecordsEachMailWithItsOutboxID(t *testing.T) {
	addr := freePort(t)
	record := filepath.Join(t.TempDir(), "mail.jsonl")
	_, stop := runSimulator(t, "mailgw", "--addr", addr, "--record", record)
	s := &mail.Sender{Addr: addr, From: "Kindred Desk <desk@example.org>"}
	id := sendRetrying(t, s, kindred.OutboundMessage{ID: 7, Channel: kindred.ChannelEmail, To: "amina@example.org",
		Subject: "Re: My card", Body: "It is posted.", CreatedAt: time.Now()})
	stop()
	lines := recordLines[sinkRecord](t, record)
	if len(lines) != 1 || lines[0].OutboxID != "7" || lines[0].MessageID != id || lines[0].Subject != "Re: My card" ||
		len(lines[0].To) != 1 || lines[0].To[0] != "amina@example.org" {
		t.Errorf("record %+v: want the one mail, outbox 7, Message-ID %s", lines, id)
	}
}
