package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, apiCfg *api.Config, db *store.DB) {
		cfg.Webhooks, apiCfg.Webhooks = db, db
	})
}

func TestAdminSubscribesAWebhookAndReplaysADelivery(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("admin@example.org")
	wantContains(t, b.get("/admin"), `<a id="webhooks-link" href="/admin/webhooks">`)
	r := b.get("/admin/webhooks")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "<h1>Webhooks</h1>", "No webhooks yet.", `<input id="event-message.created" type="checkbox" name="events" value="message.created">`)

	// Loopback is refused, and what was typed stays in the form.
	r = b.post("/admin/webhooks", url.Values{"url": {"http://127.0.0.1:9000/hook"}, "events": {"ticket.called"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "loopback, private", `value="http://127.0.0.1:9000/hook"`, `value="ticket.called" checked`)
	r = b.post("/admin/webhooks", url.Values{"url": {"https://crm.example.org/hook"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "choose at least one event")
	if hooks, _ := d.db.Webhooks(t.Context()); len(hooks) != 0 {
		t.Fatalf("refused forms stored %d webhooks", len(hooks))
	}

	r = b.post("/admin/webhooks", url.Values{"url": {"https://crm.example.org/hook"}, "events": {"message.created"}, "description": {"CRM"}})
	wantStatus(t, r, http.StatusCreated)
	wantContains(t, r, `<output id="new-webhook-secret" class="secret">whsec_`, "https://crm.example.org/hook")
	if strings.Contains(b.get("/admin/webhooks").body, "whsec_") {
		t.Fatal("the secret is shown again")
	}

	// A message makes a delivery; the admin sends it again.
	conv := d.seed.conv.ID
	if err := d.db.AddMessage(t.Context(), &kindred.Message{ConversationID: conv, Direction: kindred.Inbound, Body: "Hello again"}); err != nil {
		t.Fatal(err)
	}
	ds, err := d.db.WebhookDeliveries(t.Context(), kindred.WebhookDeliveryFilter{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %+v %v", ds, err)
	}
	wantContains(t, b.get("/admin/webhooks"), "<code>message.created</code> #")
	r = b.post("/admin/webhooks/deliveries/"+strconv.FormatInt(ds[0].ID, 10)+"/replay", nil)
	wantStatus(t, r, http.StatusSeeOther)
	if ds, _ = d.db.WebhookDeliveries(t.Context(), kindred.WebhookDeliveryFilter{}); len(ds) != 2 || ds[0].ReplayOf == nil {
		t.Fatalf("after the replay: %+v", ds)
	}
	// An agent may not.
	a := d.browser()
	a.signIn("amina@example.org")
	if r := a.get("/admin/webhooks"); r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusNotFound {
		t.Fatalf("an agent opened the webhooks page: %d", r.StatusCode)
	}
	wantContains(t, b.get("/admin/webhooks?lang=sw"), "Ongeza webhook", "Matumizi ya karibuni")
}
