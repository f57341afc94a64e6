package main

import (
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The SMS round trip between two real processes: `kindred serve` sends an
// agent's reply through `kindred smsgw`, which prints it and posts its
// delivery report back; the reply then reads delivered, and a number the
// gateway cannot reach reads failed with the gateway's reason.
func TestSMSReplyRoundTripThroughTheSimulatorCommand(t *testing.T) {
	bin := buildKindred(t)
	db := filepath.Join(t.TempDir(), "kindred.db")
	// serve's address must be known to the gateway before serve starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	smsURL, printed := startSMSGateway(t, bin, "--report-url", "http://"+addr+"/api/v1/sms/delivery",
		"--report-key", "test-key", "--report-delay", "100ms", "--unreachable", "+254733000999")

	token := lastLine(t, runBinary(t, bin, "token", "create", "--db", db, "--role", "agent", "--name", "round trip"))
	srv := startServer(t, bin, db, "--addr", addr, "--sms-url", smsURL, "--sms-username", "sandbox", "--sms-key", "sim",
		"--gateway-key", "test-key")
	c := &apiClient{t: t, token: token, client: &http.Client{Timeout: 10 * time.Second}}
	c.base.Store(&srv.url)

	reply := func(phone, body string) (conversation string) {
		var cust, conv struct{ ID int64 }
		c.mustDo("POST", "/api/v1/customers", `{"name": "Joseph Otieno", "phone": "`+phone+`"}`, http.StatusCreated, &cust)
		c.mustDo("POST", "/api/v1/conversations", `{"customer_id": `+itoa(cust.ID)+`, "channel": "sms", "subject": "Card"}`, http.StatusCreated, &conv)
		var m struct {
			DeliveryStatus string `json:"delivery_status"`
		}
		c.mustDo("POST", "/api/v1/conversations/"+itoa(conv.ID)+"/messages", `{"direction": "out", "body": "`+body+`"}`, http.StatusCreated, &m)
		if m.DeliveryStatus != "queued" {
			t.Fatalf("a reply just sent is %q, want queued", m.DeliveryStatus)
		}
		return itoa(conv.ID)
	}
	// waitStatus polls the conversation until its reply reaches want.
	waitStatus := func(conv, want string) (reason string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			var got struct {
				Messages []struct {
					DeliveryStatus string `json:"delivery_status"`
					DeliveryError  string `json:"delivery_error"`
				}
			}
			c.mustDo("GET", "/api/v1/conversations/"+conv, "", http.StatusOK, &got)
			last := got.Messages[len(got.Messages)-1]
			if last.DeliveryStatus == want {
				return last.DeliveryError
			}
			if time.Now().After(deadline) {
				t.Fatalf("the reply is still %q (%s), want %q\nserve: %s\nsmsgw: %s", last.DeliveryStatus, last.DeliveryError, want, srv.stderr, printed)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	const body = "Baba Otieno, your card is posted today; it reaches you by Friday."
	waitStatus(reply("0722 000 111", body), "delivered")
	if !strings.Contains(printed.String(), "SMS to +254722000111") || !strings.Contains(printed.String(), body) {
		t.Errorf("the gateway printed:\n%s", printed)
	}
	if why := waitStatus(reply("+254733000999", "Your card is posted."), "failed"); why != "Failed: DeliveryFailure" {
		t.Errorf("an unreachable number failed with %q", why)
	}
	srv.stop(t)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
