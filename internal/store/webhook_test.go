package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"WebhookEventsAreWrittenWithTheirChange", testWebhookEvents},
		suiteTest{"WebhookDeliveriesInOrderRetryDeadReplay", testWebhookDeliveries},
		suiteTest{"WhatsAppRepliesGoThroughTheOutbox", testWhatsAppOutbox},
		suiteTest{"WhatsAppRepliesOnlyWithin24Hours", testWhatsAppWindow},
	)
}

func mustWebhook(t *testing.T, db *DB, url string, events ...kindred.WebhookEvent) *kindred.Webhook {
	t.Helper()
	w := &kindred.Webhook{URL: url, Secret: "0123456789abcdef-secret", Events: events}
	if err := db.CreateWebhook(ctx0(), w); err != nil {
		t.Fatalf("create webhook: %v", err)
	}
	return w
}

func ctx0() context.Context { return ctxAs(0, "test") }

func testWebhookEvents(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctx0()

	wantField(t, db.CreateWebhook(ctx, &kindred.Webhook{URL: "ftp://x", Secret: "0123456789abcdef", Events: []kindred.WebhookEvent{kindred.EventMessageCreated}}), "url")
	wantField(t, db.CreateWebhook(ctx, &kindred.Webhook{URL: "https://x.example", Secret: "short", Events: []kindred.WebhookEvent{kindred.EventMessageCreated}}), "secret")
	wantField(t, db.CreateWebhook(ctx, &kindred.Webhook{URL: "https://x.example", Secret: "0123456789abcdef", Events: []kindred.WebhookEvent{"message.deleted"}}), "events")
	wantField(t, db.CreateWebhook(ctx, &kindred.Webhook{URL: "https://x.example", Secret: "0123456789abcdef"}), "events")
	if n := count(t, db, "SELECT COUNT(*) FROM webhooks"); n != 0 {
		t.Fatalf("bad input stored %d webhooks", n)
	}

	all := mustWebhook(t, db, "https://crm.example/hook?token=abc", kindred.WebhookEvents...)
	msgs := mustWebhook(t, db, "https://chat.example/hook", kindred.EventMessageCreated, kindred.EventMessageCreated)
	if len(msgs.Events) != 1 {
		t.Fatalf("events not deduplicated: %v", msgs.Events)
	}
	list, err := db.Webhooks(ctx)
	if err != nil || len(list) != 2 || list[0].Secret != "" || len(list[0].Events) != 4 {
		t.Fatalf("list: %+v %v", list, err)
	}

	c := mustCustomer(t, db, kindred.Customer{Name: "Achieng Otieno", Phone: "+254722000111"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelDesk, Subject: "Card"})
	in := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "Where is my card?"})
	mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.InternalNote, Body: "She was upset last time"})
	status := kindred.StatusWaitingOnCustomer
	if _, err := db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: &status}); err != nil {
		t.Fatal(err)
	}
	// A change that fails writes no event.
	bad := kindred.Status("lost")
	if _, err := db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: &bad}); err == nil {
		t.Fatal("bad status accepted")
	}

	got, err := db.WebhookDeliveries(ctx, kindred.WebhookDeliveryFilter{WebhookID: all.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Event != kindred.EventMessageCreated || got[0].Event != kindred.EventConversationUpdated {
		t.Fatalf("the all-events webhook got %+v; want message.created then conversation.updated, and no note", got)
	}
	var body struct {
		Message kindred.Message `json:"message"`
	}
	if err := json.Unmarshal(got[1].Payload, &body); err != nil || body.Message.ID != in.ID || body.Message.Body != in.Body {
		t.Fatalf("payload %s: %v", got[1].Payload, err)
	}
	onlyMsgs, _ := db.WebhookDeliveries(ctx, kindred.WebhookDeliveryFilter{WebhookID: msgs.ID})
	if len(onlyMsgs) != 1 || onlyMsgs[0].Event != kindred.EventMessageCreated {
		t.Fatalf("the message webhook got %+v", onlyMsgs)
	}

	// A removed webhook hears nothing more; its pending deliveries die.
	if err := db.RemoveWebhook(ctx, msgs.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, db.RemoveWebhook(ctx, msgs.ID), kindred.NotFound)
	mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "Hello?"})
	if n := count(t, db, "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?", msgs.ID); n != 1 {
		t.Fatalf("removed webhook has %d deliveries, want 1", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? AND status = 'dead'", msgs.ID); n != 1 {
		t.Fatalf("the removed webhook's delivery is not dead")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = 'webhook.create' AND detail LIKE '%token%'"); n != 0 {
		t.Fatal("the audit log holds the webhook URL's token")
	}
}

