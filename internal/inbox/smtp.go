package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kindred-desk/kindred/internal/mail"
)

// Listener limits. A mail is at most mail.MaxMailBytes (552 beyond); a
// session that says nothing for a minute is closed; at most MaxSessions
// talk at once (421 to the next, which its server retries later).
const (
	SMTPTimeout   = time.Minute
	MaxSessions   = 20
	MaxRecipients = 50
)

// Listener is kindred's SMTP server: it accepts mail for the desk's inbox
// addresses (550 for any other) and delivers each to the Desk. It is meant
// to sit behind the organisation's MX (or be it, on a small desk); it
// offers no AUTH and relays nothing.
type Listener struct {
	Desk *Desk
	// Addresses are the inbox addresses, such as help@example.org; case is ignored.
	Addresses []string
	// Domain is the name the server greets with; "" for kindred.localhost.
	Domain string

	mu  sync.Mutex
	srv *smtp.Server
}

// Serve accepts SMTP sessions on ln until Close.
func (l *Listener) Serve(ln net.Listener) error {
	allowed := map[string]bool{}
	for _, a := range l.Addresses {
		allowed[strings.ToLower(strings.TrimSpace(a))] = true
	}
	srv := smtp.NewServer(&backend{desk: l.Desk, allowed: allowed})
	srv.Domain = l.Domain
	if srv.Domain == "" {
		srv.Domain = "kindred.localhost"
	}
	srv.MaxMessageBytes = mail.MaxMailBytes
	srv.MaxRecipients = MaxRecipients
	srv.ReadTimeout, srv.WriteTimeout = SMTPTimeout, SMTPTimeout
	l.mu.Lock()
	l.srv = srv
	l.mu.Unlock()
	err := srv.Serve(&capListener{Listener: ln, slots: make(chan struct{}, MaxSessions)})
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops accepting and ends the open sessions.
func (l *Listener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.srv == nil {
		return nil
	}
	return l.srv.Close()
}

type backend struct {
	desk    *Desk
	allowed map[string]bool
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b}, nil
}

type session struct {
	b    *backend
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from, s.to = from, nil
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.b.allowed[strings.ToLower(to)] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here: " + to}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	// Return-Path is what the final delivery records of the envelope
	// sender: "<>" marks a bounce or an automatic mail.
	head := fmt.Sprintf("Return-Path: <%s>\r\n", s.from)
	ctx, cancel := context.WithTimeout(context.Background(), SMTPTimeout)
	defer cancel()
	_, err := s.b.desk.Deliver(ctx, io.MultiReader(strings.NewReader(head), r))
	if err == nil {
		return nil
	}
	// Whatever is left of the mail must be read for the session to go on.
	io.Copy(io.Discard, r)
	var re *mail.RefusedError
	switch {
	case errors.As(err, &re) && re.TooLarge:
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: re.Error()}
	case errors.As(err, &re):
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: re.Error()}
	case errors.Is(err, smtp.ErrDataTooLarge):
		return smtp.ErrDataTooLarge
	default:
		s.b.desk.logger().Error("email: could not store a mail; the sender will retry", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Cannot store the mail now; try again later"}
	}
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// capListener turns away connections beyond its slots with a 421, which
// tells the sending server to try again later.
type capListener struct {
	net.Listener
	slots chan struct{}
}

var busy = []byte("421 4.3.2 Too many sessions; try again later\r\n")

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, free: func() { <-l.slots }}, nil
		default:
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			c.Write(busy)
			c.Close()
		}
	}
}

type slotConn struct {
	net.Conn
	once sync.Once
	free func()
}

func (c *slotConn) Close() error {
	c.once.Do(c.free)
	return c.Conn.Close()
}
