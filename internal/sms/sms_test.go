package sms

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func reply(code int, status string) string {
	return `{"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[{"statusCode":` +
		itoa(code) + `,"number":"+254711000111","status":"` + status + `","cost":"KES 0.8000","messageId":"ATPid_1"}]}}`
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestGatewayReadsTheVerdict(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantID    string
		permanent bool
	}{
		{"processed", 201, reply(100, "Processed"), "ATPid_1", false},
		{"sent", 201, reply(101, "Success"), "ATPid_1", false},
		{"queued", 201, reply(102, "Queued"), "ATPid_1", false},
		{"invalid number", 201, reply(403, "InvalidPhoneNumber"), "", true},
		{"unsupported number", 201, reply(404, "UnsupportedNumberType"), "", true},
		{"blacklisted", 201, reply(406, "UserInBlacklist"), "", true},
		{"no money", 201, reply(405, "InsufficientBalance"), "", false},
		{"gateway error", 201, reply(501, "GatewayError"), "", false},
		{"http 500", 500, "oops", "", false},
		{"http 503", 503, "down", "", false},
		{"http 400", 400, "bad", "", true},
		{"http 401", 401, "bad key", "", false},
		{"not json", 201, "<html>", "", false},
		{"no recipients", 201, `{"SMSMessageData":{"Message":"InvalidSenderId","Recipients":[]}}`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *http.Request
			var form map[string][]string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				got, form = r, r.PostForm
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			g := &Gateway{URL: srv.URL, Username: "desk", APIKey: "k3y", From: "KINDRED"}
			id, err := g.Send(context.Background(), kindred.OutboundMessage{ID: 42, Channel: kindred.ChannelSMS, To: "+254711000111", Body: "Hello"})
			if got.Header.Get("apiKey") != "k3y" || got.Header.Get("Accept") != "application/json" ||
				got.Header.Get(IdempotencyHeader) != "kindred-outbox-42" {
				t.Fatalf("headers %v", got.Header)
			}
			if form["username"][0] != "desk" || form["to"][0] != "+254711000111" || form["message"][0] != "Hello" || form["from"][0] != "KINDRED" {
				t.Fatalf("form %v", form)
			}
			if tt.wantID != "" {
				if err != nil || id != tt.wantID {
					t.Fatalf("got %q %v", id, err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			var p interface{ Permanent() bool }
			isPermanent := errors.As(err, &p) && p.Permanent()
			if isPermanent != tt.permanent {
				t.Fatalf("permanent = %v for %v", isPermanent, err)
			}
		})
	}
}

func TestGatewayDownOrSlowIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
	}))
	defer srv.Close()
	g := &Gateway{URL: srv.URL, Client: &http.Client{Timeout: 20 * time.Millisecond}}
	_, err := g.Send(context.Background(), kindred.OutboundMessage{ID: 1, Channel: kindred.ChannelSMS, To: "+254711000111", Body: "x"})
	var p interface{ Permanent() bool }
	if err == nil || (errors.As(err, &p) && p.Permanent()) {
		t.Fatalf("timeout: %v", err)
	}
	srv.Close()
	_, err = g.Send(context.Background(), kindred.OutboundMessage{ID: 1, Channel: kindred.ChannelSMS, To: "+254711000111", Body: "x"})
	if err == nil || (errors.As(err, &p) && p.Permanent()) {
		t.Fatalf("refused connection: %v", err)
	}
}

func TestSimulatorHonoursKeysAndCredentials(t *testing.T) {
	sim := &Simulator{Username: "desk", APIKey: "k3y"}
	var printed []Delivery
	sim.OnDeliver = func(d Delivery) { printed = append(printed, d) }
	srv := httptest.NewServer(sim)
	defer srv.Close()
	g := &Gateway{URL: srv.URL, Username: "desk", APIKey: "k3y"}
	m := kindred.OutboundMessage{ID: 7, Channel: kindred.ChannelSMS, To: "+254711000111", Body: "Your code is 482 913."}
	first, err := g.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	again, err := g.Send(context.Background(), m)
	if err != nil || again != first {
		t.Fatalf("resend: %q %v, want %q", again, err, first)
	}
	if len(sim.Deliveries()) != 1 || len(printed) != 1 || sim.Requests() != 2 {
		t.Fatalf("deliveries %+v, requests %d", sim.Deliveries(), sim.Requests())
	}
	d := sim.Deliveries()[0]
	if d.To != m.To || d.Message != m.Body || d.Key != "kindred-outbox-7" || !strings.HasPrefix(d.MessageID, "ATPid_") {
		t.Fatalf("delivery %+v", d)
	}
	bad := &Gateway{URL: srv.URL, Username: "desk", APIKey: "wrong"}
	if _, err := bad.Send(context.Background(), kindred.OutboundMessage{ID: 8, Channel: kindred.ChannelSMS, To: m.To, Body: "x"}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong key: %v", err)
	}
	sim.SetDown(true)
	if _, err := g.Send(context.Background(), kindred.OutboundMessage{ID: 9, Channel: kindred.ChannelSMS, To: m.To, Body: "x"}); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("down: %v", err)
	}
	sim.SetDown(false)
	// A reply lost after delivery: Go's transport itself resends a request
	// with an Idempotency-Key on a reused connection, or the error reaches
	// the outbox, which retries. Either way the gateway delivers once.
	sim.LoseReplies(1)
	before := sim.Requests()
	if _, err := g.Send(context.Background(), kindred.OutboundMessage{ID: 10, Channel: kindred.ChannelSMS, To: m.To, Body: "x"}); err != nil {
		t.Logf("lost reply surfaced as %v", err)
	}
	if id, err := g.Send(context.Background(), kindred.OutboundMessage{ID: 10, Channel: kindred.ChannelSMS, To: m.To, Body: "x"}); err != nil || id == "" {
		t.Fatalf("retry after a lost reply: %q %v", id, err)
	}
	if sim.Requests()-before < 2 {
		t.Fatalf("%d requests after the lost reply", sim.Requests()-before)
	}
	if n := len(sim.Deliveries()); n != 2 {
		t.Fatalf("%d deliveries, want 2", n)
	}
}
