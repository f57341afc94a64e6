// Package sms sends kindred's SMS through an HTTP gateway in the format
// African SMS gateways share (Africa's Talking's messaging API), and
// simulates such a gateway for tests and demos.
//
// Gateway is the outbox.Sender for the sms channel. Simulator is an
// http.Handler that answers like the gateway, records what it delivers, can
// be switched down, and honours the Idempotency-Key header Gateway sends
// (kindred-outbox-<id>), so that a message sent twice after a lost reply is
// delivered once. A real gateway ignores the header.
package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

// IdempotencyHeader carries the outbox id to the gateway.
const IdempotencyHeader = "Idempotency-Key"

// IdempotencyKey is the key sent for outbox message id.
func IdempotencyKey(id int64) string { return "kindred-outbox-" + strconv.FormatInt(id, 10) }

// Response is the gateway's JSON answer.
type Response struct {
	SMSMessageData struct {
		Message    string      `json:"Message"`
		Recipients []Recipient `json:"Recipients"`
	} `json:"SMSMessageData"`
}

// Recipient is the gateway's verdict on one number.
type Recipient struct {
	StatusCode int    `json:"statusCode"`
	Number     string `json:"number"`
	Status     string `json:"status"`
	Cost       string `json:"cost"`
	MessageID  string `json:"messageId"`
}

// Gateway status codes (Africa's Talking's list).
const (
	StatusProcessed          = 100
	StatusSent               = 101
	StatusQueued             = 102
	StatusRiskHold           = 401
	StatusInvalidSenderID    = 402
	StatusInvalidPhoneNumber = 403
	StatusUnsupportedNumber  = 404
	StatusInsufficientFunds  = 405
	StatusUserInBlacklist    = 406
	StatusCouldNotRoute      = 407
	StatusInternalError      = 500
	StatusGatewayError       = 501
	StatusRejectedByGateway  = 502
)

// success reports whether the gateway took the message.
func success(code int) bool {
	return code == StatusProcessed || code == StatusSent || code == StatusQueued
}

// permanent reports whether no retry can help: the number is wrong, cannot
// take SMS, or has asked not to get them.
func permanent(code int) bool {
	return code == StatusInvalidPhoneNumber || code == StatusUnsupportedNumber || code == StatusUserInBlacklist
}

// Error is a failed send. Permanent ones are not retried by the outbox
// worker (which reads the Permanent method; this package does not import it).
type Error struct {
	StatusCode int    // the gateway's statusCode, or the HTTP status when there was no verdict
	Status     string // the gateway's words
	permanent  bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("sms gateway: %s (%d)", e.Status, e.StatusCode)
}

// Permanent reports whether retrying cannot help.
func (e *Error) Permanent() bool { return e.permanent }

// Gateway sends SMS through the gateway at URL.
type Gateway struct {
	URL      string // the send endpoint, e.g. https://api.africastalking.com/version1/messaging
	Username string
	APIKey   string
	From     string       // sender id or short code; "" for the account's default
	Client   *http.Client // nil: one with a 30-second timeout
}

var defaultClient = &http.Client{Timeout: 30 * time.Second}

// Send posts m to the gateway. HTTP 5xx, 408, 429, timeouts and unknown
// verdicts are temporary; a refused number (403, 404, 406) and a 400 are
// permanent.
func (g *Gateway) Send(ctx context.Context, m kindred.OutboundMessage) (string, error) {
	if m.Channel != kindred.ChannelSMS {
		return "", &Error{StatusCode: 0, Status: "not an SMS: " + string(m.Channel), permanent: true}
	}
	form := url.Values{"username": {g.Username}, "to": {m.To}, "message": {m.Body}}
	if g.From != "" {
		form.Set("from", g.From)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", &Error{Status: "bad gateway URL: " + err.Error(), permanent: true}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("apiKey", g.APIKey)
	if m.ID != 0 {
		req.Header.Set(IdempotencyHeader, IdempotencyKey(m.ID))
	}
	client := g.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("sms gateway: %w", err) // temporary: down, timed out, reply lost
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("sms gateway: read reply: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", &Error{StatusCode: resp.StatusCode, Status: "HTTP " + resp.Status + ": " + clip(string(body)),
			permanent: resp.StatusCode == http.StatusBadRequest}
	}
	var r Response
	if err := json.Unmarshal(body, &r); err != nil {
		return "", &Error{StatusCode: resp.StatusCode, Status: "unreadable reply: " + clip(string(body))}
	}
	if len(r.SMSMessageData.Recipients) == 0 {
		return "", &Error{StatusCode: resp.StatusCode, Status: "no recipients in reply: " + clip(r.SMSMessageData.Message)}
	}
	rc := r.SMSMessageData.Recipients[0]
	switch {
	case success(rc.StatusCode):
		return rc.MessageID, nil
	case permanent(rc.StatusCode):
		return "", &Error{StatusCode: rc.StatusCode, Status: rc.Status, permanent: true}
	default:
		return "", &Error{StatusCode: rc.StatusCode, Status: rc.Status}
	}
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
