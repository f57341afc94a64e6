package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// TestAxeWebhooksPage walks the admin's webhooks page as an administrator
// uses it: the list with a delivery, a subscription refused for pointing
// inside the network (the problem beside the field), then one added with
// its secret shown once. axe-core finds no WCAG 2.2 AA violation on any of
// these screens, in English and Kiswahili, at normal size and large text.
func TestAxeWebhooksPage(t *testing.T) {
	requireBrowser(t)
	d := emptyDesk(t, func(db *store.DB, _ string, c *web.Config, a *api.Config) {
		c.Webhooks, a.Webhooks = db, db
	})
	ctx := kindred.WithActor(context.Background(), seedActor)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)
	d.agent = d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	if err := d.db.CreateWebhook(ctx, &kindred.Webhook{URL: "https://crm.example.org/hook", Secret: "0123456789abcdef-secret",
		Events: []kindred.WebhookEvent{kindred.EventMessageCreated}, Description: "CRM"}); err != nil {
		t.Fatal(err)
	}
	d.seed(t, ctx) // its messages make deliveries to list
	inEveryMode(t, d.url, d.admin, func(t *testing.T, tb *tab, mode string, large bool) {
		tb.open("/admin/webhooks", http.StatusOK)
		tb.assertMode(large)
		tb.mustExist("table#deliveries tbody tr")
		checkAxe(tb, "webhooks ("+mode+")")

		tb.do("ask for a webhook on this network",
			chromedp.SendKeys(chromedp.CSS("input#webhook-url"), "http://127.0.0.1:9000/hook"),
			chromedp.Click(chromedp.CSS(`input[id="event-ticket.called"]`)),
		)
		tb.submit("button#create-webhook-button", http.StatusUnprocessableEntity)
		tb.assertMode(large)
		checkAxe(tb, "webhooks, refused ("+mode+")")

		eval[string](tb, `document.querySelector("input#webhook-url").value = ""`)
		tb.do("point it at the CRM",
			chromedp.SendKeys(chromedp.CSS("input#webhook-url"), "https://crm.example.org/tickets-"+mode),
		)
		tb.submit("button#create-webhook-button", http.StatusCreated)
		tb.mustExist("output#new-webhook-secret")
		tb.assertMode(large)
		checkAxe(tb, "webhooks, secret shown once ("+mode+")")
	})
}
