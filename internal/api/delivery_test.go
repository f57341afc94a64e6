package api

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureAuthz = append(featureAuthz, func(t *testing.T, d *desk) []authzCase {
		cust := d.newCustomer("Joseph Otieno")
		conv := d.newConversation(cust)
		return []authzCase{
			{"POST /api/v1/sms/delivery", "public", "/api/v1/sms/delivery", func() string { return `{"id": "ATPid_unknown", "status": "Success"}` }},
			{"POST /api/v1/conversations/{id}/calls", "admin lead agent", "/api/v1/conversations/" + conv + "/calls", func() string {
				return `{"summary": "Called about the card.", "next_step": "Post it today"}`
			}},
			{"GET /api/v1/customers/{id}/duplicates", "admin lead agent", "/api/v1/customers/" + cust + "/duplicates", nil},
			{"GET /api/v1/customers/{id}/merges", "admin lead agent", "/api/v1/customers/" + cust + "/merges", nil},
			// Each allowed call merges a fresh record of its own.
			{"POST /api/v1/customers/{id}/merge", "admin lead agent", "/api/v1/customers/" + cust + "/merge", func() string {
				return `{"merged_id": ` + d.newCustomer("J. Otieno") + `}`
			}},
			{"POST /api/v1/merges/{id}/undo", "admin lead agent", "", nil}, // path minted per request
		}
	})
}

// freshMerge merges a new record into a new customer and returns the merge's id.
func freshMerge(t *testing.T, d *desk) string {
	t.Helper()
	kept, merged := d.newCustomer("Kept"), d.newCustomer("Merged")
	return id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+kept+"/merge", map[string]any{"merged_id": json.Number(merged)}))
}

// deliveryReport posts a gateway's delivery report as a form.
func (d *desk) deliveryReport(form url.Values) *httptest.ResponseRecorder {
	d.t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/sms/delivery", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec
}

func TestRepliesCarryTheirDeliveryStatus(t *testing.T) {
	d := newDesk(t)
	cust := id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers", map[string]any{
		"name": "Mzee Kamau", "phone": "0722 000 222", "accommodations": []string{"read aloud"}}))
	conv := id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations", map[string]any{
		"customer_id": json.Number(cust), "channel": "sms", "subject": "Card"}))
	post := func(body map[string]any) map[string]any {
		t.Helper()
		return d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+conv+"/messages", body)
	}
	held := post(map[string]any{"direction": "out", "body": "Your card is posted today."})
	if held["delivery_status"] != "recorded" || !strings.Contains(held["delivery_error"].(string), `"read aloud" on file`) {
		t.Fatalf("a text to someone who cannot read it: %v", held)
	}
	sent := post(map[string]any{"direction": "out", "body": "Your card is posted today.", "send_anyway": true})
	if sent["delivery_status"] != "queued" || sent["to"] != "+254722000222" || sent["channel"] != "sms" {
		t.Fatalf("sent anyway: %v", sent)
	}
	// The gateway takes it (as the worker would record) and reports on it.
	out, err := d.db.Claim(system, time.Now(), time.Minute, 1)
	if err != nil || len(out) != 1 {
		t.Fatalf("claim: %v %v", out, err)
	}
	if err := d.db.MarkSent(system, out[0].ID, "ATPid_42", time.Now()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		form   url.Values
		code   int
		status string
	}{
		{"on its way changes nothing", url.Values{"id": {"ATPid_42"}, "status": {"Buffered"}}, 200, "sent"},
		{"an unknown status is refused", url.Values{"id": {"ATPid_42"}, "status": {"Lost"}}, 422, "sent"},
		{"no id is refused", url.Values{"status": {"Success"}}, 422, "sent"},
		{"an unknown id is taken and ignored", url.Values{"id": {"ATPid_nobody"}, "status": {"Failed"}}, 200, "sent"},
		{"success is delivered", url.Values{"id": {"ATPid_42"}, "status": {"Success"}}, 200, "delivered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rec := d.deliveryReport(tt.form); rec.Code != tt.code {
				t.Fatalf("report: %d %s", rec.Code, rec.Body)
			}
			msgs := d.must(kindred.RoleAgent, 200, "GET", "/api/v1/conversations/"+conv, nil)["messages"].([]any)
			if got := msgs[len(msgs)-1].(map[string]any)["delivery_status"]; got != tt.status {
				t.Fatalf("the reply is %v, want %s", got, tt.status)
			}
		})
	}
	call := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+conv+"/calls", map[string]any{
		"summary": "Read him the letter.", "next_step": "Post the card today"})
	if call["channel"] != "phone" || call["delivery_status"] != "recorded" || call["body"] != "Read him the letter.\n\nNext step: Post the card today" {
		t.Fatalf("call: %v", call)
	}
	if n, _ := d.db.Outbox(system, kindred.OutboxFilter{}); len(n) != 1 {
		t.Fatalf("the outbox holds %d messages: only the text sent anyway should be there", len(n))
	}
}
