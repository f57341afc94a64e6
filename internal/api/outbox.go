package api

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/sms"
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
		// The gateway's report on what it sent: the outbox's, whatever else the desk runs.
		{method: "POST", path: "/api/v1/sms/delivery", public: true, gateway: true, handler: s.smsDelivery},
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

// smsDelivery takes the gateway's delivery report for an SMS kindred sent
// (Africa's Talking's form: id, status, phoneNumber, failureReason, or the
// same fields as JSON), and
// marks the reply it carried delivered or failed. A report for a message
// still on its way, or for one kindred does not know, is answered 200 and
// changes nothing, so that the gateway does not post it again.
func (s *server) smsDelivery(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		var in map[string]string
		if err := decode(r, &in); err != nil {
			return err
		}
		for k, v := range in {
			form.Set(k, v)
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return badRequest("the form could not be read")
		}
		form = r.PostForm
	}
	rep, err := sms.ParseReport(form)
	if errors.Is(err, sms.ErrPendingReport) {
		return writeJSON(w, http.StatusOK, map[string]any{"recorded": false, "reason": "still on its way"})
	}
	if err != nil {
		field, reason, _ := strings.Cut(err.Error(), ": ")
		return &kindred.Error{Kind: kindred.Invalid, Message: "the delivery report could not be read",
			Fields: []kindred.FieldError{{Field: field, Reason: reason}}}
	}
	id, err := s.cfg.Outbox.RecordDelivery(r.Context(), rep)
	if kindred.ErrorKind(err) == kindred.NotFound {
		s.log.WarnContext(r.Context(), "delivery report for a message kindred did not send")
		return writeJSON(w, http.StatusOK, map[string]any{"recorded": false, "reason": "no message was sent with this id"})
	}
	if err != nil {
		return s.storeFailed("RecordDelivery", err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"recorded": true, "message_id": id})
}
