package web

import (
	"net/http"
	"strings"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/webhook"
)

// webhooksPage lists the webhook subscriptions and the latest deliveries,
// with forms to add a subscription, remove one, and replay a delivery.
type webhooksPage struct {
	*view
	Webhooks   []kindred.Webhook
	Deliveries []kindred.WebhookDelivery
	Events     []kindred.WebhookEvent
	Problems   []string
	Form       map[string]string
	Chosen     map[string]bool
	NewSecret  string // the secret of a webhook just made: shown this once
}

func (c *Console) webhookRoutes() []route {
	return []route{
		{"GET /admin/webhooks", admins, c.webhooks},
		{"POST /admin/webhooks", admins, c.createWebhook},
		{"POST /admin/webhooks/{id}/remove", admins, c.removeWebhook},
		{"POST /admin/webhooks/deliveries/{id}/replay", admins, c.replayWebhookDelivery},
	}
}

// deliveriesShown is how many of the latest deliveries the page lists.
const deliveriesShown = 30

func (c *Console) loadWebhooks(r *http.Request, q *request) (*webhooksPage, error) {
	hooks, err := c.cfg.Webhooks.Webhooks(r.Context())
	if err != nil {
		return nil, err
	}
	ds, err := c.cfg.Webhooks.WebhookDeliveries(r.Context(), kindred.WebhookDeliveryFilter{Page: kindred.Page{Limit: deliveriesShown}})
	if err != nil {
		return nil, err
	}
	v := c.view(r, q, "Webhooks")
	v.Nav = "admin"
	return &webhooksPage{view: v, Webhooks: hooks, Deliveries: ds, Events: kindred.WebhookEvents,
		Form: map[string]string{}, Chosen: map[string]bool{}}, nil
}

func (c *Console) webhooks(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadWebhooks(r, q)
	if err != nil {
		return err
	}
	c.pages.render(w, r, c.log, http.StatusOK, "admin_webhooks", p)
	return nil
}

// createWebhook subscribes a URL, by the same rules as the API: the SSRF
// guard's at creation, a secret made here and shown once.
func (c *Console) createWebhook(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	hook := &kindred.Webhook{URL: strings.TrimSpace(r.PostForm.Get("url")), Description: strings.TrimSpace(r.PostForm.Get("description")),
		Secret: webhook.NewSecret()}
	for _, e := range r.PostForm["events"] {
		hook.Events = append(hook.Events, kindred.WebhookEvent(e))
	}
	var v kindred.Validation
	if err := webhook.CheckURL(hook.URL, c.cfg.WebhookAllowPrivate); err != nil {
		v.Add("url", err.Error())
	}
	err := v.Err()
	if err == nil {
		err = c.cfg.Webhooks.CreateWebhook(r.Context(), hook)
	}
	if kindred.ErrorKind(err) == kindred.Invalid {
		p, lerr := c.loadWebhooks(r, q)
		if lerr != nil {
			return lerr
		}
		p.Problems = problems(p.view, err)
		p.Form["url"], p.Form["description"] = hook.URL, hook.Description
		for _, e := range hook.Events {
			p.Chosen[string(e)] = true
		}
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "admin_webhooks", p)
		return nil
	}
	if err != nil {
		return err
	}
	p, err := c.loadWebhooks(r, q)
	if err != nil {
		return err
	}
	p.NewSecret = hook.Secret
	c.pages.render(w, r, c.log, http.StatusCreated, "admin_webhooks", p)
	return nil
}

func (c *Console) removeWebhook(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := c.cfg.Webhooks.RemoveWebhook(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/webhooks", http.StatusSeeOther)
	return nil
}

func (c *Console) replayWebhookDelivery(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := c.cfg.Webhooks.ReplayWebhookDelivery(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/webhooks", http.StatusSeeOther)
	return nil
}
