package store

import (
	"context"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func testRepliesLeaveByTheirChannel(t *testing.T, s suite) {
	db, _ := s.open(t)
	a := mustAgent(t, db, "Wanjiru", "w@desk.example", kindred.RoleAgent)
	ctx := ctxAs(a.ID, a.Name)
	texter := mustCustomer(t, db, kindred.Customer{Name: "Joseph Otieno", Phone: "+254722000111"})
	reader := mustCustomer(t, db, kindred.Customer{Name: "Mzee Kamau", Phone: "+254722000222",
		Accommodations: []kindred.Accommodation{kindred.ReadAloud}})
	mailer := mustCustomer(t, db, kindred.Customer{Name: "Amina", Email: "amina@example.org"})
	noPhone := mustCustomer(t, db, kindred.Customer{Name: "Baraka"})

	tests := []struct {
		name       string
		customer   *kindred.Customer
		channel    kindred.Channel
		sendAnyway bool
		want       kindred.DeliveryStatus
		wantTo     string
		wantOutbox int
		wantReason string
	}{
		{"sms reply is queued for the phone", texter, kindred.ChannelSMS, false, kindred.DeliveryQueued, "+254722000111", 1, ""},
		{"email reply is queued for the address", mailer, kindred.ChannelEmail, false, kindred.DeliveryQueued, "amina@example.org", 1, ""},
		{"desk reply is recorded only", texter, kindred.ChannelDesk, false, kindred.DeliveryRecorded, "", 0, "recorded only: a desk conversation is not sent anywhere"},
		{"read-aloud customer is not texted", reader, kindred.ChannelSMS, false, kindred.DeliveryRecorded, "", 0, `not sent by text: Mzee Kamau has "read aloud" on file, so call them instead`},
		{"the agent may text them anyway", reader, kindred.ChannelSMS, true, kindred.DeliveryQueued, "+254722000222", 1, ""},
		{"no phone on file fails plainly", noPhone, kindred.ChannelSMS, false, kindred.DeliveryFailed, "", 0, "not sent: Baraka has no phone number on file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv := mustConversation(t, db, kindred.Conversation{CustomerID: tt.customer.ID, Channel: tt.channel, Subject: "My card"})
			before := count(t, db, "SELECT COUNT(*) FROM outbox")
			m := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound,
				Body: "Your card is posted today; it reaches you by Friday.", SendAnyway: tt.sendAnyway})
			if m.DeliveryStatus != tt.want || m.To != tt.wantTo || m.DeliveryError != tt.wantReason {
				t.Fatalf("reply: status %q to %q reason %q", m.DeliveryStatus, m.To, m.DeliveryError)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM outbox") - before; n != tt.wantOutbox {
				t.Fatalf("outbox grew by %d, want %d", n, tt.wantOutbox)
			}
			got, err := db.Conversation(context.Background(), conv.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if r := got.Messages[len(got.Messages)-1]; r.DeliveryStatus != tt.want || r.To != tt.wantTo || r.DeliveryError != tt.wantReason {
				t.Fatalf("read back: %+v", r)
			}
			if tt.wantOutbox == 1 {
				out, err := db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "reply", Page: kindred.Page{Limit: 1}})
				if err != nil || len(out) != 1 || out[0].MessageID == nil || *out[0].MessageID != m.ID || out[0].To != tt.wantTo {
					t.Fatalf("outbox row: %+v %v", out, err)
				}
			}
		})
	}
}

