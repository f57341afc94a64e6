package api

import (
	"net/http"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/webhook"
)

// webhookRoutes let admins subscribe other systems to the desk's events,
// read each delivery's log and replay one.
func (s *server) webhookRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/webhooks", roles: adminOnly, handler: s.listWebhooks},
		{method: "POST", path: "/api/v1/webhooks", roles: adminOnly, handler: s.createWebhook},
		{method: "DELETE", path: "/api/v1/webhooks/{id}", roles: adminOnly, handler: s.removeWebhook},
		{method: "GET", path: "/api/v1/webhooks/deliveries", roles: adminOnly, handler: s.listWebhookDeliveries},
		{method: "GET", path: "/api/v1/webhooks/deliveries/{id}", roles: adminOnly, handler: s.getWebhookDelivery},
		{method: "POST", path: "/api/v1/webhooks/deliveries/{id}/replay", roles: adminOnly, handler: s.replayWebhookDelivery},
	}
}

func (s *server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	hooks, err := s.cfg.Webhooks.Webhooks(r.Context())
	if err != nil {
		return s.storeFailed("Webhooks", err)
	}
	return writeAll(w, hooks)
}

// createWebhook subscribes a URL. The secret, when not given, is made here;
// either way it is shown in this answer only.
func (s *server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		URL         string   `json:"url"`
		Secret      string   `json:"secret"`
		Events      []string `json:"events"`
		Description string   `json:"description"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	hook := kindred.Webhook{
		URL:         c.line("url", in.URL, true, 2000),
		Secret:      c.line("secret", in.Secret, false, 200),
		Description: c.line("description", in.Description, false, maxNameLen),
	}
	if hook.URL != "" {
		if err := webhook.CheckURL(hook.URL, s.cfg.WebhookAllowPrivate); err != nil {
			c.Add("url", err.Error())
		}
	}
	if hook.Secret == "" {
		hook.Secret = webhook.NewSecret()
	} else if len(hook.Secret) < 16 {
		c.Add("secret", "must be at least 16 characters, or left out for kindred to make one")
	}
	if len(in.Events) == 0 {
		c.Add("events", "choose at least one of "+list(kindred.WebhookEvents))
	}
	for _, e := range in.Events {
		hook.Events = append(hook.Events, oneOf(&c, "events", e, kindred.WebhookEvents))
	}
	if err := c.Err(); err != nil {
		return err
	}
	if err := s.cfg.Webhooks.CreateWebhook(r.Context(), &hook); err != nil {
		return s.storeFailed("CreateWebhook", err)
	}
	return writeJSON(w, http.StatusCreated, hook)
}

func (s *server) removeWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "webhook")
	if err != nil {
		return err
	}
	if err := s.cfg.Webhooks.RemoveWebhook(r.Context(), id); err != nil {
		return s.storeFailed("RemoveWebhook", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "webhook_id", "status", "limit", "offset")
	f := kindred.WebhookDeliveryFilter{WebhookID: q.id("webhook_id"), Page: q.page()}
	if st := q.str("status"); st != "" {
		f.Status = oneOf(&q.checker, "status", st, []kindred.WebhookStatus{kindred.WebhookPending, kindred.WebhookDelivered, kindred.WebhookDead})
	}
	if err := q.Err(); err != nil {
		return err
	}
	ds, err := s.cfg.Webhooks.WebhookDeliveries(r.Context(), f)
	if err != nil {
		return s.storeFailed("WebhookDeliveries", err)
	}
	return writeList(w, r, ds, f.Page)
}

func (s *server) getWebhookDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "webhook delivery")
	if err != nil {
		return err
	}
	d, err := s.cfg.Webhooks.WebhookDelivery(r.Context(), id)
	if err != nil {
		return s.storeFailed("WebhookDelivery", err)
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *server) replayWebhookDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "webhook delivery")
	if err != nil {
		return err
	}
	d, err := s.cfg.Webhooks.ReplayWebhookDelivery(r.Context(), id)
	if err != nil {
		return s.storeFailed("ReplayWebhookDelivery", err)
	}
	return writeJSON(w, http.StatusAccepted, d)
}
