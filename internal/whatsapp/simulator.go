package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sent is a message the simulator took.
type Sent struct {
	ID   string // the wamid it answered with
	To   string // E.164
	Body string
	At   time.Time
}

// Simulator stands in for the Cloud API on this machine: it takes sends in
// the Cloud API's form, answers with a wamid, and posts the statuses back
// to the desk's webhook (sent, delivered, read; or failed for an
// unreachable number), signed with the app secret as Meta signs them. It
// can also post a customer's message (Inbound).
type Simulator struct {
	PhoneID    string // sends to another phone number id are refused (404)
	Token      string // sends without this bearer token are refused (401)
	AppSecret  string // signs what it posts to WebhookURL
	WebhookURL string // the desk's webhook; "" posts nothing

	StatusDelay time.Duration        // between the statuses it posts; default 50ms
	Unreachable func(to string) bool // numbers whose messages fail
	OnSend      func(Sent)           // told of each message taken
	OnPostError func(err error)      // told when the desk does not take a post
	Client      *http.Client         // nil: a client with a 10-second timeout
	Now         func() time.Time     // nil: time.Now

	mu   sync.Mutex
	n    int
	sent []Sent
	wg   sync.WaitGroup
}

// Sent returns the messages taken so far.
func (s *Simulator) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Wait waits until every status post started so far has been made.
func (s *Simulator) Wait() { s.wg.Wait() }

func (s *Simulator) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// ServeHTTP takes POST /{phone-number-id}/messages.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	phone, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if r.Method != http.MethodPost || rest != "messages" {
		graphError(w, http.StatusNotFound, 100, "Unsupported request: POST /{phone-number-id}/messages only")
		return
	}
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		graphError(w, http.StatusUnauthorized, 190, "Invalid OAuth access token")
		return
	}
	if s.PhoneID != "" && phone != s.PhoneID {
		graphError(w, http.StatusNotFound, 100, "Unknown phone number id "+phone)
		return
	}
	var req sendRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.MessagingProduct != "whatsapp" {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter: the body must be a whatsapp message")
		return
	}
	to, err := e164(req.To)
	if err != nil || req.Type != "text" || strings.TrimSpace(req.Text.Body) == "" {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter: to, type text and text.body are required")
		return
	}
	s.mu.Lock()
	s.n++
	m := Sent{ID: fmt.Sprintf("wamid.SIM%08d", s.n), To: to, Body: req.Text.Body, At: s.now()}
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	if s.OnSend != nil {
		s.OnSend(m)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []map[string]string{{"input": req.To, "wa_id": req.To}},
		"messages":          []map[string]string{{"id": m.ID}},
	})
	if s.WebhookURL != "" {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.postStatuses(m)
		}()
	}
}

func graphError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": code}})
}

// postStatuses tells the desk what became of m, as WhatsApp does: sent,
// then delivered and read, or failed.
func (s *Simulator) postStatuses(m Sent) {
	delay := s.StatusDelay
	if delay <= 0 {
		delay = 50 * time.Millisecond
	}
	steps := []string{"sent", "delivered", "read"}
	if s.Unreachable != nil && s.Unreachable(m.To) {
		steps = []string{"failed"}
	}
	for _, st := range steps {
		time.Sleep(delay)
		status := Status{ID: m.ID, Status: st, To: m.To, At: s.now()}
		if st == "failed" {
			status.Reason = "Message undeliverable (131026)"
		}
		if err := s.post(context.Background(), NotificationBody(s.PhoneID, nil, []Status{status})); err != nil && s.OnPostError != nil {
			s.OnPostError(err)
		}
	}
}

// Inbound posts a customer's text message to the desk, as WhatsApp does,
// and returns its wamid.
func (s *Simulator) Inbound(ctx context.Context, from, name, text string) (string, error) {
	s.mu.Lock()
	s.n++
	id := fmt.Sprintf("wamid.SIMIN%08d", s.n)
	s.mu.Unlock()
	in := Inbound{ID: id, From: from, Name: name, At: s.now(), Type: "text", Text: text}
	return id, s.post(ctx, NotificationBody(s.PhoneID, []Inbound{in}, nil))
}

// post sends a signed webhook body to the desk.
func (s *Simulator) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(s.AppSecret, body))
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("post to the desk: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("the desk answered %s: %s", resp.Status, b)
	}
	return nil
}

// NotificationBody is a webhook post in the Cloud API's form, telling of
// msgs and statuses.
func NotificationBody(phoneID string, msgs []Inbound, statuses []Status) []byte {
	v := value{MessagingProduct: "whatsapp", Metadata: metadata{DisplayPhoneNumber: "15550000000", PhoneNumberID: phoneID}}
	for _, in := range msgs {
		waID := strings.TrimPrefix(in.From, "+")
		c := contact{WAID: waID}
		c.Profile.Name = in.Name
		v.Contacts = append(v.Contacts, c)
		m := message{From: waID, ID: in.ID, Timestamp: strconv.FormatInt(in.At.Unix(), 10), Type: in.Type}
		switch {
		case in.Media != nil:
			md := &media{ID: in.Media.ID, MimeType: in.Media.MimeType, Filename: in.Media.Filename, Caption: in.Text}
			m.Type = in.Media.Kind
			switch in.Media.Kind {
			case "image":
				m.Image = md
			case "audio":
				m.Audio = md
			case "video":
				m.Video = md
			case "sticker":
				m.Sticker = md
			default:
				m.Type, m.Document = "document", md
			}
		default:
			m.Type, m.Text = "text", &text{Body: in.Text}
		}
		v.Messages = append(v.Messages, m)
	}
	for _, st := range statuses {
		s := status{ID: st.ID, Status: st.Status, Timestamp: strconv.FormatInt(st.At.Unix(), 10), RecipientID: strings.TrimPrefix(st.To, "+")}
		if st.Reason != "" {
			s.Errors = []apiError{{Code: 131026, Title: st.Reason}}
		}
		v.Statuses = append(v.Statuses, s)
	}
	b, _ := json.Marshal(webhookBody{Object: "whatsapp_business_account",
		Entry: []entry{{ID: "WABA-SIM", Changes: []change{{Field: "messages", Value: v}}}}})
	return b
}