func testReplyDeliveryFollowsTheOutbox(t *testing.T, s suite) {
	db, _ := s.open(t)
	a := mustAgent(t, db, "Wanjiru", "w@desk.example", kindred.RoleAgent)
	ctx := ctxAs(a.ID, a.Name)
	bg := context.Background()
	var heard []int64
	db.OnDelivery(func(_, messageID int64) { heard = append(heard, messageID) })

	c := mustCustomer(t, db, kindred.Customer{Name: "Amina", Phone: "+254722000333", Email: "amina@example.org"})
	sms := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelSMS})
	reply := mustMessage(t, db, ctx, kindred.Message{ConversationID: sms.ID, Direction: kindred.Outbound, Body: "Posted today."})
	status := func(id int64) (kindred.DeliveryStatus, string) {
		t.Helper()
		got, err := db.Conversation(bg, sms.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got.Messages {
			if m.ID == id {
				return m.DeliveryStatus, m.DeliveryError
			}
		}
		t.Fatalf("message %d not found", id)
		return "", ""
	}
	claimed, err := db.Claim(bg, time.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	// A failed try that will be retried leaves it queued, saying why.
	if err := db.MarkFailed(bg, claimed[0].ID, "gateway 503", time.Now(), false); err != nil {
		t.Fatal(err)
	}
	if st, why := status(reply.ID); st != kindred.DeliveryQueued || why != "will try again: gateway 503" {
		t.Fatalf("after a failed try: %q %q", st, why)
	}
	claimed, err = db.Claim(bg, time.Now().Add(time.Second), time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim again: %+v %v", claimed, err)
	}
	if err := db.MarkSent(bg, claimed[0].ID, "ATPid_77", time.Now()); err != nil {
		t.Fatal(err)
	}
	if st, why := status(reply.ID); st != kindred.DeliverySent || why != "" {
		t.Fatalf("after sending: %q %q", st, why)
	}
	// The gateway's report: delivered. A report repeated changes nothing;
	// one for an id nobody sent is NotFound.
	for range 2 {
		if id, err := db.RecordDelivery(bg, kindred.DeliveryReport{Channel: kindred.ChannelSMS, ProviderID: "ATPid_77", Delivered: true}); err != nil || id != reply.ID {
			t.Fatalf("report: %d %v", id, err)
		}
	}
	if st, _ := status(reply.ID); st != kindred.DeliveryDelivered {
		t.Fatalf("after the report: %q", st)
	}
	if _, err := db.RecordDelivery(bg, kindred.DeliveryReport{Channel: kindred.ChannelSMS, ProviderID: "ATPid_nobody", Delivered: true}); kindred.ErrorKind(err) != kindred.NotFound {
		t.Fatalf("unknown id: %v", err)
	}
	// The failed try (its reason), sent and delivered were each announced
	// once; the repeated report was not.
	if len(heard) != 3 || heard[0] != reply.ID || heard[2] != reply.ID {
		t.Fatalf("announced %v", heard)
	}

	// A reply that the outbox gives up on fails, with the reason; a retry
	// queues it again.
	second := mustMessage(t, db, ctx, kindred.Message{ConversationID: sms.ID, Direction: kindred.Outbound, Body: "And the form."})
	claimed, err = db.Claim(bg, time.Now().Add(time.Hour), time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim second: %+v %v", claimed, err)
	}
	if err := db.MarkFailed(bg, claimed[0].ID, "not sent: no SMS gateway is set up", time.Now(), true); err != nil {
		t.Fatal(err)
	}
	if st, why := status(second.ID); st != kindred.DeliveryFailed || why != "not sent: no SMS gateway is set up" {
		t.Fatalf("dead: %q %q", st, why)
	}
	if err := db.Retry(bg, claimed[0].ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := status(second.ID); st != kindred.DeliveryQueued {
		t.Fatalf("retried: %q", st)
	}

	// Email: the reply threads under the customer's mail, and keeps the
	// Message-ID it went out with; a bounce fails it.
	mail := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelEmail, Subject: "Lost card"})
	mustMessage(t, db, ctx, kindred.Message{ConversationID: mail.ID, Direction: kindred.Inbound, Body: "Where is my card?",
		EmailID: "CAF123@mail.example.org"})
	er := mustMessage(t, db, ctx, kindred.Message{ConversationID: mail.ID, Direction: kindred.Outbound, Body: "Posted today."})
	out, err := db.Outbox(bg, kindred.OutboxFilter{Channel: kindred.ChannelEmail})
	if err != nil || len(out) != 1 || out[0].InReplyTo != "CAF123@mail.example.org" || out[0].Subject != "Re: Lost card" ||
		len(out[0].References) != 1 || out[0].References[0] != "CAF123@mail.example.org" {
		t.Fatalf("email outbox: %+v %v", out, err)
	}
	claimed, err = db.Claim(bg, time.Now().Add(2*time.Hour), time.Minute, 10)
	if err != nil || len(claimed) != 2 || claimed[1].Channel != kindred.ChannelEmail { // the retried text, then the mail
		t.Fatalf("claim email: %+v %v", claimed, err)
	}
	if err := db.MarkSent(bg, claimed[1].ID, "kindred.1.abc@desk.example", time.Now()); err != nil {
		t.Fatal(err)
	}
	if id, err := db.MarkBounced(bg, "kindred.1.abc@desk.example", "550 no such user"); err != nil || id != er.ID {
		t.Fatalf("bounce: %d %v", id, err)
	}
	got, err := db.Conversation(bg, mail.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Messages[1]; r.EmailID != "kindred.1.abc@desk.example" || r.DeliveryStatus != kindred.DeliveryFailed ||
		r.DeliveryError != "bounced: 550 no such user" || r.Channel != kindred.ChannelEmail {
		t.Fatalf("bounced reply: %+v", r)
	}
}

func testOneTimelinePerPerson(t *testing.T, s suite) {
	db, _ := s.open(t)
	a := mustAgent(t, db, "Wanjiru", "w@desk.example", kindred.RoleAgent)
	ctx := ctxAs(a.ID, a.Name)
	bg := context.Background()

	// The same person, registered twice: once at the desk with a phone,
	// once by email with the same phone written another way.
	desk := mustCustomer(t, db, kindred.Customer{Name: "Joseph Otieno", Phone: "+254722000111"})
	mail := mustCustomer(t, db, kindred.Customer{Name: "J. Otieno", Phone: "+254722000111", Email: "otieno@example.org", PreferredName: "Baba Otieno"})
	other := mustCustomer(t, db, kindred.Customer{Name: "Amina", Phone: "+254733000999"})

	for _, q := range []string{"0722 000 111", "0722000111", "+254722000111", "254 722 000 111"} {
		got, err := db.Customers(bg, kindred.CustomerFilter{Query: q})
		if err != nil || len(got) != 2 {
			t.Fatalf("search %q: %d customers %v", q, len(got), err)
		}
	}
	dups, err := db.Duplicates(bg, desk.ID)
	if err != nil || len(dups) != 1 || dups[0].ID != mail.ID {
		t.Fatalf("duplicates: %+v %v", dups, err)
	}
	if dups, err := db.Duplicates(bg, other.ID); err != nil || len(dups) != 0 {
		t.Fatalf("no duplicates: %+v %v", dups, err)
	}

	byDesk := mustConversation(t, db, kindred.Conversation{CustomerID: desk.ID, Channel: kindred.ChannelDesk})
	byMail := mustConversation(t, db, kindred.Conversation{CustomerID: mail.ID, Channel: kindred.ChannelEmail})
	mustMessage(t, db, ctx, kindred.Message{ConversationID: byMail.ID, Direction: kindred.Inbound, Body: "Where is my card?"})
	if err := db.AddNote(ctx, &kindred.Note{CustomerID: mail.ID, Body: "Prefers email"}); err != nil {
		t.Fatal(err)
	}

	if _, err := db.MergeCustomers(ctx, desk.ID, desk.ID); kindred.ErrorKind(err) != kindred.Invalid {
		t.Fatalf("merge into itself: %v", err)
	}
	m, err := db.MergeCustomers(ctx, desk.ID, mail.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Moved.Conversations) != 1 || len(m.Moved.Notes) != 1 || len(m.Moved.Filled) != 2 {
		t.Fatalf("moved: %+v", m.Moved)
	}
	convs, err := db.Conversations(bg, kindred.ConversationFilter{CustomerID: desk.ID})
	if err != nil || len(convs) != 2 {
		t.Fatalf("one timeline: %d conversations %v", len(convs), err)
	}
	kept, err := db.Customer(bg, desk.ID)
	if err != nil || kept.Email != "otieno@example.org" || kept.PreferredName != "Baba Otieno" {
		t.Fatalf("kept: %+v %v", kept, err)
	}
	gone, err := db.Customer(bg, mail.ID)
	if err != nil || gone.MergedInto == nil || *gone.MergedInto != desk.ID {
		t.Fatalf("merged record: %+v %v", gone, err)
	}
	if got, _ := db.Customers(bg, kindred.CustomerFilter{Query: "0722000111"}); len(got) != 1 {
		t.Fatalf("search after merge finds %d records", len(got))
	}
	if _, err := db.MergeCustomers(ctx, desk.ID, mail.ID); kindred.ErrorKind(err) != kindred.Conflict {
		t.Fatalf("merge twice: %v", err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = 'customer.merge'"); n != 1 {
		t.Fatalf("merge audited %d times", n)
	}

	// Undone: everything goes back where it was.
	if _, err := db.UndoMerge(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UndoMerge(ctx, m.ID); kindred.ErrorKind(err) != kindred.Conflict {
		t.Fatalf("undo twice: %v", err)
	}
	for id, want := range map[int64]int64{byDesk.ID: desk.ID, byMail.ID: mail.ID} {
		c, err := db.Conversation(bg, id, false)
		if err != nil || c.CustomerID != want {
			t.Fatalf("conversation %d belongs to %d, want %d (%v)", id, c.CustomerID, want, err)
		}
	}
	kept, _ = db.Customer(bg, desk.ID)
	back, _ := db.Customer(bg, mail.ID)
	if kept.Email != "" || kept.PreferredName != "" || back.MergedInto != nil {
		t.Fatalf("after undo: kept %+v, merged %+v", kept, back)
	}
	if ms, err := db.Merges(bg, desk.ID); err != nil || len(ms) != 1 || ms[0].UndoneAt == nil {
		t.Fatalf("merges: %+v %v", ms, err)
	}
}

func testTextAfterResolutionReopens(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(0, "test")
	bg := context.Background()
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina", Phone: "+254722000444"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelSMS})
	resolved := kindred.StatusResolved
	if _, err := db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.TextConversation(bg, c.Phone)
	if err != nil || got.ID != conv.ID {
		t.Fatalf("a text soon after resolution went to %+v (%v), want conversation %d", got, err, conv.ID)
	}
	mustMessage(t, db, ctx, kindred.Message{ConversationID: got.ID, Direction: kindred.Inbound, Body: "It still has not come"})
	if again, _ := db.Conversation(bg, conv.ID, false); again.Status != kindred.StatusWaitingOnUs {
		t.Fatalf("not reopened: %s", again.Status)
	}
	// Long after, a text is a new matter.
	if _, err := db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	later := db.now
	db.now = func() time.Time { return later().Add(kindred.ReopenWindow + time.Hour) }
	fresh, _, err := db.TextConversation(bg, c.Phone)
	if err != nil || fresh.ID == conv.ID {
		t.Fatalf("a text long after went to %+v (%v)", fresh, err)
	}
}

func testHistoricalRepliesAreNotSent(t *testing.T, s suite) {
	db, _ := s.open(t)
	a := mustAgent(t, db, "Wanjiru", "w@desk.example", kindred.RoleAgent)
	ctx := ctxAs(a.ID, a.Name)
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina", Phone: "+254722000555"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelSMS})
	m := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "Sent last March.",
		CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Historical: true})
	if m.DeliveryStatus != "" || count(t, db, "SELECT COUNT(*) FROM outbox") != 0 {
		t.Fatalf("a historical reply was queued: %q", m.DeliveryStatus)
	}
}
