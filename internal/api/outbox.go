package api

import (
	"net/http"

	"github.com/kindred-desk/kindred"
)

// outboxRoutes let leads see what kindred sent or failed to send (the
// dead-letter list) and admins put a dead message back in the queue.
func (s *server) outboxRoutes() []route {
	if s.cfg.Outbox == nil {
		return nil
	}
	return []route{
		{method: "GET", path: "/api/v1/outbox", roles: leads, handler: s.listOutbox},
		{method: "POST", path: "/api/v1/outbox/{id}/retry", roles: adminOnly, handler: s.retryOutbox},
	}
}

func (s *server) listOutbox(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "status", "channel", "customer_id", "purpose", "limit", "offset")
	f := kindred.OutboxFilter{
		Status:     kindred.OutboxStatus(q.str("status")),
		Channel:    kindred.Channel(q.str("channel")),
		CustomerID: q.id("customer_id"),
		Purpose:    q.line("purpose", q.str("purpose"), false, maxNameLen),
		Page:       q.page(),
	}
	switch f.Status {
	case "", kindred.OutboxPending, kindred.OutboxSent, kindred.OutboxDead:
	default:
		q.Add("status", "must be one of pending, sent, dead")
	}
	switch f.Channel {
	case "", kindred.ChannelSMS, kindred.ChannelEmail, kindred.ChannelWhatsApp:
	default:
		q.Add("channel", "must be sms, email or whatsapp")
	}
	if err := q.Err(); err != nil {
		return err
	}
	msgs, err := s.cfg.Outbox.Outbox(r.Context(), f)
	if err != nil {
		return s.storeFailed("Outbox", err)
	}
	for i := range msgs {
		hideSecret(&msgs[i])
	}
	return writeList(w, r, msgs, f.Page)
}

func (s *server) retryOutbox(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "outgoing message")
	if err != nil {
		return err
	}
	if err := s.cfg.Outbox.Retry(r.Context(), id); err != nil {
		return s.storeFailed("Retry", err)
	}
	m, err := s.cfg.Outbox.OutboundMessage(r.Context(), id)
	if err != nil {
		return s.storeFailed("OutboundMessage", err)
	}
	hideSecret(m)
	return writeJSON(w, http.StatusOK, m)
}

// hideSecret blanks the body of a message that carries a one-time code or a
// survey link: a lead reading the outbox must not be able to verify as the
// customer, or answer their survey.
func hideSecret(m *kindred.OutboundMessage) {
	if m.HoldsSecret() && m.Body != "" {
		m.Body = "(hidden: it holds a secret for the customer alone)"
	}
}
