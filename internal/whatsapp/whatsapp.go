// Package whatsapp speaks the WhatsApp Business Cloud API: it reads the
// webhook Meta posts (customers' messages, and the sent, delivered, read and
// failed statuses of ours), checks its X-Hub-Signature-256, and sends
// replies (Cloud, an outbox Sender). Simulator is a local stand-in for the
// Cloud API that speaks the same format, for kindred wagw and the tests.
//
// The format is Meta's, as documented for Cloud API version 21: a send is
// POST {base}/{phone-number-id}/messages with a bearer token and
// {"messaging_product":"whatsapp","to":"254722000111","type":"text","text":{"body":"…"}},
// answered with {"messages":[{"id":"wamid…"}]}; the webhook posts
// {"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{…}}]}]}.
package whatsapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/outbox"
)

// SignatureHeader carries "sha256=<hex HMAC-SHA256 of the body with the
// app secret>" on every webhook post.
const SignatureHeader = "X-Hub-Signature-256"

// Sign returns the X-Hub-Signature-256 value for body.
func Sign(appSecret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(appSecret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// ErrBadSignature is returned by VerifySignature for a post that was not
// signed with the app secret.
var ErrBadSignature = errors.New("whatsapp: the X-Hub-Signature-256 does not match the body")

// VerifySignature checks header against body in constant time. An empty
// app secret verifies nothing: nothing unsigned is accepted.
func VerifySignature(appSecret, header string, body []byte) error {
	if appSecret == "" {
		return errors.New("whatsapp: no app secret is set up, so no webhook post can be trusted")
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return ErrBadSignature
	}
	h := hmac.New(sha256.New, []byte(appSecret))
	h.Write(body)
	if !hmac.Equal(got, h.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// Notification is what one webhook post tells: customers' messages and
// the statuses of ours.
type Notification struct {
	Messages []Inbound
	Statuses []Status
}

// Inbound is a customer's message.
type Inbound struct {
	ID   string // the wamid
	From string // E.164, with +
	Name string // the name on their WhatsApp profile, if shared
	At   time.Time
	Type string // text, image, audio, video, document, sticker, location, …
	Text string // the text, or the media's caption
	// Media is set for an image, audio, video, document or sticker: kindred
	// lists it on the message (kind, type, file name, Meta's media id) but
	// does not fetch it.
	Media *Media
}

// Media is a file a customer sent.
type Media struct {
	Kind, ID, MimeType, Filename string
}

// Body is the message as the desk shows it: the text, with any media
// listed after it in words.
func (in Inbound) Body() string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(in.Text))
	switch {
	case in.Media != nil:
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s", in.Media.Kind)
		if in.Media.Filename != "" {
			fmt.Fprintf(&b, " %q", in.Media.Filename)
		}
		if in.Media.MimeType != "" {
			fmt.Fprintf(&b, ", %s", in.Media.MimeType)
		}
		fmt.Fprintf(&b, ", WhatsApp media %s]", in.Media.ID)
	case in.Type != "text" && b.Len() == 0:
		fmt.Fprintf(&b, "[a WhatsApp %s message, which kindred cannot show]", in.Type)
	}
	return b.String()
}

// Status is news of a message we sent.
type Status struct {
	ID     string // the wamid our send was answered with
	Status string // sent, delivered, read or failed
	To     string // E.164
	At     time.Time
	Reason string // why it failed, in WhatsApp's words
}

// Report is the status as a delivery report, and whether it is one: a
// "sent" status tells nothing the outbox does not know.
func (s Status) Report() (kindred.DeliveryReport, bool) {
	r := kindred.DeliveryReport{Channel: kindred.ChannelWhatsApp, ProviderID: s.ID}
	switch s.Status {
	case "delivered", "read":
		r.Delivered = true
		return r, true
	case "failed":
		r.Reason = s.Reason
		if r.Reason == "" {
			r.Reason = "WhatsApp could not deliver it"
		}
		return r, true
	}
	return r, false
}

// The webhook's JSON, as much of it as kindred reads.
type (
	webhookBody struct {
		Object string  `json:"object"`
		Entry  []entry `json:"entry"`
	}
	entry struct {
		ID      string   `json:"id"`
		Changes []change `json:"changes"`
	}
	change struct {
		Field string `json:"field"`
		Value value  `json:"value"`
	}
	value struct {
		MessagingProduct string     `json:"messaging_product"`
		Metadata         metadata   `json:"metadata"`
		Contacts         []contact  `json:"contacts,omitempty"`
		Messages         []message  `json:"messages,omitempty"`
		Statuses         []status   `json:"statuses,omitempty"`
		Errors           []apiError `json:"errors,omitempty"`
	}
	metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	}
	contact struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WAID string `json:"wa_id"`
	}
	message struct {
		From      string    `json:"from"`
		ID        string    `json:"id"`
		Timestamp string    `json:"timestamp"`
		Type      string    `json:"type"`
		Text      *text     `json:"text,omitempty"`
		Image     *media    `json:"image,omitempty"`
		Audio     *media    `json:"audio,omitempty"`
		Video     *media    `json:"video,omitempty"`
		Document  *media    `json:"document,omitempty"`
		Sticker   *media    `json:"sticker,omitempty"`
		Location  *location `json:"location,omitempty"`
		Button    *struct {
			Text string `json:"text"`
		} `json:"button,omitempty"`
	}
	text struct {
		Body string `json:"body"`
	}
	media struct {
		ID       string `json:"id"`
		MimeType string `json:"mime_type"`
		SHA256   string `json:"sha256,omitempty"`
		Caption  string `json:"caption,omitempty"`
		Filename string `json:"filename,omitempty"`
	}
	location struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name,omitempty"`
		Address   string  `json:"address,omitempty"`
	}
	status struct {
		ID          string     `json:"id"`
		Status      string     `json:"status"`
		Timestamp   string     `json:"timestamp"`
		RecipientID string     `json:"recipient_id"`
		Errors      []apiError `json:"errors,omitempty"`
	}
	apiError struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	}
)

