package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/whatsapp"
)

const (
	waSecret = "the-app-secret"
	waVerify = "the-verify-token"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, db *store.DB) {
		cfg.WhatsApp, cfg.WhatsAppAppSecret, cfg.WhatsAppVerifyToken = db, waSecret, waVerify
	})
	authzHeaders["POST /api/v1/whatsapp/webhook"] = func(body string) http.Header {
		return http.Header{whatsapp.SignatureHeader: {whatsapp.Sign(waSecret, []byte(body))}}
	}
	featureAuthz = append(featureAuthz, func(t *testing.T, d *desk) []authzCase {
		post := string(whatsapp.NotificationBody("1", []whatsapp.Inbound{{ID: "wamid.WALK", From: "+254722000999", Type: "text", Text: "walk", At: time.Now()}}, nil))
		return []authzCase{
			{pattern: "GET /api/v1/whatsapp/webhook", allowed: "public", path: "/api/v1/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=" + waVerify + "&hub.challenge=42"},
			{"POST /api/v1/whatsapp/webhook", "public", "/api/v1/whatsapp/webhook", func() string { return post }},
		}
	})
}

// postWhatsApp posts body to the webhook, signed with secret ("" unsigned).
func (d *desk) postWhatsApp(secret string, body []byte, query string) *httpResult {
	d.t.Helper()
	h := http.Header{}
	if secret != "" {
		h.Set(whatsapp.SignatureHeader, whatsapp.Sign(secret, body))
	}
	rec := d.doWith("", "POST", "/api/v1/whatsapp/webhook"+query, body, h)
	return &httpResult{rec.Code, rec.Body.String()}
}

type httpResult struct {
	code int
	body string
}

func TestWhatsAppHandshake(t *testing.T) {
	d := newDesk(t)
	tests := []struct {
		name, query string
		want        int
		body        string
	}{
		{"right token", "hub.mode=subscribe&hub.verify_token=" + waVerify + "&hub.challenge=1158201444", 200, "1158201444"},
		{"wrong token", "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", 403, ""},
		{"other mode", "hub.mode=unsubscribe&hub.verify_token=" + waVerify + "&hub.challenge=1", 403, ""},
		{"no challenge", "hub.mode=subscribe&hub.verify_token=" + waVerify, 400, ""},
		{"markup for a challenge", "hub.mode=subscribe&hub.verify_token=" + waVerify + "&hub.challenge=%3Cscript%3E", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := d.do("", "GET", "/api/v1/whatsapp/webhook?"+tt.query, nil)
			if rec.Code != tt.want || (tt.body != "" && rec.Body.String() != tt.body) {
				t.Fatalf("got %d %q, want %d %q", rec.Code, rec.Body, tt.want, tt.body)
			}
		})
	}
}

