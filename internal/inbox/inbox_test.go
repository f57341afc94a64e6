package inbox

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/store"
)

// desk is a real SQLite store behind a real SMTP listener on loopback.
type desk struct {
	db        *store.DB
	addr      string
	announced chan kindred.Message
}

func startDesk(t testing.TB) *desk {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "kindred.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d := &desk{db: db, announced: make(chan kindred.Message, 100)}
	l := &Listener{Addresses: []string{"Help@Example.org"}, Desk: &Desk{Store: db, Analyzer: compassion.DeskAnalyzer{},
		OnMessage: func(m kindred.Message) { d.announced <- m }}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go l.Serve(ln)
	t.Cleanup(func() { l.Close() })
	d.addr = ln.Addr().String()
	return d
}

// send speaks SMTP to the listener as a mail server would.
func (d *desk) send(from, to, mail string) error {
	return smtp.SendMail(d.addr, nil, from, []string{to}, []byte(strings.ReplaceAll(mail, "\n", "\r\n")))
}

func (d *desk) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	err := d.db.ReadTx(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

const firstMail = `From: Amina Odhiambo <amina@example.org>
To: help@example.org
Subject: My card has not come
Message-ID: <first@example.org>
Content-Type: text/plain; charset=utf-8

I am so worried, my card has not come and I need it for the clinic on Monday.
`

func TestListenerTurnsAMailIntoAnAnalysedEmailConversation(t *testing.T) {
	d := startDesk(t)
	if err := d.send("amina@example.org", "help@example.org", firstMail); err != nil {
		t.Fatal(err)
	}
	var m kindred.Message
	select {
	case m = <-d.announced:
	case <-time.After(5 * time.Second):
		t.Fatal("the consoles were not told of the mail")
	}
	conv, err := d.db.Conversation(context.Background(), m.ConversationID, true)
	if err != nil {
		t.Fatal(err)
	}
	if conv.Channel != kindred.ChannelEmail || conv.Subject != "My card has not come" || len(conv.Messages) != 1 {
		t.Fatalf("conversation %+v", conv)
	}
	got := conv.Messages[0]
	if got.Direction != kindred.Inbound || got.EmailID != "first@example.org" || got.AuthorName != "Amina Odhiambo" || !strings.Contains(got.Body, "clinic on Monday") {
		t.Fatalf("message %+v", got)
	}
	if got.Analysis == nil || got.Analysis.Distress == nil {
		t.Fatalf("the compassion engine did not read the mail: %+v", got.Analysis)
	}
	// The same mail again, as an SMTP retry: accepted, not stored twice.
	if err := d.send("amina@example.org", "help@example.org", firstMail); err != nil {
		t.Fatal(err)
	}
	if n := d.count(t, "messages"); n != 1 {
		t.Fatalf("%d messages after a retry, want 1", n)
	}
}

func TestListenerRefusesOtherAddressesAndBadMailStoringNothing(t *testing.T) {
	d := startDesk(t)
	big := "From: a@example.org\nTo: help@example.org\nSubject: big\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n--x\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=big.pdf\nContent-Transfer-Encoding: base64\n\n"
	chunk := base64.StdEncoding.EncodeToString(make([]byte, 57))
	big += strings.Repeat(chunk+"\n", (30<<20)/57) + "--x--\n"
	eleven := "From: a@example.org\nTo: help@example.org\nSubject: big\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n--x\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=big.pdf\nContent-Transfer-Encoding: base64\n\n" +
		strings.Repeat(chunk+"\n", (11<<20)/57) + "--x--\n"
	tests := []struct {
		name string
		to   string
		mail string
		code int
	}{
		{"another address", "someone@example.org", firstMail, 550},
		{"a 30 MB attachment", "help@example.org", big, 552},
		{"an 11 MB attachment", "help@example.org", eleven, 552},
		{"malformed MIME", "help@example.org", "From: a@example.org\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n", 554},
		{"invalid UTF-8 header", "help@example.org", "From: a@example.org\nSubject: caf\xe9\n\nhi\n", 554},
		{"a header bomb", "help@example.org", "From: a@example.org\n" + strings.Repeat("X-A: b\n", 5000) + "\nhi\n", 552},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.send("a@example.org", tt.to, tt.mail)
			if code := smtpCode(err); code != tt.code {
				t.Fatalf("SMTP answered %v (code %d), want %d", err, code, tt.code)
			}
			if n := d.count(t, "messages") + d.count(t, "customers") + d.count(t, "attachments"); n != 0 {
				t.Fatalf("a refused mail left %d rows", n)
			}
		})
	}
}

