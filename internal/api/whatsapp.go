package api

import (
	"crypto/subtle"
	"io"
	"net/http"
	"strings"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/whatsapp"
)

// whatsAppRoutes are the WhatsApp Cloud API's webhook: the subscription
// handshake and the posts of messages and statuses. Meta sends no token;
// the app secret's signature is what proves a post came from it, and the
// gateway key, when set, must be in the callback URL (?key=) as well.
func (s *server) whatsAppRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/whatsapp/webhook", public: true, gateway: true, handler: s.whatsAppVerify},
		{method: "POST", path: "/api/v1/whatsapp/webhook", public: true, gateway: true, handler: s.whatsAppWebhook},
	}
}

// whatsAppVerify answers the subscription handshake: Meta sends
// hub.mode=subscribe, the verify token it was given and a challenge, and
// expects the challenge back.
func (s *server) whatsAppVerify(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	if s.cfg.WhatsAppVerifyToken == "" || q.Get("hub.mode") != "subscribe" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.WhatsAppVerifyToken)) != 1 {
		return kindred.Errorf(kindred.Forbidden, "the verify token is wrong, or no --whatsapp-verify-token is set")
	}
	challenge := q.Get("hub.challenge")
	if challenge == "" || len(challenge) > 200 || strings.ContainsAny(challenge, "<>&\"'") {
		return badRequest("hub.challenge is missing or not a plain token")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := io.WriteString(w, challenge)
	return err
}

// whatsAppWebhook takes a signed post of customers' messages and of our
// messages' statuses. An unsigned or forged post is refused (401) before
// anything is read from it. A message already taken in (Meta posts again
// when we answer slowly) and a status of a message kindred did not send are
// answered 200 and change nothing, so that Meta does not post them again.
func (s *server) whatsAppWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyReadError(err)
	}
	if err := whatsapp.VerifySignature(s.cfg.WhatsAppAppSecret, r.Header.Get(whatsapp.SignatureHeader), body); err != nil {
		s.log.WarnContext(r.Context(), "WhatsApp webhook post refused", errAttr(err))
		return kindred.Errorf(kindred.Unauthorized, "the post is not signed with the app secret (X-Hub-Signature-256)")
	}
	n, err := whatsapp.ParseWebhook(body)
	if err != nil {
		field, reason, _ := strings.Cut(err.Error(), ": ")
		return &kindred.Error{Kind: kindred.Invalid, Message: "the WhatsApp post could not be read",
			Fields: []kindred.FieldError{{Field: field, Reason: reason}}}
	}
	var taken, repeats, reports int
	for _, in := range n.Messages {
		m, err := s.cfg.WhatsApp.InboundWhatsApp(r.Context(), kindred.InboundWhatsApp{
			From: in.From, Name: in.Name, ProviderID: in.ID, Body: in.Body(), At: in.At,
		}, s.analyzeInbound)
		if kindred.ErrorKind(err) == kindred.Conflict {
			repeats++
			continue
		}
		if err != nil {
			return s.storeFailed("InboundWhatsApp", err)
		}
		taken++
		if s.cfg.OnMessage != nil {
			s.cfg.OnMessage(*m)
		}
	}
	for _, st := range n.Statuses {
		rep, ok := st.Report()
		if !ok || s.cfg.Outbox == nil {
			continue
		}
		_, err := s.cfg.Outbox.RecordDelivery(r.Context(), rep)
		if kindred.ErrorKind(err) == kindred.NotFound {
			s.log.WarnContext(r.Context(), "WhatsApp status for a message kindred did not send")
			continue
		}
		if err != nil {
			return s.storeFailed("RecordDelivery", err)
		}
		reports++
	}
	return writeJSON(w, http.StatusOK, map[string]int{"messages": taken, "repeats": repeats, "statuses": reports})
}

// analyzeInbound lets the compassion engine read a customer's message
// before it is stored, as it does every message that comes through the API.
func (s *server) analyzeInbound(m *kindred.Message, c *kindred.Customer) {
	if s.cfg.Analyzer != nil {
		m.Analysis = s.cfg.Analyzer.Analyze(m, nil, c)
	}
}
