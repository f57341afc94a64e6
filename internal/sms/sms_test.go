package sms

import (
	"bytes"
	"context"
	"encoding/json"
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

func TestSimulatorRecordsAndRemembersAcrossARestart(t *testing.T) {
	var record bytes.Buffer
	first := &Simulator{Record: &record}
	srv := httptest.NewServer(first)
	g := &Gateway{URL: srv.URL}
	send := func(id int64) string {
		t.Helper()
		pid, err := g.Send(context.Background(), kindred.OutboundMessage{ID: id, Channel: kindred.ChannelSMS, To: "+254711000111", Body: "Habari"})
		if err != nil {
			t.Fatal(err)
		}
		return pid
	}
	one, two := send(1), send(2)
	if again := send(1); again != one {
		t.Fatalf("resend of 1: %q, want %q", again, one)
	}
	srv.Close()

	var lines []Delivery
	dec := json.NewDecoder(bytes.NewReader(record.Bytes()))
	for dec.More() {
		var d Delivery
		if err := dec.Decode(&d); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, d)
	}
	if len(lines) != 3 || lines[0].Key != "kindred-outbox-1" || lines[0].MessageID != one || lines[0].Repeat ||
		lines[1].Key != "kindred-outbox-2" || lines[1].Repeat || lines[2].Key != "kindred-outbox-1" || !lines[2].Repeat {
		t.Fatalf("record %+v: want 1, 2, then 1 again as a repeat", lines)
	}

	// The gateway comes back: it remembers 1 and 2, and numbers on.
	second := &Simulator{Record: &record}
	if err := second.Load(bytes.NewReader(record.Bytes())); err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(second)
	defer srv.Close()
	g.URL = srv.URL
	if again := send(2); again != two {
		t.Fatalf("resend of 2 after the restart: %q, want %q", again, two)
	}
	three := send(3)
	if three == one || three == two {
		t.Fatalf("message 3 was given the id %q again", three)
	}
	if n := len(second.Deliveries()); n != 3 {
		t.Fatalf("%d deliveries remembered and made, want 3 (1, 2 and 3 once each)", n)
	}
	if err := second.Load(strings.NewReader("not json\n")); err == nil {
		t.Error("a damaged record was read without complaint")
	}
}

func TestSimulatorRefusesWhatItCannotRecord(t *testing.T) {
	sim := &Simulator{Record: failingWriter{}}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	g := &Gateway{URL: srv.URL}
	_, err := g.Send(context.Background(), kindred.OutboundMessage{ID: 1, Channel: kindred.ChannelSMS, To: "+254711000111", Body: "Habari"})
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("send with a broken record: %v, want a 500", err)
	}
	if n := len(sim.Deliveries()); n != 0 {
		t.Fatalf("%d deliveries that were not recorded", n)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
