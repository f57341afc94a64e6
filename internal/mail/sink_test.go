package mail

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kindred-desk/kindred"
)

// sink serves s on a loopback port and returns its address.
func sink(t *testing.T, s *Sink) string {
	t.Helper()
	srv := smtp.NewServer(s)
	srv.Domain = "sink.localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func TestSinkNamesTheOutboxIDOfKindredsMail(t *testing.T) {
	var got []SinkMail
	addr := sink(t, &Sink{OnMail: func(m SinkMail) error { got = append(got, m); return nil }})
	s := &Sender{Addr: addr, From: "Kindred Desk <desk@example.org>"}
	id, err := s.Send(context.Background(), kindred.OutboundMessage{ID: 42, Channel: kindred.ChannelEmail,
		To: "amina@example.org", Subject: "Re: My card [#3]", Body: "It reaches you by Friday."})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].OutboxID != "42" || got[0].MessageID != id || got[0].Text != "It reaches you by Friday." {
		t.Fatalf("sink took %+v, want one mail with outbox id 42 and Message-ID %s", got, id)
	}
}

func TestSinkRefusesForNowWhatItCannotTake(t *testing.T) {
	addr := sink(t, &Sink{OnMail: func(SinkMail) error { return errors.New("disk full") }})
	s := &Sender{Addr: addr, From: "desk@example.org"}
	_, err := s.Send(context.Background(), kindred.OutboundMessage{ID: 1, Channel: kindred.ChannelEmail,
		To: "amina@example.org", Subject: "Re: My card", Body: "x"})
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 451 || IsPermanent(err) {
		t.Fatalf("a mail the sink could not take: %v, want a temporary 451", err)
	}
}

// A mail the outbox sends again (the desk died after the relay took it and
// before it noted so) must be the same message to the mailbox, which keeps
// one copy per Message-ID; another outbox row, or the same id on another
// desk, is another message.
func TestSendingAnOutboxMessageAgainKeepsItsMessageID(t *testing.T) {
	var got []SinkMail
	addr := sink(t, &Sink{OnMail: func(m SinkMail) error { got = append(got, m); return nil }})
	s := &Sender{Addr: addr, From: "Kindred Desk <desk@example.org>"}
	created := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	m := kindred.OutboundMessage{ID: 219, Channel: kindred.ChannelEmail, To: "amina@example.org",
		Subject: "Re: My card [#10]", Body: "It reaches you by Friday.", CreatedAt: created}
	other := m
	other.ID = 220
	elsewhere := m
	elsewhere.CreatedAt = created.Add(time.Millisecond) // row 219 of another desk
	var ids []string
	for _, msg := range []kindred.OutboundMessage{m, m, other, elsewhere} {
		id, err := s.Send(context.Background(), msg)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if ids[0] != ids[1] || got[0].MessageID != got[1].MessageID || got[1].MessageID != ids[1] {
		t.Errorf("outbox row 219 sent twice had Message-IDs %q and %q (mailbox saw %q, %q), want one", ids[0], ids[1], got[0].MessageID, got[1].MessageID)
	}
	if ids[2] == ids[0] || ids[3] == ids[0] || ids[2] == ids[3] {
		t.Errorf("different messages share a Message-ID: %q", ids)
	}
	if !strings.HasSuffix(ids[0], "@example.org") {
		t.Errorf("Message-ID %q is not on the sender's domain", ids[0])
	}
}