func TestBouncesFailTheReplyAndAutoRepliesAreDropped(t *testing.T) {
	d := startDesk(t)
	ctx := context.Background()
	if err := d.send("amina@example.org", "help@example.org", firstMail); err != nil {
		t.Fatal(err)
	}
	m := <-d.announced
	agent := &kindred.Agent{Name: "Wanjiru", Email: "w@desk.example", Role: kindred.RoleAgent}
	if err := d.db.CreateAgent(ctx, agent, ""); err != nil {
		t.Fatal(err)
	}
	actx := kindred.WithActor(ctx, kindred.Actor{AgentID: agent.ID, Name: agent.Name, Role: agent.Role})
	reply := &kindred.Message{ConversationID: m.ConversationID, Direction: kindred.Outbound, Body: "Your card is posted."}
	if err := d.db.AddMessage(actx, reply); err != nil {
		t.Fatal(err)
	}
	out, err := d.db.Claim(ctx, time.Now().Add(time.Minute), time.Minute, 1)
	if err != nil || len(out) != 1 {
		t.Fatalf("claim %v %v", out, err)
	}
	if err := d.db.MarkSent(ctx, out[0].ID, "ours-1@desk.example", time.Now()); err != nil {
		t.Fatal(err)
	}

	auto := "From: Amina <amina@example.org>\nTo: help@example.org\nSubject: Out of office\nAuto-Submitted: auto-replied\nMessage-ID: <ooo@example.org>\n\nI am away until Monday.\n"
	if err := d.send("amina@example.org", "help@example.org", auto); err != nil {
		t.Fatal(err)
	}
	ours := "From: desk@desk.example\nTo: help@example.org\nSubject: Re: My card\nX-Kindred-Outbox-Id: 1\nMessage-ID: <loop@desk.example>\n\nYour card is posted.\n"
	if err := d.send("desk@desk.example", "help@example.org", ours); err != nil {
		t.Fatal(err)
	}
	if n := d.count(t, "messages"); n != 2 {
		t.Fatalf("%d messages: the auto-reply or our own mail was stored", n)
	}

	bounce := fmt.Sprintf(`From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: desk@desk.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.org>
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Your message could not be delivered.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; amina@example.org
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full
--b
Content-Type: message/rfc822

From: desk@desk.example
To: amina@example.org
Subject: Re: My card [#%d]
Message-ID: <ours-1@desk.example>

Your card is posted.
--b--
`, m.ConversationID)
	if err := d.send("", "help@example.org", bounce); err != nil {
		t.Fatal(err)
	}
	got, err := d.db.Message(ctx, reply.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DeliveryStatus != kindred.DeliveryFailed || got.DeliveryError != "bounced: 552 5.2.2 Mailbox full" {
		t.Fatalf("bounced reply: %q %q", got.DeliveryStatus, got.DeliveryError)
	}
	if n := d.count(t, "messages"); n != 2 {
		t.Fatalf("%d messages: the bounce was stored", n)
	}
}

func TestListenerTurnsAwaySessionsBeyondTheCap(t *testing.T) {
	d := startDesk(t)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range MaxSessions {
		c, err := net.Dial("tcp", d.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if _, _, err := textproto.NewConn(c).ReadResponse(220); err != nil {
			t.Fatal(err)
		}
	}
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, _, err := textproto.NewConn(c).ReadResponse(220); smtpCode(err) != 421 {
		t.Fatalf("session %d: %v, want 421", MaxSessions+1, err)
	}
}