func TestWhatsAppWebhookTakesSignedPostsOnly(t *testing.T) {
	d := newDesk(t)
	in := []whatsapp.Inbound{{ID: "wamid.A1", From: "+254722000111", Name: "Achieng Otieno", Type: "text", Text: "Habari, where is my card?", At: time.Now()}}
	body := whatsapp.NotificationBody("1", in, nil)

	for _, bad := range []struct {
		name, secret string
	}{{"unsigned", ""}, {"forged", "not-the-secret"}} {
		if r := d.postWhatsApp(bad.secret, body, ""); r.code != http.StatusUnauthorized {
			t.Fatalf("%s post: %d %s", bad.name, r.code, r.body)
		}
	}
	if convs, _ := d.db.Conversations(system, kindred.ConversationFilter{}); len(convs) != 0 {
		t.Fatalf("a refused post stored %d conversations", len(convs))
	}
	if custs, _ := d.db.Customers(system, kindred.CustomerFilter{}); len(custs) != 0 {
		t.Fatalf("a refused post stored customers: %+v", custs)
	}

	if r := d.postWhatsApp(waSecret, body, ""); r.code != 200 || !strings.Contains(r.body, `"messages":1`) {
		t.Fatalf("signed post: %d %s", r.code, r.body)
	}
	// Meta posts again when we were slow: taken once.
	if r := d.postWhatsApp(waSecret, body, ""); r.code != 200 || !strings.Contains(r.body, `"repeats":1`) {
		t.Fatalf("repeated post: %d %s", r.code, r.body)
	}
	convs, err := d.db.Conversations(system, kindred.ConversationFilter{Channel: kindred.ChannelWhatsApp})
	if err != nil || len(convs) != 1 {
		t.Fatalf("conversations: %+v %v", convs, err)
	}
	full, err := d.db.Conversation(system, convs[0].ID, true)
	if err != nil || len(full.Messages) != 1 || full.Messages[0].Body != in[0].Text || full.Messages[0].Channel != kindred.ChannelWhatsApp {
		t.Fatalf("conversation: %+v %v", full, err)
	}
	if !full.WhatsAppWindowOpen {
		t.Fatal("the customer just wrote: the 24-hour window is open")
	}
	cust, err := d.db.Customer(system, full.CustomerID)
	if err != nil || cust.Name != "Achieng Otieno" || cust.Phone != "+254722000111" {
		t.Fatalf("customer made from the profile: %+v %v", cust, err)
	}

	// A second message, with a photo, joins the same conversation.
	photo := whatsapp.NotificationBody("1", []whatsapp.Inbound{{ID: "wamid.A2", From: "+254722000111", At: time.Now(), Text: "this one",
		Media: &whatsapp.Media{Kind: "image", ID: "MEDIA7", MimeType: "image/jpeg"}}}, nil)
	if r := d.postWhatsApp(waSecret, photo, ""); r.code != 200 {
		t.Fatalf("photo: %d %s", r.code, r.body)
	}
	full, _ = d.db.Conversation(system, convs[0].ID, true)
	if len(full.Messages) != 2 || !strings.Contains(full.Messages[1].Body, "[image, image/jpeg, WhatsApp media MEDIA7]") {
		t.Fatalf("the photo is not listed: %+v", full.Messages)
	}

	// A status for a message kindred did not send changes nothing, and is taken.
	st := whatsapp.NotificationBody("1", nil, []whatsapp.Status{{ID: "wamid.UNKNOWN", Status: "delivered", To: "+254722000111", At: time.Now()}})
	if r := d.postWhatsApp(waSecret, st, ""); r.code != 200 || !strings.Contains(r.body, `"statuses":0`) {
		t.Fatalf("unknown status: %d %s", r.code, r.body)
	}
	// A malformed post names the field.
	broken := []byte(`{"object":"page"}`)
	if r := d.postWhatsApp(waSecret, broken, ""); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"field":"object"`) {
		t.Fatalf("malformed post: %d %s", r.code, r.body)
	}
}

func TestWhatsAppWebhookNeedsTheGatewayKeyWhenSet(t *testing.T) {
	d := newDesk(t, func(c *Config) { c.GatewayKey = "gk" })
	body := whatsapp.NotificationBody("1", []whatsapp.Inbound{{ID: "wamid.K", From: "+254722000111", Type: "text", Text: "hi", At: time.Now()}}, nil)
	if r := d.postWhatsApp(waSecret, body, ""); r.code != http.StatusUnauthorized {
		t.Fatalf("without the key: %d", r.code)
	}
	if r := d.postWhatsApp(waSecret, body, "?key=gk"); r.code != 200 {
		t.Fatalf("with the key: %d %s", r.code, r.body)
	}
}

func TestWhatsAppReplyOutsideTheWindowIsNotSent(t *testing.T) {
	d := newDesk(t)
	cust := d.newCustomer("Baraka Mwangi")
	d.must(kindred.RoleAgent, 200, "PATCH", "/api/v1/customers/"+cust, map[string]any{"phone": "+254733000222"})
	conv := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations", map[string]any{"customer_id": json.Number(cust), "channel": "whatsapp", "subject": "Card"})
	// The customer never wrote on WhatsApp: the window is closed.
	reply := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+id(conv)+"/messages", map[string]any{"direction": "out", "body": "Your card is ready."})
	if reply["delivery_status"] != "failed" || !strings.Contains(reply["delivery_error"].(string), "24 hours") {
		t.Fatalf("reply outside the window: %v", reply)
	}
	if n, _ := d.db.Outbox(system, kindred.OutboxFilter{Channel: kindred.ChannelWhatsApp}); len(n) != 0 {
		t.Fatalf("a reply outside the window went to the outbox: %+v", n)
	}
}
