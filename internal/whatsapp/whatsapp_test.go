package whatsapp_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/outbox"
	"github.com/kindred-desk/kindred/internal/whatsapp"
)

const secret = "app-secret"

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account"}`)
	good := whatsapp.Sign(secret, body)
	tests := []struct {
		name, secret, header string
		body                 []byte
		ok                   bool
	}{
		{"signed", secret, good, body, true},
		{"body changed", secret, good, []byte(`{"object":"whatsapp_business_account "}`), false},
		{"other secret", "another", good, body, false},
		{"no prefix", secret, strings.TrimPrefix(good, "sha256="), body, false},
		{"not hex", secret, "sha256=zz", body, false},
		{"unsigned", secret, "", body, false},
		{"no secret set up", "", good, body, false},
		{"sha1 form", secret, "sha1=" + strings.TrimPrefix(good, "sha256="), body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := whatsapp.VerifySignature(tt.secret, tt.header, tt.body); (err == nil) != tt.ok {
				t.Fatalf("VerifySignature = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// A text message as Meta documents it.
const textPost = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{
 "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
 "contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],
 "messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]},
 "field":"messages"}]}]}`

// A status with an error, as Meta documents it.
const failedPost = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{
 "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
 "statuses":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA","status":"failed","timestamp":"1750263773","recipient_id":"16505551234",
 "errors":[{"code":131049,"title":"This message was not delivered to maintain healthy ecosystem engagement.","message":"x","error_data":{"details":"In order to maintain a healthy ecosystem engagement, the message failed to be delivered."}}]}]},
 "field":"messages"}]}]}`

func TestParseWebhook(t *testing.T) {
	n, err := whatsapp.ParseWebhook([]byte(textPost))
	if err != nil || len(n.Messages) != 1 || len(n.Statuses) != 0 {
		t.Fatalf("%+v %v", n, err)
	}
	m := n.Messages[0]
	if m.From != "+16505551234" || m.Name != "Sheena Nelson" || m.Body() != "Does it come in another color?" || m.At.Unix() != 1749416383 {
		t.Fatalf("text message: %+v", m)
	}

	n, err = whatsapp.ParseWebhook([]byte(failedPost))
	if err != nil || len(n.Statuses) != 1 {
		t.Fatalf("%+v %v", n, err)
	}
	rep, ok := n.Statuses[0].Report()
	if !ok || rep.Delivered || rep.Channel != kindred.ChannelWhatsApp || !strings.Contains(rep.Reason, "131049") {
		t.Fatalf("failed status as a report: %+v %v", rep, ok)
	}

	at := time.Unix(1_750_000_000, 0)
	media := whatsapp.NotificationBody("1", []whatsapp.Inbound{{ID: "wamid.M", From: "+254722000111", At: at, Text: "my ID card",
		Media: &whatsapp.Media{Kind: "document", ID: "MEDIA1", MimeType: "application/pdf", Filename: "id.pdf"}}}, nil)
	n, err = whatsapp.ParseWebhook(media)
	if err != nil || len(n.Messages) != 1 {
		t.Fatalf("%+v %v", n, err)
	}
	if got := n.Messages[0].Body(); got != "my ID card\n[document \"id.pdf\", application/pdf, WhatsApp media MEDIA1]" {
		t.Fatalf("media listed as %q", got)
	}
	for _, st := range []struct {
		status    string
		report    bool
		delivered bool
	}{{"sent", false, false}, {"delivered", true, true}, {"read", true, true}, {"failed", true, false}} {
		n, err := whatsapp.ParseWebhook(whatsapp.NotificationBody("1", nil, []whatsapp.Status{{ID: "wamid.S", Status: st.status, To: "+254722000111", At: at}}))
		if err != nil {
			t.Fatal(err)
		}
		rep, ok := n.Statuses[0].Report()
		if ok != st.report || rep.Delivered != st.delivered {
			t.Errorf("%s: report %v delivered %v", st.status, ok, rep.Delivered)
		}
	}

	bad := []struct{ name, body, field string }{
		{"not json", `{"object":`, "body"},
		{"another object", `{"object":"page","entry":[]}`, "object"},
		{"phone not a number", strings.Replace(textPost, `"from":"16505551234"`, `"from":"1650555123x"`, 1), "messages.from"},
		{"no message id", strings.Replace(textPost, `"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="`, `"id":""`, 1), "messages.id"},
		{"empty text", strings.Replace(textPost, `Does it come in another color?`, ` `, 1), "messages.text.body"},
		{"bad timestamp", strings.Replace(textPost, `"1749416383"`, `"soon"`, 1), "messages.timestamp"},
		{"unknown status", strings.Replace(failedPost, `"status":"failed"`, `"status":"lost"`, 1), "statuses.status"},
		{"invalid UTF-8", "{\"object\":\"whatsapp_business_account\xff\"}", "body"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := whatsapp.ParseWebhook([]byte(b.body))
			if err == nil || !strings.HasPrefix(err.Error(), b.field+": ") {
				t.Fatalf("got %v, want an error naming %s", err, b.field)
			}
		})
	}
}

