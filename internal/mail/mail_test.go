package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/kindred-desk/kindred"
)

// relay is a real SMTP server on a loopback port that records what it is
// given, and can be told to refuse recipients or to require a password.
type relay struct {
	addr string

	mu       sync.Mutex
	received []received
	logins   []string

	username, password string // required when set
	refuse             *smtp.SMTPError
}

type received struct {
	from string
	to   []string
	data []byte
}

func startRelay(t *testing.T, configure func(*relay)) *relay {
	t.Helper()
	r := &relay{}
	if configure != nil {
		configure(r)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{r: r}, nil }))
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true // loopback only
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	r.addr = l.Addr().String()
	return r
}

type session struct {
	r     *relay
	authd bool
	cur   received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.r.username || password != s.r.password {
			return smtp.ErrAuthFailed
		}
		s.r.mu.Lock()
		s.r.logins = append(s.r.logins, username)
		s.r.mu.Unlock()
		s.authd = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.username != "" && !s.authd {
		return smtp.ErrAuthRequired
	}
	s.cur = received{from: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.r.refuse != nil {
		return s.r.refuse
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.r.mu.Lock()
	s.r.received = append(s.r.received, s.cur)
	s.r.mu.Unlock()
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func (r *relay) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.received...)
}

func headsUp() kindred.OutboundMessage {
	return kindred.OutboundMessage{ID: 42, Channel: kindred.ChannelEmail, To: "wanjiru@example.org",
		Subject: "A delay: Replacement card", Purpose: "heads_up",
		Body: "Hello Mama Wanjiru,\n\nI am sorry: your card is delayed. The new date is Friday 27 November.\n\nAsante — tutakujulisha."}
}

func TestSendDeliversAPlainUTF8Message(t *testing.T) {
	r := startRelay(t, nil)
	date := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	s := &Sender{Addr: r.addr, From: "Kindred Desk <desk@kindred.example>", Now: func() time.Time { return date }}
	id, err := s.Send(context.Background(), headsUp())
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	got := r.messages()
	if len(got) != 1 {
		t.Fatalf("relay received %d messages, want 1", len(got))
	}
	m := got[0]
	if m.from != "desk@kindred.example" || len(m.to) != 1 || m.to[0] != "wanjiru@example.org" {
		t.Fatalf("envelope from %q to %v", m.from, m.to)
	}
	mr, err := gomail.CreateReader(bytes.NewReader(m.data))
	if err != nil {
		t.Fatalf("parse the message: %v\n%s", err, m.data)
	}
	h := mr.Header
	if mid, _ := h.MessageID(); mid == "" || "<"+mid+">" != id && mid != id {
		t.Errorf("Message-ID %q, Send returned %q", mid, id)
	}
	if d, err := h.Date(); err != nil || !d.Equal(date) {
		t.Errorf("Date %v %v, want %v", d, err, date)
	}
	if subj, _ := h.Subject(); subj != "A delay: Replacement card" {
		t.Errorf("Subject %q", subj)
	}
	if from, _ := h.AddressList("From"); len(from) != 1 || from[0].Address != "desk@kindred.example" || from[0].Name != "Kindred Desk" {
		t.Errorf("From %v", from)
	}
	if to, _ := h.AddressList("To"); len(to) != 1 || to[0].Address != "wanjiru@example.org" {
		t.Errorf("To %v", to)
	}
	part, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	ct, params, _ := part.Header.(*gomail.InlineHeader).ContentType()
	if ct != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type %s %v", ct, params)
	}
	body, _ := io.ReadAll(part.Body)
	want := strings.ReplaceAll(headsUp().Body, "\n", "\r\n")
	if strings.TrimRight(string(body), "\r\n") != want {
		t.Errorf("body %q, want %q", body, want)
	}
}

func TestSendSignsInWithPlainAuthWhenAUsernameIsSet(t *testing.T) {
	r := startRelay(t, func(r *relay) { r.username, r.password = "desk", "s3cret-relay-pass" })
	s := &Sender{Addr: r.addr, From: "desk@kindred.example", Username: "desk", Password: "s3cret-relay-pass"}
	if _, err := s.Send(context.Background(), headsUp()); err != nil {
		t.Fatalf("send with auth: %v", err)
	}
	if len(r.logins) != 1 || len(r.messages()) != 1 {
		t.Fatalf("logins %v, messages %d", r.logins, len(r.messages()))
	}
	wrong := &Sender{Addr: r.addr, From: "desk@kindred.example", Username: "desk", Password: "wrong"}
	_, err := wrong.Send(context.Background(), headsUp())
	if err == nil || !IsPermanent(err) {
		t.Fatalf("a refused password (535) should be permanent, got %v", err)
	}
	noAuth := &Sender{Addr: r.addr, From: "desk@kindred.example"}
	if _, err := noAuth.Send(context.Background(), headsUp()); err == nil || !IsPermanent(err) {
		t.Fatalf("auth required (502) should be permanent, got %v", err)
	}
}

