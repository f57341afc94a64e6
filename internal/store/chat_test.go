package store

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"ChatVisitorsFirstMessageMakesTheirRecord", testChatFirstMessage},
		suiteTest{"ChatNeverListsInternalNotes", testChatNeverListsNotes},
		suiteTest{"ChatRepliesFollowTheVisitor", testChatRepliesFollowTheVisitor},
		suiteTest{"ChatDeliveryOnlyForwardAndOnlyTheirs", testChatDeliveryOnlyForward},
		suiteTest{"ChatDeliveryNeverBackwardsWhenRaced", testChatDeliveryRaced},
		suiteTest{"ServerKeyIsMadeOnceAndKept", testServerKeyKept},
	)
}

// Visitor ids as the chat makes them: 32 hex digits.
const (
	visitorA = "0123456789abcdef0123456789abcdef"
	visitorB = "fedcba9876543210fedcba9876543210"
)

func testChatFirstMessage(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	if _, err := db.ChatVisitor(ctx, visitorA); kindred.ErrorKind(err) != kindred.NotFound {
		t.Fatalf("an unknown visitor: %v, want NotFound", err)
	}
	wantField(t, func() error { _, err := db.InboundChat(ctx, "not-an-id", "hello", nil); return err }(), "visitor")
	wantField(t, func() error { _, err := db.InboundChat(ctx, visitorA, "  ", nil); return err }(), "body")
	if n := count(t, db, "SELECT COUNT(*) FROM customers"); n != 0 {
		t.Fatalf("refused messages made %d customers", n)
	}

	analysed := false
	m, err := db.InboundChat(ctx, visitorA, "Hello, my meter reading is wrong.", func(*kindred.Message, *kindred.Customer) { analysed = true })
	if err != nil {
		t.Fatal(err)
	}
	if !analysed || m.ID == 0 || m.Direction != kindred.Inbound || m.Channel != kindred.ChannelChat {
		t.Fatalf("stored %+v (analysed %v)", m, analysed)
	}
	v, err := db.ChatVisitor(ctx, visitorA)
	if err != nil {
		t.Fatal(err)
	}
	if v.ConversationID != m.ConversationID || !strings.HasPrefix(v.Name, "Web chat visitor ") {
		t.Fatalf("visitor %+v after message %+v", v, m)
	}
	conv, err := db.Conversation(ctx, m.ConversationID, false)
	if err != nil {
		t.Fatal(err)
	}
	if conv.Channel != kindred.ChannelChat || conv.Status != kindred.StatusWaitingOnUs || conv.Chat == nil || !conv.Chat.Online {
		t.Fatalf("conversation %+v, chat %+v", conv, conv.Chat)
	}
	again, err := db.InboundChat(ctx, visitorA, "It says 4000 units.", nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.ConversationID != m.ConversationID {
		t.Fatalf("second message went to conversation %d, want %d", again.ConversationID, m.ConversationID)
	}
	other, err := db.InboundChat(ctx, visitorB, "Hi", nil)
	if err != nil {
		t.Fatal(err)
	}
	if other.ConversationID == m.ConversationID {
		t.Fatal("two visitors share a conversation")
	}
}

func testChatNeverListsNotes(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	ctx := ctxAs(agent.ID, agent.Name)
	in, err := db.InboundChat(ctx, visitorA, "Is my card ready?", nil)
	if err != nil {
		t.Fatal(err)
	}
	note := mustMessage(t, db, ctx, kindred.Message{ConversationID: in.ConversationID, Direction: kindred.InternalNote, Body: "SECRET: fraud check pending"})
	reply := mustMessage(t, db, ctx, kindred.Message{ConversationID: in.ConversationID, Direction: kindred.Outbound, Body: "Yes, it is ready."})
	for _, after := range []int64{0, in.ID} {
		msgs, err := db.ChatMessages(ctx, visitorA, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, m := range msgs {
			if m.Direction == kindred.InternalNote || strings.Contains(m.Body, "SECRET") {
				t.Fatalf("after %d: the chat lists the internal note %d", after, note.ID)
			}
			ids = append(ids, m.ID)
		}
		want := []int64{in.ID, reply.ID}
		if after != 0 {
			want = want[1:]
		}
		if !equalIDs(ids, want) {
			t.Fatalf("after %d: messages %v, want %v", after, ids, want)
		}
	}
	if msgs, err := db.ChatMessages(ctx, visitorB, 0, 100); kindred.ErrorKind(err) != kindred.NotFound || msgs != nil {
		t.Fatalf("another visitor's chat: %v, %v", msgs, err)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testChatRepliesFollowTheVisitor(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	ctx := ctxAs(agent.ID, agent.Name)
	in, err := db.InboundChat(ctx, visitorA, "Hello?", nil)
	if err != nil {
		t.Fatal(err)
	}
	reply := func(body string) *kindred.Message {
		return mustMessage(t, db, ctx, kindred.Message{ConversationID: in.ConversationID, Direction: kindred.Outbound, Body: body})
	}

	live := reply("Hello, I am here.")
	if live.Channel != kindred.ChannelChat || live.DeliveryStatus != kindred.DeliveryQueued || live.DeliveryError != "" {
		t.Fatalf("a reply to a visitor in the chat: %+v", live)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM outbox"); n != 0 {
		t.Fatalf("a chat reply went to the outbox (%d rows)", n)
	}

	// They close the page: the reply waits, and says why.
	if err := db.ChatOnline(ctx, visitorA, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	waits := reply("Are you still there?")
	if waits.Channel != kindred.ChannelChat || waits.DeliveryStatus != kindred.DeliveryQueued || !strings.HasPrefix(waits.DeliveryError, "waiting:") {
		t.Fatalf("a reply to a visitor who left: %+v", waits)
	}

	// They left a phone number: replies go by SMS through the outbox, and
	// the customer record has the number.
	wantField(t, func() error { _, err := db.SetChatContact(ctx, visitorA, kindred.ChatContact{}); return err }(), "contact")
	v, err := db.SetChatContact(ctx, visitorA, kindred.ChatContact{Name: "Wanjiku Kamau", Phone: "+254722000111"})
	if err != nil {
		t.Fatal(err)
	}
	if v.ReplyBy != kindred.ChannelSMS || v.Phone != "+254722000111" || v.Name != "Wanjiku Kamau" {
		t.Fatalf("visitor after leaving a phone: %+v", v)
	}
	cust, err := db.Customer(ctx, v.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if cust.Phone != "+254722000111" || cust.Name != "Wanjiku Kamau" {
		t.Fatalf("customer record %+v", cust)
	}
	bySMS := reply("Your card is ready to collect.")
	if bySMS.Channel != kindred.ChannelSMS || bySMS.To != "+254722000111" || bySMS.DeliveryStatus != kindred.DeliveryQueued {
		t.Fatalf("a reply after they left a phone: %+v", bySMS)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM outbox WHERE message_id = ? AND channel = 'sms'", bySMS.ID); n != 1 {
		t.Fatalf("%d outbox rows for the SMS reply", n)
	}
	// A name the desk knows them by is never replaced from the chat.
	if _, err := db.SetChatContact(ctx, visitorA, kindred.ChatContact{Name: "Someone Else", Email: "w@example.org"}); err != nil {
		t.Fatal(err)
	}
	if cust, _ = db.Customer(ctx, v.CustomerID); cust.Name != "Wanjiku Kamau" || cust.Email != "w@example.org" {
		t.Fatalf("customer record %+v", cust)
	}
	byEmail := reply("We also wrote to you.")
	if byEmail.Channel != kindred.ChannelEmail || byEmail.To != "w@example.org" {
		t.Fatalf("a reply after they left an email: %+v", byEmail)
	}

	// Back in the chat: the widget again.
	if err := db.ChatOnline(ctx, visitorA, time.Now().Add(time.Hour*24*365*10)); err != nil {
		t.Fatal(err)
	}
	if back := reply("Welcome back."); back.Channel != kindred.ChannelChat || back.DeliveryError != "" {
		t.Fatalf("a reply when they are back: %+v", back)
	}
	// A chat conversation nobody chats in (made through the API) is recorded.
	plain := mustCustomer(t, db, kindred.Customer{Name: "Baraka"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: plain.ID, Channel: kindred.ChannelChat})
	rec := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "Noted."})
	if rec.DeliveryStatus != kindred.DeliveryRecorded {
		t.Fatalf("a reply in a chat conversation with no visitor: %+v", rec)
	}
}

func testChatDeliveryOnlyForward(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	ctx := ctxAs(agent.ID, agent.Name)
	var heard []int64
	db.OnDelivery(func(_, messageID int64) { heard = append(heard, messageID) })
	in, err := db.InboundChat(ctx, visitorA, "Hello?", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.InboundChat(ctx, visitorB, "Me too", nil); err != nil {
		t.Fatal(err)
	}
	r := mustMessage(t, db, ctx, kindred.Message{ConversationID: in.ConversationID, Direction: kindred.Outbound, Body: "Hello."})
	status := func() kindred.DeliveryStatus {
		m, err := db.Message(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return m.DeliveryStatus
	}
	// Not theirs: nothing moves.
	if ok, err := db.ChatDelivered(ctx, visitorB, r.ID, kindred.DeliveryDelivered); err != nil || ok {
		t.Fatalf("another visitor acknowledged the reply: %v, %v", ok, err)
	}
	// Not a reply: nothing moves.
	if ok, err := db.ChatDelivered(ctx, visitorA, in.ID, kindred.DeliveryDelivered); err != nil || ok {
		t.Fatalf("acknowledged their own message: %v, %v", ok, err)
	}
	steps := []struct {
		status  kindred.DeliveryStatus
		changed bool
		want    kindred.DeliveryStatus
	}{
		{kindred.DeliverySent, true, kindred.DeliverySent},
		{kindred.DeliverySent, false, kindred.DeliverySent},
		{kindred.DeliveryDelivered, true, kindred.DeliveryDelivered},
		{kindred.DeliverySent, false, kindred.DeliveryDelivered}, // never backwards
		{kindred.DeliveryDelivered, false, kindred.DeliveryDelivered},
	}
	for i, st := range steps {
		ok, err := db.ChatDelivered(ctx, visitorA, r.ID, st.status)
		if err != nil {
			t.Fatal(err)
		}
		if ok != st.changed || status() != st.want {
			t.Fatalf("step %d (%s): changed %v, status %s; want %v, %s", i, st.status, ok, status(), st.changed, st.want)
		}
	}
	if !equalIDs(heard, []int64{r.ID, r.ID}) {
		t.Fatalf("delivery hooks heard %v, want the reply twice (sent, delivered)", heard)
	}
	wantField(t, func() error { _, err := db.ChatDelivered(ctx, visitorA, r.ID, kindred.DeliveryFailed); return err }(), "status")
}

// testChatDeliveryRaced: the widget's acknowledgement (delivered) can
// arrive while the server is still marking the reply sent; whichever
// commits last, the reply ends delivered.
func testChatDeliveryRaced(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	ctx := ctxAs(agent.ID, agent.Name)
	in, err := db.InboundChat(ctx, visitorA, "Hello?", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		r := mustMessage(t, db, ctx, kindred.Message{ConversationID: in.ConversationID, Direction: kindred.Outbound, Body: "Hello."})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, status := range []kindred.DeliveryStatus{kindred.DeliverySent, kindred.DeliveryDelivered} {
			wg.Go(func() { _, errs[j] = db.ChatDelivered(ctx, visitorA, r.ID, status) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		m, err := db.Message(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.DeliveryStatus != kindred.DeliveryDelivered {
			t.Fatalf("reply %d of 60: %s after sent and delivered raced, want delivered", i+1, m.DeliveryStatus)
		}
	}
}

func testServerKeyKept(t *testing.T, s suite) {
	db, dsn := s.open(t)
	ctx := context.Background()
	a, err := db.ServerKey(ctx, "chat")
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.ServerKey(ctx, "chat")
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.ServerKey(ctx, "something else")
	if err != nil {
		t.Fatal(err)
	}
	again, err := openDSN(t, dsn).ServerKey(ctx, "chat")
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 32 || !bytes.Equal(a, b) || !bytes.Equal(a, again) || bytes.Equal(a, other) {
		t.Fatalf("keys %x, %x, reopened %x, other %x", a, b, again, other)
	}
}