func testWebhookDeliveries(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctx0()
	a := mustWebhook(t, db, "https://a.example/hook", kindred.EventMessageCreated)
	b := mustWebhook(t, db, "https://b.example/hook", kindred.EventMessageCreated)
	c := mustCustomer(t, db, kindred.Customer{Name: "Baraka Mwangi"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelDesk})
	for _, body := range []string{"one", "two", "three"} {
		mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: body})
	}
	now := time.Now()
	claimed, err := db.ClaimWebhookDeliveries(ctx, now, time.Minute, 10)
	if err != nil || len(claimed) != 2 || claimed[0].WebhookID != a.ID || claimed[1].WebhookID != b.ID ||
		claimed[0].Attempts != 1 || claimed[0].URL != a.URL || claimed[0].Secret == "" {
		t.Fatalf("claim: one per webhook, the oldest: %+v %v", claimed, err)
	}
	first := claimed[0]
	if again, _ := db.ClaimWebhookDeliveries(ctx, now, time.Minute, 10); len(again) != 0 {
		t.Fatalf("claimed leased deliveries again: %+v", again)
	}
	// a's receiver is down: its later events wait behind the first.
	if err := db.RecordWebhookAttempt(ctx, first.ID, kindred.WebhookAttempt{Attempt: 1, At: now, Error: "connection refused"}, false, now.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordWebhookAttempt(ctx, claimed[1].ID, kindred.WebhookAttempt{Attempt: 1, At: now, StatusCode: 204}, true, time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	wantKind(t, db.RecordWebhookAttempt(ctx, claimed[1].ID, kindred.WebhookAttempt{Attempt: 2, At: now, StatusCode: 204}, true, time.Time{}, false), kindred.Conflict)
	soon, _ := db.ClaimWebhookDeliveries(ctx, now.Add(time.Second), time.Minute, 10)
	if len(soon) != 1 || soon[0].WebhookID != b.ID {
		t.Fatalf("while a waits to retry, only b's next event is due: %+v", soon)
	}
	later, _ := db.ClaimWebhookDeliveries(ctx, now.Add(2*time.Minute), time.Minute, 10)
	if len(later) != 2 || later[0].ID != first.ID || later[0].Attempts != 2 {
		t.Fatalf("after the wait a's first event comes again, first: %+v", later)
	}
	if err := db.RecordWebhookAttempt(ctx, first.ID, kindred.WebhookAttempt{Attempt: 2, At: now, StatusCode: 500, Error: "500 Internal Server Error"}, false, time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	d, err := db.WebhookDelivery(ctx, first.ID)
	if err != nil || d.Status != kindred.WebhookDead || len(d.Log) != 2 || d.Log[0].Error != "connection refused" || d.Log[1].StatusCode != 500 {
		t.Fatalf("dead delivery and its log: %+v %v", d, err)
	}
	// A dead event no longer holds the others back.
	next, _ := db.ClaimWebhookDeliveries(ctx, now.Add(3*time.Minute), time.Minute, 10)
	found := false
	for _, n := range next {
		found = found || (n.WebhookID == a.ID && n.ID > first.ID)
	}
	if !found {
		t.Fatalf("a's second event is not due after the first died: %+v", next)
	}

	re, err := db.ReplayWebhookDelivery(ctx, first.ID)
	if err != nil || re.ID == first.ID || re.ReplayOf == nil || *re.ReplayOf != first.ID || re.Status != kindred.WebhookPending ||
		string(re.Payload) != string(first.Payload) {
		t.Fatalf("replay: %+v %v", re, err)
	}
	if _, err := db.ReplayWebhookDelivery(ctx, 9999); kindred.ErrorKind(err) != kindred.NotFound {
		t.Fatalf("replay of nothing: %v", err)
	}
	if err := db.RemoveWebhook(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReplayWebhookDelivery(ctx, first.ID); kindred.ErrorKind(err) != kindred.Conflict {
		t.Fatalf("replay to a removed webhook: %v", err)
	}
}

// testWhatsAppOutbox: the outbox takes WhatsApp messages now that its
// channel check lives in Go.
func testWhatsAppOutbox(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctx0()
	wantField(t, db.Enqueue(ctx, &kindred.OutboundMessage{Channel: kindred.ChannelWhatsApp, To: "0722", Body: "hi"}), "to")
	m := &kindred.OutboundMessage{Channel: kindred.ChannelWhatsApp, To: "+254722000111", Body: "Habari"}
	if err := db.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := db.OutboundMessage(ctx, m.ID)
	if err != nil || got.Channel != kindred.ChannelWhatsApp {
		t.Fatalf("%+v %v", got, err)
	}
}

// TestMigration13KeepsTheOutboxAndWhatPointsAtIt rebuilds the SQLite outbox
// (to drop its channel check) under rows of other tables that reference it.
func TestMigration13KeepsTheOutboxAndWhatPointsAtIt(t *testing.T) {
	ctx := context.Background()
	db, err := openSQLite(ctx, filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.migrateTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		stmts := []string{
			`INSERT INTO customers (id, name, phone, created_at, updated_at) VALUES (1, 'Achieng', '+254722000111', 0, 0)`,
			`INSERT INTO outbox (id, channel, recipient, body, purpose, customer_id, status, next_attempt_at, created_at)
				VALUES (7, 'sms', '+254722000111', 'Your code', 'code', 1, 'sent', 0, 0)`,
			`INSERT INTO codes (customer_id, channel, recipient, salt, status, expires_at, created_at, outbox_id)
				VALUES (1, 'sms', '+254722000111', x'00', 'used', 0, 0, 7)`,
		}
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate over rows that reference the outbox: %v", err)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM codes c JOIN outbox o ON o.id = c.outbox_id WHERE o.id = 7 AND o.body = 'Your code'"); n != 1 {
		t.Fatal("the code no longer points at its outbox row")
	}
	// The rebuild's four, by name: later migrations add their own.
	if n := count(t, db, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox'
		AND name IN ('outbox_due', 'outbox_customer', 'outbox_message', 'outbox_provider')`); n != 4 {
		t.Fatalf("outbox has %d of its 4 indexes", n)
	}
	if err := db.Enqueue(ctx, &kindred.OutboundMessage{Channel: kindred.ChannelWhatsApp, To: "+254722000111", Body: "Habari"}); err != nil {
		t.Fatal(err)
	}
}

// testWhatsAppWindow: a reply goes out as free text only within 24 hours
// of the customer's last WhatsApp message; after, it is not sent and says why.
func testWhatsAppWindow(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctx0()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return now }
	in, err := db.InboundWhatsApp(ctx, kindred.InboundWhatsApp{From: "+254722000111", Name: "Achieng", ProviderID: "wamid.1", Body: "Habari"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.InboundWhatsApp(ctx, kindred.InboundWhatsApp{From: "+254722000111", ProviderID: "wamid.1", Body: "Habari"}, nil); kindred.ErrorKind(err) != kindred.Conflict {
		t.Fatalf("the same wamid again: %v", err)
	}
	wantField(t, func() error {
		_, err := db.InboundWhatsApp(ctx, kindred.InboundWhatsApp{From: "0722", ProviderID: "wamid.2", Body: "x"}, nil)
		return err
	}(), "from")

	now = now.Add(23 * time.Hour)
	within := mustMessage(t, db, ctx, kindred.Message{ConversationID: in.ConversationID, Direction: kindred.Outbound, Body: "Your card is ready."})
	if within.DeliveryStatus != kindred.DeliveryQueued || within.Channel != kindred.ChannelWhatsApp || within.To != "+254722000111" {
		t.Fatalf("within 24 hours: %+v", within)
	}
	now = now.Add(2 * time.Hour)
	after := mustMessage(t, db, ctx, kindred.Message{ConversationID: in.ConversationID, Direction: kindred.Outbound, Body: "Are you there?"})
	if after.DeliveryStatus != kindred.DeliveryFailed || !strings.Contains(after.DeliveryError, "approved template") {
		t.Fatalf("after 24 hours: %+v", after)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM outbox WHERE channel = 'whatsapp'"); n != 1 {
		t.Fatalf("%d WhatsApp messages in the outbox, want 1", n)
	}
	// The customer writes again: the window opens again.
	if _, err := db.InboundWhatsApp(ctx, kindred.InboundWhatsApp{From: "+254722000111", ProviderID: "wamid.3", Body: "Yes"}, nil); err != nil {
		t.Fatal(err)
	}
	conv, err := db.Conversation(ctx, in.ConversationID, false)
	if err != nil || !conv.WhatsAppWindowOpen {
		t.Fatalf("window after the customer wrote again: %+v %v", conv, err)
	}
}
