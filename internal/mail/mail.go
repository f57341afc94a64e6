// Package mail is kindred's email on the wire. Sender sends kindred's email
// (replies, heads-ups, surveys) through an SMTP relay: the desk's own mail
// server or a provider's submission port. It is an outbox sender: the
// outbox worker calls Send for each email it claims, and does not retry an
// error whose Permanent method reports true. Parse reads a customer's mail
// (see parse.go for what it accepts and refuses); HTMLToText is the one
// sanitiser for HTML bodies; Sink is the local mailbox of kindred mailgw.
package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base32"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/mail"
	"slices"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/kindred-desk/kindred"
)

// Sender sends email through one SMTP relay.
type Sender struct {
	// Addr is the relay, host:port. Port 465 is TLS from the start; other
	// ports use STARTTLS, except a relay on this machine (localhost), which
	// is spoken to in the clear.
	Addr string
	// From is the sender's address, optionally with a name:
	// "Kindred Desk <desk@example.org>".
	From string
	// Username and Password, when Username is set, sign in with AUTH PLAIN.
	// The password is only sent over TLS, or to a relay on this machine.
	Username string
	Password string
	// TLS configures TLS; nil: the system's roots and the relay's host name.
	TLS *tls.Config
	// Timeout bounds one Send when ctx has no deadline; 0: 30 seconds.
	Timeout time.Duration
	// Now returns the current time for the Date header; nil: time.Now.
	Now func() time.Time
}

// permanentError is a failure that sending again will not cure: the relay
// refused for good (a 5xx reply), or the message cannot be sent as it is.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() error   { return e.err }
func (e *permanentError) Permanent() bool { return true }

// permanent marks err as not worth retrying.
func permanent(err error) error { return &permanentError{err} }

// IsPermanent reports whether err, or an error in its chain, says that
// sending again will not help.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// classify marks the relay's 5xx replies permanent; 4xx replies and
// network errors are worth another try.
func classify(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 && se.Code < 600 {
		return permanent(err)
	}
	return err
}

// Send delivers m (Channel email) to the relay and returns the Message-ID it
// was given, which is the provider's id of the message as far as we can know.
func (s *Sender) Send(ctx context.Context, m kindred.OutboundMessage) (string, error) {
	if m.Channel != kindred.ChannelEmail {
		return "", permanent(fmt.Errorf("mail: outbox message %d is %s, not email", m.ID, m.Channel))
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return "", permanent(fmt.Errorf("mail: the sender address %q is not valid: %w", s.From, err))
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return "", permanent(fmt.Errorf("mail: the address %q is not valid: %w", m.To, err))
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	msg, id, err := Compose(from, to, m, now())
	if err != nil {
		return "", permanent(err)
	}
	if _, ok := ctx.Deadline(); !ok {
		timeout := s.Timeout
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if err := s.deliver(ctx, from.Address, to.Address, msg); err != nil {
		return "", fmt.Errorf("mail: send outbox message %d via %s: %w", m.ID, s.Addr, classify(err))
	}
	return id, nil
}

// Compose writes m as a UTF-8 email from from to to, with the headers a mail
// server expects (Message-ID on the sender's domain, the same each time an
// outbox message is sent again; Date, From, To, Subject), the threading headers of a reply (In-Reply-To, References) and
// X-Kindred-Outbox-Id, by which kindred knows its own mail if it comes back.
// The body is multipart/alternative: the plain text as written, then a small
// HTML rendering of it (paragraphs, a lang attribute, no images, every
// character escaped) for mail programs that show HTML better than text, and
// screen readers that announce the language. It returns the message and its
// Message-ID, without angle brackets.
func Compose(from, to *mail.Address, m kindred.OutboundMessage, date time.Time) ([]byte, string, error) {
	var h gomail.Header
	h.SetDate(date)
	h.SetAddressList("From", []*gomail.Address{{Name: from.Name, Address: from.Address}})
	h.SetAddressList("To", []*gomail.Address{{Name: to.Name, Address: to.Address}})
	h.SetSubject(m.Subject)
	host := "kindred.invalid"
	if at := strings.LastIndexByte(from.Address, '@'); at >= 0 {
		host = from.Address[at+1:]
	}
	if m.ID != 0 && !m.CreatedAt.IsZero() {
		h.SetMessageID(outboxMessageID(m, host))
	} else if err := h.GenerateMessageIDWithHostname(host); err != nil {
		return nil, "", fmt.Errorf("mail: message id: %w", err)
	}
	id, err := h.MessageID()
	if err != nil {
		return nil, "", fmt.Errorf("mail: message id: %w", err)
	}
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
	}
	if refs := threadReferences(m); len(refs) > 0 {
		h.SetMsgIDList("References", refs)
	}
	if m.ID != 0 {
		h.Set(OutboxIDHeader, fmt.Sprint(m.ID))
	}
	// Our replies are written by a person, but an auto-responder that
	// answers them would start a loop: ask it not to (RFC 3834 honours
	// this header; Exchange reads its own).
	h.Set("X-Auto-Response-Suppress", "All")
	h.SetContentType("multipart/alternative", nil)
	var buf bytes.Buffer
	w, err := gomail.CreateInlineWriter(&buf, h)
	if err != nil {
		return nil, "", fmt.Errorf("mail: compose: %w", err)
	}
	text := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if err := writePart(w, "text/plain", text); err != nil {
		return nil, "", err
	}
	if err := writePart(w, "text/html", htmlBody(m.Subject, m.Body, "en")); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("mail: compose: %w", err)
	}
	return buf.Bytes(), id, nil
}

