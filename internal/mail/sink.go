package mail

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
)

// Sink is a local mailbox for trying kindred: an SMTP server backend that
// takes every mail and tells OnMail of it, the way the SMS simulator stands
// in for a gateway. kindred mailgw runs one.
type Sink struct {
	// OnMail is told of each mail; an error it returns refuses the mail
	// with a temporary failure (451), so the sender tries again later.
	OnMail func(SinkMail) error
}

// SinkMail is one mail a Sink took.
type SinkMail struct {
	At         time.Time
	From       string   // envelope sender
	To         []string // envelope recipients
	Subject    string
	MessageID  string
	InReplyTo  []string
	References []string
	OutboxID   string // the X-Kindred-Outbox-Id kindred sent it with, if any
	Text       string // the plain-text part
	HTML       bool   // whether an HTML part came too
	Raw        []byte
}

// NewSession implements smtp.Backend.
func (s *Sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s   *Sink
	cur SinkMail
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.cur = SinkMail{From: from}
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(io.LimitReader(r, MaxMailBytes))
	if err != nil {
		return err
	}
	m := ss.cur
	m.At, m.Raw = time.Now(), raw
	if mr, err := gomail.CreateReader(bytes.NewReader(raw)); err == nil {
		m.Subject, _ = mr.Header.Subject()
		m.MessageID, _ = mr.Header.MessageID()
		m.InReplyTo, _ = mr.Header.MsgIDList("In-Reply-To")
		m.References, _ = mr.Header.MsgIDList("References")
		m.OutboxID = mr.Header.Get(OutboxIDHeader)
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			switch {
			case ct == "text/html":
				m.HTML = true
			case (ct == "text/plain" || ct == "") && m.Text == "":
				b, _ := io.ReadAll(io.LimitReader(p.Body, MaxTextBytes))
				m.Text = strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n"))
			}
		}
	}
	if ss.s.OnMail != nil {
		if err := ss.s.OnMail(m); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailbox unavailable: " + err.Error()}
		}
	}
	return nil
}

func (ss *sinkSession) Reset()        { ss.cur = SinkMail{} }
func (ss *sinkSession) Logout() error { return nil }