// Limits on what one post may hold; Meta sends one message or a few
// statuses at a time.
const (
	maxItems   = 100
	maxTextLen = 4096 // WhatsApp's own limit on a text message
	maxIDLen   = 256
)

// ParseWebhook reads a webhook post's body. It refuses a body that is not
// the Cloud API's (another object, a message without a sender or id, a
// phone that is not a number) with an error naming the field; parts it does
// not use (other change fields) are skipped.
func ParseWebhook(body []byte) (Notification, error) {
	var n Notification
	if !utf8.Valid(body) {
		return n, errors.New("body: not UTF-8")
	}
	var w webhookBody
	if err := json.Unmarshal(body, &w); err != nil {
		return n, fmt.Errorf("body: not the Cloud API's JSON: %w", err)
	}
	if w.Object != "whatsapp_business_account" {
		return n, fmt.Errorf("object: %q, want whatsapp_business_account", w.Object)
	}
	for _, e := range w.Entry {
		for _, c := range e.Changes {
			if c.Field != "messages" {
				continue
			}
			names := map[string]string{}
			for _, ct := range c.Value.Contacts {
				names[ct.WAID] = ct.Profile.Name
			}
			for _, m := range c.Value.Messages {
				in, err := parseMessage(m)
				if err != nil {
					return Notification{}, err
				}
				in.Name = strings.TrimSpace(names[m.From])
				n.Messages = append(n.Messages, in)
			}
			for _, s := range c.Value.Statuses {
				st, err := parseStatus(s)
				if err != nil {
					return Notification{}, err
				}
				n.Statuses = append(n.Statuses, st)
			}
			if len(n.Messages)+len(n.Statuses) > maxItems {
				return Notification{}, fmt.Errorf("entry: more than %d messages and statuses in one post", maxItems)
			}
		}
	}
	return n, nil
}

func parseMessage(m message) (Inbound, error) {
	in := Inbound{ID: m.ID, Type: m.Type}
	var err error
	if in.From, err = e164(m.From); err != nil {
		return in, fmt.Errorf("messages.from: %w", err)
	}
	if m.ID == "" || len(m.ID) > maxIDLen {
		return in, errors.New("messages.id: missing or too long")
	}
	if in.At, err = unixTime(m.Timestamp); err != nil {
		return in, fmt.Errorf("messages.timestamp: %w", err)
	}
	asMedia := func(kind string, md *media) {
		in.Media = &Media{Kind: kind, ID: md.ID, MimeType: md.MimeType, Filename: md.Filename}
		in.Text = md.Caption
	}
	switch m.Type {
	case "text":
		if m.Text == nil || strings.TrimSpace(m.Text.Body) == "" {
			return in, errors.New("messages.text.body: missing")
		}
		in.Text = m.Text.Body
	case "image":
		if m.Image != nil {
			asMedia("image", m.Image)
		}
	case "audio":
		if m.Audio != nil {
			asMedia("audio", m.Audio)
		}
	case "video":
		if m.Video != nil {
			asMedia("video", m.Video)
		}
	case "document":
		if m.Document != nil {
			asMedia("document", m.Document)
		}
	case "sticker":
		if m.Sticker != nil {
			asMedia("sticker", m.Sticker)
		}
	case "location":
		if l := m.Location; l != nil {
			in.Text = strings.TrimSpace(fmt.Sprintf("[location %.5f, %.5f] %s %s", l.Latitude, l.Longitude, l.Name, l.Address))
		}
	case "button":
		if m.Button != nil {
			in.Text = m.Button.Text
		}
	case "":
		return in, errors.New("messages.type: missing")
	}
	if in.Media != nil && (in.Media.ID == "" || len(in.Media.ID) > maxIDLen) {
		return in, fmt.Errorf("messages.%s.id: missing or too long", m.Type)
	}
	if utf8.RuneCountInString(in.Text) > maxTextLen {
		return in, fmt.Errorf("messages.text: longer than %d characters", maxTextLen)
	}
	return in, nil
}