// outboxMessageID is the Message-ID of outbox message m: the same each time
// m is sent. Delivery is at least once (a desk that dies after the relay
// took a mail and before it noted so sends it again when the lease runs
// out), and SMTP has no idempotency key; but a mail sent again with the
// same Message-ID is the same message, which a mailbox keeps once. It is a
// hash of the row's id, creation time and recipient, so that it says
// nothing of how much the desk sends, and row 219 of another desk is
// another message.
func outboxMessageID(m kindred.OutboundMessage, host string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "kindred outbox\x00%d\x00%d\x00%s", m.ID, m.CreatedAt.UnixMilli(), m.To))
	return "kindred." + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15])) + "@" + host
}

// OutboxIDHeader carries the outbox id of the mail kindred sends, so that a
// copy of it coming back (a loop, a forward to the inbox) is known as ours.
const OutboxIDHeader = "X-Kindred-Outbox-Id"

// threadReferences is the References of a reply: the thread's Message-IDs,
// ending with the one it answers.
func threadReferences(m kindred.OutboundMessage) []string {
	refs := slices.Clone(m.References)
	if m.InReplyTo != "" && !slices.Contains(refs, m.InReplyTo) {
		refs = append(refs, m.InReplyTo)
	}
	return refs
}

func writePart(w *gomail.InlineWriter, contentType, body string) error {
	var ph gomail.InlineHeader
	ph.SetContentType(contentType, map[string]string{"charset": "utf-8"})
	pw, err := w.CreatePart(ph)
	if err != nil {
		return fmt.Errorf("mail: compose %s: %w", contentType, err)
	}
	if _, err := io.WriteString(pw, body); err != nil {
		return fmt.Errorf("mail: compose %s: %w", contentType, err)
	}
	return pw.Close()
}

// htmlBody renders a plain-text reply as a small accessible HTML document:
// each blank-line-separated block a paragraph, single line breaks kept, the
// language declared, no images, styles or links that the text did not have.
func htmlBody(subject, body, lang string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\r\n<html lang=\"" + html.EscapeString(lang) + "\">\r\n<head><meta charset=\"utf-8\"><title>")
	b.WriteString(html.EscapeString(subject))
	b.WriteString("</title></head>\r\n<body>\r\n")
	body = strings.ReplaceAll(body, "\r\n", "\n")
	for _, para := range strings.Split(body, "\n\n") {
		para = strings.Trim(para, "\n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i, l := range lines {
			lines[i] = html.EscapeString(l)
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\r\n") + "</p>\r\n")
	}
	b.WriteString("</body>\r\n</html>\r\n")
	return b.String()
}

// deliver runs one SMTP session: connect, TLS, AUTH, MAIL, RCPT, DATA, QUIT.
func (s *Sender) deliver(ctx context.Context, from, to string, msg []byte) error {
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return permanent(fmt.Errorf("the relay address must be host:port: %w", err))
	}
	tlsConf := s.TLS
	if tlsConf == nil {
		tlsConf = &tls.Config{ServerName: host}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	if port == "465" {
		conn = tls.Client(conn, tlsConf)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	// A relay on this machine is reached in the clear; any other must
	// speak TLS (port 465) or STARTTLS, so that neither the password nor
	// the customer's words cross the network readable.
	var c *smtp.Client
	isTLS := port == "465"
	switch {
	case isTLS || isLoopback(host):
		c = smtp.NewClient(conn)
		if err := c.Hello(localName()); err != nil {
			c.Close()
			return err
		}
	default:
		if c, err = smtp.NewClientStartTLS(conn, tlsConf); err != nil {
			return err
		}
		isTLS = true
	}
	defer c.Close()
	if s.Username != "" {
		if !isTLS && !isLoopback(host) {
			return permanent(errors.New("the relay offers no TLS, so the password would be sent in the clear; refusing"))
		}
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			return err
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	if err := c.Rcpt(to, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// The relay accepted the message at the end of DATA: a failed QUIT does
	// not unsend it, and sending it again would deliver it twice.
	c.Quit()
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// localName is the name kindred greets the relay with.
func localName() string {
	return "kindred.localhost"
}
