package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, db *store.DB) { cfg.Webhooks = db })
	featureAuthz = append(featureAuthz, func(t *testing.T, d *desk) []authzCase {
		hook := d.must(kindred.RoleAdmin, 201, "POST", "/api/v1/webhooks", map[string]any{
			"url": "https://crm.example.org/hook", "events": []string{"message.created"}})
		gone := d.must(kindred.RoleAdmin, 201, "POST", "/api/v1/webhooks", map[string]any{
			"url": "https://old.example.org/hook", "events": []string{"ticket.called"}})
		cust := d.newCustomer("Webhook Walker")
		conv := d.newConversation(cust)
		d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"direction": "in", "body": "Hello"})
		ds, err := d.db.WebhookDeliveries(system, kindred.WebhookDeliveryFilter{})
		if err != nil || len(ds) == 0 {
			t.Fatalf("no delivery to walk with: %v", err)
		}
		delivery := itoa(ds[0].ID)
		return []authzCase{
			{"GET /api/v1/webhooks", "admin", "/api/v1/webhooks", nil},
			{"POST /api/v1/webhooks", "admin", "/api/v1/webhooks", func() string {
				return `{"url": "https://erp.example.org/in", "events": ["survey.answered"]}`
			}},
			{"DELETE /api/v1/webhooks/{id}", "admin", "/api/v1/webhooks/" + id(gone), nil},
			{"GET /api/v1/webhooks/deliveries", "admin", "/api/v1/webhooks/deliveries?webhook_id=" + id(hook), nil},
			{"GET /api/v1/webhooks/deliveries/{id}", "admin", "/api/v1/webhooks/deliveries/" + delivery, nil},
			{"POST /api/v1/webhooks/deliveries/{id}/replay", "admin", "/api/v1/webhooks/deliveries/" + delivery + "/replay", nil},
		}
	})
}

func TestWebhookSubscriptionRefusesPrivateAddressesAndBadInput(t *testing.T) {
	d := newDesk(t)
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"loopback", map[string]any{"url": "http://127.0.0.1:9000/hook", "events": []string{"message.created"}}, "url"},
		{"localhost", map[string]any{"url": "http://localhost/hook", "events": []string{"message.created"}}, "url"},
		{"cloud metadata", map[string]any{"url": "http://169.254.169.254/", "events": []string{"message.created"}}, "url"},
		{"private", map[string]any{"url": "https://10.0.0.8/hook", "events": []string{"message.created"}}, "url"},
		{"not http", map[string]any{"url": "gopher://crm.example.org/", "events": []string{"message.created"}}, "url"},
		{"no events", map[string]any{"url": "https://crm.example.org/"}, "events"},
		{"unknown event", map[string]any{"url": "https://crm.example.org/", "events": []string{"message.deleted"}}, "events"},
		{"short secret", map[string]any{"url": "https://crm.example.org/", "secret": "abc", "events": []string{"message.created"}}, "secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := d.as(kindred.RoleAdmin, "POST", "/api/v1/webhooks", tc.body)
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `"field":"`+tc.field+`"`) {
				t.Fatalf("got %d %s, want 422 naming %s", rec.Code, rec.Body, tc.field)
			}
		})
	}
	if hooks, _ := d.db.Webhooks(system); len(hooks) != 0 {
		t.Fatalf("bad input stored %d webhooks", len(hooks))
	}

	allowed := newDesk(t, func(c *Config) { c.WebhookAllowPrivate = true })
	hook := allowed.must(kindred.RoleAdmin, 201, "POST", "/api/v1/webhooks", map[string]any{
		"url": "http://127.0.0.1:9000/hook", "events": []string{"message.created", "ticket.called"}, "description": "test receiver"})
	secret, _ := hook["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
		t.Fatalf("made secret %q", secret)
	}
	list := allowed.mustList(kindred.RoleAdmin, 200, "GET", "/api/v1/webhooks", nil)
	if len(list) != 1 || list[0]["secret"] != nil || list[0]["url"] != "http://127.0.0.1:9000/hook" {
		t.Fatalf("list shows %v; the secret must not be shown again", list)
	}
	if rec := allowed.as(kindred.RoleLead, "GET", "/api/v1/webhooks", nil); rec.Code != http.StatusForbidden {
		t.Fatalf("a lead read the webhooks: %d", rec.Code)
	}
}

func TestWebhookDeliveryLogAndReplay(t *testing.T) {
	d := newDesk(t)
	hook := d.must(kindred.RoleAdmin, 201, "POST", "/api/v1/webhooks", map[string]any{
		"url": "https://crm.example.org/hook", "secret": "a-secret-of-sixteen+", "events": []string{"message.created"}})
	conv := d.newConversation(d.newCustomer("Achieng Otieno"))
	d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"direction": "in", "body": "Is my card ready?"})
	d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"direction": "note", "body": "Private"})

	ds := d.mustList(kindred.RoleAdmin, 200, "GET", "/api/v1/webhooks/deliveries?webhook_id="+id(hook), nil)
	if len(ds) != 1 || ds[0]["event"] != "message.created" || ds[0]["status"] != "pending" {
		t.Fatalf("deliveries: %v (the note must not be one)", ds)
	}
	if rec := d.as(kindred.RoleAdmin, "GET", "/api/v1/webhooks/deliveries?status=lost", nil); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad status filter: %d", rec.Code)
	}
	replay := d.must(kindred.RoleAdmin, 202, "POST", "/api/v1/webhooks/deliveries/"+id(ds[0])+"/replay", nil)
	if replay["replay_of"] != ds[0]["id"] || replay["id"] == ds[0]["id"] {
		t.Fatalf("replay: %v", replay)
	}
	one := d.must(kindred.RoleAdmin, 200, "GET", "/api/v1/webhooks/deliveries/"+id(replay), nil)
	if one["event"] != "message.created" {
		t.Fatalf("delivery: %v", one)
	}
	if rec := d.as(kindred.RoleAdmin, "POST", "/api/v1/webhooks/deliveries/99999/replay", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("replay of nothing: %d", rec.Code)
	}
	if rec := d.as(kindred.RoleAdmin, "DELETE", "/api/v1/webhooks/"+id(hook), nil); rec.Code != http.StatusNoContent {
		t.Fatalf("remove: %d %s", rec.Code, rec.Body)
	}
	if rec := d.as(kindred.RoleAdmin, "POST", "/api/v1/webhooks/deliveries/"+id(ds[0])+"/replay", nil); rec.Code != http.StatusConflict {
		t.Fatalf("replay to a removed webhook: %d %s", rec.Code, rec.Body)
	}
}
