package store

import (
	"errors"
	"testing"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"CommittedWorkWakesItsWorker", testCommittedWorkWakesItsWorker})
}

// The workers hear of work only once it has committed, and only of their
// own: a reply by SMS wakes the outbox, a subscribed event the webhook
// worker, and a transaction rolled back wakes nobody.
func testCommittedWorkWakesItsWorker(t *testing.T, s suite) {
	db, _ := s.open(t)
	a := mustAgent(t, db, "Wanjiru", "w@desk.example", kindred.RoleAgent)
	ctx := ctxAs(a.ID, a.Name)
	var outbox, hooks int
	db.OnQueued(QueueOutbox, func() { outbox++ })
	db.OnQueued(QueueWebhooks, func() { hooks++ })
	want := func(step string, o, h int) {
		t.Helper()
		if outbox != o || hooks != h {
			t.Fatalf("%s: outbox woken %d times, webhooks %d; want %d, %d", step, outbox, hooks, o, h)
		}
	}

	c := mustCustomer(t, db, kindred.Customer{Name: "Amina", Phone: "+254722000333"})
	desk := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelDesk})
	sms := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelSMS})
	mustMessage(t, db, ctx, kindred.Message{ConversationID: desk.ID, Direction: kindred.Outbound, Body: "Here is your card."})
	want("a desk reply, recorded only", 0, 0)
	mustMessage(t, db, ctx, kindred.Message{ConversationID: sms.ID, Direction: kindred.Outbound, Body: "Posted today."})
	want("an SMS reply", 1, 0)

	boom := errors.New("changed my mind")
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.Enqueue(ctx, &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: c.Phone, Body: "never", Purpose: "reply", CustomerID: &c.ID}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx: %v", err)
	}
	want("a rolled-back enqueue", 1, 0)

	mustWebhook(t, db, "https://crm.example/hook", kindred.EventMessageCreated)
	mustMessage(t, db, ctx, kindred.Message{ConversationID: desk.ID, Direction: kindred.Inbound, Body: "Thank you."})
	want("a subscribed event", 1, 1)
}