func parseStatus(s status) (Status, error) {
	st := Status{ID: s.ID, Status: s.Status}
	if s.ID == "" || len(s.ID) > maxIDLen {
		return st, errors.New("statuses.id: missing or too long")
	}
	switch s.Status {
	case "sent", "delivered", "read", "failed", "deleted", "warning":
	default:
		return st, fmt.Errorf("statuses.status: %q is not one WhatsApp sends", s.Status)
	}
	var err error
	if st.To, err = e164(s.RecipientID); err != nil {
		return st, fmt.Errorf("statuses.recipient_id: %w", err)
	}
	if st.At, err = unixTime(s.Timestamp); err != nil {
		return st, fmt.Errorf("statuses.timestamp: %w", err)
	}
	var reasons []string
	for _, e := range s.Errors {
		r := e.Title
		if e.ErrorData.Details != "" {
			r += ": " + e.ErrorData.Details
		}
		reasons = append(reasons, fmt.Sprintf("%s (%d)", r, e.Code))
	}
	st.Reason = strings.Join(reasons, "; ")
	return st, nil
}

// e164 turns a WhatsApp id (the phone's digits, no +) into E.164.
func e164(waID string) (string, error) {
	if len(waID) < 7 || len(waID) > 15 {
		return "", fmt.Errorf("%q is not a phone number", clip(waID))
	}
	for _, r := range waID {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("%q is not a phone number", clip(waID))
		}
	}
	return "+" + waID, nil
}

func unixTime(s string) (time.Time, error) {
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil || sec < 0 || sec > 1<<40 {
		return time.Time{}, fmt.Errorf("%q is not a unix time", clip(s))
	}
	return time.Unix(sec, 0).UTC(), nil
}

func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

// Cloud sends replies through the Cloud API (or a simulator of it): an
// outbox Sender for the whatsapp channel.
type Cloud struct {
	URL     string // the Graph API base, https://graph.facebook.com/v21.0
	PhoneID string // the business phone number id
	Token   string
	Client  *http.Client // nil: a client with a 30-second timeout
}

// sendRequest is a text message as the Cloud API takes it.
type sendRequest struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Text             struct {
		PreviewURL bool   `json:"preview_url"`
		Body       string `json:"body"`
	} `json:"text"`
}

type sendResponse struct {
	Contacts []struct {
		Input string `json:"input"`
		WAID  string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
	Error *struct {
		Message   string `json:"message"`
		Code      int    `json:"code"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"error"`
}

// Re-engagement: WhatsApp refuses free text outside the customer service
// window (error 131047). Retrying cannot help.
const codeOutsideWindow = 131047

// Send sends m's body as a text message and returns its wamid. A refusal
// (4xx other than 429: a bad number, the window closed, a bad token) is
// permanent; a rate limit, a 5xx or no answer is retried.
func (c *Cloud) Send(ctx context.Context, m kindred.OutboundMessage) (string, error) {
	var req sendRequest
	req.MessagingProduct, req.RecipientType, req.Type = "whatsapp", "individual", "text"
	req.To = strings.TrimPrefix(m.To, "+")
	req.Text.Body = m.Body
	body, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	url := strings.TrimSuffix(c.URL, "/") + "/" + c.PhoneID + "/messages"
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", outbox.Permanent(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", "Bearer "+c.Token)
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(hr)
	if err != nil {
		return "", fmt.Errorf("whatsapp send: %w", err)
	}
	defer resp.Body.Close()
	var out sendResponse
	dec := json.NewDecoder(io.LimitReader(resp.Body, 1<<20))
	decErr := dec.Decode(&out)
	if resp.StatusCode/100 != 2 {
		reason := resp.Status
		if out.Error != nil {
			reason = fmt.Sprintf("%s (%d)", out.Error.Message, out.Error.Code)
			if out.Error.ErrorData.Details != "" {
				reason += ": " + out.Error.ErrorData.Details
			}
		}
		err := fmt.Errorf("whatsapp send: %s", reason)
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			return "", err
		}
		if out.Error != nil && out.Error.Code == codeOutsideWindow {
			err = fmt.Errorf("not sent: outside WhatsApp's 24-hour window; only an approved template may be sent (%w)", err)
		}
		return "", outbox.Permanent(err)
	}
	if decErr != nil || len(out.Messages) == 0 || out.Messages[0].ID == "" {
		return "", fmt.Errorf("whatsapp send: the answer names no message id")
	}
	return out.Messages[0].ID, nil
}