// FuzzParseWebhook: any body is either refused with an error naming a
// field, or read into messages that all have a sender in E.164, an id and
// a body to show.
func FuzzParseWebhook(f *testing.F) {
	f.Add([]byte(textPost))
	f.Add([]byte(failedPost))
	f.Add(whatsapp.NotificationBody("1", []whatsapp.Inbound{{ID: "w", From: "+254722000111", Type: "image",
		Media: &whatsapp.Media{Kind: "image", ID: "m", MimeType: "image/jpeg"}}}, nil))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"254722000111","id":"x","timestamp":"1","type":"location","location":{"latitude":1,"longitude":2}}]}}]}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := whatsapp.ParseWebhook(body)
		if err != nil {
			if !strings.Contains(err.Error(), ": ") {
				t.Fatalf("error names no field: %v", err)
			}
			return
		}
		for _, m := range n.Messages {
			if !strings.HasPrefix(m.From, "+") || m.ID == "" {
				t.Fatalf("message without a sender or id: %+v", m)
			}
			_ = m.Body()
		}
		for _, s := range n.Statuses {
			if s.ID == "" || !strings.HasPrefix(s.To, "+") {
				t.Fatalf("status without an id or recipient: %+v", s)
			}
		}
	})
}

func TestCloudSendsToTheSimulatorAndKnowsWhatNotToRetry(t *testing.T) {
	sim := &whatsapp.Simulator{PhoneID: "100000000000001", Token: "tok"}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	m := kindred.OutboundMessage{ID: 1, Channel: kindred.ChannelWhatsApp, To: "+254722000111", Body: "Habari Achieng"}

	c := &whatsapp.Cloud{URL: srv.URL, PhoneID: sim.PhoneID, Token: "tok"}
	id, err := c.Send(context.Background(), m)
	if err != nil || !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("send: %q %v", id, err)
	}
	if sent := sim.Sent(); len(sent) != 1 || sent[0].To != m.To || sent[0].Body != m.Body || sent[0].ID != id {
		t.Fatalf("the simulator took %+v", sent)
	}
	for _, bad := range []*whatsapp.Cloud{
		{URL: srv.URL, PhoneID: sim.PhoneID, Token: "wrong"},
		{URL: srv.URL, PhoneID: "999", Token: "tok"},
	} {
		if _, err := bad.Send(context.Background(), m); err == nil || !outbox.IsPermanent(err) {
			t.Errorf("%+v: %v, want a permanent refusal", bad, err)
		}
	}
	srv.Close()
	if _, err := c.Send(context.Background(), m); err == nil || outbox.IsPermanent(err) {
		t.Fatalf("an unreachable API: %v, want an error worth retrying", err)
	}
}
