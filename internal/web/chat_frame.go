package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/kindred-desk/kindred"
)

// The web chat speaks in JSON frames, one object each, the same over the
// WebSocket and over the POST + Server-Sent Events fallback.
//
// From the widget:
//
//	{"type":"hello","token":"…","after":0}   who I am (no token: a new visitor), what I have shown
//	{"type":"message","id":"c1","body":"…"}  a message; id is the widget's, echoed in the answer
//	{"type":"typing"}                        the visitor is typing
//	{"type":"contact","contact":"+254…","name":"…"}  answer me by this phone or email later
//	{"type":"ack","message_id":42}           the widget shows reply 42: it is delivered
//
// From the desk: "welcome" (the token to keep and the history), "stored"
// (a message of theirs is kept), "message" (a message in their chat),
// "typing" (an agent is typing), "contact" (how they will be answered) and
// "error" (a code, the English words, and the field and limit concerned).

// maxChatFrameBytes bounds one frame from a widget: a message of
// kindred.ChatMessageLimit characters, each escaped, and the rest.
const maxChatFrameBytes = 32 << 10

// Limits of a frame's other fields.
const (
	maxChatTokenLen   = 200
	maxChatClientID   = 64
	maxChatContactLen = 254
	maxChatNameLen    = 100
)

// chatFrame is one frame from a widget.
type chatFrame struct {
	Type      string `json:"type"`
	Token     string `json:"token,omitempty"`
	After     int64  `json:"after,omitempty"`
	ID        string `json:"id,omitempty"`
	Body      string `json:"body,omitempty"`
	Contact   string `json:"contact,omitempty"`
	Name      string `json:"name,omitempty"`
	MessageID int64  `json:"message_id,omitempty"`
}

// chatOut is one frame to a widget.
type chatOut struct {
	Type     string        `json:"type"`
	Token    string        `json:"token,omitempty"`
	ID       string        `json:"id,omitempty"`
	Message  *chatMessage  `json:"message,omitempty"`
	Messages []chatMessage `json:"messages,omitempty"`
	Agent    string        `json:"agent,omitempty"`
	ReplyBy  string        `json:"reply_by,omitempty"`
	To       string        `json:"to,omitempty"`
	// An error: its code ("too_long", "rate_limited", "invalid", …), the
	// English words for people reading the protocol (the widget says it in
	// the visitor's language from the code), and what it concerns.
	Code       string `json:"code,omitempty"`
	Error      string `json:"error,omitempty"`
	Field      string `json:"field,omitempty"`
	Limit      int    `json:"limit,omitempty"`
	Length     int    `json:"length,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
	// status is the HTTP status the POST fallback answers an error with.
	status int
}

// chatMessage is a message as the widget shows it: never an internal
// note, and the agent by first name only.
type chatMessage struct {
	ID    int64     `json:"id"`
	From  string    `json:"from"` // "visitor" or "agent"
	Agent string    `json:"agent,omitempty"`
	Body  string    `json:"body"`
	At    time.Time `json:"at"`
	// Ack asks the widget to say it shows this reply: it went by the chat
	// and is not yet known to be delivered.
	Ack bool `json:"ack,omitempty"`
}

// chatMessageOf turns a stored message into what the widget shows, or
// reports false for anything a widget must never show.
func chatMessageOf(m kindred.Message) (chatMessage, bool) {
	cm := chatMessage{ID: m.ID, Body: m.Body, At: m.CreatedAt}
	switch m.Direction {
	case kindred.Inbound:
		cm.From = "visitor"
	case kindred.Outbound:
		cm.From, cm.Agent = "agent", kindred.FirstName(m.AuthorName)
		cm.Ack = m.Channel == kindred.ChannelChat && (m.DeliveryStatus == kindred.DeliveryQueued || m.DeliveryStatus == kindred.DeliverySent)
	default:
		return chatMessage{}, false // an internal note, or anything new
	}
	return cm, true
}

// chatErr is an error frame.
func chatErr(status int, code, field, msg string) chatOut {
	return chatOut{Type: "error", Code: code, Field: field, Error: msg, status: status}
}

// parseChatFrame reads and checks one frame from a widget. The text of a
// message is normalised as the API's (trimmed, CRLF to LF, NFC); anything
// wrong is an error frame that names the field, and nothing happens.
func parseChatFrame(b []byte) (chatFrame, *chatOut) {
	var f chatFrame
	if len(b) > maxChatFrameBytes {
		e := chatErr(413, "too_large", "", fmt.Sprintf("a frame can be at most %d bytes", maxChatFrameBytes))
		e.Limit = maxChatFrameBytes
		return f, &e
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		e := chatErr(400, "invalid", "", "a frame must be one JSON object")
		return f, &e
	}
	if dec.More() {
		e := chatErr(400, "invalid", "", "a frame must be one JSON object")
		return f, &e
	}
	bad := func(field, msg string) (chatFrame, *chatOut) {
		e := chatErr(422, "invalid", field, msg)
		return chatFrame{}, &e
	}
	switch {
	case len(f.Token) > maxChatTokenLen:
		return bad("token", "is not a visitor token")
	case len(f.ID) > maxChatClientID || strings.IndexFunc(f.ID, isLineControl) >= 0:
		return bad("id", fmt.Sprintf("must be at most %d characters, without control characters", maxChatClientID))
	case f.After < 0:
		return bad("after", "must be a message id")
	}
	switch f.Type {
	case "hello", "typing":
	case "message":
		body := strings.ReplaceAll(f.Body, "\r\n", "\n")
		body = norm.NFC.String(strings.TrimSpace(body))
		n := utf8.RuneCountInString(body)
		switch {
		case body == "":
			e := chatErr(422, "empty", "body", "write the message")
			return chatFrame{}, &e
		case n > kindred.ChatMessageLimit:
			e := chatErr(422, "too_long", "body", fmt.Sprintf("a message can be at most %d characters; this one has %d: send it in parts", kindred.ChatMessageLimit, n))
			e.Limit, e.Length, e.ID = kindred.ChatMessageLimit, n, f.ID
			return chatFrame{}, &e
		case strings.IndexFunc(body, isTextControl) >= 0:
			return bad("body", "must not contain control characters")
		}
		f.Body = body
	case "contact":
		f.Contact, f.Name = strings.TrimSpace(f.Contact), strings.TrimSpace(f.Name)
		switch {
		case f.Contact == "":
			return bad("contact", "give a phone number or an email address")
		case utf8.RuneCountInString(f.Contact) > maxChatContactLen:
			return bad("contact", fmt.Sprintf("must be at most %d characters", maxChatContactLen))
		case utf8.RuneCountInString(f.Name) > maxChatNameLen || strings.IndexFunc(f.Name, isLineControl) >= 0:
			return bad("name", fmt.Sprintf("must be at most %d characters, on one line", maxChatNameLen))
		}
	case "ack":
		if f.MessageID <= 0 {
			return bad("message_id", "must be the id of a message")
		}
	default:
		return bad("type", "must be hello, message, typing, contact or ack")
	}
	return f, nil
}

// isLineControl and isTextControl are the API's rules: no control
// characters, and on one line no line breaks either.
func isLineControl(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }

func isTextControl(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }
