package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"EmailThreadsByMessageIDAndTokenOnlyForItsCustomer", testEmailThreads},
		suiteTest{"EmailReopensARecentConversationOnly", testEmailReopens},
		suiteTest{"EmailFloodOpensFewConversations", testEmailFlood},
		suiteTest{"EmailAttachmentsStoredAndListed", testEmailAttachments},
	)
}

// movableClock gives db a clock the test moves: each reading a second on,
// plus whatever the test adds.
func movableClock(db *DB) *atomic.Int64 {
	var offset atomic.Int64
	var tick atomic.Int64
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.now = func() time.Time {
		return start.Add(time.Duration(tick.Add(1))*time.Second + time.Duration(offset.Load()))
	}
	return &offset
}

func receive(t *testing.T, db *DB, e kindred.InboundEmail) *kindred.EmailReceipt {
	t.Helper()
	r, err := db.ReceiveEmail(context.Background(), &e, nil)
	if err != nil {
		t.Fatalf("receive %s: %v", e.MessageID, err)
	}
	return r
}

func testEmailThreads(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	known := mustCustomer(t, db, kindred.Customer{Name: "Amina Odhiambo", Email: "amina@example.org"})

	first := receive(t, db, kindred.InboundEmail{MessageID: "a1@example.org", From: "AMINA@Example.org", FromName: "Amina O.",
		Subject: "My card", Body: "Where is my card?"})
	if !first.Stored || first.NewCustomer || !first.NewConversation {
		t.Fatalf("first mail: %+v", first)
	}
	conv, err := db.Conversation(ctx, first.Message.ConversationID, true)
	if err != nil {
		t.Fatal(err)
	}
	if conv.CustomerID != known.ID || conv.Channel != kindred.ChannelEmail || conv.Subject != "My card" || conv.Messages[0].EmailID != "a1@example.org" {
		t.Fatalf("conversation %+v", conv)
	}

	again := receive(t, db, kindred.InboundEmail{MessageID: "a1@example.org", From: "amina@example.org", Subject: "My card", Body: "Where is my card? (again)"})
	if again.Stored || !again.Duplicate || again.Message == nil || again.Message.ID != first.Message.ID {
		t.Fatalf("the same Message-ID again: %+v", again)
	}

	// Our reply carries the token and threads under her mail.
	a := mustAgent(t, db, "Wanjiru", "w@desk.example", kindred.RoleAgent)
	reply := mustMessage(t, db, ctxAs(a.ID, a.Name), kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "It is posted."})
	out, err := db.Outbox(ctx, kindred.OutboxFilter{Purpose: "reply"})
	if err != nil || len(out) != 1 || out[0].InReplyTo != "a1@example.org" || out[0].Subject != fmt.Sprintf("Re: My card [#%d]", conv.ID) {
		t.Fatalf("outbox %+v %v", out, err)
	}
	if err := db.MarkSent(ctx, out[0].ID, "ours-1@desk.example", time.Now()); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		mail     kindred.InboundEmail
		sameConv bool
	}{
		{"In-Reply-To our reply", kindred.InboundEmail{From: "amina@example.org", Subject: "Re: Re: My card", InReplyTo: []string{"ours-1@desk.example"}, Body: "Thank you"}, true},
		{"References only", kindred.InboundEmail{From: "amina@example.org", Subject: "other", References: []string{"a1@example.org"}, Body: "One more thing"}, true},
		{"the reply token", kindred.InboundEmail{From: "amina@example.org", Subject: fmt.Sprintf("Re: something [#%d]", conv.ID), Body: "By token"}, true},
		{"the token from someone else", kindred.InboundEmail{From: "mallory@example.net", Subject: fmt.Sprintf("Re: My card [#%d]", conv.ID), Body: "Let me in"}, false},
		{"our Message-ID from someone else", kindred.InboundEmail{From: "mallory@example.net", Subject: "Re: My card", InReplyTo: []string{"ours-1@desk.example"}, Body: "Let me in too"}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.mail.MessageID = fmt.Sprintf("t%d@example.org", i)
			r := receive(t, db, tt.mail)
			if !r.Stored {
				t.Fatalf("not stored: %+v", r)
			}
			if same := r.Message.ConversationID == conv.ID; same != tt.sameConv {
				t.Fatalf("joined conversation %d (want the same as %d: %v)", r.Message.ConversationID, conv.ID, tt.sameConv)
			}
		})
	}
	if got := mustMessageStatus(t, db, reply.ID); got != kindred.DeliverySent {
		t.Errorf("reply status %q", got)
	}
}

func mustMessageStatus(t *testing.T, db *DB, id int64) kindred.DeliveryStatus {
	t.Helper()
	m, err := db.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m.DeliveryStatus
}

func testEmailReopens(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	offset := movableClock(db)
	first := receive(t, db, kindred.InboundEmail{MessageID: "r1@example.org", From: "baraka@example.org", FromName: "Baraka", Subject: "Statement", Body: "Please send my statement."})
	if !first.NewCustomer {
		t.Fatalf("a new sender should be a new customer: %+v", first)
	}
	convID := first.Message.ConversationID
	resolved := kindred.StatusResolved
	if _, err := db.UpdateConversation(ctx, convID, kindred.ConversationUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	offset.Add(int64(3 * 24 * time.Hour))
	back := receive(t, db, kindred.InboundEmail{MessageID: "r2@example.org", From: "baraka@example.org", Subject: "Re: Statement", InReplyTo: []string{"r1@example.org"}, Body: "It has not come."})
	if back.Message.ConversationID != convID || back.NewConversation {
		t.Fatalf("a reply 3 days after resolution should reopen the conversation: %+v", back)
	}
	c, _ := db.Conversation(ctx, convID, false)
	if c.Status != kindred.StatusWaitingOnUs || c.ResolvedAt != nil {
		t.Fatalf("reopened conversation: %s %v", c.Status, c.ResolvedAt)
	}
	if _, err := db.UpdateConversation(ctx, convID, kindred.ConversationUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	offset.Add(int64(kindred.ReopenWindow + time.Hour))
	late := receive(t, db, kindred.InboundEmail{MessageID: "r3@example.org", From: "baraka@example.org", Subject: "Re: Statement", InReplyTo: []string{"r2@example.org"}, Body: "A new question."})
	if late.Message.ConversationID == convID || !late.NewConversation {
		t.Fatalf("a reply after the window should open a new conversation: %+v", late)
	}
}

func testEmailFlood(t *testing.T, s suite) {
	db, _ := s.open(t)
	stored := 0
	for i := range 200 {
		r := receive(t, db, kindred.InboundEmail{MessageID: fmt.Sprintf("f%d@example.org", i), From: "loop@example.org", Subject: "Ticket received", Body: "We got your mail."})
		if r.Stored {
			stored++
		}
	}
	if stored != 1 {
		t.Fatalf("%d of 200 identical mails stored, want 1", stored)
	}
	for i := range 30 {
		receive(t, db, kindred.InboundEmail{MessageID: fmt.Sprintf("g%d@example.org", i), From: "loop@example.org", Subject: fmt.Sprintf("Subject %d", i), Body: fmt.Sprintf("Text %d", i)})
	}
	if n := count(t, db, "SELECT COUNT(*) FROM conversations"); n != kindred.MaxNewConversationsPerHour {
		t.Fatalf("%d conversations from one sender in an hour, want %d", n, kindred.MaxNewConversationsPerHour)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM messages"); n != 31 {
		t.Fatalf("%d messages, want 31: different mails are all kept", n)
	}
}

func testEmailAttachments(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	r := receive(t, db, kindred.InboundEmail{MessageID: "att@example.org", From: "grace@example.org", Subject: "Letter", Body: "The letter is attached.",
		Attachments: []kindred.Attachment{{Filename: "letter.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 ...")}}})
	if len(r.Message.Attachments) != 1 {
		t.Fatalf("receipt lists %d files", len(r.Message.Attachments))
	}
	conv, err := db.Conversation(ctx, r.Message.ConversationID, true)
	if err != nil {
		t.Fatal(err)
	}
	files := conv.Messages[0].Attachments
	if len(files) != 1 || files[0].Filename != "letter.pdf" || files[0].Size != 12 || files[0].Data != nil {
		t.Fatalf("listed files %+v", files)
	}
	a, err := db.Attachment(ctx, files[0].ID)
	if err != nil || string(a.Data) != "%PDF-1.4 ..." || a.ContentType != "application/pdf" || a.MessageID != conv.Messages[0].ID {
		t.Fatalf("attachment %+v %v", a, err)
	}
	_, err = db.Attachment(ctx, a.ID+100)
	wantKind(t, err, kindred.NotFound)

	// A bad mail changes nothing.
	before := count(t, db, "SELECT COUNT(*) FROM messages")
	_, err = db.ReceiveEmail(ctx, &kindred.InboundEmail{MessageID: "bad@example.org", From: "grace@example.org", Body: "x",
		Attachments: []kindred.Attachment{{Filename: "", ContentType: "", Data: nil}}}, nil)
	wantKind(t, err, kindred.Invalid)
	if count(t, db, "SELECT COUNT(*) FROM messages") != before {
		t.Fatal("a refused mail left a message")
	}
}