func TestSendClassifiesRelayRefusals(t *testing.T) {
	tests := []struct {
		name      string
		refuse    *smtp.SMTPError
		permanent bool
	}{
		{"mailbox does not exist", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}, true},
		{"mailbox busy, try later", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startRelay(t, func(r *relay) { r.refuse = tt.refuse })
			s := &Sender{Addr: r.addr, From: "desk@kindred.example"}
			_, err := s.Send(context.Background(), headsUp())
			if err == nil {
				t.Fatal("the relay refused, but Send reported success")
			}
			if IsPermanent(err) != tt.permanent {
				t.Fatalf("permanent = %v, want %v: %v", IsPermanent(err), tt.permanent, err)
			}
			var p interface{ Permanent() bool }
			if tt.permanent && (!errors.As(err, &p) || !p.Permanent()) {
				t.Fatal("the error chain lacks a Permanent() bool that says true")
			}
			var se *smtp.SMTPError
			if !errors.As(err, &se) || se.Code != tt.refuse.Code {
				t.Fatalf("the relay's reply is not in the chain: %v", err)
			}
			if len(r.messages()) != 0 {
				t.Fatal("a refused message was recorded")
			}
		})
	}
}

func TestSendFailuresThatAreNotTheRelays(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	tests := []struct {
		name      string
		s         Sender
		m         kindred.OutboundMessage
		permanent bool
	}{
		{"relay down is worth retrying", Sender{Addr: closed, From: "desk@kindred.example"}, headsUp(), false},
		{"an SMS is not email", Sender{Addr: closed, From: "desk@kindred.example"}, kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: "+254711000111", Body: "hi"}, true},
		{"bad recipient", Sender{Addr: closed, From: "desk@kindred.example"}, kindred.OutboundMessage{Channel: kindred.ChannelEmail, To: "not an address", Body: "hi"}, true},
		{"bad sender", Sender{Addr: closed, From: "nobody"}, headsUp(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.s.Send(context.Background(), tt.m)
			if err == nil || IsPermanent(err) != tt.permanent {
				t.Fatalf("err %v, permanent %v, want %v", err, IsPermanent(err), tt.permanent)
			}
		})
	}
}

func TestSendRespectsCancellation(t *testing.T) {
	// A listener that accepts and never speaks: a relay that hangs.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	s := &Sender{Addr: l.Addr().String(), From: "desk@kindred.example"}
	if _, err := s.Send(ctx, headsUp()); err == nil || IsPermanent(err) {
		t.Fatalf("a hung relay: err %v (should fail, and be worth retrying)", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Send took %v after its context ended", d)
	}
}

func TestSendThreadsAReplyWithTextAndAccessibleHTML(t *testing.T) {
	r := startRelay(t, nil)
	s := &Sender{Addr: r.addr, From: "Kindred Desk <desk@kindred.example>"}
	m := kindred.OutboundMessage{ID: 7, Channel: kindred.ChannelEmail, To: "amina@example.org", Purpose: "reply",
		Subject: "Re: My card [#12]", Body: "Dear Amina,\n\nYour card <b>is</b> ready & waiting.\nCome any day.",
		InReplyTo: "cust-2@example.org", References: []string{"cust-1@example.org", "ours-1@kindred.example"}}
	id, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	got := r.messages()
	if len(got) != 1 {
		t.Fatalf("relay received %d messages, want 1", len(got))
	}
	mr, err := gomail.CreateReader(bytes.NewReader(got[0].data))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, got[0].data)
	}
	h := mr.Header
	if !strings.HasSuffix(id, "@kindred.example") {
		t.Errorf("Message-ID %q is not on our domain", id)
	}
	if irt, _ := h.MsgIDList("In-Reply-To"); len(irt) != 1 || irt[0] != "cust-2@example.org" {
		t.Errorf("In-Reply-To %v", irt)
	}
	if refs, _ := h.MsgIDList("References"); strings.Join(refs, " ") != "cust-1@example.org ours-1@kindred.example cust-2@example.org" {
		t.Errorf("References %v", refs)
	}
	if h.Get(OutboxIDHeader) != "7" {
		t.Errorf("%s %q", OutboxIDHeader, h.Get(OutboxIDHeader))
	}
	if ct, _, _ := h.ContentType(); ct != "multipart/alternative" {
		t.Errorf("Content-Type %q, want multipart/alternative", ct)
	}
	parts := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := p.Header.(*gomail.InlineHeader).ContentType()
		b, _ := io.ReadAll(p.Body)
		parts[ct] = string(b)
	}
	if !strings.Contains(parts["text/plain"], "Your card <b>is</b> ready & waiting.") {
		t.Errorf("text part %q", parts["text/plain"])
	}
	html := parts["text/html"]
	for _, want := range []string{`<html lang="en">`, "<p>Dear Amina,</p>", "Your card &lt;b&gt;is&lt;/b&gt; ready &amp; waiting.<br>", "<title>Re: My card [#12]</title>"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<img") || strings.Contains(html, "<b>") {
		t.Errorf("HTML part has an image or unescaped markup:\n%s", html)
	}
}
