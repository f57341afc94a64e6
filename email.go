package kindred

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// InboundEmail is a customer's email as the desk receives it: parsed,
// its HTML turned to text, its files checked against the size limits.
type InboundEmail struct {
	// MessageID is the mail's RFC 5322 Message-ID without angle brackets;
	// one derived from its content when the sender gave none. A mail whose
	// Message-ID is already stored is not stored again (an SMTP retry, an
	// IMAP re-poll).
	MessageID  string
	From       string // the sender's address, as written
	FromName   string // the display name, "" when none
	Subject    string
	InReplyTo  []string // Message-IDs this mail answers
	References []string // the thread's Message-IDs, oldest first
	Body       string   // plain text
	// Attachments are the files, Data filled, ContentType sniffed.
	Attachments []Attachment
}

// EmailReceipt says what became of an inbound email.
type EmailReceipt struct {
	// Stored is false when the mail was not stored: it was a copy of one
	// already stored (Duplicate), and Reason says which rule knew it.
	Stored    bool
	Duplicate bool
	Reason    string
	// Message is the stored message (or, for a duplicate by Message-ID,
	// the one stored before); nil when nothing matched.
	Message *Message
	// NewConversation is set when the mail opened a conversation;
	// NewCustomer when its sender was not known before.
	NewConversation bool
	NewCustomer     bool
}

// Flood limits. The same text from one sender within DuplicateWindow is a
// duplicate (a mail program retrying, a loop with a program that answers
// each mail), and a sender opens at most MaxNewConversationsPerHour
// conversations in an hour: more of their mail joins the latest one.
const (
	DuplicateWindow            = time.Hour
	MaxNewConversationsPerHour = 5
)

// ReplyToken is the mark our email replies carry in their subject, "[#42]":
// a mail program that drops In-Reply-To still threads the customer's answer
// by it. It is not a secret: the desk accepts it only from the address of
// the conversation's customer.
func ReplyToken(conversationID int64) string {
	return fmt.Sprintf("[#%d]", conversationID)
}

var replyToken = regexp.MustCompile(`\[#([0-9]{1,18})\]`)

// ParseReplyToken returns the conversation a subject's reply token names,
// or 0 when it carries none.
func ParseReplyToken(subject string) int64 {
	m := replyToken.FindStringSubmatch(subject)
	if m == nil {
		return 0
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0
	}
	return id
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|sv|antw)\s*(\[[0-9]+\])?\s*:\s*)+`)

// ThreadSubject is a subject without its reply prefixes ("Re:", "Fwd:")
// and reply token: what the matter is called.
func ThreadSubject(subject string) string {
	s := replyToken.ReplaceAllString(subject, "")
	s = replyPrefix.ReplaceAllString(s, "")
	return strings.Join(strings.Fields(s), " ")
}

// AttachmentService serves the files customers' email brought.
type AttachmentService interface {
	// Attachment returns one file with its bytes.
	Attachment(ctx context.Context, id int64) (*Attachment, error)
}

// DownloadType is the Content-Type a file is served with: its sniffed
// type, except that anything a browser would run or render as a page (HTML,
// SVG, XML) is served as bytes, so that a file from a stranger's mail never
// becomes a page on the desk's origin.
func DownloadType(sniffed string) string {
	t := strings.ToLower(strings.TrimSpace(sniffed))
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch {
	case t == "", strings.Contains(t, "html"), strings.Contains(t, "xml"), strings.Contains(t, "svg"), strings.Contains(t, "javascript"):
		return "application/octet-stream"
	}
	return sniffed
}

// FileSize says a file's size in words a person reads: "12 KB", "3.4 MB".
func FileSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%d KB", (n+999)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}
