package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/sms"
)

func TestSMSGatewayPrintsEachMessage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"smsgw", "--addr", "127.0.0.1:0", "--username", "sandbox", "--key", "sim"}, nil, &out, &errOut)
	}()
	listening := regexp.MustCompile(`listening on (http://[0-9.:]+/)`)
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == ""; {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no address printed: %q %q", out.String(), errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	g := &sms.Gateway{URL: url, Username: "sandbox", APIKey: "sim", From: "KINDRED"}
	m := kindred.OutboundMessage{ID: 3, Channel: kindred.ChannelSMS, To: "+254711000111", Body: "Your code is 482 913."}
	id, err := g.Send(context.Background(), m)
	if err != nil || !strings.HasPrefix(id, "ATPid_") {
		t.Fatalf("send: %q %v", id, err)
	}
	if again, err := g.Send(context.Background(), m); err != nil || again != id {
		t.Fatalf("resend: %q %v", again, err)
	}
	wrong := &sms.Gateway{URL: url, Username: "sandbox", APIKey: "nope"}
	if _, err := wrong.Send(context.Background(), kindred.OutboundMessage{ID: 4, Channel: kindred.ChannelSMS, To: m.To, Body: "x"}); err == nil {
		t.Fatal("wrong key accepted")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	printed := out.String()
	if strings.Count(printed, "Your code is 482 913.") != 1 || !strings.Contains(printed, "SMS to +254711000111 from KINDRED") {
		t.Fatalf("printed:\n%s", printed)
	}
}
