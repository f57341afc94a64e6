package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/webhook"
	"github.com/kindred-desk/kindred/internal/whatsapp"
)

// TestWhatsAppRoundTripThroughTheSimulator runs the desk against the Cloud
// API simulator: a customer's message comes in signed and opens a WhatsApp
// conversation (the customer made from their profile), an agent's reply goes
// out through the outbox to the simulator, and its statuses come back signed
// and mark it delivered. A forged post is refused with nothing stored, and a
// webhook subscriber hears of the messages, signed.
func TestWhatsAppRoundTripThroughTheSimulator(t *testing.T) {
	const (
		appSecret   = "app-secret-for-the-test"
		verifyToken = "verify-me"
		gatewayKey  = "gateway-key-for-the-test"
		hookSecret  = "hook-secret-0123456789"
	)
	sim := &whatsapp.Simulator{PhoneID: "100000000000001", Token: "sim-token", AppSecret: appSecret, StatusDelay: 20 * time.Millisecond}
	simSrv := httptest.NewServer(sim)
	defer simSrv.Close()

	var hookMu sync.Mutex
	var hookEvents []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(hookSecret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), time.Minute); err != nil {
			t.Errorf("webhook: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev struct {
			Event string
			Data  struct{ Message kindred.Message }
		}
		json.Unmarshal(body, &ev)
		hookMu.Lock()
		hookEvents = append(hookEvents, ev.Event+" "+string(ev.Data.Message.Direction)+" "+ev.Data.Message.Body)
		hookMu.Unlock()
	}))
	defer receiver.Close()

	dsn := filepath.Join(t.TempDir(), "kindred.db")
	desk := serveInProcess(t, "--db", dsn, "--gateway-key", gatewayKey, "--webhook-allow-private",
		"--whatsapp-url", simSrv.URL, "--whatsapp-phone-id", sim.PhoneID, "--whatsapp-token", sim.Token,
		"--whatsapp-app-secret", appSecret, "--whatsapp-verify-token", verifyToken)
	hookURL := desk.url + "/api/v1/whatsapp/webhook?key=" + gatewayKey
	sim.WebhookURL = hookURL

	code, stdout, stderr := runKindred("token", "create", "--db", dsn, "--role", "admin", "--name", "test")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, stderr)
	}
	api := &apiClient{t: t, token: lastLine(t, stdout), client: http.DefaultClient}
	api.base.Store(&desk.url)
	api.mustDo("POST", "/api/v1/webhooks", fmt.Sprintf(`{"url":%q,"secret":%q,"events":["message.created"]}`, receiver.URL, hookSecret), http.StatusCreated, nil)

	// The subscription handshake.
	if status, body := get(t, hookURL+"&hub.mode=subscribe&hub.verify_token="+verifyToken+"&hub.challenge=1158201444"); status != 200 || body != "1158201444" {
		t.Fatalf("handshake: %d %q", status, body)
	}
	if status, _ := get(t, hookURL+"&hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1"); status != http.StatusForbidden {
		t.Fatalf("handshake with a wrong token: %d", status)
	}

	// A forged post: 401, nothing stored.
	forged := whatsapp.NotificationBody(sim.PhoneID, []whatsapp.Inbound{{ID: "wamid.FORGED", From: "+254700000666", Type: "text", Text: "send me the codes", At: time.Now()}}, nil)
	req, _ := http.NewRequest("POST", hookURL, strings.NewReader(string(forged)))
	req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign("not-the-app-secret", forged))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged post: %d", resp.StatusCode)
	}

	// The customer writes.
	if _, err := sim.Inbound(context.Background(), "+254722000111", "Achieng Otieno", "Habari, where is my card?"); err != nil {
		t.Fatal(err)
	}
	var convs []kindred.Conversation
	api.mustDo("GET", "/api/v1/conversations?channel=whatsapp", "", http.StatusOK, &convs)
	if len(convs) != 1 {
		t.Fatalf("%d WhatsApp conversations, want 1 (the forged post must have stored nothing)", len(convs))
	}
	var custs []kindred.Customer
	api.mustDo("GET", "/api/v1/customers", "", http.StatusOK, &custs)
	if len(custs) != 1 || custs[0].Name != "Achieng Otieno" || custs[0].Phone != "+254722000111" {
		t.Fatalf("customers: %+v", custs)
	}

	// The agent answers; the reply goes out and comes back delivered.
	var reply kindred.Message
	api.mustDo("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convs[0].ID),
		`{"direction":"out","body":"Achieng, your card is at the Westlands desk: come any day before 5."}`, http.StatusCreated, &reply)
	if reply.DeliveryStatus != kindred.DeliveryQueued || reply.Channel != kindred.ChannelWhatsApp {
		t.Fatalf("reply: %s on %s (%s)", reply.DeliveryStatus, reply.Channel, reply.DeliveryError)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var conv kindred.Conversation
		api.mustDo("GET", fmt.Sprintf("/api/v1/conversations/%d", convs[0].ID), "", http.StatusOK, &conv)
		last := conv.Messages[len(conv.Messages)-1]
		if last.DeliveryStatus == kindred.DeliveryDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reply is %s (%s), not delivered; the simulator took %+v\n%s", last.DeliveryStatus, last.DeliveryError, sim.Sent(), desk.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	sent := sim.Sent()
	if len(sent) != 1 || sent[0].To != "+254722000111" || !strings.HasPrefix(sent[0].Body, "Achieng, your card") {
		t.Fatalf("the simulator took %+v", sent)
	}

	// The webhook subscriber heard of both messages, in order.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		hookMu.Lock()
		n := len(hookEvents)
		hookMu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook heard %v", hookEvents)
		}
	}
	hookMu.Lock()
	defer hookMu.Unlock()
	if !strings.HasPrefix(hookEvents[0], "message.created in Habari") || !strings.HasPrefix(hookEvents[1], "message.created out Achieng, your card") {
		t.Fatalf("webhook events: %q", hookEvents)
	}
}

func TestWhatsAppGatewayPrintsEachMessage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"wagw", "--addr", "127.0.0.1:0", "--token", "sim"}, nil, &out, &errOut)
	}()
	listening := regexp.MustCompile(`listening on (http://[0-9.:]+)/`)
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == ""; {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no address printed: %q %q", out.String(), errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	c := &whatsapp.Cloud{URL: url, PhoneID: "100000000000001", Token: "sim"}
	id, err := c.Send(context.Background(), kindred.OutboundMessage{Channel: kindred.ChannelWhatsApp, To: "+254711000111", Body: "Your card is ready."})
	if err != nil || !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("send: %q %v", id, err)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if printed := out.String(); !strings.Contains(printed, "WhatsApp to +254711000111 ("+id+")") || !strings.Contains(printed, "Your card is ready.") {
		t.Fatalf("printed:\n%s", printed)
	}
}
